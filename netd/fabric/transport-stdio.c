/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent over stdio: netd runs `/bin/sh -c "CMD AGENT agent --stdio"`
 * (AGENT is the host's --agent, "netd" by default) with a socketpair as its
 * stdin and stdout and a pipe as its stderr, says hello, and then sends
 * requests one line each, answered in order. Every request has a time
 * limit: an agent that stops answering is killed and restarted, and the
 * host fails with that reason. A lost agent is restarted with a doubling
 * backoff. Every line it writes to stderr is logged under the host's name,
 * and the last one is part of the host's error. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include "netd/agent/agent.h"
#include "netd/core/log.h"
#include "netd/core/proto.h"
#include "netd/loop/proc.h"
#include "transport-private.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000
/* The handshake includes logging in (ssh). */
#define HELLO_TIMEOUT_S 20
/* Lines of stderr logged per start of the agent; the rest are counted. */
#define STDERR_LINES_MAX 32
#define STDERR_LINE_MAX 512

/* A request sent to the agent, answered in order. */
struct call {
        struct call *next;
        transport_done_fn fn;
        void *userdata;
        struct timeval sent;
};

struct stdio {
        struct transport t;
        struct event_base *base;
        struct transport_events ev;
        char host[NAME_MAX_LEN + 1];
        char *cmd; /* "CMD AGENT agent --stdio" */
        unsigned call_timeout_s;
        bool connected;
        bool failed;      /* the last start failed or the agent was lost; reason says why */
        char reason[256]; /* "agent exited with status 255" */
        char last_stderr[STDERR_LINE_MAX];
        unsigned stderr_lines;
        pid_t pid;
        struct bufferevent *bev, *err_bev;
        unsigned backoff_ms;
        struct event *restart_ev, *hello_ev, *call_ev;
        struct call *calls, **calls_tail;
};

static struct stdio *stdio_of(struct transport *t) {
        return (struct stdio *)t;
}

/* Why the host is not connected: the reason and the agent's own last
 * message ("agent exited with status 255: Permission denied (publickey)."). */
static const char *stdio_error(const struct stdio *s, char *buf, size_t size) {
        if (!s->failed)
                buf[0] = '\0';
        else if (s->last_stderr[0])
                snprintf(buf, size, "%s: %s", s->reason, s->last_stderr);
        else
                snprintf(buf, size, "%s", s->reason);
        return buf;
}

/* The agent's process group (its shell, ssh, the agent), or the shell
 * alone when it has not made its group yet. */
static void agent_kill(pid_t pid) {
        if (kill(-pid, SIGKILL) < 0)
                kill(pid, SIGKILL);
}

static void calls_fail(struct stdio *s, const char *error) {
        event_del(s->call_ev);
        while (s->calls) {
                struct call *c = s->calls;
                s->calls = c->next;
                if (!s->calls)
                        s->calls_tail = &s->calls;
                c->fn(NULL, error, c->userdata);
                free(c);
        }
}

/* The time limit runs for the oldest call in flight. */
static void call_timer_arm(struct stdio *s) {
        struct timeval now, deadline, left;

        event_del(s->call_ev);
        /* The handshake has its own, longer limit (hello_ev). */
        if (!s->calls || !s->connected)
                return;
        evutil_gettimeofday(&now, NULL);
        deadline = s->calls->sent;
        deadline.tv_sec += s->call_timeout_s;
        if (evutil_timercmp(&deadline, &now, <))
                left = (struct timeval){0, 0};
        else
                evutil_timersub(&deadline, &now, &left);
        evtimer_add(s->call_ev, &left);
}

static void stdio_call(struct transport *t, struct json_object *req, transport_done_fn fn, void *userdata) {
        struct stdio *s = stdio_of(t);
        char error[512];
        struct call *c;
        const char *text;

        if (!s->bev) {
                json_object_put(req);
                stdio_error(s, error, sizeof(error));
                fn(NULL, error[0] ? error : "agent not running", userdata);
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
        evutil_gettimeofday(&c->sent, NULL);
        *s->calls_tail = c;
        s->calls_tail = &c->next;
        if (!evtimer_pending(s->call_ev, NULL))
                call_timer_arm(s);
        text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        bufferevent_write(s->bev, text, strlen(text));
        bufferevent_write(s->bev, "\n", 1);
        json_object_put(req);
}

static void stderr_close(struct stdio *s) {
        if (s->err_bev) {
                bufferevent_free(s->err_bev);
                s->err_bev = NULL;
        }
}

/* The agent is gone, or never started, or must go (`kill`): answer its
 * calls, tell the host, try again after the backoff. An agent that closed
 * its connection is left to exit: its status then completes the reason. */
static void stdio_lost(struct stdio *s, const char *why, bool kill_it) {
        char error[512];

        /* An agent that ends before the handshake is logged with its exit
         * status and last message, in on_agent_exit(). */
        if (s->connected)
                log_warn("host %s: agent lost: %s", s->host, why);
        else if (kill_it)
                log_warn("host %s: agent failed: %s", s->host, why);
        snprintf(s->reason, sizeof(s->reason), "%s", why);
        s->connected = false;
        s->failed = true;
        if (s->bev) {
                bufferevent_free(s->bev);
                s->bev = NULL;
        }
        event_del(s->hello_ev);
        if (s->pid > 0 && kill_it) {
                agent_kill(s->pid);
                proc_forget(s->pid);
                s->pid = 0;
                stderr_close(s);
        }
        calls_fail(s, stdio_error(s, error, sizeof(error)));
        s->ev.down(s->ev.userdata);
        if (!evtimer_pending(s->restart_ev, NULL)) {
                struct timeval tv = {s->backoff_ms / 1000, (s->backoff_ms % 1000) * 1000};
                evtimer_add(s->restart_ev, &tv);
                s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
        }
}

/* One reply line: one JSON object, no repeated key, nothing after it. */
static struct json_object *reply_parse(const char *line, size_t len, const char **ret_error) {
        struct json_tokener *tok = json_tokener_new();
        struct json_object *reply;
        struct netd_error err = {0};

        *ret_error = "agent sent malformed JSON";
        if (!tok)
                return NULL;
        reply = json_tokener_parse_ex(tok, line, (int)len);
        if (reply && (size_t)tok->char_offset < len) {
                json_object_put(reply);
                reply = NULL;
        }
        json_tokener_free(tok);
        if (reply && proto_json_check_keys(line, len, reply, &err) < 0) {
                *ret_error = "agent sent a reply with a repeated key";
                json_object_put(reply);
                reply = NULL;
        }
        return reply;
}

static void on_agent_read(struct bufferevent *bev, void *arg) {
        struct stdio *s = arg;
        struct evbuffer *in = bufferevent_get_input(bev);

        for (;;) {
                size_t len;
                char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
                struct json_object *reply;
                const char *error;
                struct call *c;

                if (!line) {
                        if (evbuffer_get_length(in) > AGENT_PROTO_MAX_LINE)
                                stdio_lost(s, "agent sent an oversized line", true);
                        return;
                }
                reply = reply_parse(line, len, &error);
                free(line);
                c = s->calls;
                if (!c) {
                        json_object_put(reply);
                        stdio_lost(s, "agent sent an unrequested reply", true);
                        return;
                }
                s->calls = c->next;
                if (!s->calls)
                        s->calls_tail = &s->calls;
                call_timer_arm(s);
                c->fn(reply, reply ? NULL : error, c->userdata);
                free(c);
                json_object_put(reply);
                if (!s->bev)
                        return; /* the callback disconnected */
        }
}

static void on_agent_event(struct bufferevent *bev _unused_, short what, void *arg) {
        if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
                stdio_lost(arg,
                           what & BEV_EVENT_EOF ? "agent closed its connection" : "agent connection failed",
                           false);
}

/* Printable ASCII as it is (quotes too: this is a message, not a value),
 * anything else as \xNN, cut to fit. */
static void printable_copy(const char *s, char *buf, size_t size) {
        size_t n = 0;

        for (; *s && n + 5 < size; s++) {
                unsigned char c = (unsigned char)*s;

                if (c >= 0x20 && c < 0x7f)
                        buf[n++] = (char)c;
                else
                        n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
        }
        buf[n] = '\0';
}

/* Every line the agent (or ssh, or the shell) writes to stderr. */
static void on_stderr_read(struct bufferevent *bev, void *arg) {
        struct stdio *s = arg;
        struct evbuffer *in = bufferevent_get_input(bev);
        char *line;
        size_t len;

        while ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF))) {
                char q[STDERR_LINE_MAX];

                printable_copy(line, q, sizeof(q));
                free(line);
                if (q[0] == '\0')
                        continue;
                strscpy(s->last_stderr, sizeof(s->last_stderr), q);
                if (s->stderr_lines < STDERR_LINES_MAX)
                        log_warn("host %s: agent: %s", s->host, q);
                else if (s->stderr_lines == STDERR_LINES_MAX)
                        log_warn("host %s: agent: more lines on stderr, not logged", s->host);
                s->stderr_lines++;
        }
        /* A line without its end that fills the buffer counts as one. */
        if (evbuffer_get_length(in) >= STDERR_LINE_MAX)
                evbuffer_drain(in, evbuffer_get_length(in));
}

static void on_stderr_event(struct bufferevent *bev _unused_, short what, void *arg) {
        struct stdio *s = arg;

        if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
                on_stderr_read(s->err_bev, s);
                stderr_close(s);
        }
}

static void on_agent_exit(pid_t pid, int status, void *arg) {
        struct stdio *s = arg;
        char how[64], msg[160];

        if (s->pid != pid)
                return;
        s->pid = 0;
        /* What is left on its stderr is its last word. */
        if (s->err_bev) {
                struct evbuffer *in = bufferevent_get_input(s->err_bev);

                while (evbuffer_get_length(in) < STDERR_LINE_MAX &&
                       evbuffer_read(in, bufferevent_getfd(s->err_bev), STDERR_LINE_MAX) > 0)
                        on_stderr_read(s->err_bev, s);
                on_stderr_read(s->err_bev, s);
                /* A last line without its newline. */
                if (evbuffer_get_length(in) > 0) {
                        evbuffer_add(in, "\n", 1);
                        on_stderr_read(s->err_bev, s);
                }
        }
        stderr_close(s);
        snprintf(msg, sizeof(msg), "agent %s", proc_status_string(status, how, sizeof(how)));
        if (s->bev || s->connected)
                stdio_lost(s, msg, false);
        else if (s->failed) {
                snprintf(s->reason, sizeof(s->reason), "%s", msg);
                log_warn("host %s: agent failed: %s%s%s", s->host, msg, s->last_stderr[0] ? ": " : "",
                         s->last_stderr);
        }
}

static void on_hello_timeout(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        char msg[64];

        snprintf(msg, sizeof(msg), "agent did not answer within %d s", HELLO_TIMEOUT_S);
        stdio_lost(arg, msg, true);
}

static void on_call_timeout(evutil_socket_t fd _unused_, short what _unused_, void *arg) {
        struct stdio *s = arg;
        char msg[96];

        snprintf(msg, sizeof(msg), "agent did not answer a request within %u s", s->call_timeout_s);
        stdio_lost(s, msg, true);
}

static void on_hello(struct json_object *reply, const char *error, void *userdata) {
        struct stdio *s = userdata;
        const char *ignored = NULL; /* the reason given is the transport's */

        event_del(s->hello_ev);
        if (!agent_proto_reply_payload(reply, AGENT_PROTO_HELLO, &ignored, NULL)) {
                char msg[300];
                snprintf(msg, sizeof(msg), "agent handshake failed: %s", error ? error : "unexpected reply");
                if (s->bev)
                        stdio_lost(s, msg, true);
                return;
        }
        s->connected = true;
        s->failed = false;
        s->reason[0] = '\0';
        s->last_stderr[0] = '\0';
        s->backoff_ms = BACKOFF_MIN_MS;
        log_info("host %s: agent connected", s->host);
        call_timer_arm(s);
        /* A (re)connected host may have lost anything: push it all. */
        s->ev.up(s->ev.userdata);
}

/* The stderr pipe's read end, watched from the loop; *ret_write is the
 * child's. */
static int stderr_open(struct stdio *s, int *ret_write) {
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        evutil_make_socket_nonblocking(p[0]);
        s->err_bev = bufferevent_socket_new(s->base, p[0], BEV_OPT_CLOSE_ON_FREE);
        if (!s->err_bev) {
                close(p[0]);
                close(p[1]);
                return -ENOMEM;
        }
        bufferevent_setcb(s->err_bev, on_stderr_read, NULL, on_stderr_event, s);
        bufferevent_setwatermark(s->err_bev, EV_READ, 0, STDERR_LINE_MAX);
        bufferevent_enable(s->err_bev, EV_READ);
        *ret_write = p[1];
        return 0;
}

static void stdio_spawn(struct stdio *s) {
        struct netd_error err = {0};
        int sv[2], err_fd = -1, r;
        char msg[128];

        if (s->bev)
                return;
        if (s->pid > 0) {
                /* It closed its connection but did not exit. */
                proc_forget(s->pid);
                agent_kill(s->pid);
                s->pid = 0;
        }
        /* The last message of a failed start stays until this one says more. */
        s->stderr_lines = 0;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                snprintf(msg, sizeof(msg), "socketpair: %s", strerror(errno));
                stdio_lost(s, msg, true);
                return;
        }
        stderr_close(s);
        r = stderr_open(s, &err_fd);
        if (r < 0) {
                close(sv[0]);
                close(sv[1]);
                snprintf(msg, sizeof(msg), "agent stderr pipe: %s", strerror(-r));
                stdio_lost(s, msg, true);
                return;
        }
        const char *argv[] = {"/bin/sh", "-c", s->cmd, NULL};
        /* Its own process group: a stuck agent goes with its shell and ssh. */
        r = proc_spawn_stdio_stderr(argv, sv[1], err_fd, PROC_DIE_WITH_PARENT | PROC_NEW_GROUP, on_agent_exit,
                                    s, &s->pid, &err);
        close(sv[1]);
        close(err_fd);
        if (r < 0) {
                close(sv[0]);
                stdio_lost(s, err.message, true);
                return;
        }
        evutil_make_socket_nonblocking(sv[0]);
        s->bev = bufferevent_socket_new(s->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
        if (!s->bev) {
                close(sv[0]);
                stdio_lost(s, "out of memory", true);
                return;
        }
        bufferevent_setcb(s->bev, on_agent_read, NULL, on_agent_event, s);
        bufferevent_enable(s->bev, EV_READ | EV_WRITE);
        log_debug("host %s: started agent: %s", s->host, s->cmd);
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
        if (s->bev)
                return 0; /* a handshake is under way */
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

        stdio_error(s, error, size);
        return s->connected;
}

static void stdio_free(struct transport *t) {
        struct stdio *s = stdio_of(t);

        s->connected = false;
        if (s->bev)
                bufferevent_free(s->bev);
        s->bev = NULL;
        stderr_close(s);
        if (s->pid > 0) {
                proc_forget(s->pid);
                agent_kill(s->pid);
        }
        calls_fail(s, "host removed");
        event_free(s->restart_ev);
        event_free(s->hello_ev);
        event_free(s->call_ev);
        free(s->cmd);
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
                        const char *agent, const struct transport_events *ev, struct transport **ret,
                        struct netd_error *err) {
        struct stdio *s = calloc(1, sizeof(*s));

        if (!s || asprintf(&s->cmd, "%s %s agent --stdio", connect, agent) < 0) {
                free(s);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        s->t.ops = &stdio_ops;
        s->base = env->base;
        s->ev = *ev;
        s->call_timeout_s = env->agent_timeout_s;
        strscpy(s->host, sizeof(s->host), host);
        s->backoff_ms = BACKOFF_MIN_MS;
        s->calls_tail = &s->calls;
        s->restart_ev = evtimer_new(env->base, on_restart, s);
        s->hello_ev = evtimer_new(env->base, on_hello_timeout, s);
        s->call_ev = evtimer_new(env->base, on_call_timeout, s);
        if (!s->restart_ev || !s->hello_ev || !s->call_ev) {
                stdio_free(&s->t);
                return error_set(err, NETD_EINTERNAL, "out of memory");
        }
        *ret = &s->t;
        return 0;
}
