/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <time.h>

#include "netd/core/log.h"
#include "netd/core/proto.h"
#include "netd/core/stats.h"
#include "request.h"

struct request {
        const char *command;
        request_finish_fn finish; /* NULL once the owner has gone */
        void *owner;
        struct timespec started;
};

struct request *request_new(const char *command, request_finish_fn finish, void *owner) {
        struct request *r = calloc(1, sizeof(*r));

        if (!r)
                return NULL;
        r->command = command;
        r->finish = finish;
        r->owner = owner;
        clock_gettime(CLOCK_MONOTONIC, &r->started);
        return r;
}

void request_detach(struct request *r) {
        r->finish = NULL;
        r->owner = NULL;
}

const char *request_command(const struct request *r) {
        return r->command;
}

static double elapsed_ms(const struct timespec *t0) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void request_finish(struct request *r, char *line, bool ok) {
        double ms = elapsed_ms(&r->started);
        request_finish_fn finish = r->finish;
        void *owner = r->owner;

        if (r->command) /* not a daemon's proxy of a client's request */
                log_debug("control: %s answered in %.2f ms", r->command, ms);
        stats_request(r->command, ok);
        if (ok && r->command && (streq(r->command, "cluster.allocate") || streq(r->command, "node.allocate")))
                stats_observe(STATS_ALLOCATION, ms / 1000.0);
        if (finish)
                finish(owner, r, line);
        else
                free(line);
        free(r);
}

void request_reply_ok(struct request *r, struct json_object *data) {
        request_finish(r, proto_reply_format_ok(data), true);
}

void request_reply_error(struct request *r, int code, const char *message) {
        request_finish(r, proto_reply_format_error(code, message), false);
}
