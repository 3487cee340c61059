/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent in netd's own process, for `--connect local`: each request is
 * answered at once by agent_handle() on netd's netlink socket. */
#include "netd/agent/agent.h"
#include "transport-private.h"

struct local {
        struct transport t;
        struct nl_ctx *nl; /* the fabric's; NULL: netlink unavailable */
};

#define UNAVAILABLE "netlink unavailable in netd's namespace"

static int local_connect(struct transport *t) {
        return ((struct local *)t)->nl ? 1 : NETD_EUNAVAILABLE;
}

static void local_call(struct transport *t, struct json_object *req, transport_done_fn done, void *userdata) {
        struct json_object *reply = agent_handle(((struct local *)t)->nl, req);

        json_object_put(req);
        done(reply, reply ? NULL : "out of memory", userdata);
        json_object_put(reply);
}

static bool local_state(struct transport *t, char *error, size_t size) {
        bool up = ((struct local *)t)->nl != NULL;

        strscpy(error, size, up ? "" : UNAVAILABLE);
        return up;
}

static void local_free(struct transport *t) {
        free(t);
}

static const struct transport_ops local_ops = {
        .name = "agent",
        .bad_reply = "bad agent reply",
        .server = AGENT_PROTO_AGENT,
        .accepts = agent_accepts,
        .connect = local_connect,
        .call = local_call,
        .state = local_state,
        .free = local_free,
};

int transport_local_new(const struct transport_env *env, struct transport **ret, struct netd_error *err) {
        struct local *l = calloc(1, sizeof(*l));

        if (!l)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        l->t.ops = &local_ops;
        l->nl = env->nl;
        *ret = &l->t;
        return 0;
}
