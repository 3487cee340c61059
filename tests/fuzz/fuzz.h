/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every fuzz target shares. A target defines LLVMFuzzerTestOneInput()
 * (and may define LLVMFuzzerInitialize()); with clang it links libFuzzer,
 * with any other compiler tests/fuzz/fuzz-main.c drives it (the seed
 * corpus, then optional random mutations). A broken invariant is a crash:
 * FUZZ_ASSERT prints what broke and aborts, so both drivers keep the input
 * as a reproducer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(cond, ...)                                                                               \
        do {                                                                                                 \
                if (!(cond)) {                                                                               \
                        fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__, #cond);         \
                        fprintf(stderr, __VA_ARGS__);                                                        \
                        fputc('\n', stderr);                                                                 \
                        abort();                                                                             \
                }                                                                                            \
        } while (0)

/* The input as a NUL-terminated string (a copy; embedded NULs stay and
 * end the C string early, as they would for the parsers' callers). */
static inline char *fuzz_string(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}
