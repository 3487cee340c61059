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

/* Create or truncate `path` (mode 0644) and write `text` to it. */
int file_write(const char *path, const char *text, struct netd_error *err);

/* Replace `path` with `text` atomically: readers see the old or the new
 * file, never half of one. The text is written to the dotfile
 * DIR/.NAME.tmp first (directory watches that skip dotfiles ignore it),
 * then renamed over `path`. No fsync: for files regenerated at start. */
int file_write_atomic(const char *path, const char *text, struct netd_error *err);

/* Read the whole of `path` into *ret_text (malloc'ed). A NUL always
 * follows the content, which may hold NULs of its own (/proc/PID/cmdline).
 * NETD_ENOTFOUND when it does not exist. */
int file_read(const char *path, char **ret_text, struct netd_error *err);

/* Whether the first line of `path` starts with '#' and contains `mark`
 * (a generated file's header); false when it cannot be read. */
bool file_has_header_mark(const char *path, const char *mark);
