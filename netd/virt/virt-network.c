/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <uuid.h>

#include "virt-network.h"
#include "virt.h"

/* The namespace of netd's UUIDv5 names; any fixed value works, it only has
 * to stay the same across releases. */
static const char netd_uuid_ns[] = "a8d5e0b2-4c1f-5e7a-9b3d-6f2e8c4a1d07";

void virt_network_uuid(const char *host, const char *network, char ret[VM_UUID_STRLEN]) {
        uuid_t ns, out;
        char name[2 * NAME_MAX_LEN + 32];
        int n;

        uuid_parse(netd_uuid_ns, ns);
        n = snprintf(name, sizeof(name), "libvirt-network/%s/%s", host, network);
        uuid_generate_sha1(out, ns, name, (size_t)n);
        uuid_unparse_lower(out, ret);
}

char *virt_network_xml(const char *host, const struct fobj *want) {
        char uuid[VM_UUID_STRLEN];
        char *xml;

        /* Names and the bridge were validated (fobj_validate): no byte of
         * them needs escaping in XML. */
        virt_network_uuid(host, want->network, uuid);
        if (asprintf(&xml,
                     "<network>\n"
                     "  <name>%s</name>\n"
                     "  <uuid>%s</uuid>\n"
                     "  <forward mode='bridge'/>\n"
                     "  <bridge name='%s'/>\n"
                     "</network>\n",
                     want->network, uuid, want->master) < 0)
                return NULL;
        return xml;
}

/* What netd compares of a defined network. */
struct net_facts {
        char uuid[VM_UUID_STRLEN];
        char forward[32];
        char bridge[64];
        bool active, autostart;
};

static void xpath_string(xmlXPathContextPtr ctx, const char *expr, char *buf, size_t size) {
        xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);

        buf[0] = '\0';
        if (o && o->type == XPATH_STRING && o->stringval)
                strscpy(buf, size, (const char *)o->stringval);
        xmlXPathFreeObject(o);
}

static int facts_read(virNetworkPtr net, const char *label, struct net_facts *ret, struct netd_error *err) {
        _cleanup_free_ char *xml = NULL;
        xmlDocPtr doc;
        xmlXPathContextPtr ctx;
        int active, autostart = 0;

        *ret = (struct net_facts){0};
        if (virNetworkGetUUIDString(net, ret->uuid) < 0 || (active = virNetworkIsActive(net)) < 0 ||
            virNetworkGetAutostart(net, &autostart) < 0 || !(xml = virNetworkGetXMLDesc(net, 0)))
                return error_set(err, NETD_EUNAVAILABLE, "%s: %s", label, virt_last_error());
        ret->active = active == 1;
        ret->autostart = autostart != 0;
        doc = xmlReadMemory(xml, (int)strlen(xml), "network.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
        if (!doc)
                return error_set(err, NETD_EINTERNAL, "%s: libvirt returned XML netd cannot read", label);
        ctx = xmlXPathNewContext(doc);
        if (ctx) {
                xpath_string(ctx, "string(/network/forward/@mode)", ret->forward, sizeof(ret->forward));
                xpath_string(ctx, "string(/network/bridge/@name)", ret->bridge, sizeof(ret->bridge));
                xmlXPathFreeContext(ctx);
        }
        xmlFreeDoc(doc);
        if (!ctx)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        return 0;
}

static void net_freep(virNetworkPtr *n) {
        if (*n)
                virNetworkFree(*n);
}
#define _cleanup_net_ _cleanup_(net_freep)

/* The network of that name, or NULL with NETD_ENOTFOUND. */
static int net_lookup(virConnectPtr conn, const struct fobj *want, const char *label, virNetworkPtr *ret,
                      struct netd_error *err) {
        virErrorPtr e;

        *ret = virNetworkLookupByName(conn, want->network);
        if (*ret)
                return 0;
        e = virGetLastError();
        if (e && e->code == VIR_ERR_NO_NETWORK)
                return NETD_ENOTFOUND;
        return error_set(err, NETD_EUNAVAILABLE, "%s: %s", label, virt_last_error());
}

/* Differences from `want`, "" when none; the result says whether it is ours. */
static bool facts_compare(const struct net_facts *f, const char *host, const struct fobj *want, char *detail,
                          size_t size) {
        char uuid[VM_UUID_STRLEN];
        size_t used = 0;

        detail[0] = '\0';
        virt_network_uuid(host, want->network, uuid);
        if (!streq(f->uuid, uuid)) {
                snprintf(detail, size, "libvirt network %s (uuid %s) was not defined by netd", want->network,
                         f->uuid);
                return false;
        }
#define ADD(...)                                                                                             \
        do {                                                                                                 \
                if (used < size)                                                                             \
                        used += (size_t)snprintf(detail + used, size - used, "%s", used ? ", " : "");        \
                if (used < size)                                                                             \
                        used += (size_t)snprintf(detail + used, size - used, __VA_ARGS__);                   \
        } while (0)
        if (!streq(f->forward, "bridge"))
                ADD("forward mode %s, want bridge", f->forward[0] ? f->forward : "none");
        if (!streq(f->bridge, want->master))
                ADD("bridge %s, want %s", f->bridge[0] ? f->bridge : "none", want->master);
        if (!f->active)
                ADD("inactive");
        if (!f->autostart)
                ADD("autostart off");
#undef ADD
        return true;
}

/* The network named like `want`, read and compared: NETD_ENOTFOUND when
 * there is none; else *ret_ours, the facts, and in `detail` the
 * differences (or, when not ours, whose it is). */
static int net_find(virConnectPtr conn, const char *host, const struct fobj *want, const char *label,
                    virNetworkPtr *ret, struct net_facts *f, bool *ret_ours, char *detail, size_t size,
                    struct netd_error *err) {
        int r = net_lookup(conn, want, label, ret, err);

        if (r < 0)
                return r;
        r = facts_read(*ret, label, f, err);
        if (r < 0)
                return r;
        *ret_ours = facts_compare(f, host, want, detail, size);
        return 0;
}

int virt_network_check(virConnectPtr conn, const char *host, const struct fobj *want,
                       enum fobj_state *ret_state, char *detail, size_t size, struct netd_error *err) {
        _cleanup_net_ virNetworkPtr net = NULL;
        struct net_facts f;
        char label[NAME_MAX_LEN + 32];
        bool ours;
        int r;

        snprintf(label, sizeof(label), "libvirt network %s", want->network);
        if (size)
                detail[0] = '\0';
        r = net_find(conn, host, want, label, &net, &f, &ours, detail, size, err);
        if (r == NETD_ENOTFOUND) {
                *ret_state = FOBJ_MISSING;
                return 0;
        }
        if (r < 0)
                return r;
        *ret_state = !ours ? FOBJ_CONFLICT : detail[0] ? FOBJ_DRIFTED : FOBJ_OK;
        return 0;
}

int virt_network_ensure(virConnectPtr conn, const char *host, const struct fobj *want,
                        struct netd_error *err) {
        _cleanup_net_ virNetworkPtr net = NULL;
        _cleanup_free_ char *xml = NULL;
        struct net_facts f = {0};
        char label[NAME_MAX_LEN + 32], detail[256];
        bool ours = true;
        int r;

        r = fobj_validate(want, err);
        if (r < 0)
                return r;
        snprintf(label, sizeof(label), "libvirt network %s", want->network);
        r = net_find(conn, host, want, label, &net, &f, &ours, detail, sizeof(detail), err);
        if (r < 0 && r != NETD_ENOTFOUND)
                return r;
        if (!ours)
                return error_set(err, NETD_ECONFLICT, "%s", detail);
        if (!net || !streq(f.forward, "bridge") || !streq(f.bridge, want->master)) {
                /* A changed definition takes effect at the next start. */
                if (net && f.active && virNetworkDestroy(net) < 0)
                        return error_set(err, NETD_EUNAVAILABLE, "%s: cannot stop it: %s", label,
                                         virt_last_error());
                xml = virt_network_xml(host, want);
                if (!xml)
                        return error_set(err, NETD_EINTERNAL, "out of memory");
                if (net)
                        virNetworkFree(net);
                net = virNetworkDefineXML(conn, xml);
                if (!net)
                        return error_set(err, NETD_EUNAVAILABLE, "%s: cannot define it: %s", label,
                                         virt_last_error());
                f.active = false;
                f.autostart = false;
        }
        if (!f.active && virNetworkCreate(net) < 0)
                return error_set(err, NETD_EUNAVAILABLE, "%s: cannot start it: %s", label, virt_last_error());
        if (!f.autostart && virNetworkSetAutostart(net, 1) < 0)
                return error_set(err, NETD_EUNAVAILABLE, "%s: cannot autostart it: %s", label,
                                 virt_last_error());
        return 0;
}

int virt_network_remove(virConnectPtr conn, const char *host, const struct fobj *want,
                        struct netd_error *err) {
        _cleanup_net_ virNetworkPtr net = NULL;
        struct net_facts f;
        char label[NAME_MAX_LEN + 32], detail[256];
        bool ours;
        int r;

        snprintf(label, sizeof(label), "libvirt network %s", want->network);
        r = net_find(conn, host, want, label, &net, &f, &ours, detail, sizeof(detail), err);
        if (r == NETD_ENOTFOUND)
                return 0;
        if (r < 0)
                return r;
        /* Someone else's network of that name: ours is already gone. */
        if (!ours)
                return 0;
        if (f.active && virNetworkDestroy(net) < 0)
                return error_set(err, NETD_EUNAVAILABLE, "%s: cannot stop it: %s", label, virt_last_error());
        if (virNetworkUndefine(net) < 0)
                return error_set(err, NETD_EUNAVAILABLE, "%s: cannot undefine it: %s", label,
                                 virt_last_error());
        return 0;
}
