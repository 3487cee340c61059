/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fabric objects: names, labels, validation, and the JSON form the agent
 * protocol carries — round trips and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netd/core/fobj.h"
#include "netd/core/prefix.h"

static struct fobj parse_ok(const char *json) {
        struct json_object *j = json_tokener_parse(json);
        struct netd_error err = {0};
        struct fobj o;
        int r;

        assert_non_null(j);
        r = fobj_from_json(j, &o, &err);
        if (r < 0)
                print_error("%s: %s\n", json, err.message);
        assert_int_equal(r, 0);
        json_object_put(j);
        return o;
}

static void assert_fobj_equal(const struct fobj *a, const struct fobj *b) {
        assert_int_equal(a->kind, b->kind);
        assert_string_equal(a->name, b->name);
        assert_string_equal(a->dev, b->dev);
        assert_string_equal(a->master, b->master);
        assert_string_equal(a->peer, b->peer);
        assert_string_equal(a->peer_master, b->peer_master);
        assert_int_equal(a->mtu, b->mtu);
        assert_int_equal(a->vni, b->vni);
        assert_int_equal(a->dstport, b->dstport);
        assert_int_equal(addr_cmp(&a->local, &b->local), 0);
        assert_int_equal(addr_cmp(&a->addr, &b->addr), 0);
        assert_int_equal(a->prefixlen, b->prefixlen);
        assert_int_equal(addr_cmp(&a->dst.base, &b->dst.base), 0);
        assert_int_equal(a->dst.len, b->dst.len);
}

static void test_round_trips(void **state) {
        static const struct {
                const char *json, *label;
        } cases[] = {
                {"{\"kind\":\"bridge\",\"name\":\"br-lab\",\"mtu\":1450}", "br-lab"},
                {"{\"kind\":\"bridge\",\"name\":\"br-lab\"}", "br-lab"},
                {"{\"kind\":\"veth\",\"name\":\"veth-a\",\"peer\":\"veth-b\",\"master\":\"virbr0\","
                 "\"peer_master\":\"baremetal\",\"mtu\":9000}",
                 "veth-a peer veth-b"},
                {"{\"kind\":\"veth\",\"name\":\"veth-a\",\"peer\":\"veth-b\"}", "veth-a peer veth-b"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx-lab\",\"master\":\"br-lab\",\"mtu\":1450,\"vni\":100,"
                 "\"local\":\"192.0.2.1\",\"dstport\":4789}",
                 "vx-lab"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx-lab6\",\"vni\":16777215,\"local\":\"2001:db8::1\","
                 "\"dstport\":8472}",
                 "vx-lab6"},
                {"{\"kind\":\"port\",\"name\":\"eth1\",\"master\":\"br-lab\"}", "eth1 on br-lab"},
                {"{\"kind\":\"address\",\"dev\":\"br-lab\",\"address\":\"192.0.2.1\",\"prefixlen\":24}",
                 "192.0.2.1/24 on br-lab"},
                {"{\"kind\":\"address\",\"dev\":\"br-lab\",\"address\":\"2001:db8::1\",\"prefixlen\":64}",
                 "2001:db8::1/64 on br-lab"},
                {"{\"kind\":\"route\",\"dev\":\"br-lab\",\"dst\":\"198.51.100.0/"
                 "24\",\"gateway\":\"192.0.2.254\"}",
                 "198.51.100.0/24 via 192.0.2.254 dev br-lab"},
                {"{\"kind\":\"route\",\"dst\":\"0.0.0.0/0\",\"gateway\":\"192.0.2.254\"}",
                 "0.0.0.0/0 via 192.0.2.254"},
                {"{\"kind\":\"route\",\"dst\":\"2001:db8:2::/64\",\"gateway\":\"2001:db8::fe\"}",
                 "2001:db8:2::/64 via 2001:db8::fe"},
                {"{\"kind\":\"fdb\",\"dev\":\"vx-lab\",\"remote\":\"198.51.100.2\"}",
                 "fdb 198.51.100.2 on vx-lab"},
                {"{\"kind\":\"fdb\",\"dev\":\"vx-lab6\",\"remote\":\"2001:db8::2\"}",
                 "fdb 2001:db8::2 on vx-lab6"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct fobj a = parse_ok(cases[i].json), b;
                struct json_object *j = fobj_to_json(&a);
                const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
                                                                             JSON_C_TO_STRING_NOSLASHESCAPE);
                char label[128];

                /* The canonical form is the input (keys in table order). */
                assert_string_equal(text, cases[i].json);
                b = parse_ok(text);
                assert_fobj_equal(&a, &b);
                assert_string_equal(fobj_label(&a, label, sizeof(label)), cases[i].label);
                json_object_put(j);
        }
}

static void test_vxlan_default_port(void **state) {
        struct fobj o = parse_ok("{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":7,\"local\":\"192.0.2.1\"}");
        struct json_object *j;

        (void)state;
        assert_int_equal(o.dstport, VXLAN_DSTPORT);
        /* A C caller may leave it 0: the JSON form carries the default. */
        o.dstport = 0;
        assert_int_equal(fobj_validate(&o, NULL), 0);
        j = fobj_to_json(&o);
        assert_string_equal(
                json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
                "{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":7,\"local\":\"192.0.2.1\",\"dstport\":4789}");
        json_object_put(j);
}

static void test_rejections(void **state) {
        static const struct {
                const char *json, *message_part;
        } cases[] = {
                {"[]", "not a JSON object"},
                {"\"bridge\"", "not a JSON object"},
                {"{}", "no \"kind\""},
                {"{\"kind\":1}", "no \"kind\""},
                {"{\"kind\":\"tunnel\",\"name\":\"x\"}", "unknown kind \"tunnel\""},
                {"{\"kind\":\"bridge\\u0000\",\"name\":\"x\"}", "no \"kind\""},
                {"{\"kind\":\"bridge\",\"name\":\"br0\",\"vni\":5}", "bridge object: unknown key \"vni\""},
                {"{\"kind\":\"bridge\",\"name\":\"br0\",\"x\\ny\":5}", "unknown key \"x\\x0ay\""},
                {"{\"kind\":\"bridge\"}", "\"name\" is missing"},
                {"{\"kind\":\"bridge\",\"name\":7}", "bridge name must be a string"},
                {"{\"kind\":\"bridge\",\"name\":null}", "bridge name must be a string"},
                {"{\"kind\":\"bridge\",\"name\":[\"br0\"]}", "bridge name must be a string"},
                {"{\"kind\":\"bridge\",\"name\":\"br\\nx\"}", "bridge name \"br\\x0ax\""},
                {"{\"kind\":\"bridge\",\"name\":\"a/b\"}", "bridge name \"a/b\""},
                {"{\"kind\":\"bridge\",\"name\":\"br x\"}", "bridge name \"br x\""},
                {"{\"kind\":\"bridge\",\"name\":\"abcdefghijklmnop\"}", "bridge name \"abcdefghijklmnop\""},
                {"{\"kind\":\"bridge\",\"name\":\"\"}", "bridge name \"\""},
                {"{\"kind\":\"bridge\",\"name\":\"..\"}", "bridge name \"..\""},
                {"{\"kind\":\"bridge\",\"name\":\"br\\u0000x\"}", "bridge name must be a string"},
                {"{\"kind\":\"bridge\",\"name\":\"br0\",\"mtu\":\"1450\"}", "bridge mtu must be an integer"},
                {"{\"kind\":\"bridge\",\"name\":\"br0\",\"mtu\":1450.5}", "bridge mtu must be an integer"},
                {"{\"kind\":\"bridge\",\"name\":\"br0\",\"mtu\":true}", "bridge mtu must be an integer"},
                {"{\"kind\":\"bridge\",\"name\":\"br0\",\"mtu\":20}",
                 "br0: mtu 20 is out of range (68-65535)"},
                {"{\"kind\":\"bridge\",\"name\":\"br0\",\"mtu\":70000}", "bridge mtu 70000 is out of range"},
                {"{\"kind\":\"bridge\",\"name\":\"br0\",\"mtu\":-1}", "bridge mtu -1 is out of range"},
                {"{\"kind\":\"veth\",\"name\":\"va\"}", "\"peer\" is missing"},
                {"{\"kind\":\"veth\",\"name\":\"va\",\"peer\":\"va\"}", "the peer must have another name"},
                {"{\"kind\":\"veth\",\"name\":\"va\",\"peer\":\"vb\",\"master\":\"va\"}",
                 "cannot be its own master"},
                {"{\"kind\":\"veth\",\"name\":\"va\",\"peer\":\"vb\",\"peer_master\":\"b\\tr\"}",
                 "veth peer_master \"b\\x09r\""},
                {"{\"kind\":\"vxlan\",\"name\":\"vx0\",\"local\":\"192.0.2.1\"}", "\"vni\" is missing"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":0,\"local\":\"192.0.2.1\"}",
                 "vx0: vni 0 is out of range (1-16777215)"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":16777216,\"local\":\"192.0.2.1\"}",
                 "vxlan vni 16777216 is out of range"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":\"100\",\"local\":\"192.0.2.1\"}",
                 "vxlan vni must be an integer"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":100}", "\"local\" is missing"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":100,\"local\":\"999.0.2.1\"}",
                 "vxlan local \"999.0.2.1\" is not an IP address"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":100,\"local\":\"192.0.2.1\",\"dstport\":0}",
                 "vxlan dstport 0 is out of range (1-65535)"},
                {"{\"kind\":\"vxlan\",\"name\":\"vx0\",\"vni\":100,\"local\":\"192.0.2.1\",\"dstport\":"
                 "65536}",
                 "vxlan dstport 65536 is out of range"},
                {"{\"kind\":\"port\",\"name\":\"eth1\"}", "\"master\" is missing"},
                {"{\"kind\":\"port\",\"name\":\"eth1\",\"master\":\"br0\",\"mtu\":1500}",
                 "unknown key \"mtu\""},
                {"{\"kind\":\"address\",\"dev\":\"br0\",\"address\":\"192.0.2.1\"}",
                 "\"prefixlen\" is missing"},
                {"{\"kind\":\"address\",\"dev\":\"br0\",\"address\":\"192.0.2.1\",\"prefixlen\":33}",
                 "192.0.2.1/33 on br0: prefix length 33 is out of range (1-32)"},
                {"{\"kind\":\"address\",\"dev\":\"br0\",\"address\":\"192.0.2.1\",\"prefixlen\":0}",
                 "prefix length 0 is out of range"},
                {"{\"kind\":\"address\",\"dev\":\"br0\",\"address\":\"192.0.2.1/24\",\"prefixlen\":24}",
                 "is not an IP address"},
                {"{\"kind\":\"address\",\"name\":\"br0\",\"address\":\"192.0.2.1\",\"prefixlen\":24}",
                 "address object: unknown key \"name\""},
                {"{\"kind\":\"route\",\"dst\":\"198.51.100.1/24\",\"gateway\":\"192.0.2.254\"}",
                 "route dst \"198.51.100.1/24\" is not a network prefix"},
                {"{\"kind\":\"route\",\"dst\":\"198.51.100.0/24\",\"gateway\":\"2001:db8::1\"}",
                 "gateway and destination families differ"},
                {"{\"kind\":\"route\",\"dst\":\"198.51.100.0/24\"}", "\"gateway\" is missing"},
                {"{\"kind\":\"route\",\"dst\":\"198.51.100.0/24\",\"gateway\":\"192.0.2.254\",\"dev\":\"x/"
                 "y\"}",
                 "route dev \"x/y\""},
                {"{\"kind\":\"fdb\",\"dev\":\"vx0\",\"remote\":\"hello\"}",
                 "fdb remote \"hello\" is not an IP address"},
                {"{\"kind\":\"fdb\",\"dev\":\"vx0\"}", "\"remote\" is missing"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct json_object *j = json_tokener_parse(cases[i].json);
                struct netd_error err = {0};
                struct fobj o;
                int r;

                assert_non_null(j);
                r = fobj_from_json(j, &o, &err);
                json_object_put(j);
                if (r != NETD_EINVALID || !strstr(err.message, cases[i].message_part))
                        print_error("case %zu %s: %d \"%s\"\n", i, cases[i].json, r, err.message);
                assert_int_equal(r, NETD_EINVALID);
                assert_int_equal(err.code, NETD_EINVALID);
                assert_non_null(strstr(err.message, cases[i].message_part));
        }
}

static void test_validate_structs(void **state) {
        struct fobj o = {.kind = FOBJ_BRIDGE};
        struct netd_error err = {0};

        (void)state;
        assert_int_equal(fobj_validate(&o, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "bridge name"));
        strscpy(o.name, sizeof(o.name), "br0");
        assert_int_equal(fobj_validate(&o, NULL), 0);
        o.mtu = 67;
        assert_int_equal(fobj_validate(&o, NULL), NETD_EINVALID);
        o.mtu = 68;
        assert_int_equal(fobj_validate(&o, NULL), 0);
        o.kind = FOBJ_KIND_MAX;
        err = (struct netd_error){0};
        assert_int_equal(fobj_validate(&o, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "unknown kind"));

        o = (struct fobj){.kind = FOBJ_ROUTE};
        assert_int_equal(prefix_parse("198.51.100.0/24", &o.dst, NULL), 0);
        assert_int_equal(fobj_validate(&o, NULL), NETD_EINVALID); /* no gateway */
        assert_int_equal(addr_parse("192.0.2.1", &o.addr, NULL), 0);
        assert_int_equal(fobj_validate(&o, NULL), 0);
        /* A hand-made prefix with host bits set. */
        o.dst.base.value |= 1;
        err = (struct netd_error){0};
        assert_int_equal(fobj_validate(&o, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "host bits"));
}

static void test_names(void **state) {
        enum fobj_kind k;

        (void)state;
        for (unsigned i = 0; i < FOBJ_KIND_MAX; i++) {
                assert_int_equal(fobj_kind_from_string(fobj_kind_to_string((enum fobj_kind)i), &k), 0);
                assert_int_equal(k, i);
        }
        assert_string_equal(fobj_kind_to_string(FOBJ_BRIDGE), "bridge");
        assert_string_equal(fobj_kind_to_string(FOBJ_FDB), "fdb");
        assert_string_equal(fobj_kind_to_string(FOBJ_KIND_MAX), "unknown");
        assert_int_equal(fobj_kind_from_string("Bridge", &k), NETD_EINVALID);
        assert_int_equal(fobj_kind_from_string(NULL, &k), NETD_EINVALID);
        assert_string_equal(fobj_state_to_string(FOBJ_OK), "ok");
        assert_string_equal(fobj_state_to_string(FOBJ_MISSING), "missing");
        assert_string_equal(fobj_state_to_string(FOBJ_DRIFTED), "drifted");
        assert_string_equal(fobj_state_to_string(FOBJ_CONFLICT), "conflict");
        assert_string_equal(fobj_state_to_string(FOBJ_STATE_MAX), "unknown");
}

static void test_label_truncation(void **state) {
        struct fobj o =
                parse_ok("{\"kind\":\"route\",\"dst\":\"2001:db8:2::/64\",\"gateway\":\"2001:db8::fe\"}");
        char small[8];

        (void)state;
        assert_string_equal(fobj_label(&o, small, sizeof(small)), "2001:db");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trips), cmocka_unit_test(test_vxlan_default_port),
                cmocka_unit_test(test_rejections),  cmocka_unit_test(test_validate_structs),
                cmocka_unit_test(test_names),       cmocka_unit_test(test_label_truncation),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
