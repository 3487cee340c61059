/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fuzz targets' driver where libFuzzer is not available (gcc): runs
 * every input file given (directories: each regular file in them), then,
 * with -runs=N or -max_total_time=S, random mutations of those inputs
 * (bit flips, byte changes, insertions, deletions, repeats, splices). It
 * has no coverage feedback; it keeps the targets compiled and their seeds
 * and invariants checked by gcc builds. Accepts the few libFuzzer flags
 * the tests use; others are ignored. Before each mutated input runs, it is
 * written to <artifact_prefix>crash-<target>, removed at a clean end: a
 * crash leaves its reproducer there. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_LEN_DEFAULT 4096

struct input {
        uint8_t *data;
        size_t size;
};

static struct input *inputs;
static size_t n_inputs;

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc;
        (void)argv;
        return 0;
}

static void input_add(const char *path) {
        struct input in = {0};
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct input *n;

        if (fd < 0 || fstat(fd, &st) < 0) {
                fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
                exit(1);
        }
        in.size = (size_t)st.st_size;
        in.data = malloc(in.size ? in.size : 1);
        if (!in.data || read(fd, in.data, in.size) != (ssize_t)in.size) {
                fprintf(stderr, "fuzz: %s: cannot read\n", path);
                exit(1);
        }
        close(fd);
        n = realloc(inputs, (n_inputs + 1) * sizeof(*inputs));
        if (!n)
                abort();
        inputs = n;
        inputs[n_inputs++] = in;
}

static int name_cmp(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static void path_add(const char *path) {
        struct dirent **names;
        struct stat st;
        int n;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
                exit(1);
        }
        if (!S_ISDIR(st.st_mode)) {
                input_add(path);
                return;
        }
        n = scandir(path, &names, NULL, name_cmp);
        for (int i = 0; i < n; i++) {
                char p[4096];

                snprintf(p, sizeof(p), "%s/%s", path, names[i]->d_name);
                if (names[i]->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode))
                        input_add(p);
                free(names[i]);
        }
        free(names);
}

/* xorshift64*: reproducible from -seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return n ? (rng_state * 0x2545f4914f6cdd1dull) % n : 0;
}

static const uint8_t interesting[] = {0,   1,   0x7f, 0x80, 0xff, '"', '\\', ':', ',', '{', '}', '[',
                                      ']', '.', '/',  '-',  '<',  '>', '=',  '0', '9', 'a', 'f', 0xc0};

/* One to four mutations of `in` into buf (max_len bytes); returns the size. */
static size_t mutate(const struct input *in, uint8_t *buf, size_t max_len) {
        size_t size = in->size < max_len ? in->size : max_len;
        unsigned n = 1 + (unsigned)rnd(4);

        memcpy(buf, in->data, size);
        for (unsigned k = 0; k < n; k++) {
                size_t at = rnd(size + 1), len;
                const struct input *other;

                switch (rnd(7)) {
                case 0: /* flip a bit */
                        if (size)
                                buf[at % size] ^= (uint8_t)(1u << rnd(8));
                        break;
                case 1: /* an interesting byte */
                        if (size)
                                buf[at % size] = interesting[rnd(sizeof(interesting))];
                        break;
                case 2: /* insert a byte */
                        if (size < max_len) {
                                memmove(buf + at + 1, buf + at, size - at);
                                buf[at] = rnd(2) ? (uint8_t)rnd(256) : interesting[rnd(sizeof(interesting))];
                                size++;
                        }
                        break;
                case 3: /* delete a run */
                        len = 1 + rnd(8);
                        if (at + len <= size) {
                                memmove(buf + at, buf + at + len, size - at - len);
                                size -= len;
                        }
                        break;
                case 4: /* repeat a run */
                        len = 1 + rnd(16);
                        if (at + len <= size && size + len <= max_len) {
                                memmove(buf + at + len, buf + at, size - at);
                                size += len;
                        }
                        break;
                case 5: /* splice in a piece of another input */
                        other = &inputs[rnd(n_inputs)];
                        if (other->size) {
                                size_t from = rnd(other->size);
                                len = 1 + rnd(other->size - from);
                                if (size + len <= max_len) {
                                        memmove(buf + at + len, buf + at, size - at);
                                        memcpy(buf + at, other->data + from, len);
                                        size += len;
                                }
                        }
                        break;
                default: /* cut the end */
                        size = at;
                        break;
                }
        }
        return size;
}

static bool flag_value(const char *arg, const char *name, unsigned long long *ret) {
        size_t n = strlen(name);

        if (strncmp(arg, name, n) != 0 || arg[n] != '=')
                return false;
        *ret = strtoull(arg + n + 1, NULL, 10);
        return true;
}

int main(int argc, char **argv) {
        unsigned long long runs = 0, seconds = 0, seed = 1, max_len = MAX_LEN_DEFAULT, v;
        const char *prefix = "";
        char crash_path[4096];
        uint8_t *buf;
        time_t end;
        unsigned long long done = 0;
        int fd;

        LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++) {
                if (flag_value(argv[i], "-runs", &v))
                        runs = v;
                else if (flag_value(argv[i], "-max_total_time", &v))
                        seconds = v;
                else if (flag_value(argv[i], "-seed", &v))
                        seed = v ? v : 1;
                else if (flag_value(argv[i], "-max_len", &v))
                        max_len = v ? v : MAX_LEN_DEFAULT;
                else if (strncmp(argv[i], "-artifact_prefix=", 17) == 0)
                        prefix = argv[i] + 17;
                else if (argv[i][0] != '-')
                        path_add(argv[i]);
        }
        for (size_t i = 0; i < n_inputs; i++)
                LLVMFuzzerTestOneInput(inputs[i].data, inputs[i].size);
        fprintf(stderr, "%s: %zu inputs ran\n", program_invocation_short_name, n_inputs);
        if ((!runs && !seconds) || !n_inputs)
                return 0;

        rng_state ^= seed * 0x2545f4914f6cdd1dull;
        buf = malloc(max_len);
        snprintf(crash_path, sizeof(crash_path), "%scrash-%s", prefix, program_invocation_short_name);
        fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (!buf || fd < 0) {
                fprintf(stderr, "fuzz: %s: %s\n", crash_path, strerror(errno));
                return 1;
        }
        end = time(NULL) + (time_t)seconds;
        while ((!runs || done < runs) && (!seconds || time(NULL) < end)) {
                for (unsigned k = 0; k < 256 && (!runs || done < runs); k++, done++) {
                        size_t size = mutate(&inputs[rnd(n_inputs)], buf, max_len);

                        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, size, 0) != (ssize_t)size)
                                abort();
                        LLVMFuzzerTestOneInput(buf, size);
                }
        }
        close(fd);
        unlink(crash_path);
        fprintf(stderr, "%s: %llu mutated inputs ran (seed %llu)\n", program_invocation_short_name, done,
                seed);
        free(buf);
        return 0;
}
