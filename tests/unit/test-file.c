/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The core's file helpers in a temporary directory: paths, mkdir -p, whole
 * files in and out, the atomic replace (a reader holding the old file keeps
 * it; no temporary file is left), and the header mark of generated files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>

#include "netd/core/file.h"

static char tmpdir[] = "/tmp/netd-test-file-XXXXXX";

static char *tmp_path(const char *name) {
        char *p = file_path_join(tmpdir, name);

        assert_non_null(p);
        return p;
}

static char *read_text(const char *path) {
        struct netd_error err = {0};
        char *text = NULL;

        assert_int_equal(file_read(path, &text, &err), 0);
        assert_non_null(text);
        return text;
}

/* Whether a dotfile (a temporary file) is left in the directory. */
static bool dotfile_left(void) {
        DIR *d = opendir(tmpdir);
        struct dirent *e;
        bool found = false;

        assert_non_null(d);
        while ((e = readdir(d)))
                if (e->d_name[0] == '.' && !streq(e->d_name, ".") && !streq(e->d_name, ".."))
                        found = true;
        closedir(d);
        return found;
}

static bool is_dir(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_path_join(void **state _unused_) {
        _cleanup_free_ char *p = file_path_join("/var/lib/netd", "dnsmasq");
        _cleanup_free_ char *q = file_path_join("", "x");

        assert_string_equal(p, "/var/lib/netd/dnsmasq");
        assert_string_equal(q, "/x");
}

static void test_mkdir_p(void **state _unused_) {
        _cleanup_free_ char *deep = tmp_path("a/b/c"), *mid = tmp_path("a/b");
        _cleanup_free_ char *file = tmp_path("plain"), *under = tmp_path("plain/sub");
        struct netd_error err = {0};

        assert_int_equal(file_mkdir_p(deep, 0755, &err), 0);
        assert_true(is_dir(deep));
        /* existing directories are fine, the whole path or a part of it */
        assert_int_equal(file_mkdir_p(deep, 0755, &err), 0);
        assert_int_equal(file_mkdir_p(mid, 0755, &err), 0);
        assert_int_equal(file_mkdir_p(tmpdir, 0755, &err), 0);

        /* a file in the way: the error names the path, errno the reason */
        assert_int_equal(file_write(file, "x", &err), 0);
        errno = 0;
        assert_int_equal(file_mkdir_p(under, 0755, &err), NETD_EINTERNAL);
        assert_int_equal(errno, ENOTDIR);
        assert_int_equal(err.code, NETD_EINTERNAL);
        assert_non_null(strstr(err.message, under));
        assert_non_null(strstr(err.message, strerror(ENOTDIR)));
        /* without an error object too */
        assert_int_equal(file_mkdir_p(under, 0755, NULL), NETD_EINTERNAL);
}

static void test_write_read(void **state _unused_) {
        _cleanup_free_ char *p = tmp_path("text"), *text = NULL, *again = NULL, *empty = NULL;
        struct netd_error err = {0};
        struct stat st;

        assert_int_equal(file_write(p, "one\ntwo\n", &err), 0);
        text = read_text(p);
        assert_string_equal(text, "one\ntwo\n");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        /* an existing file is truncated */
        assert_int_equal(file_write(p, "3", &err), 0);
        again = read_text(p);
        assert_string_equal(again, "3");
        assert_int_equal(file_write(p, "", &err), 0);
        empty = read_text(p);
        assert_string_equal(empty, "");
}

static void test_read_large_and_binary(void **state _unused_) {
        _cleanup_free_ char *p = tmp_path("large"), *big = malloc(100001), *text = NULL;
        _cleanup_free_ char *b = tmp_path("binary"), *bin = NULL;
        const char raw[] = "arg0\0arg1\0";
        int fd;

        /* longer than the first buffer: it grows */
        assert_non_null(big);
        for (size_t i = 0; i < 100000; i++)
                big[i] = (char)('a' + i % 26);
        big[100000] = '\0';
        assert_int_equal(file_write(p, big, NULL), 0);
        text = read_text(p);
        assert_string_equal(text, big);

        /* NUL-separated content (like /proc/PID/cmdline) keeps its bytes and
         * gets one more NUL after the end */
        fd = open(b, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, raw, sizeof(raw) - 1), (ssize_t)sizeof(raw) - 1);
        close(fd);
        bin = read_text(b);
        assert_memory_equal(bin, raw, sizeof(raw));
}

static void test_read_missing(void **state _unused_) {
        _cleanup_free_ char *p = tmp_path("missing"), *text = NULL;
        struct netd_error err = {0};

        assert_int_equal(file_read(p, &text, &err), NETD_ENOTFOUND);
        assert_null(text);
        assert_int_equal(errno, ENOENT);
        assert_non_null(strstr(err.message, p));
        /* a directory is not a file */
        assert_true(file_read(tmpdir, &text, NULL) < 0);
        assert_null(text);
}

static void test_write_missing_dir(void **state _unused_) {
        _cleanup_free_ char *p = tmp_path("nodir/file");
        struct netd_error err = {0};

        assert_int_equal(file_write(p, "x", &err), NETD_EINTERNAL);
        assert_int_equal(errno, ENOENT);
        assert_non_null(strstr(err.message, p));
        err = (struct netd_error){0};
        assert_int_equal(file_write_atomic(p, "x", &err), NETD_EINTERNAL);
        assert_non_null(strstr(err.message, "nodir/.file."));
        assert_int_equal(errno, ENOENT);
}

static void test_write_atomic(void **state _unused_) {
        _cleanup_free_ char *p = tmp_path("atomic"), *text = NULL;
        struct netd_error err = {0};
        char old[16] = "";
        struct stat before, after;
        int fd;

        assert_int_equal(file_write_atomic(p, "old\n", &err), 0);
        assert_false(dotfile_left());
        assert_int_equal(stat(p, &before), 0);

        /* a reader that opened the old file keeps reading the old text */
        fd = open(p, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(file_write_atomic(p, "new\n", &err), 0);
        assert_int_equal(read(fd, old, sizeof(old) - 1), 4);
        close(fd);
        assert_string_equal(old, "old\n");
        text = read_text(p);
        assert_string_equal(text, "new\n");

        /* replaced by a rename, not rewritten in place; no temporary file left */
        assert_int_equal(stat(p, &after), 0);
        assert_true(before.st_ino != after.st_ino);
        assert_false(dotfile_left());
}

static void test_write_atomic_failed_rename(void **state _unused_) {
        _cleanup_free_ char *d = tmp_path("isdir"), *inner = tmp_path("isdir/keep");
        struct netd_error err = {0};

        /* renaming a file over a non-empty directory fails: the temporary
         * file goes, the directory stays */
        assert_int_equal(file_mkdir_p(d, 0755, NULL), 0);
        assert_int_equal(file_write(inner, "x", NULL), 0);
        assert_int_equal(file_write_atomic(d, "text", &err), NETD_EINTERNAL);
        assert_non_null(strstr(err.message, d));
        assert_false(dotfile_left());
        assert_true(is_dir(d));
}

/* A symlink planted where netd writes never leads it to another file. */
static void test_planted_links(void **state _unused_) {
        _cleanup_free_ char *victim = tmp_path("victim"), *link1 = tmp_path("planted"),
                            *link2 = tmp_path("planted-atomic"), *text = NULL;
        struct netd_error err = {0};
        struct stat st;

        assert_int_equal(file_write(victim, "precious\n", NULL), 0);
        assert_int_equal(symlink(victim, link1), 0);
        assert_int_equal(symlink(victim, link2), 0);

        /* file_write refuses to follow it */
        assert_int_equal(file_write(link1, "evil\n", &err), NETD_EINTERNAL);
        assert_int_equal(errno, ELOOP);
        text = read_text(victim);
        assert_string_equal(text, "precious\n");
        free(text);

        /* file_write_atomic replaces the link itself, not its target */
        assert_int_equal(file_write_atomic(link2, "new\n", &err), 0);
        assert_int_equal(lstat(link2, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        text = read_text(victim);
        assert_string_equal(text, "precious\n");
        assert_false(dotfile_left());
}

/* Two temporary files of the same name never collide. */
static void test_temp_unique(void **state _unused_) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        struct netd_error err = {0};
        struct stat st;

        assert_int_equal(file_write_temp(tmpdir, "snippet.conf", "a\n", &a, &err), 0);
        assert_int_equal(file_write_temp(tmpdir, "snippet.conf", "b\n", &b, &err), 0);
        assert_string_not_equal(a, b);
        assert_non_null(strstr(a, "/.snippet.conf."));
        assert_true(file_name_is_temp(strrchr(a, '/') + 1));
        assert_false(file_name_is_temp(".hidden"));
        assert_false(file_name_is_temp("snippet.conf"));
        assert_false(file_name_is_temp(".x.conf"));
        assert_true(file_name_is_temp(".x.tmp"));
        assert_int_equal(stat(a, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        assert_int_equal(unlink(a), 0);
        assert_int_equal(unlink(b), 0);
}

static void test_header_mark(void **state _unused_) {
        _cleanup_free_ char *ours = tmp_path("ours.conf"), *theirs = tmp_path("theirs.conf");
        _cleanup_free_ char *later = tmp_path("later.conf"), *nocomment = tmp_path("nocomment.conf");
        _cleanup_free_ char *missing = tmp_path("missing.conf");
        const char *mark = "Generated by netd; do not edit";

        assert_int_equal(file_write(ours, "# Cluster a. Generated by netd; do not edit: ...\nx=1\n", NULL),
                         0);
        assert_int_equal(file_write(theirs, "# my own\nx=1\n", NULL), 0);
        /* only the first line counts */
        assert_int_equal(file_write(later, "x=1\n# Generated by netd; do not edit\n", NULL), 0);
        /* and it must be a comment */
        assert_int_equal(file_write(nocomment, "Generated by netd; do not edit\n", NULL), 0);

        assert_true(file_has_header_mark(ours, mark));
        assert_false(file_has_header_mark(theirs, mark));
        assert_false(file_has_header_mark(later, mark));
        assert_false(file_has_header_mark(nocomment, mark));
        assert_false(file_has_header_mark(missing, mark));
}

static int rm_entry(const char *path, const struct stat *st _unused_, int flag _unused_,
                    struct FTW *ftw _unused_) {
        return remove(path);
}

static int setup(void **state _unused_) {
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state _unused_) {
        return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_join),    cmocka_unit_test(test_mkdir_p),
                cmocka_unit_test(test_write_read),   cmocka_unit_test(test_read_large_and_binary),
                cmocka_unit_test(test_read_missing), cmocka_unit_test(test_write_missing_dir),
                cmocka_unit_test(test_write_atomic), cmocka_unit_test(test_write_atomic_failed_rename),
                cmocka_unit_test(test_header_mark),  cmocka_unit_test(test_planted_links),
                cmocka_unit_test(test_temp_unique),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
