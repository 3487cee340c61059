/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ensuring N fabric objects (bridges, veth pairs, VXLAN devices) in a fresh
 * network namespace: netd's netlink layer vs. one `ip` process per object
 * vs. one `ip -batch` for all, same objects, same end state (alias, MTU,
 * masters, up), all in this run, the namespace emptied between runs. Every
 * run is verified by netd's own check (all objects ok) before it counts.
 *
 * Prints JSON lines; judges nothing. Env: BENCH_N (200), BENCH_ROUNDS (3). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "netd/agent/agent.h"
#include "netd/core/agent-proto.h"
#include "netd/netlink/netlink.h"

#define MTU 1450

static struct nl_ctx *ctx;
static struct fobj *objs;
static size_t n_objs;
static char tmpdir[64];

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *msg) {
        fprintf(stderr, "bench-netlink: %s: %s\n", what, msg);
        exit(1);
}

/* 50% bridges, 25% veth pairs between neighbouring bridges, 25% VXLAN
 * devices on the bridges. */
static void objects_build(size_t n) {
        size_t nb = n / 2, nv = n / 4, nx = n - nb - nv;

        if (nb < 2)
                die("BENCH_N", "at least 4 objects");
        objs = calloc(n, sizeof(*objs));
        if (!objs)
                die("objects", "out of memory");
        for (size_t i = 0; i < nb; i++) {
                struct fobj *o = &objs[n_objs++];

                o->kind = FOBJ_BRIDGE;
                o->mtu = MTU;
                snprintf(o->name, sizeof(o->name), "nb%u", (unsigned)i);
        }
        for (size_t i = 0; i < nv; i++) {
                struct fobj *o = &objs[n_objs++];

                o->kind = FOBJ_VETH;
                o->mtu = MTU;
                snprintf(o->name, sizeof(o->name), "nv%u", (unsigned)i);
                snprintf(o->peer, sizeof(o->peer), "nw%u", (unsigned)i);
                snprintf(o->master, sizeof(o->master), "nb%u", (unsigned)(i % nb));
                snprintf(o->peer_master, sizeof(o->peer_master), "nb%u", (unsigned)((i + 1) % nb));
        }
        for (size_t i = 0; i < nx; i++) {
                struct fobj *o = &objs[n_objs++];

                o->kind = FOBJ_VXLAN;
                o->mtu = MTU;
                o->vni = (uint32_t)(1000 + i);
                o->dstport = VXLAN_DSTPORT;
                if (addr_parse("192.0.2.1", &o->local, NULL) < 0)
                        die("objects", "bad local address");
                snprintf(o->name, sizeof(o->name), "nx%u", (unsigned)i);
                snprintf(o->master, sizeof(o->master), "nb%u", (unsigned)(i % nb));
        }
        for (size_t i = 0; i < n_objs; i++) {
                struct netd_error err = {0};

                if (fobj_validate(&objs[i], &err) < 0)
                        die("objects", err.message);
        }
}

/* The `ip -batch` lines that give object o the state netd's ensure gives
 * it. The kernel ignores an alias given at creation, so each interface
 * needs a `link set` as well, just as netd sends a marking request. */
static void ip_lines(FILE *f, const struct fobj *o) {
        switch (o->kind) {
        case FOBJ_BRIDGE:
                fprintf(f, "link add %s up type bridge\n", o->name);
                fprintf(f, "link set %s mtu %u alias %s\n", o->name, o->mtu, FOBJ_OWNER_ALIAS);
                break;
        case FOBJ_VETH:
                fprintf(f, "link add %s mtu %u master %s up type veth peer name %s mtu %u\n", o->name, o->mtu,
                        o->master, o->peer, o->mtu);
                fprintf(f, "link set %s alias %s\n", o->name, FOBJ_OWNER_ALIAS);
                fprintf(f, "link set %s alias %s master %s up\n", o->peer, FOBJ_OWNER_ALIAS, o->peer_master);
                break;
        case FOBJ_VXLAN:
                fprintf(f,
                        "link add %s mtu %u master %s up type vxlan id %u local 192.0.2.1 dstport %u "
                        "learning\n",
                        o->name, o->mtu, o->master, o->vni, o->dstport);
                fprintf(f, "link set %s alias %s\n", o->name, FOBJ_OWNER_ALIAS);
                break;
        default:
                die("objects", "unexpected kind");
        }
}

static void batch_path(char *buf, size_t size, long i) {
        if (i < 0)
                snprintf(buf, size, "%s/all.batch", tmpdir);
        else
                snprintf(buf, size, "%s/%ld.batch", tmpdir, i);
}

static void batches_write(void) {
        char p[128];
        FILE *all, *one;

        batch_path(p, sizeof(p), -1);
        all = fopen(p, "w");
        if (!all)
                die(p, strerror(errno));
        for (size_t i = 0; i < n_objs; i++) {
                batch_path(p, sizeof(p), (long)i);
                one = fopen(p, "w");
                if (!one)
                        die(p, strerror(errno));
                ip_lines(one, &objs[i]);
                ip_lines(all, &objs[i]);
                fclose(one);
        }
        fclose(all);
}

static void ip_batch(long i) {
        char p[128];
        int status;
        pid_t pid;

        batch_path(p, sizeof(p), i);
        pid = fork();
        if (pid < 0)
                die("fork", strerror(errno));
        if (pid == 0) {
                execlp("ip", "ip", "-batch", p, (char *)NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                die("ip -batch", p);
}

/* Time spent per kind in the last netd run. */
static double kind_ms[FOBJ_KIND_MAX];

static double run_netd(void) {
        double t0 = now_ms();

        memset(kind_ms, 0, sizeof(kind_ms));
        for (size_t i = 0; i < n_objs; i++) {
                struct netd_error err = {0};
                double t = now_ms();

                if (netlink_kind_ops(objs[i].kind)->ensure(ctx, &objs[i], &err) < 0)
                        die("ensure", err.message);
                kind_ms[objs[i].kind] += now_ms() - t;
        }
        return now_ms() - t0;
}

static double run_ip_per_object(void) {
        double t0 = now_ms();

        for (size_t i = 0; i < n_objs; i++)
                ip_batch((long)i);
        return now_ms() - t0;
}

static double run_ip_batch(void) {
        double t0 = now_ms();

        ip_batch(-1);
        return now_ms() - t0;
}

/* check() of every object; all must be ok. Returns the time taken. */
static double verify(const char *method) {
        double t0 = now_ms();

        for (size_t i = 0; i < n_objs; i++) {
                struct netd_error err = {0};
                enum fobj_state s;
                char detail[256], label[64];

                if (netlink_kind_ops(objs[i].kind)->check(ctx, &objs[i], &s, detail, sizeof(detail), &err) <
                    0)
                        die(method, err.message);
                if (s != FOBJ_OK) {
                        fprintf(stderr, "bench-netlink: after %s: %s is %s (%s)\n", method,
                                fobj_label(&objs[i], label, sizeof(label)), fobj_state_to_string(s), detail);
                        exit(1);
                }
        }
        return now_ms() - t0;
}

static void clean(void) {
        for (size_t i = n_objs; i-- > 0;) {
                struct netd_error err = {0};

                if (netlink_kind_ops(objs[i].kind)->remove(ctx, &objs[i], &err) < 0)
                        die("remove", err.message);
        }
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long env_long(const char *name, long def) {
        const char *s = getenv(name);
        char *end;
        long v;

        if (isempty(s))
                return def;
        v = strtol(s, &end, 10);
        if (*end || v < 1 || v > 100000)
                die(name, "not a positive number");
        return v;
}

int main(void) {
        long n = env_long("BENCH_N", 200), rounds = env_long("BENCH_ROUNDS", 3);
        double *t_netd, *t_ip, *t_batch, *t_check, *t_apply, *t_kind[FOBJ_KIND_MAX] = {0};
        struct netd_error err = {0};
        char p[128];

        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "bench-netlink: unshare(CLONE_NEWNET): %s\n", strerror(errno));
                return errno == EPERM ? 77 : 1;
        }
        if (system("ip link set lo up") != 0)
                die("ip", "cannot bring lo up");
        if (netlink_open(&ctx, &err) < 0)
                die("netlink", err.message);
        strscpy(tmpdir, sizeof(tmpdir), "/tmp/bench-netlink.XXXXXX");
        if (!mkdtemp(tmpdir))
                die("mkdtemp", strerror(errno));
        objects_build((size_t)n);
        batches_write();
        t_netd = calloc((size_t)rounds, sizeof(double));
        t_ip = calloc((size_t)rounds, sizeof(double));
        t_batch = calloc((size_t)rounds, sizeof(double));
        t_check = calloc((size_t)rounds, sizeof(double));
        t_apply = calloc((size_t)rounds, sizeof(double));
        if (!t_netd || !t_ip || !t_batch || !t_check || !t_apply)
                die("bench", "out of memory");
        for (int k = FOBJ_BRIDGE; k <= FOBJ_VXLAN; k++) {
                t_kind[k] = calloc((size_t)rounds, sizeof(double));
                if (!t_kind[k])
                        die("bench", "out of memory");
        }

        for (long r = 0; r < rounds; r++) {
                struct json_object *req, *reply;
                double t0;

                /* Rotate the order so no method always runs first. */
                for (int k = 0; k < 3; k++) {
                        switch ((r + k) % 3) {
                        case 0:
                                t_netd[r] = run_netd();
                                for (int kk = FOBJ_BRIDGE; kk <= FOBJ_VXLAN; kk++)
                                        t_kind[kk][r] = kind_ms[kk];
                                t_check[r] = verify("netd");
                                break;
                        case 1:
                                t_ip[r] = run_ip_per_object();
                                verify("ip per object");
                                break;
                        default:
                                t_batch[r] = run_ip_batch();
                                verify("ip -batch");
                                break;
                        }
                        clean();
                }
                /* What the agent does for a host: check, ensure, check again. */
                req = agent_proto_request_objects(AGENT_PROTO_APPLY, objs, n_objs);
                t0 = now_ms();
                reply = agent_handle(ctx, req);
                t_apply[r] = now_ms() - t0;
                json_object_put(req);
                json_object_put(reply);
                verify("agent apply");
                clean();
        }

        {
                double netd = median(t_netd, (size_t)rounds), ip = median(t_ip, (size_t)rounds);
                double batch = median(t_batch, (size_t)rounds);

                printf("{\"bench\":\"netlink_ensure\",\"n\":%zu,\"rounds\":%ld,\"netd_ms\":%.1f,"
                       "\"ip_per_object_ms\":%.1f,\"ip_batch_ms\":%.1f,\"speedup_vs_ip\":%.1f,"
                       "\"ratio_vs_batch\":%.2f}\n",
                       n_objs, rounds, netd, ip, batch, ip / netd, netd / batch);
                /* Where netd's time goes: the kernel's work per kind. */
                printf("{\"bench\":\"netlink_ensure_by_kind\",\"n\":%zu,\"rounds\":%ld,\"bridge_ms\":%.1f,"
                       "\"veth_ms\":%.1f,\"vxlan_ms\":%.1f}\n",
                       n_objs, rounds, median(t_kind[FOBJ_BRIDGE], (size_t)rounds),
                       median(t_kind[FOBJ_VETH], (size_t)rounds), median(t_kind[FOBJ_VXLAN], (size_t)rounds));
                printf("{\"bench\":\"netlink_agent_apply\",\"n\":%zu,\"rounds\":%ld,\"netd_ms\":%.1f}\n",
                       n_objs, rounds, median(t_apply, (size_t)rounds));
                printf("{\"bench\":\"netlink_check\",\"n\":%zu,\"rounds\":%ld,\"netd_ms\":%.1f}\n", n_objs,
                       rounds, median(t_check, (size_t)rounds));
        }

        for (size_t i = 0; i < n_objs; i++) {
                batch_path(p, sizeof(p), (long)i);
                unlink(p);
        }
        batch_path(p, sizeof(p), -1);
        unlink(p);
        rmdir(tmpdir);
        free(t_netd);
        free(t_ip);
        free(t_batch);
        free(t_check);
        free(t_apply);
        for (int k = 0; k < FOBJ_KIND_MAX; k++)
                free(t_kind[k]);
        free(objs);
        netlink_close(ctx);
        return 0;
}
