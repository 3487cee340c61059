/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netd's configuration: defaults, then the optional config file, then the
 * command line (which wins). The file holds `key = value` lines whose keys
 * are the long flag names (state-dir, socket, dnsmasq, ...); `#` starts a
 * comment. */
#pragma once

#include "error.h"
#include "log.h"

#define NETD_DEFAULT_CONFIG "/etc/netd/netd.conf"
#define NETD_DEFAULT_STATE_DIR "/var/lib/netd"
#define NETD_DEFAULT_SOCKET "/run/netd/netd.sock"

enum dnsmasq_mode { DNSMASQ_MANAGED, DNSMASQ_EXTERNAL, DNSMASQ_OFF };

struct config {
        char *state_dir;
        char *socket_path;
        enum dnsmasq_mode dnsmasq_mode;
        char *dnsmasq_dir;    /* external mode: conf-dir to write into */
        char *dnsmasq_reload; /* external mode: shell command run after a change */
        char *dnsmasq_binary; /* the dnsmasq to run/test with */
        unsigned dns_port;    /* managed dnsmasq's DNS port */
        enum log_level log_level;
        unsigned libvirt_timeout_s; /* bound on every libvirt request */
        char *metrics_listen;       /* ADDRESS:PORT of /metrics; NULL = off */
};

/* Fill defaults. */
void config_init(struct config *c);
void config_done(struct config *c);
/* Apply one key (a long flag name without dashes) with its value. */
int config_set(struct config *c, const char *key, const char *value, struct netd_error *err);
/* Read a config file; a missing file is fine only when `optional`. */
int config_load(struct config *c, const char *path, bool optional, struct netd_error *err);
/* Every key with its effective value, in netd.conf syntax (--check-config). */
void config_print(const struct config *c, FILE *f);

/* Derived defaults (dnsmasq-dir under the state dir) once all is read. */
int config_finish(struct config *c, struct netd_error *err);

/* Parse "ADDRESS:PORT" ("[v6]:PORT" for IPv6) of a listen address; NETD_EINVALID otherwise. */
int config_listen_parse(const char *s, char *ret_host, size_t size, unsigned *ret_port,
                        struct netd_error *err);

const char *config_dnsmasq_mode_to_string(enum dnsmasq_mode m);
