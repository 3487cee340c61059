/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stddef.h>
#include <sys/socket.h>

#include "fobj.h"
#include "prefix.h"

static const char *const kind_names[FOBJ_KIND_MAX] = {
        [FOBJ_BRIDGE] = "bridge",   [FOBJ_VETH] = "veth",
        [FOBJ_VXLAN] = "vxlan",     [FOBJ_PORT] = "port",
        [FOBJ_ADDRESS] = "address", [FOBJ_ROUTE] = "route",
        [FOBJ_FDB] = "fdb",         [FOBJ_LIBVIRT_NETWORK] = "libvirt-network",
};

static const char *const state_names[FOBJ_STATE_MAX] = {
        [FOBJ_OK] = "ok",
        [FOBJ_MISSING] = "missing",
        [FOBJ_DRIFTED] = "drifted",
        [FOBJ_CONFLICT] = "conflict",
};

const char *fobj_kind_to_string(enum fobj_kind k) {
        if ((unsigned)k >= FOBJ_KIND_MAX)
                return "unknown";
        return kind_names[k];
}

int fobj_kind_from_string(const char *s, enum fobj_kind *ret) {
        for (unsigned k = 0; k < FOBJ_KIND_MAX; k++)
                if (streq(kind_names[k], s)) {
                        *ret = (enum fobj_kind)k;
                        return 0;
                }
        return NETD_EINVALID;
}

const char *fobj_state_to_string(enum fobj_state s) {
        if ((unsigned)s >= FOBJ_STATE_MAX)
                return "unknown";
        return state_names[s];
}

const char *fobj_label(const struct fobj *o, char *buf, size_t size) {
        char a[ADDR_STRLEN], b[PREFIX_STRLEN];

        if (size == 0)
                return buf;
        switch (o->kind) {
        case FOBJ_BRIDGE:
        case FOBJ_VXLAN:
                snprintf(buf, size, "%s", o->name);
                break;
        case FOBJ_VETH:
                snprintf(buf, size, "%s peer %s", o->name, o->peer);
                break;
        case FOBJ_PORT:
                snprintf(buf, size, "%s on %s", o->name, o->master);
                break;
        case FOBJ_ADDRESS:
                snprintf(buf, size, "%s/%u on %s", addr_format(&o->addr, a, sizeof(a)), o->prefixlen, o->dev);
                break;
        case FOBJ_ROUTE:
                snprintf(buf, size, "%s via %s%s%s", prefix_format(&o->dst, b, sizeof(b)),
                         addr_format(&o->addr, a, sizeof(a)), isempty(o->dev) ? "" : " dev ", o->dev);
                break;
        case FOBJ_FDB:
                snprintf(buf, size, "fdb %s on %s", addr_format(&o->addr, a, sizeof(a)), o->dev);
                break;
        case FOBJ_LIBVIRT_NETWORK:
                snprintf(buf, size, "libvirt network %s on %s", o->network, o->master);
                break;
        default:
                snprintf(buf, size, "unknown object");
                break;
        }
        return buf;
}

/* ---- validation ---- */

#define MTU_MIN 68
#define MTU_MAX 65535
#define VNI_MAX 16777215u

/* The host part's mask of a prefix of length len (<= bits). */
static u128 host_bits(unsigned bits, unsigned len) {
        unsigned h = bits - len;

        if (h == 0)
                return 0;
        if (h >= 128)
                return ~(u128)0;
        return ((u128)1 << h) - 1;
}

static bool family_ok(int family) {
        return family == AF_INET || family == AF_INET6;
}

/* `what` is e.g. "bridge name"; an empty optional name is fine. */
static int optional_ifname(const char *what, const char *s, struct netd_error *err) {
        return isempty(s) ? 0 : validate_ifname_check(what, s, err);
}

static int check_mtu(const char *label, unsigned mtu, struct netd_error *err) {
        if (mtu != 0 && (mtu < MTU_MIN || mtu > MTU_MAX))
                return error_set(err, NETD_EINVALID, "%s: mtu %u is out of range (%d-%d)", label, mtu,
                                 MTU_MIN, MTU_MAX);
        return 0;
}

static int check_addr(const char *label, const char *what, const struct addr *a, struct netd_error *err) {
        if (!family_ok(a->family))
                return error_set(err, NETD_EINVALID, "%s: %s is missing", label, what);
        return 0;
}

static int validate_link(const struct fobj *o, struct netd_error *err) {
        const char *kind = fobj_kind_to_string(o->kind);
        char what[32], label[128];
        int r;

        /* Names first: the label quotes them in the messages below. */
        snprintf(what, sizeof(what), "%s name", kind);
        r = validate_ifname_check(what, o->name, err);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "%s master", kind);
        r = o->kind == FOBJ_PORT ? validate_ifname_check(what, o->master, err)
                                 : optional_ifname(what, o->master, err);
        if (r < 0)
                return r;
        if (o->kind == FOBJ_VETH) {
                r = validate_ifname_check("veth peer", o->peer, err);
                if (r < 0)
                        return r;
                r = optional_ifname("veth peer master", o->peer_master, err);
                if (r < 0)
                        return r;
        }
        fobj_label(o, label, sizeof(label));
        if (streq(o->master, o->name))
                return error_set(err, NETD_EINVALID, "%s: an interface cannot be its own master", label);
        if (o->kind == FOBJ_PORT)
                return 0;
        r = check_mtu(label, o->mtu, err);
        if (r < 0)
                return r;
        switch (o->kind) {
        case FOBJ_VETH:
                if (streq(o->peer, o->name))
                        return error_set(err, NETD_EINVALID, "%s: the peer must have another name", label);
                if (streq(o->master, o->peer) || streq(o->peer_master, o->peer) ||
                    streq(o->peer_master, o->name))
                        return error_set(err, NETD_EINVALID, "%s: an end of the pair cannot be a master",
                                         label);
                return 0;
        case FOBJ_VXLAN:
                if (o->vni < 1 || o->vni > VNI_MAX)
                        return error_set(err, NETD_EINVALID, "%s: vni %u is out of range (1-%u)", label,
                                         o->vni, VNI_MAX);
                return check_addr(label, "the local address", &o->local, err);
        default:
                return 0;
        }
}

int fobj_validate(const struct fobj *o, struct netd_error *err) {
        char label[128];
        int r;

        if ((unsigned)o->kind >= FOBJ_KIND_MAX)
                return error_set(err, NETD_EINVALID, "fabric object: unknown kind %d", (int)o->kind);
        switch (o->kind) {
        case FOBJ_BRIDGE:
        case FOBJ_VETH:
        case FOBJ_VXLAN:
        case FOBJ_PORT:
                return validate_link(o, err);
        case FOBJ_ADDRESS:
                r = validate_ifname_check("address device", o->dev, err);
                if (r < 0)
                        return r;
                r = check_addr("address", "the address", &o->addr, err);
                if (r < 0)
                        return r;
                fobj_label(o, label, sizeof(label));
                if (o->prefixlen < 1 || o->prefixlen > addr_bits(o->addr.family))
                        return error_set(err, NETD_EINVALID, "%s: prefix length %u is out of range (1-%u)",
                                         label, o->prefixlen, addr_bits(o->addr.family));
                return 0;
        case FOBJ_ROUTE:
                r = optional_ifname("route device", o->dev, err);
                if (r < 0)
                        return r;
                r = check_addr("route", "the destination", &o->dst.base, err);
                if (r < 0)
                        return r;
                r = check_addr("route", "the gateway", &o->addr, err);
                if (r < 0)
                        return r;
                fobj_label(o, label, sizeof(label));
                if (o->dst.len > addr_bits(o->dst.base.family))
                        return error_set(err, NETD_EINVALID, "%s: prefix length %u is out of range (0-%u)",
                                         label, o->dst.len, addr_bits(o->dst.base.family));
                if (o->dst.base.value & host_bits(addr_bits(o->dst.base.family), o->dst.len))
                        return error_set(err, NETD_EINVALID, "%s: the destination has host bits set", label);
                if (o->addr.family != o->dst.base.family)
                        return error_set(err, NETD_EINVALID, "%s: gateway and destination families differ",
                                         label);
                return 0;
        case FOBJ_FDB:
                r = validate_ifname_check("fdb device", o->dev, err);
                if (r < 0)
                        return r;
                return check_addr("fdb", "the remote address", &o->addr, err);
        case FOBJ_LIBVIRT_NETWORK:
                r = validate_name_check("libvirt network name", o->network, err);
                if (r < 0)
                        return r;
                return validate_ifname_check("libvirt network bridge", o->master, err);
        default:
                return error_set(err, NETD_EINVALID, "fabric object: unknown kind %d", (int)o->kind);
        }
}

/* ---- JSON ---- */

enum field_type {
        F_IFNAME, /* char[IFNAME_MAX_LEN + 1] */
        F_NAME,   /* char[NAME_MAX_LEN + 1]: a netd name */
        F_U32,    /* unsigned / uint32_t */
        F_U16,    /* uint16_t */
        F_ADDR,   /* struct addr */
        F_PREFIX, /* struct prefix */
};

#define K(k) (1u << (k))
#define LINKS (K(FOBJ_BRIDGE) | K(FOBJ_VETH) | K(FOBJ_VXLAN) | K(FOBJ_PORT))

struct field {
        const char *key;
        enum field_type type;
        size_t offset;
        unsigned kinds;    /* where the key is allowed */
        unsigned required; /* where it must be present */
        int64_t min, max;  /* integers */
};

static const struct field fields[] = {
        {"name", F_IFNAME, offsetof(struct fobj, name), LINKS, LINKS, 0, 0},
        {"peer", F_IFNAME, offsetof(struct fobj, peer), K(FOBJ_VETH), K(FOBJ_VETH), 0, 0},
        {"master", F_IFNAME, offsetof(struct fobj, master),
         K(FOBJ_VETH) | K(FOBJ_VXLAN) | K(FOBJ_PORT) | K(FOBJ_LIBVIRT_NETWORK),
         K(FOBJ_PORT) | K(FOBJ_LIBVIRT_NETWORK), 0, 0},
        {"network", F_NAME, offsetof(struct fobj, network), K(FOBJ_LIBVIRT_NETWORK), K(FOBJ_LIBVIRT_NETWORK),
         0, 0},
        {"peer_master", F_IFNAME, offsetof(struct fobj, peer_master), K(FOBJ_VETH), 0, 0, 0},
        {"mtu", F_U32, offsetof(struct fobj, mtu), K(FOBJ_BRIDGE) | K(FOBJ_VETH) | K(FOBJ_VXLAN), 0, 0,
         MTU_MAX},
        {"vni", F_U32, offsetof(struct fobj, vni), K(FOBJ_VXLAN), K(FOBJ_VXLAN), 0, VNI_MAX},
        {"local", F_ADDR, offsetof(struct fobj, local), K(FOBJ_VXLAN), K(FOBJ_VXLAN), 0, 0},
        {"dstport", F_U16, offsetof(struct fobj, dstport), K(FOBJ_VXLAN), 0, 1, 65535},
        {"dev", F_IFNAME, offsetof(struct fobj, dev), K(FOBJ_ADDRESS) | K(FOBJ_ROUTE) | K(FOBJ_FDB),
         K(FOBJ_ADDRESS) | K(FOBJ_FDB), 0, 0},
        {"address", F_ADDR, offsetof(struct fobj, addr), K(FOBJ_ADDRESS), K(FOBJ_ADDRESS), 0, 0},
        {"prefixlen", F_U32, offsetof(struct fobj, prefixlen), K(FOBJ_ADDRESS), K(FOBJ_ADDRESS), 0, 128},
        {"dst", F_PREFIX, offsetof(struct fobj, dst), K(FOBJ_ROUTE), K(FOBJ_ROUTE), 0, 0},
        {"gateway", F_ADDR, offsetof(struct fobj, addr), K(FOBJ_ROUTE), K(FOBJ_ROUTE), 0, 0},
        {"remote", F_ADDR, offsetof(struct fobj, addr), K(FOBJ_FDB), K(FOBJ_FDB), 0, 0},
};

static const struct field *field_find(const char *key) {
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
                if (streq(fields[i].key, key))
                        return &fields[i];
        return NULL;
}

static bool field_present(const struct fobj *o, const struct field *f) {
        const char *p = (const char *)o + f->offset;
        uint16_t u16;
        unsigned u;

        switch (f->type) {
        case F_IFNAME:
        case F_NAME:
                return p[0] != '\0';
        case F_U32:
                memcpy(&u, p, sizeof(u));
                return u != 0;
        case F_U16:
                memcpy(&u16, p, sizeof(u16));
                return u16 != 0;
        case F_ADDR:
                return ((const struct addr *)(const void *)p)->family != 0;
        case F_PREFIX:
                return ((const struct prefix *)(const void *)p)->base.family != 0;
        }
        return false;
}

struct json_object *fobj_to_json(const struct fobj *o) {
        struct json_object *j = json_object_new_object();
        char buf[PREFIX_STRLEN];

        if (!j)
                return NULL;
        json_object_object_add(j, "kind", json_object_new_string(fobj_kind_to_string(o->kind)));
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
                const struct field *f = &fields[i];
                const char *p = (const char *)o + f->offset;
                struct json_object *v = NULL;
                uint16_t u16;
                unsigned u;

                if (!(f->kinds & K(o->kind)))
                        continue;
                if (!field_present(o, f) && !(o->kind == FOBJ_VXLAN && f->type == F_U16))
                        continue;
                switch (f->type) {
                case F_IFNAME:
                case F_NAME:
                        v = json_object_new_string(p);
                        break;
                case F_U32:
                        memcpy(&u, p, sizeof(u));
                        v = json_object_new_int64(u);
                        break;
                case F_U16:
                        memcpy(&u16, p, sizeof(u16));
                        /* The effective port: 0 means the default. */
                        v = json_object_new_int64(u16 ? u16 : VXLAN_DSTPORT);
                        break;
                case F_ADDR:
                        v = json_object_new_string(
                                addr_format((const struct addr *)(const void *)p, buf, sizeof(buf)));
                        break;
                case F_PREFIX:
                        v = json_object_new_string(
                                prefix_format((const struct prefix *)(const void *)p, buf, sizeof(buf)));
                        break;
                }
                json_object_object_add(j, f->key, v);
        }
        return j;
}

/* A JSON string as a C string, refusing an embedded NUL that would hide
 * the rest of the value from the checks. */
static const char *clean_string(struct json_object *v) {
        const char *s;

        if (!json_object_is_type(v, json_type_string))
                return NULL;
        s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v))
                return NULL;
        return s;
}

static int field_read(const struct field *f, const char *kind, struct json_object *v, struct fobj *o,
                      struct netd_error *err) {
        char *p = (char *)o + f->offset, what[48], q[64];
        const char *s = NULL;
        int64_t n;

        snprintf(what, sizeof(what), "%s %s", kind, f->key);
        if (f->type == F_U32 || f->type == F_U16) {
                if (!json_object_is_type(v, json_type_int))
                        return error_set(err, NETD_EINVALID, "%s must be an integer", what);
                n = json_object_get_int64(v);
                if (n < f->min || n > f->max)
                        return error_set(err, NETD_EINVALID,
                                         "%s %" PRId64 " is out of range (%" PRId64 "-%" PRId64 ")", what, n,
                                         f->min, f->max);
                if (f->type == F_U32) {
                        unsigned u = (unsigned)n;
                        memcpy(p, &u, sizeof(u));
                } else {
                        uint16_t u16 = (uint16_t)n;
                        memcpy(p, &u16, sizeof(u16));
                }
                return 0;
        }
        s = clean_string(v);
        if (!s)
                return error_set(err, NETD_EINVALID, "%s must be a string", what);
        switch (f->type) {
        case F_IFNAME:
                if (validate_ifname_check(what, s, err) < 0)
                        return NETD_EINVALID;
                strscpy(p, IFNAME_MAX_LEN + 1, s);
                return 0;
        case F_NAME:
                if (validate_name_check(what, s, err) < 0)
                        return NETD_EINVALID;
                strscpy(p, NAME_MAX_LEN + 1, s);
                return 0;
        case F_ADDR:
                if (addr_parse(s, (struct addr *)(void *)p, NULL) < 0)
                        return error_set(err, NETD_EINVALID, "%s \"%s\" is not an IP address", what,
                                         error_quote_untrusted(s, q, sizeof(q)));
                return 0;
        case F_PREFIX:
                if (prefix_parse(s, (struct prefix *)(void *)p, NULL) < 0)
                        return error_set(err, NETD_EINVALID, "%s \"%s\" is not a network prefix", what,
                                         error_quote_untrusted(s, q, sizeof(q)));
                return 0;
        default:
                return error_set(err, NETD_EINTERNAL, "%s: unexpected field type", what);
        }
}

int fobj_from_json(struct json_object *j, struct fobj *ret, struct netd_error *err) {
        struct json_object *v;
        struct fobj o = {0};
        const char *kind;
        char q[64];
        int r;

        if (!json_object_is_type(j, json_type_object))
                return error_set(err, NETD_EINVALID, "fabric object: not a JSON object");
        if (!json_object_object_get_ex(j, "kind", &v) || !(kind = clean_string(v)))
                return error_set(err, NETD_EINVALID, "fabric object: no \"kind\" string");
        if (fobj_kind_from_string(kind, &o.kind) < 0)
                return error_set(err, NETD_EINVALID, "fabric object: unknown kind \"%s\"",
                                 error_quote_untrusted(kind, q, sizeof(q)));
        json_object_object_foreach(j, key, val) {
                const struct field *f;

                if (streq(key, "kind"))
                        continue;
                f = field_find(key);
                if (!f || !(f->kinds & K(o.kind)))
                        return error_set(err, NETD_EINVALID, "%s object: unknown key \"%s\"", kind,
                                         error_quote_untrusted(key, q, sizeof(q)));
                r = field_read(f, kind, val, &o, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
                if ((fields[i].required & K(o.kind)) && !json_object_object_get_ex(j, fields[i].key, NULL))
                        return error_set(err, NETD_EINVALID, "%s object: \"%s\" is missing", kind,
                                         fields[i].key);
        if (o.kind == FOBJ_VXLAN && o.dstport == 0)
                o.dstport = VXLAN_DSTPORT;
        r = fobj_validate(&o, err);
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}
