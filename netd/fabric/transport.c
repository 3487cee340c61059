/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which transports a host has, and what they share. */
#include "netd/core/log.h"
#include "netd/netlink/netlink.h"
#include "transport-private.h"

/* An agent answers a request of a whole host's state in well under a
 * second; one that takes this long is stuck, and the host fails. */
#define AGENT_TIMEOUT_S 15

void transport_env_init(struct transport_env *env, struct event_base *base, unsigned libvirt_timeout_s) {
        struct netd_error err = {0};

        *env = (struct transport_env){
                .base = base, .libvirt_timeout_s = libvirt_timeout_s, .agent_timeout_s = AGENT_TIMEOUT_S};
        if (netlink_open(&env->nl, &err) < 0) {
                log_warn("fabric: %s; hosts with --connect local cannot be managed", err.message);
                env->nl = NULL;
        }
}

void transport_env_clear(struct transport_env *env) {
        netlink_close(env->nl);
        env->nl = NULL;
}

int transport_host_new(const struct transport_env *env, const struct host *rec,
                       const struct transport_events *ev, struct transport **ret, size_t max, size_t *ret_n,
                       struct netd_error *err) {
        size_t n = 0;
        int r;

        *ret_n = 0;
        if (max < 2)
                return error_set(err, NETD_EINTERNAL, "host %s: no room for its transports", rec->name);
        if (streq(rec->connect, CONNECT_LOCAL))
                r = transport_local_new(env, &ret[n], err);
        else
                r = transport_stdio_new(env, rec->name, rec->connect, rec->agent, ev, &ret[n], err);
        if (r < 0)
                return r;
        n++;
        if (!isempty(rec->libvirt)) {
                r = transport_libvirt_new(env, rec->name, rec->libvirt, &ret[n], err);
                if (r < 0) {
                        transport_free(ret[0]);
                        return r;
                }
                n++;
        }
        *ret_n = n;
        return 0;
}

void transport_free(struct transport *t) {
        if (t)
                t->ops->free(t);
}

bool transport_accepts(const struct transport *t, enum fobj_kind kind) {
        return t->ops->accepts(kind);
}

bool transport_serves(const struct transport *t, enum agent_proto_op op) {
        return (agent_proto_op_info(op)->servers & t->ops->server) != 0;
}
