/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --dnsmasq=off: netd writes nothing and runs nothing; DNS and DHCP are
 * someone else's. Every change is done at once. */
#include "dnsmasq-private.h"

static int off_sync(struct dnsmasq *d _unused_, struct store *s _unused_, bool clusters _unused_,
                    struct dnsmasq_waiter *w _unused_, struct netd_error *err _unused_) {
        return 1;
}

static int off_change(struct dnsmasq *d _unused_, const struct cluster *c _unused_,
                      const struct cluster *old _unused_, struct dnsmasq_waiter *w _unused_,
                      struct netd_error *err _unused_) {
        return 1;
}

const struct dnsmasq_ops dnsmasq_off_ops = {
        .object_size = sizeof(struct dnsmasq),
        .waiter_size = sizeof(struct dnsmasq_waiter),
        .sync = off_sync,
        .change = off_change,
};
