/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the exports: the values of a cluster as the documents show them
 * (export-view.c builds and checks them), the YAML emitter's small API
 * (export-emit.c), the comment block (export-comments.c) and the documents
 * (export-ztp.c, export-inventory.c). */
#pragma once

#include <stdio.h>
#include <yaml.h>

#include "export.h"
#include "netd/core/bmc.h"
#include "netd/core/mac.h"
#include "netd/core/prefix.h"

/* What a ZTP hub cannot learn from netd; the comment block at the top of
 * the document tells the user to set them. */
#define PLACEHOLDER_IMAGE_SET "CHANGE-ME-cluster-image-set"
#define PLACEHOLDER_SSH_KEY "CHANGE-ME-ssh-public-key"
/* --allow-incomplete: what stands for a node value netd does not know. */
#define PLACEHOLDER_BMC_ADDRESS "CHANGE-ME-bmc-address"
#define PLACEHOLDER_ROOT_DEVICE "CHANGE-ME-root-device"
#define PLACEHOLDER_BOOT_MODE "CHANGE-ME-boot-mode"
#define PULL_SECRET_NAME "assisted-deployment-pull-secret"
#define BMC_SECRET_SUFFIX "-bmc-secret"

/* systemd's name for the first virtio NIC of a q35 guest (bus 1, slot 0),
 * which is what virt-install gives a VM with one interface. */
#define GUEST_NAME_DEFAULT "enp1s0"

#define CLUSTER_TEMPLATES "ai-cluster-templates-v1"
#define NODE_TEMPLATES "ai-node-templates-v1"

/* The templates copy hostName into label values. */
#define LABEL_VALUE_MAX 63

#define COMMENT_MAX 512

/* A node value the ZTP documents need and netd may not know. */
enum missing {
        MISSING_BMC_ADDRESS = 1 << 0,
        MISSING_ROOT_DEVICE = 1 << 1,
        MISSING_BOOT_MODE = 1 << 2,
};

/* One network of the cluster: primary family first. */
struct family_view {
        const struct cluster_network *cn;
        const struct network *n;
        bool v6;
        char cidr[PREFIX_STRLEN];    /* the network's */
        char machine[PREFIX_STRLEN]; /* --machine-network, else the CIDR */
        char gateway[ADDR_STRLEN];
        char api[ADDR_STRLEN], ingress[ADDR_STRLEN];
};

struct node_view {
        const struct node *node;
        const struct export_vm *vm; /* NULL: no VM found */
        char fqdn[DOMAIN_MAX_LEN + 1];
        char mac[MAC_STRLEN];
        char ips[CLUSTER_NETWORKS_MAX][ADDR_STRLEN]; /* per family_view */
        char guest[IFNAME_MAX_LEN + 1];
        bool guest_assumed;
        char bmc_secret[NAME_MAX_LEN + sizeof(BMC_SECRET_SUFFIX)];
        /* The BMC: the node's own URL (`node set`), else its VM's host --bmc
         * (has_bmc) with the VM's UUID. bmc_url is the bmcAddress. */
        bool has_bmc, bmc_from_node;
        struct bmc bmc;
        char bmc_url[BMC_URL_MAX + 1];
        char root_disk[VALIDATE_PATH_MAX + 1]; /* "" = unknown */
        const char *boot_mode;                 /* "UEFI", "UEFISecureBoot", "legacy"; NULL = unknown */
        unsigned missing;                      /* enum missing */
        char note[COMMENT_MAX];                /* why values are missing; "" when none is */
};

struct view {
        const struct cluster *c;
        const struct export_input *in;
        struct family_view fam[CLUSTER_NETWORKS_MAX];
        size_t n_fam;
        int v4, v6; /* index of the family in fam[], -1 when the cluster has none */
        bool vips;  /* compact/mno: api and ingress VIPs of their own */
        const char *template_namespace;
        struct node_view *nodes;
        size_t n_nodes;
};

/* Everything a document shows, checked once (export-view.c). v->nodes is
 * malloc'd, also on failure. */
int export_view_build(const struct export_input *in, struct view *v, struct netd_error *err);

/* "bmcAddress, rootDeviceHints and bootMode": the ZTP names of `missing`. */
void export_missing_join(unsigned missing, char *buf, size_t size);

/* "a", "a and b", "a, b and c" */
void export_list_join(char *buf, size_t size, const char *const *items, size_t n);

/* The comment block at the top of a document (libyaml cannot emit comments). */
int export_comments_write(FILE *f, enum export_format fmt, const struct view *v, struct netd_error *err);

/* Errors stick: after the first failure every call is a no-op, so the
 * document code reads as the document's shape and is checked once. */
struct emitter {
        yaml_emitter_t y;
        bool failed;
};

void emit_event(struct emitter *e, yaml_event_t *ev, bool initialized);
void emit_str(struct emitter *e, const char *s);
void emit_quoted(struct emitter *e, const char *s);
void emit_bool(struct emitter *e, bool b);
void emit_uint(struct emitter *e, unsigned u);
void emit_map_start(struct emitter *e);
void emit_map_end(struct emitter *e);
void emit_seq_start(struct emitter *e);
void emit_seq_end(struct emitter *e);
void emit_kv_str(struct emitter *e, const char *key, const char *value);
void emit_kv_quoted(struct emitter *e, const char *key, const char *value);
void emit_kv_bool(struct emitter *e, const char *key, bool value);
void emit_kv_uint(struct emitter *e, const char *key, unsigned value);
void emit_kv_list1(struct emitter *e, const char *key, const char *value);

/* The documents. */
void export_ztp_clusterinstance(struct emitter *e, const struct view *v);
void export_ztp_siteconfig(struct emitter *e, const struct view *v);
void export_inventory_abi(struct emitter *e, const struct view *v);
void export_inventory_ipi(struct emitter *e, const struct view *v);

/* One line of the comment block: "# " + the text + newline; refused
 * (NETD_EINVALID) when it is too long or not printable ASCII. */
int export_comment(FILE *f, const struct view *v, struct netd_error *err, const char *fmt, ...)
        _printf_(4, 5);

/* What the DCI inventories name in their comment block: values netd does
 * not know and values the flow's templates cannot say (export-inventory.c). */
int export_inventory_comments(FILE *f, const struct view *v, struct netd_error *err);
