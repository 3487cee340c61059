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
        assert_int_equal(st.st_mode & 0777, FILE_MODE);
        assert_int_equal(st.st_gid, geteuid() == 0 ? file_group() : getegid());
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

        /* file_write refuses to follow it, and says so */
        assert_int_equal(file_write(link1, "evil\n", &err), NETD_EINVALID);
        assert_int_equal(errno, ELOOP);
        assert_non_null(strstr(err.message, link1));
        assert_non_null(strstr(err.message, "is a symbolic link"));
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
        assert_int_equal(st.st_mode & 0777, FILE_MODE);
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

/* file_own(): netd's mode and group, never through a symlink or on a
 * FIFO; created only when asked. */
static void test_own(void **state _unused_) {
        _cleanup_free_ char *p = tmp_path("own"), *victim = tmp_path("own-victim"),
                            *link = tmp_path("own-link"), *fifo = tmp_path("own-fifo"),
                            *missing = tmp_path("own-missing"), *text = NULL;
        struct netd_error err = {0};
        struct stat st;

        assert_int_equal(file_own(missing, false, &err), NETD_ENOTFOUND);
        assert_int_equal(lstat(missing, &st), -1);
        assert_int_equal(file_own(p, true, &err), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 0777, FILE_MODE);
        /* an existing file too loose is tightened */
        assert_int_equal(chmod(p, 0666), 0);
        assert_int_equal(file_own(p, false, &err), 0);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, FILE_MODE);

        assert_int_equal(file_write(victim, "precious\n", NULL), 0);
        assert_int_equal(chmod(victim, 0604), 0);
        assert_int_equal(symlink(victim, link), 0);
        err = (struct netd_error){0};
        assert_int_equal(file_own(link, true, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, link));
        assert_non_null(strstr(err.message, "symbolic link"));
        assert_int_equal(stat(victim, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0604);
        text = read_text(victim);
        assert_string_equal(text, "precious\n");

        assert_int_equal(mkfifo(fifo, 0600), 0);
        err = (struct netd_error){0};
        assert_int_equal(file_own(fifo, true, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "not a regular file"));
}

/* A state directory: real, ours, writable by no one else. */
static void test_dir_check(void **state _unused_) {
        _cleanup_free_ char *d = tmp_path("state"), *link = tmp_path("state-link"),
                            *file = tmp_path("state-file");
        struct netd_error err = {0};

        assert_int_equal(mkdir(d, 0755), 0);
        assert_int_equal(chmod(d, 0755), 0);
        assert_int_equal(file_dir_check("state directory", d, &err), 0);
        assert_int_equal(chmod(d, 0750), 0);
        assert_int_equal(file_dir_check("state directory", d, &err), 0);

        assert_int_equal(chmod(d, 0757), 0);
        assert_int_equal(file_dir_check("state directory", d, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, d));
        assert_non_null(strstr(err.message, "writable by others"));
        assert_int_equal(chmod(d, 0775), 0);
        err = (struct netd_error){0};
        assert_int_equal(file_dir_check("state directory", d, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "writable by its group"));
        assert_int_equal(chmod(d, 0755), 0);

        assert_int_equal(symlink(d, link), 0);
        err = (struct netd_error){0};
        assert_int_equal(file_dir_check("state directory", link, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "symbolic link"));
        assert_int_equal(file_write(file, "x", NULL), 0);
        err = (struct netd_error){0};
        assert_int_equal(file_dir_check("state directory", file, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "not a directory"));
        if (geteuid() == 0) {
                assert_int_equal(chown(d, 65534, 0), 0);
                err = (struct netd_error){0};
                assert_int_equal(file_dir_check("state directory", d, &err), NETD_EINVALID);
                assert_non_null(strstr(err.message, "owned by uid 65534"));
                assert_int_equal(chown(d, 0, 0), 0);
        }
}

/* A file that already holds the text is left alone (a full disk needs no
 * room for it), only its mode is set; a different text replaces it. */
static void test_write_atomic_unchanged(void **state _unused_) {
        _cleanup_free_ char *p = tmp_path("same"), *text = NULL;
        struct netd_error err = {0};
        struct stat st1, st2;

        assert_int_equal(file_write_atomic(p, "a\n", &err), 0);
        assert_int_equal(chmod(p, 0644), 0);
        assert_int_equal(stat(p, &st1), 0);
        assert_int_equal(file_write_atomic(p, "a\n", &err), 0);
        assert_int_equal(stat(p, &st2), 0);
        assert_int_equal(st1.st_ino, st2.st_ino);
        assert_int_equal(st2.st_mode & 0777, FILE_MODE);
        assert_int_equal(file_write_atomic(p, "b\n", &err), 0);
        assert_int_equal(stat(p, &st2), 0);
        assert_int_not_equal(st1.st_ino, st2.st_ino);
        text = read_text(p);
        assert_string_equal(text, "b\n");
        assert_false(dotfile_left());
}

/* file_rewrite(): the same file (inode), the new text, never through a
 * symlink. */
static void test_rewrite(void **state _unused_) {
        _cleanup_free_ char *p = tmp_path("rewrite"), *victim = tmp_path("rewrite-victim"),
                            *link = tmp_path("rewrite-link"), *text = NULL, *short_text = NULL;
        struct netd_error err = {0};
        struct stat st1, st2;

        assert_int_equal(file_write(p, "port=12345\nx\n", NULL), 0);
        assert_int_equal(stat(p, &st1), 0);
        assert_int_equal(file_rewrite(p, "port=54321\nxy\n", &err), 0);
        assert_int_equal(stat(p, &st2), 0);
        assert_int_equal(st1.st_ino, st2.st_ino);
        text = read_text(p);
        assert_string_equal(text, "port=54321\nxy\n");
        assert_int_equal(file_rewrite(p, "p\n", &err), 0);
        short_text = read_text(p);
        assert_string_equal(short_text, "p\n");

        assert_int_equal(file_write(victim, "precious\n", NULL), 0);
        assert_int_equal(symlink(victim, link), 0);
        assert_int_equal(file_rewrite(link, "evil\n", &err), NETD_EINVALID);
        free(text);
        text = read_text(victim);
        assert_string_equal(text, "precious\n");
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
                cmocka_unit_test(test_temp_unique),  cmocka_unit_test(test_own),
                cmocka_unit_test(test_dir_check),    cmocka_unit_test(test_write_atomic_unchanged),
                cmocka_unit_test(test_rewrite),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
