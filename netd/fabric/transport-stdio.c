/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent over stdio: netd runs `/bin/sh -c "CMD netd agent --stdio"`
 * with a socketpair as its stdin and stdout, says hello, and then sends
 * requests one line each, answered in order. A lost agent is restarted
 * with a doubling backoff. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <signal.h>
#include <sys/socket.h>

#include "netd/agent/agent.h"
#include "netd/core/log.h"
#include "netd/loop/proc.h"
#include "transport-private.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000
#define HELLO_TIMEOUT_S 20

/* A request sent to the agent, answered in order. */
struct call {
        struct call *next;
        transport_done_fn fn;
        void *userdata;
};

struct stdio {
        struct transport t;
        struct event_base *base;
        struct transport_events ev;
        char host[NAME_MAX_LEN + 1];
        char *connect;
        bool connected;
        char error[512];
        pid_t pid;
        struct bufferevent *bev;
        unsigned backoff_ms;
        struct event *restart_ev, *hello_ev;
        struct call *calls, **calls_tail;
};

static struct stdio *stdio_of(struct transport *t) {
        return (struct stdio *)t;
}

static void calls_fail(struct stdio *s, const char *error) {
        while (s->calls) {
                struct call *c = s->calls;
                s->calls = c->next;
                if (!s->calls)
                        s->calls_tail = &s->calls;
                c->fn(NULL, error, c->userdata);
                free(c);
        }
}

static void stdio_call(struct transport *t, struct json_object *req, transport_done_fn fn, void *userdata) {
        struct stdio *s = stdio_of(t);
        struct call *c;
        const char *text;

        if (!s->bev) {
                json_object_put(req);
                fn(NULL, s->error[0] ? s->error : "agent not running", userdata);
                return;
        }
        c = calloc(1, sizeof(*c));
        if (!c) {
                json_object_put(req);
                fn(NULL, "out of memory", userdata);
                return;
        }
        c->fn = fn;
        c->userdata = userdata;
        *s->calls_tail = c;
        s->calls_tail = &c->next;
        text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        bufferevent_write(s->bev, text, strlen(text));
        bufferevent_write(s->bev, "\n", 1);
        json_object_put(req);
}

/* The agent is gone (or never started): answer its calls, tell the host,
 * try again after the backoff. */
static void stdio_lost(struct stdio *s, const char *why) {
        if (s->error[0] == '\0' || s->connected)
                snprintf(s->error, sizeof(s->error), "%s", why);
        if (s->connected)
                log_warn("host %s: agent lost: %s", s->host, why);
        s->connected = false;
        if (s->bev) {
                bufferevent_free(s->bev);
                s->bev = NULL;
        }
        event_del(s->hello_ev);
        if (s->pid > 0) {
                kill(s->pid, SIGTERM);
                proc_forget(s->pid);
                s->pid = 0;
        }
        calls_fail(s, s->error);
        s->ev.down(s->ev.userdata);
        if (!evtimer_pending(s->restart_ev, NULL)) {
                struct timeval tv = {s->backoff_ms / 1000, (s->backoff_ms % 1000) * 1000};
                evtimer_add(s->restart_ev, &tv);
                s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
        }
}

static void on_agent_read(struct bufferevent *bev, void *arg) {
        struct stdio *s = arg;
        struct evbuffer *in = bufferevent_get_input(bev);

        for (;;) {
                size_t len;
                char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
                struct json_object *reply;
                struct call *c;

                if (!line) {
                        if (evbuffer_get_length(in) > AGENT_PROTO_MAX_LINE)
                                stdio_lost(s, "agent sent an oversized line");
                        return;
                }
                reply = json_tokener_parse(line);
                free(line);
                c = s->calls;
                if (!c) {
                        json_object_put(reply);
                        stdio_lost(s, "agent sent an unrequested reply");
                        return;
                }
                s->calls = c->next;
                if (!s->calls)
                        s->calls_tail = &s->calls;
                c->fn(reply, reply ? NULL : "agent sent malformed JSON", c->userdata);
                free(c);
                json_object_put(reply);
                if (!s->bev)
                        return; /* the callback disconnected */
        }
}

static void on_agent_event(struct bufferevent *bev _unused_, short what, void *arg) {
        if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
                stdio_lost(arg, what & BEV_EVENT_EOF ? "agent exited (see netd's log for its messages)"
                                                     : "agent connection failed");
}

static void on_agent_exit(pid_t pid, int status, void *arg) {
        struct stdio *s = arg;
        char how[64], msg[160];

        if (s->pid != pid)
                return;
        s->pid = 0;
        snprintf(msg, sizeof(msg), "agent %s", proc_status_string(status, how, sizeof(how)));
        stdio_lost(s, msg);
}

static void on_hello_timeout(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        stdio_lost(arg, "agent did not answer within 20 s");
}

static void on_hello(struct json_object *reply, const char *error, void *userdata) {
        struct stdio *s = userdata;
        const char *ignored = NULL; /* the reason given is the transport's */

        event_del(s->hello_ev);
        if (!agent_proto_reply_payload(reply, AGENT_PROTO_HELLO, &ignored, NULL)) {
                char msg[300];
                snprintf(msg, sizeof(msg), "agent handshake failed: %s", error ? error : "unexpected reply");
                stdio_lost(s, msg);
                return;
        }
        s->connected = true;
        s->error[0] = '\0';
        s->backoff_ms = BACKOFF_MIN_MS;
        log_info("host %s: agent connected", s->host);
        /* A (re)connected host may have lost anything: push it all. */
        s->ev.up(s->ev.userdata);
}

static void stdio_spawn(struct stdio *s) {
        _cleanup_free_ char *cmd = NULL;
        struct netd_error err = {0};
        int sv[2];

        if (s->bev || s->pid > 0)
                return;
        if (asprintf(&cmd, "%s netd agent --stdio", s->connect) < 0)
                return;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                snprintf(s->error, sizeof(s->error), "socketpair: %s", strerror(errno));
                return;
        }
        const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
        if (proc_spawn_stdio(argv, sv[1], PROC_DIE_WITH_PARENT, on_agent_exit, s, &s->pid, &err) < 0) {
                close(sv[0]);
                close(sv[1]);
                stdio_lost(s, err.message);
                return;
        }
        close(sv[1]);
        evutil_make_socket_nonblocking(sv[0]);
        s->bev = bufferevent_socket_new(s->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
        if (!s->bev) {
                close(sv[0]);
                stdio_lost(s, "out of memory");
                return;
        }
        bufferevent_setcb(s->bev, on_agent_read, NULL, on_agent_event, s);
        bufferevent_enable(s->bev, EV_READ | EV_WRITE);
        log_debug("host %s: started agent: %s", s->host, cmd);
        struct timeval hello_tv = {HELLO_TIMEOUT_S, 0};
        evtimer_add(s->hello_ev, &hello_tv);
        stdio_call(&s->t, agent_proto_request_new(AGENT_PROTO_HELLO, NULL), on_hello, s);
}

static void on_restart(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        stdio_spawn(arg);
}

static int stdio_connect(struct transport *t) {
        struct stdio *s = stdio_of(t);

        if (s->connected)
                return 1;
        /* Try now rather than at the end of the backoff. */
        s->backoff_ms = BACKOFF_MIN_MS;
        event_del(s->restart_ev);
        stdio_spawn(s);
        if (s->connected)
                return 1;
        return s->bev ? 0 : NETD_EUNAVAILABLE;
}

static bool stdio_state(struct transport *t, char *error, size_t size) {
        struct stdio *s = stdio_of(t);

        strscpy(error, size, s->error);
        return s->connected;
}

static void stdio_free(struct transport *t) {
        struct stdio *s = stdio_of(t);

        s->connected = false;
        snprintf(s->error, sizeof(s->error), "host removed");
        if (s->bev)
                bufferevent_free(s->bev);
        s->bev = NULL;
        if (s->pid > 0) {
                proc_forget(s->pid);
                kill(s->pid, SIGTERM);
        }
        calls_fail(s, "host removed");
        event_free(s->restart_ev);
        event_free(s->hello_ev);
        free(s->connect);
        free(s);
}

static const struct transport_ops stdio_ops = {
        .name = "agent",
        .bad_reply = "bad agent reply",
        .server = AGENT_PROTO_AGENT,
        .accepts = agent_accepts,
        .connect = stdio_connect,
        .call = stdio_call,
        .state = stdio_state,
        .free = stdio_free,
};

int transport_stdio_new(const struct transport_env *env, const char *host, const char *connect,
                        const struct transport_events *ev, struct transport **ret, struct netd_error *err) {
        struct stdio *s = calloc(1, sizeof(*s));

        if (!s || !(s->connect = strdup(connect))) {
                free(s);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        s->t.ops = &stdio_ops;
        s->base = env->base;
        s->ev = *ev;
        strscpy(s->host, sizeof(s->host), host);
        s->backoff_ms = BACKOFF_MIN_MS;
        s->calls_tail = &s->calls;
        s->restart_ev = evtimer_new(env->base, on_restart, s);
        s->hello_ev = evtimer_new(env->base, on_hello_timeout, s);
        *ret = &s->t;
        return 0;
}
