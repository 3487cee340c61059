/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A host's libvirt worker (netd/virt) as a transport: libvirt networks and
 * the domain list. It opens its connection on demand; its failures show in
 * its own status ("libvirt": {"uri", "connected", "error"}), not the host's. */
#include "netd/virt/virt.h"
#include "transport-private.h"

struct libvirt {
        struct transport t;
        struct virt_conn *conn;
};

static struct virt_conn *conn_of(struct transport *t) {
        return ((struct libvirt *)t)->conn;
}

static void libvirt_call(struct transport *t, struct json_object *req, transport_done_fn done,
                         void *userdata) {
        virt_conn_call(conn_of(t), req, done, userdata);
}

static bool libvirt_state(struct transport *t, char *error, size_t size) {
        return virt_conn_state(conn_of(t), error, size);
}

static struct json_object *libvirt_status(struct transport *t, char *error, size_t size) {
        struct json_object *o = json_object_new_object();
        bool up = virt_conn_state(conn_of(t), error, size);

        json_object_object_add(o, "uri", json_object_new_string(virt_conn_uri(conn_of(t))));
        json_object_object_add(o, "connected", json_object_new_boolean(up));
        json_object_object_add(o, "error", up || !error[0] ? NULL : json_object_new_string(error));
        if (up)
                error[0] = '\0';
        return o;
}

static void libvirt_stats(struct transport *t, struct fabric_host_stats *st) {
        char error[8];

        st->has_libvirt = true;
        st->libvirt_connected = virt_conn_state(conn_of(t), error, sizeof(error));
}

static void libvirt_free(struct transport *t) {
        virt_conn_free(conn_of(t));
        free(t);
}

static const struct transport_ops libvirt_ops = {
        .name = "libvirt",
        .bad_reply = "bad reply",
        .server = AGENT_PROTO_LIBVIRT,
        .accepts = virt_accepts,
        .call = libvirt_call,
        .state = libvirt_state,
        .status = libvirt_status,
        .stats = libvirt_stats,
        .free = libvirt_free,
};

int transport_libvirt_new(const struct transport_env *env, const char *host, const char *uri,
                          struct transport **ret, struct netd_error *err) {
        struct libvirt *l = calloc(1, sizeof(*l));
        int r;

        if (!l)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = virt_conn_new(env->base, host, uri, env->libvirt_timeout_s, &l->conn, err);
        if (r < 0) {
                free(l);
                return r;
        }
        l->t.ops = &libvirt_ops;
        *ret = &l->t;
        return 0;
}
