/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "api.h"
#include "control.h"
#include "daemon.h"
#include "metrics.h"
#include "netd/core/file.h"
#include "netd/core/log.h"
#include "netd/loop/loop.h"
#include "netd/loop/proc.h"

#include <systemd/sd-daemon.h>

struct daemon {
        struct event_base *base;
        const struct config *cfg;
        struct api api; /* the store, dnsmasq and the fabric, as handlers see them */
        struct control *control;
        struct metrics *metrics; /* NULL unless --metrics */
        bool batch_open;
        struct event *commit_ev;
};

static void on_stop_signal(evutil_socket_t sig, short what _unused_, void *arg) {
        struct daemon *d = arg;

        log_info("netd: %s received, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        sd_notify(0, "STOPPING=1");
        event_base_loopbreak(d->base);
}

/* Join (or open) the write batch of this loop iteration: every change made
 * until the batch commits shares its one durable COMMIT, and replies are
 * held until then. */
static int batch_join(struct daemon *d, struct netd_error *err) {
        int r;

        if (d->batch_open)
                return 0;
        r = store_batch_begin(d->api.store, err);
        if (r < 0)
                return r;
        d->batch_open = true;
        control_hold(d->control);
        event_active(d->commit_ev, 0, 0);
        return 0;
}

static void on_request(struct request *r, const struct proto_command *cmd, struct json_object *args,
                       void *userdata) {
        struct daemon *d = userdata;
        struct netd_error err = {0};

        if (cmd->mutating && batch_join(d, &err) < 0) {
                request_reply_error(r, err.code, err.message);
                return;
        }
        api_dispatch(&d->api, r, cmd, args);
}

static void on_commit(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct daemon *d = arg;
        struct netd_error err = {0};

        d->batch_open = false;
        if (store_batch_commit(d->api.store, &err) < 0) {
                /* Nothing of this batch was acknowledged. Files already written
                 * for it would disagree with the database: stop, and let the
                 * restart rebuild everything from what is committed. */
                log_error("database: %s; stopping so that a restart rebuilds from the database", err.message);
                exit(1);
        }
        control_release_held(d->control);
}

static void on_initial_sync(int code, const char *message, void *userdata _unused_) {
        if (code == 0)
                log_info("dnsmasq: serving every allocation in the database");
        else
                log_error("dnsmasq: initial sync: %s", message);
}

/* One netd per state directory: a second one would fight over dnsmasq and
 * the generated files. */
static int state_lock(const char *dir, struct netd_error *err) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (!(path = file_path_join(dir, "netd.lock")))
                return error_set(err, NETD_EINTERNAL, "out of memory");
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return error_set(err, NETD_EINTERNAL, "%s: %s", path, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                close(fd);
                return error_set(err, NETD_ECONFLICT, "state directory %s is in use by another netd", dir);
        }
        return fd;
}

int daemon_run(const struct config *cfg, struct netd_error *err) {
        struct daemon d = {.cfg = cfg};
        _cleanup_free_ char *db_path = NULL;
        struct event *sigterm = NULL, *sigint = NULL;
        _cleanup_close_ int lock = -1;
        int r;

        signal(SIGPIPE, SIG_IGN);
        if (mkdir(cfg->state_dir, 0755) < 0 && errno != EEXIST)
                return error_set(err, NETD_EINVALID, "state directory %s: %s", cfg->state_dir,
                                 strerror(errno));
        lock = state_lock(cfg->state_dir, err);
        if (lock < 0)
                return lock;
        if (!(db_path = file_path_join(cfg->state_dir, "netd.db")))
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = store_open(db_path, &d.api.store, err);
        if (r < 0)
                return r;

        d.base = event_base_new();
        if (!d.base || event_base_priority_init(d.base, PRIO_COUNT) < 0) {
                r = error_set(err, NETD_EINTERNAL, "cannot create the event loop");
                goto out;
        }
        d.commit_ev = event_new(d.base, -1, 0, on_commit, &d);
        if (!d.commit_ev || event_priority_set(d.commit_ev, PRIO_COMMIT) < 0) {
                r = error_set(err, NETD_EINTERNAL, "cannot create the event loop");
                goto out;
        }
        sigterm = evsignal_new(d.base, SIGTERM, on_stop_signal, &d);
        sigint = evsignal_new(d.base, SIGINT, on_stop_signal, &d);
        if (!sigterm || !sigint || evsignal_add(sigterm, NULL) < 0 || evsignal_add(sigint, NULL) < 0 ||
            proc_init(d.base) < 0) {
                r = error_set(err, NETD_EINTERNAL, "cannot install signal handlers");
                goto out;
        }
        r = dnsmasq_new(d.base, cfg, &d.api.dnsmasq, err);
        if (r < 0)
                goto out;
        r = dnsmasq_sync(d.api.dnsmasq, d.api.store, true, on_initial_sync, NULL, err);
        if (r < 0)
                goto out;
        r = fabric_new(d.base, d.api.store, cfg->libvirt_timeout_s, &d.api.fabric, err);
        if (r < 0)
                goto out;
        r = control_new(d.base, cfg->socket_path, on_request, &d, &d.control, err);
        if (r < 0)
                goto out;
        r = metrics_new(d.base, cfg->metrics_listen, d.api.store, d.api.fabric, &d.metrics, err);
        if (r < 0)
                goto out;
        /* Under systemd (Type=notify): the socket answers from now on. */
        sd_notifyf(0, "READY=1\nSTATUS=serving %s, dnsmasq %s", cfg->socket_path,
                   config_dnsmasq_mode_to_string(cfg->dnsmasq_mode));
        log_info("netd %s: state %s, dnsmasq %s", NETD_VERSION, cfg->state_dir,
                 config_dnsmasq_mode_to_string(cfg->dnsmasq_mode));
        event_base_dispatch(d.base);
        r = 0;
out:
        if (d.batch_open) {
                struct netd_error e = {0};
                if (store_batch_commit(d.api.store, &e) < 0)
                        log_error("database: %s", e.message);
        }
        if (d.commit_ev)
                event_free(d.commit_ev);
        metrics_free(d.metrics);
        control_free(d.control);
        fabric_free(d.api.fabric);
        dnsmasq_free(d.api.dnsmasq);
        proc_done();
        if (sigterm)
                event_free(sigterm);
        if (sigint)
                event_free(sigint);
        if (d.base)
                event_base_free(d.base);
        store_close(d.api.store);
        return r;
}
