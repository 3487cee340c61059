/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `node set`: a node's own boot instructions over its network's, and the
 * facts the exports need about its machine (BMC address, root disk, boot
 * mode) when discovery finds no VM or finds it wrong. */
#include <sys/socket.h>

#include "cluster-private.h"
#include "netd/core/bmc.h"
#include "node.h"
#include "store-private.h"

/* BMC URL schemes metal3 (and so ClusterInstance, SiteConfig) has a driver
 * for; each may carry "+http" or "+https". */
static const char *const bmc_schemes[] = {
        "redfish",
        "redfish-virtualmedia",
        "redfish-uefihttp",
        "idrac",
        "idrac-redfish",
        "idrac-virtualmedia",
        "ilo4",
        "ilo4-virtualmedia",
        "ilo5",
        "ilo5-redfish",
        "ilo5-virtualmedia",
        "irmc",
        "irmc-virtualmedia",
        "ibmc",
        "ipmi",
};

/* The checked change: which facts are given, with their values (NULL:
 * forget it). */
struct node_facts {
        bool bmc_given, disk_given, mode_given;
        const char *bmc, *disk, *mode;
};

/* Node `node` of cluster `cluster_id` boots as `boot` says (`value`: its
 * URL or file) from now on. */
static int boot_store(struct store *s, int64_t cluster_id, const char *node, enum node_boot boot,
                      const char *value, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *del = NULL, *ins = NULL;
        int r;

        r = store_prepare_int(s,
                              "DELETE FROM node_boot WHERE node_id ="
                              " (SELECT id FROM nodes WHERE cluster_id = ?1 AND name = ?2)",
                              cluster_id, &del, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(del, 2, node, -1, SQLITE_TRANSIENT);
        r = store_step(s, del, err);
        if (r < 0 || boot == NODE_BOOT_NETWORK)
                return r < 0 ? r : 0;
        r = store_prepare_int(s,
                              "INSERT INTO node_boot (node_id, kind, value)"
                              " SELECT id, ?3, ?4 FROM nodes WHERE cluster_id = ?1 AND name = ?2",
                              cluster_id, &ins, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(ins, 2, node, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, node_boot_to_db(boot), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, value, -1, SQLITE_TRANSIENT);
        r = store_step(s, ins, err);
        return r < 0 ? r : 0;
}

/* The boot instruction of a change, if any, checked: its kind and value. */
static int boot_parse(const struct node_change *ch, const char *who, enum node_boot *ret,
                      const char **ret_value, struct netd_error *err) {
        char what[2 * NAME_MAX_LEN + 48], q[64];

        if (!!ch->ipxe_script + !!ch->boot_file + !!ch->boot > 1)
                return error_set(err, NETD_EINVALID,
                                 "%s: give at most one of --ipxe-script, --boot-file and --boot network",
                                 who);
        if (ch->ipxe_script) {
                snprintf(what, sizeof(what), "%s: iPXE script", who);
                *ret = NODE_BOOT_IPXE_SCRIPT;
                *ret_value = ch->ipxe_script;
                return validate_url_check(what, ch->ipxe_script, err);
        }
        if (ch->boot_file) {
                snprintf(what, sizeof(what), "%s: boot file", who);
                *ret = NODE_BOOT_FILE;
                *ret_value = ch->boot_file;
                return validate_boot_file_check(what, ch->boot_file, err);
        }
        if (ch->boot && !streq(ch->boot, "network"))
                return error_set(err, NETD_EINVALID, "%s: --boot \"%s\": the only value is \"network\"", who,
                                 error_quote_untrusted(ch->boot, q, sizeof(q)));
        *ret = NODE_BOOT_NETWORK;
        *ret_value = NULL;
        return 0;
}

/* A BMC URL (netd/core/bmc.c says what one is) with a scheme metal3 has
 * a driver for, "+http"/"+https" allowed. */
static bool bmc_scheme_known(const char *scheme) {
        for (size_t i = 0; i < ARRAY_SIZE(bmc_schemes); i++) {
                size_t n = strlen(bmc_schemes[i]);

                if (strncmp(scheme, bmc_schemes[i], n) == 0 &&
                    (scheme[n] == '\0' || streq(scheme + n, "+http") || streq(scheme + n, "+https")))
                        return true;
        }
        return false;
}

/* An absolute path under /dev, as rootDeviceHints.deviceName takes it. */
static bool root_disk_valid(const char *path) {
        static const char path_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                         "-._:/+@";

        return strncmp(path, "/dev/", 5) == 0 && path[5] != '\0' && strlen(path) <= VALIDATE_PATH_MAX &&
               path[strspn(path, path_chars)] == '\0' && !strstr(path, "..") && !strstr(path, "//");
}

static int facts_parse(const struct node_change *ch, const char *who, struct node_facts *ret,
                       struct netd_error *err) {
        char q[VALIDATE_URL_MAX + 8];

        if (ch->bmc_address) {
                ret->bmc_given = true;
                ret->bmc = streq(ch->bmc_address, "none") ? NULL : ch->bmc_address;
                if (ret->bmc) {
                        char what[2 * NAME_MAX_LEN + 48];
                        struct bmc b;
                        int r;

                        snprintf(what, sizeof(what), "%s: BMC address", who);
                        r = bmc_url_parse(what, ret->bmc, &b, err);
                        if (r < 0)
                                return r;
                        if (!bmc_scheme_known(b.scheme_name))
                                return error_set(err, NETD_EINVALID,
                                                 "%s \"%s\": %s is not a BMC scheme metal3 knows (e.g. "
                                                 "redfish-virtualmedia+http, idrac-virtualmedia, ipmi)",
                                                 what, error_quote_untrusted(ret->bmc, q, sizeof(q)),
                                                 b.scheme_name);
                }
        }
        if (ch->root_disk) {
                ret->disk_given = true;
                ret->disk = streq(ch->root_disk, "none") ? NULL : ch->root_disk;
                if (ret->disk && !root_disk_valid(ret->disk))
                        return error_set(err, NETD_EINVALID,
                                         "%s: root disk \"%s\" is not a device path (e.g. "
                                         "/dev/disk/by-path/pci-0000:00:05.0, or none)",
                                         who, error_quote_untrusted(ch->root_disk, q, sizeof(q)));
        }
        if (ch->boot_mode) {
                ret->mode_given = true;
                ret->mode = streq(ch->boot_mode, "auto") ? NULL : ch->boot_mode;
                if (ret->mode && !streq(ret->mode, "uefi") && !streq(ret->mode, "uefi-secure") &&
                    !streq(ret->mode, "legacy"))
                        return error_set(err, NETD_EINVALID,
                                         "%s: boot mode \"%s\" is not one of uefi, uefi-secure, legacy, auto",
                                         who, error_quote_untrusted(ch->boot_mode, q, sizeof(q)));
        }
        return 0;
}

/* One fact column; the SQL is fixed text per column, the value bound. */
static int fact_store(struct store *s, int64_t cluster_id, const char *node, const char *sql,
                      const char *value, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s, sql, cluster_id, &stmt, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(stmt, 2, node, -1, SQLITE_TRANSIENT);
        if (value)
                sqlite3_bind_text(stmt, 3, value, -1, SQLITE_TRANSIENT);
        r = store_step(s, stmt, err);
        return r < 0 ? r : 0;
}

static int facts_store(struct store *s, int64_t cluster_id, const char *node, const struct node_facts *f,
                       struct netd_error *err) {
        int r = 0;

        if (f->bmc_given)
                r = fact_store(s, cluster_id, node,
                               "UPDATE nodes SET bmc_address = ?3 WHERE cluster_id = ?1 AND name = ?2",
                               f->bmc, err);
        if (r >= 0 && f->disk_given)
                r = fact_store(s, cluster_id, node,
                               "UPDATE nodes SET root_disk = ?3 WHERE cluster_id = ?1 AND name = ?2", f->disk,
                               err);
        if (r >= 0 && f->mode_given)
                r = fact_store(s, cluster_id, node,
                               "UPDATE nodes SET boot_mode = ?3 WHERE cluster_id = ?1 AND name = ?2", f->mode,
                               err);
        return r;
}

/* Boot instructions are handed out by DHCPv4, to the machine's own MAC. */
static int boot_check(const struct cluster *c, const struct node *nd, struct netd_error *err) {
        if (nd->reuses_cluster[0])
                return error_set(err, NETD_EINVALID,
                                 "cluster %s: node %s is the machine of %s/%s, whose DHCP entry it boots "
                                 "from; set the boot there",
                                 c->name, nd->name, nd->reuses_cluster, nd->reuses_node);
        for (size_t i = 0; i < c->n_networks; i++)
                if (c->networks[i].prefix.base.family == AF_INET)
                        return 0;
        return error_set(err, NETD_EINVALID, "network %s is IPv6: DHCP boot and options are IPv4 settings",
                         c->network);
}

int node_set(struct store *s, const struct node_change *change, struct cluster **ret_before,
             struct cluster **ret, struct netd_error *err) {
        _cleanup_tx_ struct store_tx tx = {};
        _cleanup_cluster_ struct cluster *before = NULL;
        char who[2 * NAME_MAX_LEN + 32];
        struct node_facts facts = {};
        const struct node *nd;
        const char *value;
        enum node_boot boot;
        bool boot_given = change->ipxe_script || change->boot_file || change->boot;
        int64_t cluster_id;
        int r;

        r = node_names_check(change->cluster, change->node, err);
        if (r < 0)
                return r;
        snprintf(who, sizeof(who), "cluster %s: node %s", change->cluster, change->node);
        r = boot_parse(change, who, &boot, &value, err);
        if (r >= 0)
                r = facts_parse(change, who, &facts, err);
        if (r < 0)
                return r;
        if (!boot_given && !facts.bmc_given && !facts.disk_given && !facts.mode_given)
                return error_set(err, NETD_EINVALID,
                                 "%s: nothing to change; give --ipxe-script, --boot-file, --boot network, "
                                 "--bmc-address, --root-disk or --boot-mode",
                                 who);

        r = store_tx_begin(s, true, &tx, err);
        if (r < 0)
                return r;
        r = cluster_find(s, change->cluster, &before, &cluster_id, err);
        if (r < 0)
                return r;
        nd = cluster_find_node(before, change->node);
        if (!nd)
                return error_set(err, NETD_ENOTFOUND, "cluster %s has no node %s", change->cluster,
                                 change->node);
        if (boot_given && boot != NODE_BOOT_NETWORK && (r = boot_check(before, nd, err)) < 0)
                return r;
        if (boot_given && (r = boot_store(s, cluster_id, change->node, boot, value, err)) < 0)
                return r;
        r = facts_store(s, cluster_id, change->node, &facts, err);
        if (r < 0)
                return r;
        r = cluster_commit_get(&tx, change->cluster, ret, err);
        if (r < 0)
                return r;
        if (ret_before)
                *ret_before = TAKE_PTR(before);
        return 0;
}
