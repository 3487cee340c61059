/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The baseline of vm_list: what any tool listing VMs must do with libvirt
 * itself — one open connection, then per round virConnectListAllDomains,
 * virDomainGetXMLDesc and virDomainGetState for every domain, nothing
 * parsed. Prints one JSON line: the median and p95 of ROUNDS rounds (ms).
 *   bench-virt URI ROUNDS */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void quiet(void *userdata, virErrorPtr error) {
        (void)userdata;
        (void)error;
}

static double now_ms(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
        virConnectPtr conn;
        double *t;
        int rounds, n = 0;

        if (argc != 3 || (rounds = atoi(argv[2])) < 1) {
                fprintf(stderr, "usage: bench-virt URI ROUNDS\n");
                return 2;
        }
        virSetErrorFunc(NULL, quiet);
        conn = virConnectOpen(argv[1]);
        if (!conn) {
                fprintf(stderr, "bench-virt: %s\n", virGetLastErrorMessage());
                return 1;
        }
        t = calloc((size_t)rounds, sizeof(*t));
        for (int r = 0; r < rounds; r++) {
                virDomainPtr *doms = NULL;
                double t0 = now_ms();

                n = virConnectListAllDomains(conn, &doms, 0);
                for (int i = 0; i < n; i++) {
                        char *xml = virDomainGetXMLDesc(doms[i], 0);
                        int state, reason;

                        virDomainGetState(doms[i], &state, &reason, 0);
                        free(xml);
                        virDomainFree(doms[i]);
                }
                free(doms);
                t[r] = now_ms() - t0;
        }
        qsort(t, (size_t)rounds, sizeof(*t), cmp);
        printf("{\"domains\":%d,\"p50_ms\":%.3f,\"p95_ms\":%.3f}\n", n, t[rounds / 2],
               t[(rounds * 95 + 99) / 100 - 1]);
        free(t);
        virConnectClose(conn);
        return 0;
}
