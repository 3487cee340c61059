/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netctl's help texts, written from the command table. */
#pragma once

#include <stdio.h>

#include "command.h"

/* `netctl COMMAND --help`: the synopsis, what it does, its options. */
void help_command(const struct command *c, FILE *out);

/* `netctl [WORDS] --help`: the commands starting with the `n_words` words
 * (all of them, after an introduction, when there are none) and the global
 * options. */
void help_commands(const char *const *words, size_t n_words, FILE *out);
