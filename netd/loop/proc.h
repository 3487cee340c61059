/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Child processes of netd (dnsmasq, `dnsmasq --test`, dhcp_release, the
 * external reload command), reaped from the event loop. The loop is never
 * blocked waiting for a child: each spawn names a callback that runs when
 * the child exits. */
#pragma once

#include <event2/event.h>
#include <sys/types.h>

#include "netd/core/error.h"

typedef void (*proc_exit_fn)(pid_t pid, int status, void *userdata);

enum {
        PROC_DIE_WITH_PARENT = 1 << 0, /* PR_SET_PDEATHSIG=SIGKILL */
        PROC_QUIET = 1 << 1,           /* stdout and stderr to /dev/null */
        PROC_NEW_GROUP = 1 << 2,       /* its own process group: kill(-pid) reaches what it starts */
};

/* Install the SIGCHLD handler on `base`. */
int proc_init(struct event_base *base);
void proc_done(void);

/* Start argv[0] (PATH search) with argv; `on_exit` (may be NULL) runs from
 * the loop with the wait status once it exits. */
int proc_spawn(const char *const *argv, int flags, proc_exit_fn on_exit, void *userdata, pid_t *ret_pid,
               struct netd_error *err);

/* Like proc_spawn(), with `fd` (a socket) as the child's stdin and stdout. */
int proc_spawn_stdio(const char *const *argv, int fd, int flags, proc_exit_fn on_exit, void *userdata,
                     pid_t *ret_pid, struct netd_error *err);

/* Like proc_spawn_stdio(), with `stderr_fd` (e.g. a pipe) as its stderr. */
int proc_spawn_stdio_stderr(const char *const *argv, int fd, int stderr_fd, int flags, proc_exit_fn on_exit,
                            void *userdata, pid_t *ret_pid, struct netd_error *err);

/* Forget a child's callback (its exit is still reaped). */
void proc_forget(pid_t pid);

/* Describe a wait status: "exited with status 1", "killed by signal 9". */
const char *proc_status_string(int status, char *buf, size_t size);
