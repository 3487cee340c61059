/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The netlink layer against the real kernel, in a private network
 * namespace made by this process (it vanishes with it). Out-of-band
 * changes and independent verification use `ip` and `bridge`. Needs root;
 * skips (77) only when namespaces are refused outside CI. */
#include "netd/netlink/netlink-private.h"
#include "netlink-fixture.h"

/* Check `o` and compare its state; detail_part ("" = none expected, NULL =
 * anything) must occur in the detail. */
static void expect(const struct fobj *o, enum fobj_state want, const char *detail_part) {
        struct netd_error err = {0};
        enum fobj_state s = FOBJ_STATE_MAX;
        char detail[512], label[128];
        bool detail_ok;
        int r;

        assert_int_equal(fobj_validate(o, &err), 0);
        r = netlink_kind_ops(o->kind)->check(ctx, o, &s, detail, sizeof(detail), &err);
        detail_ok = !detail_part || (detail_part[0] ? strstr(detail, detail_part) != NULL : !detail[0]);

        if (r < 0 || s != want || !detail_ok)
                print_error("%s: state %s (want %s), detail \"%s\" (want \"%s\"), error \"%s\"\n",
                            fobj_label(o, label, sizeof(label)), fobj_state_to_string(s),
                            fobj_state_to_string(want), detail, detail_part ? detail_part : "*", err.message);
        assert_int_equal(r, 0);
        assert_int_equal(s, want);
        if (detail_part && detail_part[0])
                assert_non_null(strstr(detail, detail_part));
        else if (detail_part)
                assert_string_equal(detail, "");
}

static void ensure(const struct fobj *o) {
        struct netd_error err = {0};
        int r = netlink_kind_ops(o->kind)->ensure(ctx, o, &err);

        if (r < 0)
                print_error("ensure: %s\n", err.message);
        assert_int_equal(r, 0);
        expect(o, FOBJ_OK, "");
}

static void remove_ok(const struct fobj *o) {
        struct netd_error err = {0};
        int r = netlink_kind_ops(o->kind)->remove(ctx, o, &err);

        if (r < 0)
                print_error("remove: %s\n", err.message);
        assert_int_equal(r, 0);
}

/* ensure() and remove() must both refuse with a conflict naming `iface`. */
static void expect_refused(const struct fobj *o, const char *iface) {
        struct netd_error err = {0};
        char msg[128];

        snprintf(msg, sizeof(msg), "interface %s exists and was not created by netd", iface);
        expect(o, FOBJ_CONFLICT, msg);
        assert_int_equal(netlink_kind_ops(o->kind)->ensure(ctx, o, &err), NETD_ECONFLICT);
        assert_string_equal(err.message, msg);
        err = (struct netd_error){0};
        if (o->kind != FOBJ_PORT && o->kind != FOBJ_ROUTE) {
                assert_int_equal(netlink_kind_ops(o->kind)->remove(ctx, o, &err), NETD_ECONFLICT);
                assert_string_equal(err.message, msg);
        }
}

/* ---- links ---- */

static void test_bridge(void **state) {
        struct fobj br = bridge("br-t1", 1450), other = bridge("br-t1", 0);
        struct json_object *j;

        (void)state;
        expect(&br, FOBJ_MISSING, "");
        ensure(&br);
        j = ip_link("br-t1");
        assert_string_equal(link_str(j, "ifalias", NULL, NULL), FOBJ_OWNER_ALIAS);
        assert_string_equal(link_str(j, "linkinfo", "info_kind", NULL), "bridge");
        assert_int_equal(link_int(j, "linkinfo", "info_data", "stp_state"), 0);
        assert_int_equal(link_int(j, "mtu", NULL, NULL), 1450);
        assert_true(link_up(j));
        json_object_put(j);
        /* No MTU wanted: any is fine. */
        expect(&other, FOBJ_OK, "");
        ensure(&br);

        sh("ip link set br-t1 mtu 1400");
        expect(&br, FOBJ_DRIFTED, "mtu 1400, want 1450");
        ensure(&br);
        sh("ip link set br-t1 down");
        expect(&br, FOBJ_DRIFTED, "down");
        ensure(&br);
        sh("ip link set br-t1 type bridge stp_state 1");
        expect(&br, FOBJ_DRIFTED, "stp on, want off");
        ensure(&br);
        j = ip_link("br-t1");
        assert_int_equal(link_int(j, "linkinfo", "info_data", "stp_state"), 0);
        json_object_put(j);

        /* The MTU set by netd sticks when a port with a larger one joins. */
        sh("ip link add bt1-a mtu 9000 type veth peer name bt1-b");
        sh("ip link set bt1-a master br-t1");
        expect(&br, FOBJ_OK, "");
        sh("ip link del bt1-a");

        remove_ok(&br);
        assert_false(link_exists("br-t1"));
        expect(&br, FOBJ_MISSING, "");
        remove_ok(&br); /* absent is success */
}

static void test_bridge_wrong_kind(void **state) {
        struct fobj br = bridge("br-k", 0);
        struct json_object *j;

        (void)state;
        /* Ours by its alias, but a veth: rebuilt as a bridge. */
        sh("ip link add br-k type veth peer name br-kp");
        sh("ip link set br-k alias %s", FOBJ_OWNER_ALIAS);
        expect(&br, FOBJ_DRIFTED, "type veth, want bridge");
        ensure(&br);
        j = ip_link("br-k");
        assert_string_equal(link_str(j, "linkinfo", "info_kind", NULL), "bridge");
        json_object_put(j);
        remove_ok(&br);
}

static void test_bridge_foreign(void **state) {
        struct fobj br = bridge("br-f", 1450);
        struct json_object *j;

        (void)state;
        sh("ip link add br-f mtu 1500 type bridge");
        expect_refused(&br, "br-f");
        j = ip_link("br-f");
        assert_int_equal(link_int(j, "mtu", NULL, NULL), 1500);
        assert_string_equal(link_str(j, "ifalias", NULL, NULL), "");
        assert_false(link_up(j));
        json_object_put(j);
        sh("ip link del br-f");
}

static void test_veth(void **state) {
        struct fobj a = bridge("br-va", 0), b = bridge("br-vb", 0);
        struct fobj v = veth("vt-a", "vt-b", "br-va", "br-vb", 1450);
        struct json_object *j;

        (void)state;
        ensure(&a);
        ensure(&b);
        expect(&v, FOBJ_MISSING, "");
        ensure(&v);
        j = ip_link("vt-a");
        assert_string_equal(link_str(j, "ifalias", NULL, NULL), FOBJ_OWNER_ALIAS);
        assert_string_equal(link_str(j, "master", NULL, NULL), "br-va");
        assert_int_equal(link_int(j, "mtu", NULL, NULL), 1450);
        assert_true(link_up(j));
        json_object_put(j);
        j = ip_link("vt-b");
        assert_string_equal(link_str(j, "ifalias", NULL, NULL), FOBJ_OWNER_ALIAS);
        assert_string_equal(link_str(j, "master", NULL, NULL), "br-vb");
        assert_int_equal(link_int(j, "mtu", NULL, NULL), 1450);
        assert_true(link_up(j));
        json_object_put(j);

        sh("ip link set vt-b nomaster");
        expect(&v, FOBJ_DRIFTED, "vt-b: master none, want br-vb");
        ensure(&v);
        sh("ip link set vt-a mtu 1400");
        expect(&v, FOBJ_DRIFTED, "mtu 1400, want 1450");
        ensure(&v);
        sh("ip link set vt-a master br-vb");
        expect(&v, FOBJ_DRIFTED, "master br-vb, want br-va");
        ensure(&v);
        sh("ip link set vt-b down");
        expect(&v, FOBJ_DRIFTED, "vt-b: down");
        ensure(&v);

        /* Half a pair of ours: rebuilt. */
        remove_ok(&v);
        sh("ip link add vt-a type veth peer name vt-x");
        sh("ip link set vt-a alias %s", FOBJ_OWNER_ALIAS);
        sh("ip link set vt-x alias %s", FOBJ_OWNER_ALIAS);
        expect(&v, FOBJ_DRIFTED, "peer vt-x, want vt-b");
        ensure(&v);
        assert_false(link_exists("vt-x"));

        remove_ok(&v);
        assert_false(link_exists("vt-a"));
        assert_false(link_exists("vt-b"));
        expect(&v, FOBJ_MISSING, "");
        remove_ok(&a);
        remove_ok(&b);
}

static void test_veth_foreign(void **state) {
        struct fobj v = veth("vf-a", "vf-b", "", "", 0), w = veth("vg-a", "vf-p", "", "", 0);
        struct netd_error err = {0};

        (void)state;
        sh("ip link add vf-a type veth peer name vf-b");
        expect_refused(&v, "vf-a");
        assert_true(link_exists("vf-a"));
        assert_true(link_exists("vf-b"));
        /* Only the peer's name is taken. */
        sh("ip link add vf-p type veth peer name vf-q");
        expect(&w, FOBJ_CONFLICT, "interface vf-p exists and was not created by netd");
        assert_int_equal(netlink_kind_ops(FOBJ_VETH)->ensure(ctx, &w, &err), NETD_ECONFLICT);
        assert_string_equal(err.message, "interface vf-p exists and was not created by netd");
        /* The pair itself is absent, so removing it succeeds untouched. */
        remove_ok(&w);
        assert_false(link_exists("vg-a"));
        assert_true(link_exists("vf-p"));
        sh("ip link del vf-a");
        sh("ip link del vf-p");
}

static void test_vxlan_ipv4(void **state) {
        struct fobj br = bridge("br-x4", 1450), vx = vxlan("vx-4", 100, "192.0.2.1", "br-x4", 1450), vx2;
        struct json_object *j;

        (void)state;
        /* The underlay: an interface holding the local address (a veth end;
         * not every kernel has the dummy driver). */
        sh("ip link add ul4-a type veth peer name ul4-b");
        sh("ip addr add 192.0.2.1/24 dev ul4-a && ip link set ul4-a up");
        ensure(&br);
        expect(&vx, FOBJ_MISSING, "");
        ensure(&vx);
        j = ip_link("vx-4");
        assert_string_equal(link_str(j, "ifalias", NULL, NULL), FOBJ_OWNER_ALIAS);
        assert_string_equal(link_str(j, "linkinfo", "info_kind", NULL), "vxlan");
        assert_int_equal(link_int(j, "linkinfo", "info_data", "id"), 100);
        assert_string_equal(link_str(j, "linkinfo", "info_data", "local"), "192.0.2.1");
        assert_int_equal(link_int(j, "linkinfo", "info_data", "port"), 4789);
        assert_null(path(j, "linkinfo", "info_data", "group"));
        assert_string_equal(link_str(j, "master", NULL, NULL), "br-x4");
        assert_int_equal(link_int(j, "mtu", NULL, NULL), 1450);
        assert_true(link_up(j));
        json_object_put(j);

        sh("ip link set vx-4 nomaster");
        expect(&vx, FOBJ_DRIFTED, "master none, want br-x4");
        ensure(&vx);
        sh("ip link set vx-4 mtu 1400");
        expect(&vx, FOBJ_DRIFTED, "mtu 1400, want 1450");
        ensure(&vx);

        /* Attributes only a new device can change. */
        vx2 = vx;
        vx2.vni = 200;
        expect(&vx2, FOBJ_DRIFTED, "vni 100, want 200");
        ensure(&vx2);
        vx2.dstport = 4790;
        expect(&vx2, FOBJ_DRIFTED, "dstport 4789, want 4790");
        ensure(&vx2);
        assert_int_equal(addr_parse("192.0.2.2", &vx2.local, NULL), 0);
        expect(&vx2, FOBJ_DRIFTED, "local 192.0.2.1, want 192.0.2.2");
        ensure(&vx2);
        j = ip_link("vx-4");
        assert_int_equal(link_int(j, "linkinfo", "info_data", "id"), 200);
        assert_int_equal(link_int(j, "linkinfo", "info_data", "port"), 4790);
        assert_string_equal(link_str(j, "linkinfo", "info_data", "local"), "192.0.2.2");
        assert_string_equal(link_str(j, "master", NULL, NULL), "br-x4");
        json_object_put(j);

        remove_ok(&vx2);
        expect(&vx, FOBJ_MISSING, "");
        remove_ok(&br);
        sh("ip link del ul4-a");
}

static void test_vxlan_ipv6(void **state) {
        struct fobj br = bridge("br-x6", 0), vx = vxlan("vx-6", 300, "2001:db8::1", "br-x6", 0);
        struct json_object *j;

        (void)state;
        /* Large enough for the kernel's default MTU of 1500 plus the IPv6
         * encapsulation, so checks have nothing to warn about. */
        sh("ip link add ul6-a mtu 9000 type veth peer name ul6-b");
        sh("ip addr add 2001:db8::1/64 dev ul6-a nodad && ip link set ul6-a up");
        ensure(&br);
        ensure(&vx);
        j = ip_link("vx-6");
        assert_int_equal(link_int(j, "linkinfo", "info_data", "id"), 300);
        assert_string_equal(link_str(j, "linkinfo", "info_data", "local6"), "2001:db8::1");
        assert_int_equal(link_int(j, "linkinfo", "info_data", "port"), 4789);
        json_object_put(j);
        assert_int_equal(addr_parse("2001:db8::2", &vx.local, NULL), 0);
        expect(&vx, FOBJ_DRIFTED, "local 2001:db8::1, want 2001:db8::2");
        ensure(&vx);
        remove_ok(&vx);
        remove_ok(&br);
        sh("ip link del ul6-a");
}

static void test_vxlan_foreign(void **state) {
        struct fobj vx = vxlan("vx-f", 5, "192.0.2.1", "", 0);
        struct json_object *j;

        (void)state;
        sh("ip link add vx-f type vxlan id 7 local 192.0.2.1 dstport 4789");
        expect_refused(&vx, "vx-f");
        j = ip_link("vx-f");
        assert_int_equal(link_int(j, "linkinfo", "info_data", "id"), 7);
        json_object_put(j);
        sh("ip link del vx-f");
}

static void test_vxlan_underlay_mtu(void **state) {
        struct fobj vx = vxlan("vx-m", 500, "198.51.100.1", "", 1500), any = vx;
        struct fobj vx6 = vxlan("vx-m6", 600, "2001:db8:5::1", "", 1500);
        struct netd_error err = {0};

        (void)state;
        sh("ip link add ulm-a mtu 1500 type veth peer name ulm-b");
        sh("ip addr add 198.51.100.1/24 dev ulm-a && ip link set ulm-a up");
        /* Even before it exists, the wanted MTU can be judged. */
        expect(&vx, FOBJ_MISSING,
               "underlay ulm-a mtu 1500 cannot carry mtu 1500 + 50 bytes of VXLAN encapsulation");
        assert_int_equal(netlink_kind_ops(FOBJ_VXLAN)->ensure(ctx, &vx, &err), 0);
        /* A warning only: the VXLAN is as asked. */
        expect(&vx, FOBJ_OK,
               "underlay ulm-a mtu 1500 cannot carry mtu 1500 + 50 bytes of VXLAN encapsulation");
        sh("ip link set vx-m mtu 1400");
        expect(&vx, FOBJ_DRIFTED,
               "mtu 1400, want 1500; underlay ulm-a mtu 1500 cannot carry mtu 1500 + 50 bytes of VXLAN "
               "encapsulation");

        /* Repaired, the warning stays (the agent reports it in apply's
         * results: test-agent.c). */
        assert_int_equal(netlink_kind_ops(FOBJ_VXLAN)->ensure(ctx, &vx, &err), 0);
        expect(&vx, FOBJ_OK,
               "underlay ulm-a mtu 1500 cannot carry mtu 1500 + 50 bytes of VXLAN encapsulation");

        /* No MTU wanted: the VXLAN's own one counts. */
        any.mtu = 0;
        sh("ip link set ulm-a mtu 1549");
        expect(&any, FOBJ_OK,
               "underlay ulm-a mtu 1549 cannot carry mtu 1500 + 50 bytes of VXLAN encapsulation");
        sh("ip link set ulm-a mtu 1550");
        expect(&any, FOBJ_OK, "");
        sh("ip link set ulm-a mtu 9000");
        ensure(&vx);
        /* The address moved elsewhere: no underlay, nothing to judge. */
        sh("ip link set ulm-a mtu 1500 && ip addr flush dev ulm-a");
        expect(&vx, FOBJ_OK, "");
        remove_ok(&vx);

        /* IPv6 costs 20 bytes more. */
        sh("ip addr add 2001:db8:5::1/64 dev ulm-a nodad && ip link set ulm-a mtu 1569");
        expect(&vx6, FOBJ_MISSING,
               "underlay ulm-a mtu 1569 cannot carry mtu 1500 + 70 bytes of VXLAN encapsulation");
        sh("ip link set ulm-a mtu 1570");
        ensure(&vx6);
        remove_ok(&vx6);
        sh("ip link del ulm-a");
}

static void test_port(void **state) {
        struct fobj br = bridge("br-p", 0), p = port("up-a", "br-p"), nope = port("up-none", "br-p");
        struct netd_error err = {0};
        struct json_object *j;

        (void)state;
        ensure(&br);
        /* The uplink is not netd's. */
        sh("ip link add up-a type veth peer name up-b");
        expect(&p, FOBJ_DRIFTED, "master none, want br-p");
        ensure(&p);
        j = ip_link("up-a");
        assert_string_equal(link_str(j, "master", NULL, NULL), "br-p");
        assert_string_equal(link_str(j, "ifalias", NULL, NULL), "");
        json_object_put(j);
        sh("ip link set up-a nomaster");
        expect(&p, FOBJ_DRIFTED, "master none, want br-p");
        ensure(&p);

        remove_ok(&p);
        assert_true(link_exists("up-a"));
        expect(&p, FOBJ_DRIFTED, "master none, want br-p");
        /* Moved to another bridge since: left alone. */
        sh("ip link add br-other type bridge");
        sh("ip link set up-a master br-other");
        remove_ok(&p);
        j = ip_link("up-a");
        assert_string_equal(link_str(j, "master", NULL, NULL), "br-other");
        json_object_put(j);

        expect(&nope, FOBJ_MISSING, "");
        assert_int_equal(netlink_kind_ops(FOBJ_PORT)->ensure(ctx, &nope, &err), NETD_ENOTFOUND);
        assert_non_null(strstr(err.message, "interface up-none does not exist"));

        sh("ip link del up-a && ip link del br-other");
        remove_ok(&br);
}

/* Ports are joined to and detached from netd's bridges only, and a remove
 * detaches only the port it names. */
static void test_port_ownership(void **state) {
        struct fobj fp = port("pf-a", "br-pf"), fq = port("pf-c", "br-pf");
        struct fobj br = bridge("br-pn", 0), up = port("pn-up", "br-pn");
        struct json_object *j;

        (void)state;
        /* A foreign port on a foreign bridge. */
        sh("ip link add br-pf type bridge && ip link add pf-a type veth peer name pf-b");
        sh("ip link set pf-a master br-pf && ip link add pf-c type veth peer name pf-d");
        expect_refused(&fp, "br-pf");
        remove_ok(&fp);
        j = ip_link("pf-a");
        assert_string_equal(link_str(j, "master", NULL, NULL), "br-pf");
        json_object_put(j);
        /* Nor is a port joined to a foreign bridge. */
        expect_refused(&fq, "br-pf");
        j = ip_link("pf-c");
        assert_null(path(j, "master", NULL, NULL));
        json_object_put(j);
        sh("ip link del br-pf && ip link del pf-a && ip link del pf-c");

        /* netd's bridge with its uplink and a port someone else added. */
        ensure(&br);
        sh("ip link add pn-up type veth peer name pn-upp && ip link add pn-f type veth peer name pn-fp");
        ensure(&up);
        sh("ip link set pn-f master br-pn");
        remove_ok(&up);
        j = ip_link("pn-up");
        assert_null(path(j, "master", NULL, NULL));
        json_object_put(j);
        j = ip_link("pn-f");
        assert_string_equal(link_str(j, "master", NULL, NULL), "br-pn");
        json_object_put(j);
        sh("ip link del pn-up && ip link del pn-f");
        remove_ok(&br);
}

/* ---- addresses, routes, flood entries ---- */

static void test_address(void **state) {
        struct fobj br = bridge("br-ad", 0), a4 = address("br-ad", "192.0.2.10", 24);
        struct fobj a6 = address("br-ad", "2001:db8:1::10", 64), af = address("br-adf", "192.0.2.20", 24);
        struct json_object *j;

        (void)state;
        expect(&a4, FOBJ_MISSING, "");
        ensure(&br);
        expect(&a4, FOBJ_MISSING, "");
        ensure(&a4);
        ensure(&a6);
        j = sh_json("ip -j addr show dev br-ad");
        assert_non_null(strstr(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
                               "\"local\":\"192.0.2.10\",\"prefixlen\":24"));
        assert_non_null(strstr(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
                               "\"local\":\"2001:db8:1::10\",\"prefixlen\":64"));
        json_object_put(j);

        sh("ip addr del 192.0.2.10/24 dev br-ad && ip addr add 192.0.2.10/16 dev br-ad");
        expect(&a4, FOBJ_DRIFTED, "prefixlen 16, want 24");
        ensure(&a4);
        assert_int_equal(sh_status("ip -o addr show dev br-ad | grep -q '192.0.2.10/16'"), 1);
        sh("ip addr del 192.0.2.10/24 dev br-ad");
        expect(&a4, FOBJ_MISSING, "");
        ensure(&a4);

        sh("ip link add br-adf type bridge");
        expect_refused(&af, "br-adf");
        assert_int_equal(sh_status("ip -o addr show dev br-adf | grep -q 192.0.2.20"), 1);
        sh("ip link del br-adf");

        remove_ok(&a4);
        expect(&a4, FOBJ_MISSING, "");
        expect(&a6, FOBJ_OK, "");
        remove_ok(&a6);
        expect(&a6, FOBJ_MISSING, "");
        remove_ok(&a6);
        remove_ok(&br);
}

static void test_route(void **state) {
        struct fobj br = bridge("br-r", 0), a4 = address("br-r", "192.0.2.1", 24);
        struct fobj a6 = address("br-r", "2001:db8:1::1", 64);
        struct fobj r4 = route("198.51.100.0/24", "192.0.2.254", ""),
                    r4dev = route("203.0.113.0/24", "192.0.2.254", "br-r");
        struct fobj r6 = route("2001:db8:2::/64", "2001:db8:1::fe", ""),
                    other = route("203.0.113.0/24", "192.0.2.254", "");
        struct netd_error err = {0};
        struct json_object *j;

        (void)state;
        ensure(&br);
        ensure(&a4);
        ensure(&a6);
        expect(&r4, FOBJ_MISSING, "");
        ensure(&r4);
        j = sh_json("ip -j route show 198.51.100.0/24");
        assert_int_equal(json_object_array_length(j), 1);
        assert_string_equal(link_str(json_object_array_get_idx(j, 0), "gateway", NULL, NULL), "192.0.2.254");
        assert_string_equal(link_str(json_object_array_get_idx(j, 0), "dev", NULL, NULL), "br-r");
        /* Marked as netd's by its protocol number. */
        assert_string_equal(link_str(json_object_array_get_idx(j, 0), "protocol", NULL, NULL), "229");
        json_object_put(j);

        /* netd's route changed: repaired. */
        sh("ip route replace 198.51.100.0/24 via 192.0.2.253 proto 229");
        expect(&r4, FOBJ_DRIFTED, "via 192.0.2.253, want via 192.0.2.254");
        ensure(&r4);
        /* Replaced by hand (proto boot): someone else's now, left alone. */
        sh("ip route replace 198.51.100.0/24 via 192.0.2.253");
        expect(&r4, FOBJ_CONFLICT, "route to 198.51.100.0/24 exists and was not created by netd (proto 3)");
        assert_int_equal(netlink_kind_ops(FOBJ_ROUTE)->ensure(ctx, &r4, &err), NETD_ECONFLICT);
        assert_non_null(strstr(err.message, "not created by netd"));
        remove_ok(&r4);
        assert_int_equal(
                sh_status("ip route show 198.51.100.0/24 proto boot | grep -q 'via 192.0.2.253 dev br-r'"),
                0);
        sh("ip route del 198.51.100.0/24");
        ensure(&r4);
        ensure(&r4dev);
        ensure(&r6);
        j = sh_json("ip -j -6 route show 2001:db8:2::/64");
        assert_int_equal(json_object_array_length(j), 1);
        assert_string_equal(link_str(json_object_array_get_idx(j, 0), "gateway", NULL, NULL),
                            "2001:db8:1::fe");
        json_object_put(j);

        remove_ok(&r4);
        expect(&r4, FOBJ_MISSING, "");
        remove_ok(&r4);
        remove_ok(&r6);
        expect(&r6, FOBJ_MISSING, "");
        /* Someone else's route to the same destination stays. */
        remove_ok(&r4dev);
        sh("ip route add 203.0.113.0/24 via 192.0.2.253");
        expect(&other, FOBJ_CONFLICT, "route to 203.0.113.0/24 exists and was not created by netd (proto 3)");
        remove_ok(&other);
        assert_int_equal(sh_status("ip route show 203.0.113.0/24 | grep -q 192.0.2.253"), 0);
        sh("ip route del 203.0.113.0/24");
        /* A hand-made static route exactly like netd's is still not netd's:
         * a conflict, neither replaced nor deleted. */
        sh("ip route add 203.0.113.0/24 via 192.0.2.254 proto static");
        expect(&other, FOBJ_CONFLICT, "route to 203.0.113.0/24 exists and was not created by netd (proto 4)");
        err = (struct netd_error){0};
        assert_int_equal(netlink_kind_ops(FOBJ_ROUTE)->ensure(ctx, &other, &err), NETD_ECONFLICT);
        remove_ok(&other);
        remove_ok(&r4dev);
        assert_int_equal(
                sh_status("ip route show 203.0.113.0/24 | grep -q 'via 192.0.2.254 dev br-r proto static'"),
                0);
        sh("ip route del 203.0.113.0/24");
        /* A kernel route (the bridge's own subnet) is foreign too. */
        {
                struct fobj connected = route("192.0.2.0/24", "192.0.2.254", "");

                expect(&connected, FOBJ_CONFLICT, "(proto 2)");
                remove_ok(&connected);
                assert_int_equal(sh_status("ip route show 192.0.2.0/24 | grep -q 'proto kernel'"), 0);
        }
        remove_ok(&br);
}

static void test_fdb(void **state) {
        struct fobj vx = vxlan("vx-fdb", 42, "192.0.2.1", "", 0), f2 = fdb("vx-fdb", "198.51.100.2");
        struct fobj f3 = fdb("vx-fdb", "198.51.100.3"), vx6 = vxlan("vx-fdb6", 43, "2001:db8::1", "", 0);
        struct fobj f6 = fdb("vx-fdb6", "2001:db8::2"), ff = fdb("vx-ff", "198.51.100.4");
        struct json_object *j;

        (void)state;
        expect(&f2, FOBJ_MISSING, "");
        ensure(&vx);
        expect(&f2, FOBJ_MISSING, "");
        ensure(&f2);
        ensure(&f3);
        ensure(&f2); /* appending again adds nothing */
        expect(&f3, FOBJ_OK, "");
        j = sh_json("bridge -j fdb show dev vx-fdb");
        assert_non_null(strstr(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
                               "\"dst\":\"198.51.100.2\""));
        assert_non_null(strstr(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
                               "\"dst\":\"198.51.100.3\""));
        json_object_put(j);
        assert_int_equal(sh_status("test $(bridge fdb show dev vx-fdb | grep -c '^00:00:00:00:00:00') = 2"),
                         0);

        sh("bridge fdb del 00:00:00:00:00:00 dev vx-fdb dst 198.51.100.2");
        expect(&f2, FOBJ_MISSING, "");
        expect(&f3, FOBJ_OK, "");
        ensure(&f2);
        remove_ok(&f3);
        expect(&f3, FOBJ_MISSING, "");
        expect(&f2, FOBJ_OK, "");
        remove_ok(&f3);

        ensure(&vx6);
        ensure(&f6);
        j = sh_json("bridge -j fdb show dev vx-fdb6");
        assert_non_null(
                strstr(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN), "\"dst\":\"2001:db8::2\""));
        json_object_put(j);

        sh("ip link add vx-ff type vxlan id 9 local 192.0.2.1 dstport 4789");
        expect_refused(&ff, "vx-ff");
        assert_int_equal(sh_status("bridge fdb show dev vx-ff | grep -q 198.51.100.4"), 1);
        sh("ip link del vx-ff");

        remove_ok(&vx);
        expect(&f2, FOBJ_MISSING, "");
        remove_ok(&f2);
        remove_ok(&vx6);
}

static void test_foreign_ports(void **state) {
        struct fobj br = bridge("br-fp", 0), v = veth("fp-a", "fp-b", "br-fp", "", 0);
        struct netd_error err = {0};
        char buf[256];

        (void)state;
        ensure(&br);
        ensure(&v);
        assert_int_equal(netlink_foreign_ports(ctx, "br-fp", buf, sizeof(buf), &err), 0);
        assert_string_equal(buf, "");
        sh("ip link add vm0 type veth peer name vm0p && ip link set vm0 master br-fp");
        sh("ip link add vm1 type veth peer name vm1p && ip link set vm1 master br-fp");
        assert_int_equal(netlink_foreign_ports(ctx, "br-fp", buf, sizeof(buf), &err), 0);
        assert_string_equal(buf, "vm0,vm1");
        /* Too small a buffer is an error, not a silently short list. */
        assert_int_equal(netlink_foreign_ports(ctx, "br-fp", buf, 6, &err), NETD_EINTERNAL);
        assert_int_equal(netlink_foreign_ports(ctx, "br-none", buf, sizeof(buf), NULL), 0);
        assert_string_equal(buf, "");
        sh("ip link del vm0 && ip link del vm1");
        remove_ok(&v);
        remove_ok(&br);
}

/* ---- errors ---- */

static void test_errors(void **state) {
        struct fobj b1 = bridge("br-e1", 0), b2 = bridge("br-e2", 0), loop = port("br-e1", "br-e2");
        struct fobj notbr = vxlan("vx-e", 1, "192.0.2.1", "vx-e0", 0),
                    vx0 = vxlan("vx-e0", 2, "192.0.2.1", "", 0);
        struct netd_error err = {0};

        (void)state;
        ensure(&b1);
        ensure(&b2);
        /* The kernel's refusal, with its own words. */
        assert_int_equal(netlink_kind_ops(FOBJ_PORT)->ensure(ctx, &loop, &err), NETD_EINVALID);
        assert_non_null(strstr(err.message, "port br-e1: cannot change: "));
        assert_non_null(strstr(err.message, "bridge to a bridge"));
        err = (struct netd_error){0};
        ensure(&vx0);
        assert_int_equal(netlink_kind_ops(FOBJ_VXLAN)->ensure(ctx, &notbr, &err), NETD_EINVALID);
        assert_string_equal(err.message, "vxlan vx-e: master vx-e0 is not a bridge");
        assert_false(link_exists("vx-e"));
        err = (struct netd_error){0};
        notbr = vxlan("vx-e", 1, "192.0.2.1", "br-missing", 0);
        assert_int_equal(netlink_kind_ops(FOBJ_VXLAN)->ensure(ctx, &notbr, &err), NETD_ENOTFOUND);
        assert_string_equal(err.message, "vxlan vx-e: bridge br-missing does not exist");

        /* The conversion table itself. */
        err = (struct netd_error){0};
        assert_int_equal(nl_ctx_error(NULL, &err, -NLE_PERM, "bridge x: cannot create"), NETD_EDENIED);
        assert_string_equal(err.message, "bridge x: cannot create: Operation not permitted");
        err = (struct netd_error){0};
        assert_int_equal(nl_ctx_error(NULL, &err, -NLE_EXIST, "x"), NETD_EEXISTS);
        err = (struct netd_error){0};
        assert_int_equal(nl_ctx_error(NULL, &err, -NLE_RANGE, "x"), NETD_EINVALID);
        err = (struct netd_error){0};
        assert_int_equal(nl_ctx_error(NULL, &err, -NLE_OBJ_NOTFOUND, "x"), NETD_ENOTFOUND);
        err = (struct netd_error){0};
        assert_int_equal(nl_ctx_error(NULL, &err, -NLE_BUSY, "x"), NETD_ECONFLICT);
        err = (struct netd_error){0};
        assert_int_equal(nl_ctx_error(NULL, &err, -NLE_FAILURE, "x"), NETD_EINTERNAL);
        /* The recorded errno and extack win over libnl's folded code. */
        err = (struct netd_error){0};
        ctx->last_errno = EACCES;
        strscpy(ctx->last_extack, sizeof(ctx->last_extack), "no\nway");
        assert_int_equal(nl_ctx_error(ctx, &err, -NLE_FAILURE, "vxlan v"), NETD_EDENIED);
        assert_string_equal(err.message, "vxlan v: Permission denied (no\\x0away)");
        assert_int_equal(ctx->last_errno, 0);

        remove_ok(&vx0);
        remove_ok(&b1);
        remove_ok(&b2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bridge),
                cmocka_unit_test(test_bridge_wrong_kind),
                cmocka_unit_test(test_bridge_foreign),
                cmocka_unit_test(test_veth),
                cmocka_unit_test(test_veth_foreign),
                cmocka_unit_test(test_vxlan_ipv4),
                cmocka_unit_test(test_vxlan_ipv6),
                cmocka_unit_test(test_vxlan_foreign),
                cmocka_unit_test(test_vxlan_underlay_mtu),
                cmocka_unit_test(test_port),
                cmocka_unit_test(test_port_ownership),
                cmocka_unit_test(test_address),
                cmocka_unit_test(test_route),
                cmocka_unit_test(test_fdb),
                cmocka_unit_test(test_foreign_ports),
                cmocka_unit_test(test_errors),
        };

        return netns_run_group_tests("test-netlink", tests, ARRAY_SIZE(tests), netlink_setup,
                                     netlink_teardown);
}
