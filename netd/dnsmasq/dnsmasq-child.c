/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The managed mode's dnsmasq process: started on netd's dnsmasq.conf,
 * restarted with a growing back-off when it dies (at once when netd
 * restarts it), the back-off starting over once a child has run a healthy
 * minute (a crash days later costs 100 ms, not 5 s), each restart one log
 * line with the reason; signalled with SIGHUP only once it has answered a
 * query (its handlers are in place only then). Its version is read once, at
 * start: dnsmasq before 2.91 crashes on a SIGHUP once a host with set: tags
 * from dhcp-hostsdir has leased (fixed upstream by f006be7). */
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "dnsmasq-private.h"
#include "netd/core/file.h"
#include "netd/core/log.h"
#include "netd/loop/proc.h"

#define RESTART_BACKOFF_MIN_MS 100
#define RESTART_BACKOFF_MAX_MS 5000
/* A child up this long was healthy: the next crash starts the back-off over. */
#define HEALTHY_US (60 * 1000 * 1000ULL)

/* The first version whose SIGHUP does not crash on tagged DHCP hosts. */
#define HUP_SAFE_MAJOR 2
#define HUP_SAFE_MINOR 91

struct dnsmasq_child {
        const struct config *cfg;
        char *conf_path, *pid_path;
        pid_t pid;
        unsigned starts;  /* processes started so far: the generation of the last */
        bool ready;       /* the child answered since it started */
        bool hup_pending; /* a SIGHUP waits for the child to be ready */
        bool restart, freeing;
        bool hup_safe; /* its version is known and survives a SIGHUP */
        unsigned backoff_ms;
        uint64_t started_us; /* when the running child was started */
        struct event *restart_ev;
        pid_t version_pid; /* `dnsmasq --version`, writing into version_fd */
        int version_fd;
};

static void on_restart_timer(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        dnsmasq_child_start(arg);
}

static void on_child_exit(pid_t pid _unused_, int status, void *arg) {
        struct dnsmasq_child *c = arg;
        uint64_t up_us;
        char how[64], sig[24] = "";

        c->pid = 0;
        c->ready = false;
        if (c->freeing)
                return;
        if (c->restart) {
                c->restart = false;
                dnsmasq_child_start(c);
                return;
        }
        up_us = dnsmasq_now_us() - c->started_us;
        if (up_us >= HEALTHY_US)
                c->backoff_ms = RESTART_BACKOFF_MIN_MS;
        proc_status_string(status, how, sizeof(how));
        if (WIFSIGNALED(status) && sigabbrev_np(WTERMSIG(status)))
                snprintf(sig, sizeof(sig), " (SIG%s)", sigabbrev_np(WTERMSIG(status)));
        log_warn("dnsmasq: %s%s after %.1f s; restarting in %u ms", how, sig, (double)up_us / 1e6,
                 c->backoff_ms);
        dnsmasq_timer_arm(c->restart_ev, (uint64_t)c->backoff_ms * 1000);
        c->backoff_ms =
                c->backoff_ms * 2 > RESTART_BACKOFF_MAX_MS ? RESTART_BACKOFF_MAX_MS : c->backoff_ms * 2;
}

/* A dnsmasq left by a netd that died without its child (PDEATHSIG makes
 * that rare) still holds the DNS and DHCP ports: stop it if the pid file
 * names a dnsmasq running our configuration. */
static void stale_child_stop(struct dnsmasq_child *c) {
        _cleanup_free_ char *pidtext = NULL, *cmdpath = NULL, *cmdline = NULL;
        long pid;

        if (file_read(c->pid_path, &pidtext, NULL) < 0 || (pid = strtol(pidtext, NULL, 10)) <= 1)
                return;
        if (asprintf(&cmdpath, "/proc/%ld/cmdline", pid) < 0)
                return;
        if (file_read(cmdpath, &cmdline, NULL) < 0)
                return;
        /* cmdline is NUL-separated: search each argument. */
        for (size_t off = 0, n = 0; cmdline[off] || n < 64; off += strlen(cmdline + off) + 1, n++) {
                if (!cmdline[off])
                        break;
                if (strstr(cmdline + off, c->conf_path)) {
                        log_warn("dnsmasq: stopping stale dnsmasq %ld of an earlier netd", pid);
                        kill((pid_t)pid, SIGKILL);
                        for (int i = 0; i < 100 && kill((pid_t)pid, 0) == 0; i++)
                                usleep(10000);
                        return;
                }
        }
}

/* "Dnsmasq version 2.90  Copyright ..." (or 2.91rc1, 2.92test3): true
 * when it is HUP_SAFE or later. */
static bool version_hup_safe(const char *text, unsigned *ret_major, unsigned *ret_minor) {
        *ret_major = *ret_minor = 0;
        if (sscanf(text, "Dnsmasq version %u.%u", ret_major, ret_minor) != 2)
                return false;
        return *ret_major > HUP_SAFE_MAJOR || (*ret_major == HUP_SAFE_MAJOR && *ret_minor >= HUP_SAFE_MINOR);
}

static void on_version_exit(pid_t pid _unused_, int status, void *arg) {
        struct dnsmasq_child *c = arg;
        char text[256] = "", how[64];
        ssize_t n = read(c->version_fd, text, sizeof(text) - 1);
        unsigned major, minor;

        c->version_pid = 0;
        close(c->version_fd);
        c->version_fd = -1;
        if (n > 0)
                text[n] = '\0';
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                log_warn("dnsmasq: %s --version %s; it is restarted instead of sent SIGHUP",
                         c->cfg->dnsmasq_binary, proc_status_string(status, how, sizeof(how)));
                return;
        }
        c->hup_safe = version_hup_safe(text, &major, &minor);
        if (c->hup_safe)
                log_info("dnsmasq: %s is version %u.%u", c->cfg->dnsmasq_binary, major, minor);
        else if (major)
                log_info("dnsmasq: %s is version %u.%u (before %u.%u, which crash on SIGHUP with tagged "
                         "hosts): it is restarted instead",
                         c->cfg->dnsmasq_binary, major, minor, HUP_SAFE_MAJOR, HUP_SAFE_MINOR);
        else
                log_warn("dnsmasq: %s --version names no version; it is restarted instead of sent SIGHUP",
                         c->cfg->dnsmasq_binary);
}

/* Run `dnsmasq --version` from the loop; until it has answered, the
 * version counts as one that crashes on SIGHUP. */
static void version_read_start(struct dnsmasq_child *c) {
        const char *argv[] = {c->cfg->dnsmasq_binary, "--version", NULL};
        struct netd_error err = {0};
        int fds[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
                log_warn("dnsmasq: socketpair: %s", strerror(errno));
                return;
        }
        if (proc_spawn_stdio(argv, fds[1], 0, on_version_exit, c, &c->version_pid, &err) < 0) {
                log_warn("dnsmasq: %s", err.message);
                close(fds[0]);
        } else
                c->version_fd = fds[0];
        close(fds[1]);
}

int dnsmasq_child_new(struct event_base *base, const struct config *cfg, const char *conf_path,
                      const char *pid_path, struct dnsmasq_child **ret, struct netd_error *err) {
        struct dnsmasq_child *c = calloc(1, sizeof(*c));

        if (!c)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        c->cfg = cfg;
        c->backoff_ms = RESTART_BACKOFF_MIN_MS;
        c->version_fd = -1;
        c->conf_path = strdup(conf_path);
        c->pid_path = strdup(pid_path);
        c->restart_ev = evtimer_new(base, on_restart_timer, c);
        if (!c->conf_path || !c->pid_path || !c->restart_ev) {
                dnsmasq_child_free(c);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        stale_child_stop(c);
        version_read_start(c);
        *ret = c;
        return 0;
}

void dnsmasq_child_free(struct dnsmasq_child *c) {
        if (!c)
                return;
        c->freeing = true;
        if (c->pid > 0) {
                int status;
                proc_forget(c->pid);
                kill(c->pid, SIGTERM);
                waitpid(c->pid, &status, 0);
        }
        if (c->version_pid > 0)
                proc_forget(c->version_pid);
        if (c->version_fd >= 0)
                close(c->version_fd);
        if (c->restart_ev)
                event_free(c->restart_ev);
        free(c->conf_path);
        free(c->pid_path);
        free(c);
}

bool dnsmasq_child_running(const struct dnsmasq_child *c) {
        return c->pid > 0;
}

/* dnsmasq makes its pid file anew at every start, and exits when that
 * fails: on a full disk it runs without one (the file only helps a later
 * netd stop a dnsmasq its predecessor left behind). */
static bool pid_file_room(struct dnsmasq_child *c) {
        _cleanup_free_ char *dir = strdup(c->pid_path), *tmp = NULL;
        char *slash = dir ? strrchr(dir, '/') : NULL;
        struct netd_error err = {0};

        if (!slash)
                return true;
        *slash = '\0';
        if (file_write_temp(dir, "dnsmasq.pid", "0000000000\n", &tmp, &err) == 0) {
                unlink(tmp);
                return true;
        }
        if (errno != ENOSPC && errno != EDQUOT)
                return true;
        log_warn("dnsmasq: %s; starting it without a pid file", err.message);
        return false;
}

void dnsmasq_child_start(struct dnsmasq_child *c) {
        _cleanup_free_ char *conf = NULL, *pidf = NULL;
        struct netd_error err = {0};
        const char *argv[10];
        size_t n = 0;

        if (c->pid > 0 || c->freeing)
                return;
        if (asprintf(&conf, "--conf-file=%s", c->conf_path) < 0 ||
            asprintf(&pidf, "--pid-file=%s", pid_file_room(c) ? c->pid_path : "") < 0)
                return;
        argv[n++] = c->cfg->dnsmasq_binary;
        argv[n++] = "--keep-in-foreground";
        argv[n++] = conf;
        argv[n++] = pidf;
        argv[n++] = "--log-facility=-";
        /* dnsmasq re-reads netd's files on SIGHUP, so it keeps netd's
         * identity instead of dropping to nobody (confine netd instead). */
        argv[n++] = "--user=root";
        /* Changing group (Debian's default is dip) would clear PDEATHSIG. */
        argv[n++] = "--group=root";
        if (log_get_level() >= LOG_LEVEL_DEBUG)
                argv[n++] = "--log-dhcp";
        argv[n] = NULL;
        if (proc_spawn(argv, PROC_DIE_WITH_PARENT, on_child_exit, c, &c->pid, &err) < 0) {
                log_error("dnsmasq: %s", err.message);
                dnsmasq_timer_arm(c->restart_ev, 1000000);
                return;
        }
        c->starts++;
        c->started_us = dnsmasq_now_us();
        c->ready = false;
        c->hup_pending = false;
        log_info("dnsmasq: started (pid %d, DNS port %u)", (int)c->pid, c->cfg->dns_port);
}

void dnsmasq_child_restart(struct dnsmasq_child *c) {
        if (c->pid > 0) {
                c->restart = true;
                kill(c->pid, SIGTERM);
        } else
                dnsmasq_child_start(c);
}

unsigned dnsmasq_child_generation(const struct dnsmasq_child *c) {
        return c->pid > 0 && !c->restart ? c->starts : 0;
}

unsigned dnsmasq_child_generation_next(const struct dnsmasq_child *c) {
        return c->pid > 0 && !c->restart ? c->starts : c->starts + 1;
}

bool dnsmasq_child_hup_safe(const struct dnsmasq_child *c) {
        return c->hup_safe;
}

void dnsmasq_child_hup(struct dnsmasq_child *c) {
        if (c->pid <= 0 || c->restart)
                return;
        if (c->ready)
                kill(c->pid, SIGHUP);
        else
                c->hup_pending = true;
}

void dnsmasq_child_answered(struct dnsmasq_child *c) {
        if (c->ready)
                return;
        /* Its signal handlers are in place only now: a SIGHUP sent earlier
         * would have killed it. */
        c->ready = true;
        if (c->hup_pending && c->pid > 0)
                kill(c->pid, SIGHUP);
        c->hup_pending = false;
}
