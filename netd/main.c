/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netd: the jumphost daemon. Only flag parsing lives here. */
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>

#include "netd/agent/agent.h"
#include "netd/core/config.h"
#include "netd/core/file.h"
#include "netd/daemon/daemon.h"
#include "netd/core/log.h"

static void usage(FILE *f) {
        fprintf(f,
                "Usage: netd [--config FILE] [--state-dir DIR] [--socket PATH]\n"
                "            [--dnsmasq managed|external|off] [--dnsmasq-dir DIR] [--dnsmasq-reload CMD]\n"
                "            [--dns-port N] [--log-level error|warn|info|debug] [--libvirt-timeout S]\n"
                "            [--metrics ADDRESS:PORT] [--check-config]\n"
                "       netd agent --stdio    (the hypervisor-side agent)\n"
                "       netd --version | --help\n"
                "\n"
                "The netd jumphost daemon: owns the lab's IP/MAC allocation database and\n"
                "serves DHCP and DNS for every allocation through dnsmasq.\n"
                "\n"
                "  --config FILE          settings file (default " NETD_DEFAULT_CONFIG ", optional)\n"
                "  --state-dir DIR        database and generated files (default " NETD_DEFAULT_STATE_DIR ")\n"
                "  --socket PATH          control socket (default " NETD_DEFAULT_SOCKET ")\n"
                "  --dnsmasq MODE         managed: run our own dnsmasq (default); external: write\n"
                "                         conf-dir snippets and run --dnsmasq-reload; off: IPAM only\n"
                "  --dnsmasq-dir DIR      external mode: where snippets go (default STATE/dnsmasq.d)\n"
                "  --dnsmasq-reload CMD   external mode: shell command run after each change\n"
                "  --dns-port N           managed mode: DNS port of our dnsmasq (default 53)\n"
                "  --log-level LEVEL      error, warn, info (default) or debug\n"
                "  --libvirt-timeout S    answer libvirt requests within S seconds (default 30)\n"
                "  --metrics ADDR:PORT    serve Prometheus metrics on http://ADDR:PORT/metrics\n"
                "  --check-config         print the effective configuration and exit\n");
}

/* The state directory holds the database and what dnsmasq reads: made if
 * missing, refused unless it is root's alone. */
static int state_dir_check(const char *dir, struct netd_error *err) {
        if (mkdir(dir, 0750) < 0 && errno != EEXIST)
                return error_set(err, NETD_EINVALID, "state directory %s: %s", dir, strerror(errno));
        return file_dir_check("state directory", dir, err);
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"state-dir", required_argument, NULL, 's'},
                {"socket", required_argument, NULL, 'S'},
                {"dnsmasq", required_argument, NULL, 'm'},
                {"dnsmasq-dir", required_argument, NULL, 'd'},
                {"dnsmasq-reload", required_argument, NULL, 'r'},
                {"dns-port", required_argument, NULL, 'p'},
                {"log-level", required_argument, NULL, 'l'},
                {"libvirt-timeout", required_argument, NULL, 't'},
                {"metrics", required_argument, NULL, 'M'},
                {"check-config", no_argument, NULL, 'C'},
                {"version", no_argument, NULL, 'V'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        const char *config_file = NULL;
        bool check_only = false;
        struct config cfg;
        struct netd_error err = {0};
        int opt, r;

        /* The hypervisor side: a stateless agent speaking on stdin/stdout. */
        if (argc >= 2 && streq(argv[1], "agent")) {
                if (argc != 3 || !streq(argv[2], "--stdio")) {
                        fprintf(stderr, "Usage: netd agent --stdio\n");
                        return 2;
                }
                return agent_run_stdio(STDIN_FILENO, STDOUT_FILENO);
        }
        /* The config file is read first, so that flags override it. */
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--config") && i + 1 < argc)
                        config_file = argv[i + 1];
                else if (strncmp(argv[i], "--config=", 9) == 0)
                        config_file = argv[i] + 9;
        }
        config_init(&cfg);
        if (config_load(&cfg, config_file ? config_file : NETD_DEFAULT_CONFIG, !config_file, &err) < 0)
                goto fail;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                const char *key = NULL;

                switch (opt) {
                case 'c':
                        continue;
                case 'C':
                        check_only = true;
                        continue;
                case 'V':
                        printf("netd %s\n", NETD_VERSION);
                        config_done(&cfg);
                        return 0;
                case 'h':
                        usage(stdout);
                        config_done(&cfg);
                        return 0;
                case '?':
                        usage(stderr);
                        config_done(&cfg);
                        return 2;
                default:
                        for (const struct option *o = options; o->name; o++)
                                if (o->val == opt)
                                        key = o->name;
                        if (config_set(&cfg, key, optarg, &err) < 0)
                                goto fail;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "netd: unexpected argument \"%s\"\n", argv[optind]);
                usage(stderr);
                config_done(&cfg);
                return 2;
        }
        if (config_finish(&cfg, &err) < 0)
                goto fail;
        if (check_only) {
                printf("# effective configuration (%s, then the command line)\n",
                       config_file ? config_file : NETD_DEFAULT_CONFIG " if present");
                config_print(&cfg, stdout);
                config_done(&cfg);
                return 0;
        }
        log_set_level(cfg.log_level);
        /* Files made by netd and its dnsmasq: 0640 at most. */
        umask(0027);
        r = state_dir_check(cfg.state_dir, &err);
        if (r == 0)
                r = daemon_run(&cfg, &err);
        config_done(&cfg);
        if (r < 0) {
                fprintf(stderr, "netd: %s: %s\n", error_code_name(err.code), err.message);
                return 1;
        }
        return 0;
fail:
        fprintf(stderr, "netd: %s\n", err.message);
        config_done(&cfg);
        return 2;
}
