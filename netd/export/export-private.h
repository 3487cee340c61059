/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the exports: the values of a cluster as the documents show them
 * (export.c builds them), the YAML emitter's small API (export-emit.c), the
 * comment block (export-comments.c) and the documents (export-ztp.c,
 * export-inventory.c). */
#pragma once

#include <stdio.h>
#include <yaml.h>

#include "export.h"
#include "netd/core/mac.h"
#include "netd/core/prefix.h"

/* What a ZTP hub cannot learn from netd; the comment block at the top of
 * the document tells the user to set them. */
#define PLACEHOLDER_IMAGE_SET "CHANGE-ME-cluster-image-set"
#define PLACEHOLDER_SSH_KEY "CHANGE-ME-ssh-public-key"
#define PULL_SECRET_NAME "assisted-deployment-pull-secret"
#define BMC_SECRET_SUFFIX "-bmc-secret"

/* systemd's name for the first virtio NIC of a q35 guest (bus 1, slot 0),
 * which is what virt-install gives a VM with one interface. */
#define GUEST_NAME_DEFAULT "enp1s0"

#define TEMPLATES_NAMESPACE "open-cluster-management"
#define CLUSTER_TEMPLATES "ai-cluster-templates-v1"
#define NODE_TEMPLATES "ai-node-templates-v1"

#define BMC_URL_MAX (sizeof(((struct export_vm *)NULL)->bmc) + VM_UUID_STRLEN + 64)
#define COMMENT_MAX 512

struct node_view {
        const struct node *node;
        char fqdn[DOMAIN_MAX_LEN + 1];
        char mac[MAC_STRLEN];
        char ip[ADDR_STRLEN];
        char guest[IFNAME_MAX_LEN + 1];
        bool guest_assumed;
        char bmc_secret[NAME_MAX_LEN + sizeof(BMC_SECRET_SUFFIX)];
        const char *uuid;      /* NULL: no VM */
        const char *bmc_url;   /* NULL: no VM or its host has no --bmc */
        const char *root_disk; /* NULL: unknown */
        char bmc_url_buf[BMC_URL_MAX];
        char note[COMMENT_MAX]; /* why fields are missing; "" when none is */
};

struct view {
        const struct cluster *c;
        const struct network *n;
        bool v6;
        bool vips; /* compact/mno: api and ingress VIPs of their own */
        char cidr[PREFIX_STRLEN];
        char gateway[ADDR_STRLEN];
        char api[ADDR_STRLEN], ingress[ADDR_STRLEN];
        struct node_view *nodes;
        size_t n_nodes;
};

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
void emit_kv_list1(struct emitter *e, const char *key, const char *value);

/* The documents. */
void export_ztp_clusterinstance(struct emitter *e, const struct view *v);
void export_ztp_siteconfig(struct emitter *e, const struct view *v);
void export_inventory_emit(struct emitter *e, const struct view *v);
