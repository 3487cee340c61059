/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --dnsmasq=managed: netd's own dnsmasq child, on the files of
 * STATE/dnsmasq (dnsmasq.conf, hosts.d/C, dhcp-opts.d/C, dhcp-hosts.d/C,
 * leases).
 *
 * A cluster change rewrites that cluster's files, which dnsmasq reads by
 * inotify, and the responder's zone (dnsmasq-responder.c). dnsmasq only
 * adds what it reads: removed entries need one SIGHUP for every change of
 * the same loop iteration, or a restart when its version crashes on SIGHUP
 * (before 2.91, with our tagged DHCP hosts). A changed boot override
 * restarts it whatever the version: an option line read by inotify is
 * added, and only a fresh start is sure to serve exactly the new one. The
 * change is done once it is proven live (dnsmasq-managed-verify.c).
 * Network-level changes rewrite dnsmasq.conf and restart the child
 * (dnsmasq-child.c). */
#include <arpa/inet.h>
#include <errno.h>

#include "dnsmasq-conf.h"
#include "dnsmasq-managed-private.h"
#include "netd/core/file.h"
#include "netd/core/log.h"

static void managed_waiter_done(struct dnsmasq_waiter *w) {
        dnsmasq_managed_verify_waiter_done(MANAGED_WAITER(w));
}

/* ---- the files ------------------------------------------------------------ */

/* The DHCP options first, so that a host is never served without its name
 * and boot override; then its DHCP entries; the hosts file last: once a
 * probe sees the new names, the DHCP files were read before them. */
static int cluster_files_write(struct dnsmasq_managed *m, const struct cluster *c, struct netd_error *err) {
        _cleanup_free_ char *hosts = dnsmasq_conf_hosts(c), *dhcp = dnsmasq_conf_dhcp_hosts(c),
                            *opts = dnsmasq_conf_dhcp_opts(c);
        _cleanup_free_ char *hp = file_path_join(m->hosts_dir, c->name);
        _cleanup_free_ char *dp = file_path_join(m->dhcp_dir, c->name);
        _cleanup_free_ char *op = file_path_join(m->opts_dir, c->name);
        int r;

        if (!hosts || !dhcp || !opts)
                return error_set(err, NETD_EINTERNAL, "cluster %s: cannot generate dnsmasq data", c->name);
        if (!hp || !dp || !op)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = file_write_atomic(op, opts, err);
        if (r == 0)
                r = file_write_atomic(dp, dhcp, err);
        if (r == 0)
                r = file_write_atomic(hp, hosts, err);
        return r;
}

/* The hosts file goes; the DHCP files are emptied instead (dnsmasq's
 * directory watch then reads an empty file rather than failing to read a
 * vanished one; the SIGHUP or restart drops the entries). Empty files are
 * pruned at start. */
static void cluster_files_remove(struct dnsmasq_managed *m, const char *name) {
        const char *const dirs[] = {m->dhcp_dir, m->opts_dir};
        _cleanup_free_ char *hp = file_path_join(m->hosts_dir, name);

        if (hp)
                unlink(hp);
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                _cleanup_free_ char *p = file_path_join(dirs[i], name);
                struct netd_error err = {0};

                if (p && file_write_atomic(p, "", &err) < 0)
                        log_warn("dnsmasq: %s", err.message);
        }
}

static bool keep_cluster_file(const char *name, const char *path _unused_, void *userdata) {
        return dnsmasq_clusters_have(userdata, name);
}

/* Every cluster's files and zone, at start; stale files go. */
static int clusters_write(struct dnsmasq_managed *m, struct cluster *const *cl, size_t n,
                          struct netd_error *err) {
        struct dnsmasq_clusters held = {cl, n};

        dnsmasq_responder_zones_clear(m->responder);
        for (size_t i = 0; i < n; i++) {
                int r = cluster_files_write(m, cl[i], err);
                if (r == 0)
                        r = dnsmasq_responder_zone_set(m->responder, cl[i], err);
                if (r < 0)
                        return r;
        }
        dnsmasq_dir_prune(m->hosts_dir, keep_cluster_file, &held);
        dnsmasq_dir_prune(m->dhcp_dir, keep_cluster_file, &held);
        dnsmasq_dir_prune(m->opts_dir, keep_cluster_file, &held);
        return 0;
}

/* After a restart, only the new child's answers prove the changes under
 * way (the old one may answer before it exits). */
static void probing_wait_generation(struct dnsmasq_managed *m, unsigned generation) {
        for (struct dnsmasq_waiter *w = m->d.waiters; w; w = w->next) {
                struct dnsmasq_managed_waiter *mw = MANAGED_WAITER(w);

                if (w->state == DNSMASQ_WAITER_PROBING && mw->min_generation < generation)
                        mw->min_generation = generation;
        }
}

/* A node whose boot instructions differ between `old` and `c`. */
static bool boot_changed(const struct cluster *c, const struct cluster *old) {
        for (size_t i = 0; i < c->n_nodes; i++) {
                const struct node *now = &c->nodes[i], *was = cluster_find_node(old, now->name);

                if (was && (was->boot != now->boot ||
                            (now->boot != NODE_BOOT_NETWORK && !streq(was->boot_value, now->boot_value))))
                        return true;
        }
        return false;
}

/* ---- the back end ---------------------------------------------------------- */

static int managed_sync(struct dnsmasq *d, struct store *s, bool clusters, struct dnsmasq_waiter *w,
                        struct netd_error *err) {
        struct dnsmasq_managed *m = MANAGED(d);
        struct cluster **cl = NULL;
        size_t n_cl = 0;
        _cleanup_free_ char *conf = NULL, *old = NULL;
        bool changed;
        int r;

        r = dnsmasq_store_load(d, s, clusters, &cl, &n_cl, err);
        if (r < 0)
                return r;
        conf = dnsmasq_conf_main(
                &(struct dnsmasq_main_params){
                        .hosts_dir = m->hosts_dir,
                        .dhcp_hosts_dir = m->dhcp_dir,
                        .dhcp_opts_dir = m->opts_dir,
                        .lease_file = m->lease_path,
                        .dns_port = d->cfg->dns_port,
                        .responder_port = dnsmasq_responder_port(m->responder),
                },
                d->networks, d->n_networks);
        if (!conf) {
                r = error_set(err, NETD_EINTERNAL, "cannot generate %s", m->conf_path);
                goto out;
        }
        if (clusters) {
                r = clusters_write(m, cl, n_cl, err);
                if (r < 0)
                        goto out;
        }
        (void)file_read(m->conf_path, &old, NULL);
        changed = !old || !streq(old, conf);
        if (changed) {
                struct netd_error e = {0};

                r = file_write_atomic(m->conf_path, conf, &e);
                /* A start on a full disk: no room for a second copy, but no
                 * dnsmasq reads the file yet (the responder's port changes
                 * at every start). */
                if (r < 0 && errno == ENOSPC && old && !dnsmasq_child_running(m->child)) {
                        log_warn("dnsmasq: %s; rewriting %s in place", e.message, m->conf_path);
                        r = file_rewrite(m->conf_path, conf, NULL);
                }
                if (r < 0) {
                        error_set(err, r, "%s", e.message);
                        goto out;
                }
        }
        if (dnsmasq_managed_verify_expect_ready(MANAGED_WAITER(w)) < 0) {
                r = error_set(err, NETD_EINTERNAL, "out of memory");
                goto out;
        }
        if (!dnsmasq_child_running(m->child))
                dnsmasq_child_start(m->child);
        else if (changed) {
                log_info("dnsmasq: network settings changed; restarting");
                dnsmasq_child_restart(m->child);
        }
        /* ready means ready on this configuration */
        MANAGED_WAITER(w)->min_generation = dnsmasq_child_generation_next(m->child);
out:
        cluster_list_free(cl, n_cl);
        return r;
}

static int managed_change(struct dnsmasq *d, const struct cluster *c, const struct cluster *old,
                          struct dnsmasq_waiter *w, struct netd_error *err) {
        struct dnsmasq_managed *m = MANAGED(d);
        struct dnsmasq_managed_waiter *mw = MANAGED_WAITER(w);
        int r = 0;

        if (c) {
                r = cluster_files_write(m, c, err);
                if (r == 0)
                        r = dnsmasq_responder_zone_set(m->responder, c, err);
        } else {
                cluster_files_remove(m, old->name);
                dnsmasq_responder_zone_remove(m->responder, old->name);
        }
        /* dnsmasq keeps DHCP entries of changed or deleted files, and cached
         * forwarded answers, until a SIGHUP. */
        if (old)
                for (size_t i = 0; i < old->n_nodes && !mw->needs_hup; i++)
                        mw->needs_hup = !c || !cluster_find_node(c, old->nodes[i].name);
        mw->needs_restart = c && old && boot_changed(c, old);
        if (r == 0 && dnsmasq_managed_verify_expect(m, mw, c, old) < 0)
                r = error_set(err, NETD_EINTERNAL, "out of memory");
        return r;
}

/* New and changed files reach dnsmasq through its directory watch; only
 * removals need a SIGHUP, one for every change of this loop iteration, or
 * a restart (a dnsmasq that crashes on SIGHUP, a changed boot override). */
static void managed_flush(struct dnsmasq *d) {
        struct dnsmasq_managed *m = MANAGED(d);
        bool any = false, hup = false, restart = false;

        for (struct dnsmasq_waiter *w = d->waiters; w; w = w->next)
                if (w->state == DNSMASQ_WAITER_QUEUED) {
                        w->state = DNSMASQ_WAITER_PROBING;
                        hup |= MANAGED_WAITER(w)->needs_hup;
                        restart |= MANAGED_WAITER(w)->needs_restart;
                        any = true;
                }
        if (!any)
                return;
        if (restart || (hup && !dnsmasq_child_hup_safe(m->child))) {
                log_debug("dnsmasq: restarting to drop changed DHCP entries");
                dnsmasq_child_restart(m->child);
                probing_wait_generation(m, dnsmasq_child_generation_next(m->child));
        } else if (hup)
                dnsmasq_child_hup(m->child);
        dnsmasq_managed_verify_run(m);
}
static int managed_init(struct dnsmasq *d, struct netd_error *err) {
        struct dnsmasq_managed *m = MANAGED(d);
        const struct config *cfg = d->cfg;
        int r;

        m->probe_fd = -1; /* for managed_done() after a failure before the verify set-up */
        if (asprintf(&m->dir, "%s/dnsmasq", cfg->state_dir) < 0 ||
            !(m->conf_path = file_path_join(m->dir, "dnsmasq.conf")) ||
            !(m->hosts_dir = file_path_join(m->dir, "hosts.d")) ||
            !(m->dhcp_dir = file_path_join(m->dir, "dhcp-hosts.d")) ||
            !(m->opts_dir = file_path_join(m->dir, "dhcp-opts.d")) ||
            !(m->lease_path = file_path_join(m->dir, "leases")) ||
            !(m->pid_path = file_path_join(m->dir, "dnsmasq.pid")))
                return error_set(err, NETD_EINTERNAL, "out of memory");
        if (file_mkdir_p(m->hosts_dir, 0750, NULL) < 0 || file_mkdir_p(m->dhcp_dir, 0750, NULL) < 0 ||
            file_mkdir_p(m->opts_dir, 0750, NULL) < 0)
                return error_set(err, NETD_EINTERNAL, "%s: %s", m->dir, strerror(errno));
        /* No symlink to elsewhere, nothing others may plant files in; the
         * lease file (which dnsmasq opens following links) made here, with
         * netd's mode and group. */
        r = file_dir_check("dnsmasq directory", m->dir, err);
        if (r == 0)
                r = file_dir_check("dnsmasq directory", m->hosts_dir, err);
        if (r == 0)
                r = file_dir_check("dnsmasq directory", m->dhcp_dir, err);
        if (r == 0)
                r = file_dir_check("dnsmasq directory", m->opts_dir, err);
        if (r == 0)
                r = file_own(m->lease_path, true, err);
        if (r < 0)
                return r;
        r = dnsmasq_responder_new(d->base, &m->responder, err);
        if (r < 0)
                return r;
        r = dnsmasq_managed_verify_init(m, err);
        if (r < 0)
                return r;
        return dnsmasq_child_new(d->base, cfg, m->conf_path, m->pid_path, &m->child, err);
}

static void managed_done(struct dnsmasq *d) {
        struct dnsmasq_managed *m = MANAGED(d);

        dnsmasq_child_free(m->child);
        dnsmasq_managed_verify_done(m);
        dnsmasq_responder_free(m->responder);
        free(m->dir);
        free(m->conf_path);
        free(m->hosts_dir);
        free(m->dhcp_dir);
        free(m->opts_dir);
        free(m->lease_path);
        free(m->pid_path);
}

const struct dnsmasq_ops dnsmasq_managed_ops = {
        .object_size = sizeof(struct dnsmasq_managed),
        .waiter_size = sizeof(struct dnsmasq_managed_waiter),
        .init = managed_init,
        .done = managed_done,
        .sync = managed_sync,
        .change = managed_change,
        .flush = managed_flush,
        .waiter_done = managed_waiter_done,
};
