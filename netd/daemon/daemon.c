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
        struct batch *batch; /* the open batch's fate, shared by its changes */
        struct event *commit_ev;
};

static void on_stop_signal(evutil_socket_t sig, short what _unused_, void *arg) {
        struct daemon *d = arg;

        log_info("netd: %s received, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        sd_notify(0, "STOPPING=1");
        event_base_loopbreak(d->base);
}

/* A write batch, as its changes see it: code is a NETD_E* code once its
 * COMMIT failed. */
struct batch {
        unsigned refs;
        int code;
        char message[sizeof(((struct netd_error *)0)->message)];
};

static void batch_unref(struct batch *b) {
        if (b && --b->refs == 0)
                free(b);
}

/* A change made in a batch: the handler answers `proxy`, and the client's
 * request `r` gets that answer, unless the batch failed to commit and the
 * answer (often given later, once dnsmasq serves the change) is a success
 * or an internal or unavailable error: then the batch's failure. */
struct batched {
        struct request *r;
        struct batch *b;
};

static void on_batched_finish(void *owner, struct request *proxy _unused_, char *line) {
        struct batched *e = owner;
        struct json_object *data = NULL;
        struct netd_error err = {0};
        int rc = line ? proto_reply_parse(line, strlen(line), &data, &err)
                      : error_set(&err, NETD_EINTERNAL, "out of memory");

        if (e->b->code && (rc == 0 || rc == NETD_EINTERNAL || rc == NETD_EUNAVAILABLE)) {
                json_object_put(data);
                request_reply_error(e->r, e->b->code, e->b->message);
        } else if (rc == 0)
                request_reply_ok(e->r, data);
        else
                request_reply_error(e->r, rc, err.message);
        free(line);
        batch_unref(e->b);
        free(e);
}

/* Join (or open) the write batch of this loop iteration: every change made
 * until the batch commits shares its one durable COMMIT, and replies are
 * held until then. */
static int batch_join(struct daemon *d, struct netd_error *err) {
        struct batch *b;
        int r;

        if (d->batch_open)
                return 0;
        b = calloc(1, sizeof(*b));
        if (!b)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        r = store_batch_begin(d->api.store, err);
        if (r < 0) {
                free(b);
                return r;
        }
        b->refs = 1;
        d->batch = b;
        d->batch_open = true;
        control_hold(d->control);
        event_active(d->commit_ev, 0, 0);
        return 0;
}

static void on_request(struct request *r, const struct proto_command *cmd, struct json_object *args,
                       void *userdata) {
        struct daemon *d = userdata;
        struct netd_error err = {0};

        if (cmd->mutating) {
                struct request *proxy = NULL;
                struct batched *e;

                if (batch_join(d, &err) < 0) {
                        request_reply_error(r, err.code, err.message);
                        return;
                }
                e = calloc(1, sizeof(*e));
                /* no command name: the client's request `r` is the one counted */
                proxy = e ? request_new(NULL, on_batched_finish, e) : NULL;
                if (!proxy) {
                        free(e);
                        request_reply_error(r, NETD_EINTERNAL, "out of memory");
                        return;
                }
                e->r = r;
                e->b = d->batch;
                e->b->refs++;
                r = proxy;
        }
        api_dispatch(&d->api, r, cmd, args);
}

static void on_resync(int code, const char *message, void *userdata _unused_) {
        if (code < 0)
                log_error("dnsmasq: rebuilding from the database: %s", message);
}

static void on_commit(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct daemon *d = arg;
        struct batch *b = d->batch;
        struct netd_error err = {0};

        d->batch_open = false;
        d->batch = NULL;
        if (store_batch_commit(d->api.store, &err) < 0) {
                struct netd_error e = {0};

                /* Nothing of this batch is stored (a full disk, an I/O error):
                 * its answers become this error, those held now and those of
                 * changes still waiting for dnsmasq; dnsmasq's files are
                 * rebuilt from what is committed. Reads and DNS go on; the
                 * next batch tries again. */
                log_error("%s: every request of this batch answered with this error", err.message);
                if (b) {
                        b->code = err.code;
                        strscpy(b->message, sizeof(b->message), err.message);
                }
                control_fail_held(d->control, err.code, err.message);
                if (dnsmasq_sync(d->api.dnsmasq, d->api.store, true, on_resync, NULL, &e) < 0)
                        log_error("dnsmasq: rebuilding from the database: %s", e.message);
        } else
                control_release_held(d->control);
        batch_unref(b);
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
