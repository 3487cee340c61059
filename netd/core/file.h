/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small file helpers: whole files in and out, directories, paths.
 *
 * Fallible functions return 0 or a negative NETD_E* code and fill `err`
 * (may be NULL) with "PATH: reason". On failure errno still holds the
 * system's reason, for callers that word their own message. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* "DIR/NAME", malloc'ed; NULL when out of memory. */
char *file_path_join(const char *dir, const char *name);

/* Create `path` and every missing parent with `mode` (like mkdir -p); an
 * existing directory is fine. */
int file_mkdir_p(const char *path, mode_t mode, struct netd_error *err);

/* The mode and group of every file netd creates: 0640, group `netd` when
 * that group exists (its members read the state), else root's. */
#define FILE_MODE 0640
#define FILE_GROUP "netd"
gid_t file_group(void);

/* Give the open file `fd` (named `path` in messages) FILE_MODE, netd's
 * user and file_group(). */
int file_fd_own(int fd, const char *path, struct netd_error *err);

/* Check the regular file `path` without following a symlink there (one is
 * refused: "PATH is a symbolic link: refusing to follow it"), creating it
 * empty when `create`, and give it file_fd_own()'s mode and owner.
 * NETD_ENOTFOUND when it does not exist and not `create`. */
int file_own(const char *path, bool create, struct netd_error *err);

/* Check a directory netd keeps its state in: a real directory (not a
 * symlink), owned by the user netd runs as (root), writable by no one else.
 * `what` names it in the refusal ("state directory"). */
int file_dir_check(const char *what, const char *path, struct netd_error *err);

/* Create or truncate `path` (FILE_MODE) and write `text` to it; a symlink
 * at `path` is refused, never followed. */
int file_write(const char *path, const char *text, struct netd_error *err);

/* Write `text` to a new dotfile DIR/.NAME.<6 random characters> (directory watches and
 * dnsmasq's conf-dir skip dotfiles), created exclusively, FILE_MODE;
 * *ret_path (malloc'ed) names it. */
int file_write_temp(const char *dir, const char *name, const char *text, char **ret_path,
                    struct netd_error *err);

/* Whether a directory entry is one of file_write_temp()'s files (or the
 * older `.NAME.tmp`): left over only after a crash, safe to remove. */
bool file_name_is_temp(const char *name);

/* Replace `path` with `text` atomically: readers see the old or the new
 * file, never half of one. The text goes to a file_write_temp() first,
 * then is renamed over `path` (a symlink planted there is replaced, its
 * target untouched). A file that already holds exactly `text` is left as
 * it is (only its mode and owner are set): a start on a full disk needs no
 * room for what is unchanged. On failure (a full disk) the old file is
 * intact. No fsync: for files regenerated at start. */
int file_write_atomic(const char *path, const char *text, struct netd_error *err);

/* Rewrite the regular file `path` (no symlink followed) in place with
 * `text`: not atomic, so only for a file nobody reads meanwhile; it needs
 * no room for a second copy (a full disk) as long as `text` fits in the
 * blocks the file already has. */
int file_rewrite(const char *path, const char *text, struct netd_error *err);

/* Read the whole of `path` into *ret_text (malloc'ed). A NUL always
 * follows the content, which may hold NULs of its own (/proc/PID/cmdline).
 * NETD_ENOTFOUND when it does not exist. */
int file_read(const char *path, char **ret_text, struct netd_error *err);

/* Whether the first line of `path` starts with '#' and contains `mark`
 * (a generated file's header); false when it cannot be read. */
bool file_has_header_mark(const char *path, const char *mark);
