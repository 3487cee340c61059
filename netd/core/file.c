/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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

gid_t file_group(void) {
        struct group *g = getgrnam(FILE_GROUP);

        return g ? g->gr_gid : 0;
}

int file_fd_own(int fd, const char *path, struct netd_error *err) {
        /* A user other than root cannot give a file away: then it keeps
         * whatever group it got (tests run netd unprivileged too). */
        if (fchown(fd, geteuid(), file_group()) < 0 && geteuid() == 0)
                return fail(err, NETD_EINTERNAL, path);
        if (fchmod(fd, FILE_MODE) < 0)
                return fail(err, NETD_EINTERNAL, path);
        return 0;
}

/* error_set() for an open() of `path` with O_NOFOLLOW that failed: a
 * symlink is refused by name, a missing file is `missing`. */
static int fail_open(struct netd_error *err, const char *path, int missing) {
        if (errno == ELOOP) {
                error_set(err, NETD_EINVALID, "%s is a symbolic link: refusing to follow it", path);
                errno = ELOOP;
                return NETD_EINVALID;
        }
        return fail(err, errno == ENOENT ? missing : NETD_EINTERNAL, path);
}

int file_own(const char *path, bool create, struct netd_error *err) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        /* O_NONBLOCK: a FIFO planted there must not hang the open. */
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0), FILE_MODE);
        if (fd < 0)
                return fail_open(err, path, NETD_ENOTFOUND);
        if (fstat(fd, &st) < 0)
                return fail(err, NETD_EINTERNAL, path);
        if (!S_ISREG(st.st_mode)) {
                errno = EINVAL;
                return error_set(err, NETD_EINVALID, "%s is not a regular file: refusing to use it", path);
        }
        return file_fd_own(fd, path, err);
}

int file_dir_check(const char *what, const char *path, struct netd_error *err) {
        struct stat st;

        if (lstat(path, &st) < 0)
                return error_set(err, errno == ENOENT ? NETD_ENOTFOUND : NETD_EINVALID, "%s %s: %s", what,
                                 path, strerror(errno));
        if (S_ISLNK(st.st_mode))
                return error_set(err, NETD_EINVALID, "%s %s is a symbolic link: refusing to use it", what,
                                 path);
        if (!S_ISDIR(st.st_mode))
                return error_set(err, NETD_EINVALID, "%s %s is not a directory", what, path);
        if (st.st_uid != geteuid())
                return error_set(err, NETD_EINVALID,
                                 "%s %s is owned by uid %u, not by uid %u (root) that netd runs as: refusing "
                                 "to use it",
                                 what, path, (unsigned)st.st_uid, (unsigned)geteuid());
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                return error_set(err, NETD_EINVALID,
                                 "%s %s is writable by %s (mode %04o): refusing to use it (chmod go-w %s)",
                                 what, path,
                                 (st.st_mode & S_IWGRP) && (st.st_mode & S_IWOTH) ? "group and others"
                                 : st.st_mode & S_IWOTH                           ? "others"
                                                                                  : "its group",
                                 (unsigned)(st.st_mode & 07777), path);
        return 0;
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
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, FILE_MODE);

        if (fd < 0)
                return fail_open(err, path, NETD_EINTERNAL);
        if (file_fd_own(fd, path, err) < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return NETD_EINTERNAL;
        }
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
        r = file_fd_own(fd, tmp, err);
        if (r < 0) {
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

/* Whether the regular file `path` (not a symlink) holds exactly `text`;
 * then it gets netd's mode and owner. */
static bool file_same(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        size_t n = strlen(text), off = 0;
        char buf[4096];
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != n)
                return false;
        for (;;) {
                ssize_t r = read(fd, buf, sizeof(buf));

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0 || (size_t)r > n - off || memcmp(buf, text + off, (size_t)r) != 0)
                        return false;
                if (r == 0)
                        break;
                off += (size_t)r;
        }
        return off == n && file_fd_own(fd, path, NULL) == 0;
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
        if (file_same(path, text))
                return 0;
        r = file_write_temp(dir, slash + 1, text, &tmp, err);
        if (r < 0)
                return r;
        if (rename(tmp, path) < 0) {
                r = fail(err, NETD_EINTERNAL, path);
                unlink(tmp);
        }
        return r;
}

int file_rewrite(const char *path, const char *text, struct netd_error *err) {
        int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        int r = 0;

        if (fd < 0)
                return fail_open(err, path, NETD_ENOTFOUND);
        if (fstat(fd, &st) < 0)
                r = fail(err, NETD_EINTERNAL, path);
        else if (!S_ISREG(st.st_mode))
                r = error_set(err, NETD_EINVALID, "%s is not a regular file: refusing to use it", path);
        else if (ftruncate(fd, (off_t)strlen(text)) < 0)
                r = fail(err, NETD_EINTERNAL, path);
        if (r < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return r;
        }
        return fd_write_all(fd, path, text, err);
}

int file_read(const char *path, char **ret_text, struct netd_error *err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, n = 0;

        if (fd < 0)
                return fail_open(err, path, NETD_ENOTFOUND);
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
