/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>

#include "config.h"
#include "addr.h"

static const char *const mode_names[] = {
        [DNSMASQ_MANAGED] = "managed",
        [DNSMASQ_EXTERNAL] = "external",
        [DNSMASQ_OFF] = "off",
};

const char *config_dnsmasq_mode_to_string(enum dnsmasq_mode m) {
        return mode_names[m];
}

static void replace(char **field, const char *value) {
        free(*field);
        *field = strdup(value);
}

void config_init(struct config *c) {
        *c = (struct config){
                .state_dir = strdup(NETD_DEFAULT_STATE_DIR),
                .socket_path = strdup(NETD_DEFAULT_SOCKET),
                .dnsmasq_mode = DNSMASQ_MANAGED,
                .dnsmasq_binary = strdup("dnsmasq"),
                .dns_port = 53,
                .log_level = LOG_LEVEL_INFO,
                .libvirt_timeout_s = 30,
        };
}

void config_done(struct config *c) {
        free(c->state_dir);
        free(c->socket_path);
        free(c->dnsmasq_dir);
        free(c->dnsmasq_reload);
        free(c->dnsmasq_binary);
        free(c->metrics_listen);
}

int config_set(struct config *c, const char *key, const char *value, struct netd_error *err) {
        if (streq(key, "state-dir") || streq(key, "socket") || streq(key, "dnsmasq-dir")) {
                if (value[0] != '/')
                        return error_set(err, NETD_EINVALID, "%s: must be an absolute path, got \"%s\"", key,
                                         value);
                replace(streq(key, "state-dir") ? &c->state_dir
                        : streq(key, "socket")  ? &c->socket_path
                                                : &c->dnsmasq_dir,
                        value);
        } else if (streq(key, "dnsmasq")) {
                for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
                        if (streq(mode_names[i], value)) {
                                c->dnsmasq_mode = (enum dnsmasq_mode)i;
                                return 0;
                        }
                return error_set(err, NETD_EINVALID, "dnsmasq: expected managed, external or off, got \"%s\"",
                                 value);
        } else if (streq(key, "dnsmasq-reload"))
                replace(&c->dnsmasq_reload, value);
        else if (streq(key, "dnsmasq-binary"))
                replace(&c->dnsmasq_binary, value);
        else if (streq(key, "metrics")) {
                char host[ADDR_STRLEN];
                unsigned port;

                if (!isempty(value) && config_listen_parse(value, host, sizeof(host), &port, err) < 0)
                        return err->code;
                replace(&c->metrics_listen, value);
        } else if (streq(key, "dns-port") || streq(key, "libvirt-timeout")) {
                bool port = streq(key, "dns-port");
                long max = port ? 65535 : 3600;
                char *end;
                long v;

                errno = 0;
                v = strtol(value, &end, 10);
                if (errno || *end || end == value || v < 1 || v > max)
                        return error_set(err, NETD_EINVALID, "%s: expected 1-%ld, got \"%s\"", key, max,
                                         value);
                if (port)
                        c->dns_port = (unsigned)v;
                else
                        c->libvirt_timeout_s = (unsigned)v;
        } else if (streq(key, "log-level")) {
                int l = log_level_from_string(value);
                if (l < 0)
                        return error_set(err, NETD_EINVALID,
                                         "log-level: expected error, warn, info or debug, got \"%s\"", value);
                c->log_level = (enum log_level)l;
        } else
                return error_set(err, NETD_EINVALID, "unknown setting \"%s\"", key);
        return 0;
}

static char *strip(char *s) {
        char *e;

        while (isspace((unsigned char)*s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
                *--e = '\0';
        return s;
}

int config_load(struct config *c, const char *path, bool optional, struct netd_error *err) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        unsigned lineno = 0;

        if (!f) {
                if (optional && errno == ENOENT)
                        return 0;
                return error_set(err, NETD_EINVALID, "config %s: %s", path, strerror(errno));
        }
        while (getline(&line, &cap, f) >= 0) {
                char *s, *eq, *key, *value;
                struct netd_error e = {0};

                lineno++;
                if ((s = strchr(line, '#')))
                        *s = '\0';
                s = strip(line);
                if (!*s)
                        continue;
                eq = strchr(s, '=');
                if (!eq)
                        return error_set(err, NETD_EINVALID, "config %s:%u: expected key = value", path,
                                         lineno);
                *eq = '\0';
                key = strip(s);
                value = strip(eq + 1);
                if (config_set(c, key, value, &e) < 0)
                        return error_set(err, e.code, "config %s:%u: %s", path, lineno, e.message);
        }
        return 0;
}

void config_print(const struct config *c, FILE *f) {
        fprintf(f, "state-dir = %s\n", c->state_dir);
        fprintf(f, "socket = %s\n", c->socket_path);
        fprintf(f, "dnsmasq = %s\n", config_dnsmasq_mode_to_string(c->dnsmasq_mode));
        fprintf(f, "dnsmasq-dir = %s\n", c->dnsmasq_dir ? c->dnsmasq_dir : "");
        if (isempty(c->dnsmasq_reload))
                fputs("# dnsmasq-reload is not set\n", f);
        else
                fprintf(f, "dnsmasq-reload = %s\n", c->dnsmasq_reload);
        fprintf(f, "dnsmasq-binary = %s\n", c->dnsmasq_binary);
        fprintf(f, "dns-port = %u\n", c->dns_port);
        fprintf(f, "log-level = %s\n", log_level_to_string(c->log_level));
        fprintf(f, "libvirt-timeout = %u\n", c->libvirt_timeout_s);
        if (isempty(c->metrics_listen))
                fputs("# metrics is not set: no /metrics endpoint\n", f);
        else
                fprintf(f, "metrics = %s\n", c->metrics_listen);
}

int config_finish(struct config *c, struct netd_error *err) {
        if (!c->dnsmasq_dir && asprintf(&c->dnsmasq_dir, "%s/dnsmasq.d", c->state_dir) < 0)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        if (c->dnsmasq_mode == DNSMASQ_EXTERNAL && isempty(c->dnsmasq_reload))
                return error_set(
                        err, NETD_EINVALID,
                        "--dnsmasq external needs --dnsmasq-reload CMD (e.g. \"systemctl restart dnsmasq\")");
        return 0;
}

int config_listen_parse(const char *s, char *ret_host, size_t size, unsigned *ret_port,
                        struct netd_error *err) {
        const char *colon, *host = s;
        size_t hlen;
        char *end;
        long port;

        if (s[0] == '[') {
                const char *close = strchr(s, ']');
                if (!close || close[1] != ':')
                        goto bad;
                host = s + 1;
                hlen = (size_t)(close - host);
                colon = close + 1;
        } else {
                colon = strrchr(s, ':');
                if (!colon || memchr(s, ':', (size_t)(colon - s)))
                        goto bad;
                hlen = (size_t)(colon - s);
        }
        if (hlen == 0 || hlen >= size)
                goto bad;
        errno = 0;
        port = strtol(colon + 1, &end, 10);
        if (errno || *end || end == colon + 1 || port < 1 || port > 65535)
                goto bad;
        memcpy(ret_host, host, hlen);
        ret_host[hlen] = '\0';
        {
                struct addr a;
                if (addr_parse(ret_host, &a, NULL) < 0)
                        goto bad;
        }
        *ret_port = (unsigned)port;
        return 0;
bad:
        return error_set(err, NETD_EINVALID,
                         "metrics: expected ADDRESS:PORT (e.g. 127.0.0.1:9464 or [::1]:9464), got \"%s\"", s);
}
