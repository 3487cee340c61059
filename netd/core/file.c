/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "file.h"

/* error_set() for a failed system call on `path`, leaving errno as the
 * call left it. */
static int fail(struct netd_error *err, int code, const char *path) {
        int e = errno;

        error_set(err, code, "%s: %s", path, strerror(e));
        errno = e;
        return code;
}

char *file_path_join(const char *dir, const char *name) {
        char *p;

        return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

int file_mkdir_p(const char *path, mode_t mode, struct netd_error *err) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return fail(err, NETD_EINTERNAL, path);
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = '\0';
                        if (mkdir(p, mode) < 0 && errno != EEXIST)
                                return fail(err, NETD_EINTERNAL, path);
                        *s = '/';
                }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return fail(err, NETD_EINTERNAL, path);
        return 0;
}

/* Write all of `text` to `fd` and close it. */
static int fd_write_all(int fd, const char *path, const char *text, struct netd_error *err) {
        size_t n = strlen(text);

        for (size_t off = 0; off < n;) {
                ssize_t w = write(fd, text + off, n - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0) {
                        int e = errno;
                        close(fd);
                        errno = e;
                        return fail(err, NETD_EINTERNAL, path);
                }
                off += (size_t)w;
        }
        if (close(fd) < 0)
                return fail(err, NETD_EINTERNAL, path);
        return 0;
}

int file_write(const char *path, const char *text, struct netd_error *err) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

        if (fd < 0)
                return fail(err, NETD_EINTERNAL, path);
        return fd_write_all(fd, path, text, err);
}

int file_write_temp(const char *dir, const char *name, const char *text, char **ret_path,
                    struct netd_error *err) {
        _cleanup_free_ char *tmp = NULL;
        int fd, r;

        if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, name) < 0) {
                errno = ENOMEM;
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        /* O_EXCL: never through a planted name; unique: two writers of the
         * same file never share a temporary one. */
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return fail(err, NETD_EINTERNAL, tmp);
        if (fchmod(fd, 0644) < 0) {
                r = fail(err, NETD_EINTERNAL, tmp);
                close(fd);
                unlink(tmp);
                return r;
        }
        r = fd_write_all(fd, tmp, text, err);
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        *ret_path = TAKE_PTR(tmp);
        return 0;
}

bool file_name_is_temp(const char *name) {
        const char *dot = strrchr(name, '.');
        size_t n;

        if (name[0] != '.' || !dot || dot == name)
                return false;
        if (streq(dot, ".tmp")) /* the name before netd 0.2 */
                return true;
        n = strlen(dot + 1);
        if (n != 6)
                return false;
        for (const char *c = dot + 1; *c; c++)
                if (!isalnum((unsigned char)*c))
                        return false;
        return true;
}

int file_write_atomic(const char *path, const char *text, struct netd_error *err) {
        _cleanup_free_ char *tmp = NULL, *dir = NULL;
        const char *slash = strrchr(path, '/');
        int r;

        if (!slash) {
                errno = EINVAL;
                return error_set(err, NETD_EINTERNAL, "%s: not a path with a directory", path);
        }
        dir = strndup(path, (size_t)(slash - path));
        if (!dir) {
                errno = ENOMEM;
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        r = file_write_temp(dir, slash + 1, text, &tmp, err);
        if (r < 0)
                return r;
        if (rename(tmp, path) < 0) {
                r = fail(err, NETD_EINTERNAL, path);
                unlink(tmp);
        }
        return r;
}

int file_read(const char *path, char **ret_text, struct netd_error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, n = 0;

        if (fd < 0)
                return fail(err, errno == ENOENT ? NETD_ENOTFOUND : NETD_EINTERNAL, path);
        for (;;) {
                ssize_t r;

                /* room for one more byte and the terminator */
                if (size - n < 2) {
                        size_t grow = size ? 2 * size : 4096;
                        char *b = realloc(buf, grow);
                        if (!b)
                                return fail(err, NETD_EINTERNAL, path);
                        buf = b;
                        size = grow;
                }
                r = read(fd, buf + n, size - n - 1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return fail(err, NETD_EINTERNAL, path);
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        buf[n] = '\0';
        *ret_text = buf;
        buf = NULL;
        return 0;
}

bool file_has_header_mark(const char *path, const char *mark) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[128] = "";

        return f && fgets(line, sizeof(line), f) && line[0] == '#' && strstr(line, mark);
}
