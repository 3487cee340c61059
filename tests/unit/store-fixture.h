/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cmocka fixture shared by the store tests: a fresh SQLite store in its own
 * /tmp/<prefix>-XXXXXX directory, removed with everything in it on teardown;
 * and the assertions every store test uses. Include after <cmocka.h>. */
#pragma once

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db/store.h"
#include "netd/core/addr.h"
#include "netd/core/error.h"
#include "netd/core/util.h"

#define N(a) ARRAY_SIZE(a)

struct fixture {
        char dir[64];
        char path[128];
        struct store *s;
};

static inline int fixture_teardown(void **state) {
        struct fixture *f = *state;
        struct dirent *de;
        DIR *d;

        store_close(f->s);
        d = opendir(f->dir);
        if (d) {
                while ((de = readdir(d))) {
                        char p[512];

                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
                        unlink(p);
                }
                closedir(d);
        }
        rmdir(f->dir);
        free(f);
        return 0;
}

static inline int fixture_setup_prefix(void **state, const char *prefix) {
        struct fixture *f = calloc(1, sizeof(*f));
        struct netd_error err = {};

        if (!f)
                return -1;
        snprintf(f->dir, sizeof(f->dir), "/tmp/%s-XXXXXX", prefix);
        if (!mkdtemp(f->dir)) {
                free(f);
                return -1;
        }
        snprintf(f->path, sizeof(f->path), "%s/netd.db", f->dir);
        *state = f;
        if (store_open(f->path, &f->s, &err) < 0) {
                fprintf(stderr, "store_open: %s\n", err.message);
                fixture_teardown(state);
                return -1;
        }
        return 0;
}

static inline struct store *fixture_store(void **state) {
        return ((struct fixture *)*state)->s;
}

static inline void assert_addr(const struct addr *a, const char *want) {
        char buf[ADDR_STRLEN];

        assert_string_equal(addr_format(a, buf, sizeof(buf)), want);
}

/* `r` is `code` with a message containing `part`. */
static inline void assert_error(int r, const struct netd_error *err, int code, const char *part) {
        if (r != code || err->code != code || !strstr(err->message, part))
                fail_msg("got %d (%s) \"%s\", want %d (%s) with \"%s\"", r, error_code_name(r), err->message,
                         code, error_code_name(code), part);
}
