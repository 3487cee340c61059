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

/* Create or truncate `path` (mode 0644) and write `text` to it; a symlink
 * at `path` is refused, never followed. */
int file_write(const char *path, const char *text, struct netd_error *err);

/* Write `text` to a new dotfile DIR/.NAME.<6 random characters> (directory watches and
 * dnsmasq's conf-dir skip dotfiles), created exclusively, mode 0644;
 * *ret_path (malloc'ed) names it. */
int file_write_temp(const char *dir, const char *name, const char *text, char **ret_path,
                    struct netd_error *err);

/* Whether a directory entry is one of file_write_temp()'s files (or the
 * older `.NAME.tmp`): left over only after a crash, safe to remove. */
bool file_name_is_temp(const char *name);

/* Replace `path` with `text` atomically: readers see the old or the new
 * file, never half of one. The text goes to a file_write_temp() first,
 * then is renamed over `path` (a symlink planted there is replaced, its
 * target untouched). No fsync: for files regenerated at start. */
int file_write_atomic(const char *path, const char *text, struct netd_error *err);

/* Read the whole of `path` into *ret_text (malloc'ed). A NUL always
 * follows the content, which may hold NULs of its own (/proc/PID/cmdline).
 * NETD_ENOTFOUND when it does not exist. */
int file_read(const char *path, char **ret_text, struct netd_error *err);

/* Whether the first line of `path` starts with '#' and contains `mark`
 * (a generated file's header); false when it cannot be read. */
bool file_has_header_mark(const char *path, const char *mark);
