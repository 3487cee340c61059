/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "netd/core/log.h"
#include "proc.h"

struct child {
        pid_t pid;
        proc_exit_fn on_exit;
        void *userdata;
};

static struct child *children;
static size_t n_children, cap_children;
static struct event *sigchld_ev;

/* Only our own children are reaped: libvirt starts and waits for its own
 * (ssh for qemu+ssh URIs), and a waitpid(-1) here would steal them. */
static void on_sigchld(evutil_socket_t sig _unused_, short what _unused_, void *arg _unused_) {
        int status;

        for (size_t i = 0; i < n_children;) {
                pid_t pid = waitpid(children[i].pid, &status, WNOHANG);

                if (pid <= 0) {
                        i++;
                        continue;
                }
                struct child c = children[i];
                children[i] = children[--n_children];
                if (c.on_exit)
                        c.on_exit(pid, status, c.userdata);
                /* The callback may have spawned or forgotten children: look again. */
                i = 0;
        }
}

int proc_init(struct event_base *base) {
        sigchld_ev = evsignal_new(base, SIGCHLD, on_sigchld, NULL);
        if (!sigchld_ev || evsignal_add(sigchld_ev, NULL) < 0)
                return NETD_EINTERNAL;
        return 0;
}

void proc_done(void) {
        if (sigchld_ev)
                event_free(sigchld_ev);
        sigchld_ev = NULL;
        free(children);
        children = NULL;
        n_children = cap_children = 0;
}

static int spawn_fds(const char *const *argv, int stdio_fd, int stderr_fd, int flags, proc_exit_fn on_exit,
                     void *userdata, pid_t *ret_pid, struct netd_error *err);

static int spawn(const char *const *argv, int stdio_fd, int flags, proc_exit_fn on_exit, void *userdata,
                 pid_t *ret_pid, struct netd_error *err) {
        return spawn_fds(argv, stdio_fd, -1, flags, on_exit, userdata, ret_pid, err);
}

int proc_spawn_stdio_stderr(const char *const *argv, int fd, int stderr_fd, int flags, proc_exit_fn on_exit,
                            void *userdata, pid_t *ret_pid, struct netd_error *err) {
        return spawn_fds(argv, fd, stderr_fd, flags, on_exit, userdata, ret_pid, err);
}

static int spawn_fds(const char *const *argv, int stdio_fd, int stderr_fd, int flags, proc_exit_fn on_exit,
                     void *userdata, pid_t *ret_pid, struct netd_error *err) {
        pid_t parent = getpid(), pid;

        if (n_children == cap_children) {
                size_t cap = cap_children ? cap_children * 2 : 8;
                struct child *n = realloc(children, cap * sizeof(*n));
                if (!n)
                        return error_set(err, NETD_EINTERNAL, "out of memory");
                children = n;
                cap_children = cap;
        }
        pid = fork();
        if (pid < 0)
                return error_set(err, NETD_EINTERNAL, "%s: fork: %s", argv[0], strerror(errno));
        if (pid == 0) {
                sigset_t none;

                /* libevent blocks nothing, but the child must start with
                 * default dispositions for the signals netd handles. */
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                signal(SIGPIPE, SIG_DFL);
                signal(SIGCHLD, SIG_DFL);
                signal(SIGTERM, SIG_DFL);
                signal(SIGINT, SIG_DFL);
                signal(SIGHUP, SIG_DFL);
                if (flags & PROC_DIE_WITH_PARENT) {
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        if (getppid() != parent)
                                _exit(127);
                }
                if (stdio_fd >= 0) {
                        dup2(stdio_fd, STDIN_FILENO);
                        dup2(stdio_fd, STDOUT_FILENO);
                        if (stdio_fd > STDERR_FILENO)
                                close(stdio_fd);
                }
                if (stderr_fd > STDERR_FILENO) {
                        dup2(stderr_fd, STDERR_FILENO);
                        close(stderr_fd);
                }
                if (flags & PROC_NEW_GROUP)
                        setpgid(0, 0);
                if (flags & PROC_QUIET) {
                        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                        if (fd >= 0) {
                                dup2(fd, STDOUT_FILENO);
                                dup2(fd, STDERR_FILENO);
                        }
                }
                execvp(argv[0], (char *const *)argv);
                fprintf(stderr, "netd: cannot run %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        children[n_children++] = (struct child){pid, on_exit, userdata};
        if (ret_pid)
                *ret_pid = pid;
        return 0;
}

int proc_spawn(const char *const *argv, int flags, proc_exit_fn on_exit, void *userdata, pid_t *ret_pid,
               struct netd_error *err) {
        return spawn(argv, -1, flags, on_exit, userdata, ret_pid, err);
}

int proc_spawn_stdio(const char *const *argv, int fd, int flags, proc_exit_fn on_exit, void *userdata,
                     pid_t *ret_pid, struct netd_error *err) {
        return spawn(argv, fd, flags, on_exit, userdata, ret_pid, err);
}

void proc_forget(pid_t pid) {
        for (size_t i = 0; i < n_children; i++)
                if (children[i].pid == pid)
                        children[i].on_exit = NULL;
}

const char *proc_status_string(int status, char *buf, size_t size) {
        if (WIFEXITED(status))
                snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
                snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
        else
                snprintf(buf, size, "ended with wait status %d", status);
        return buf;
}
