/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pool.h"
#include "store-private.h"
#include "netd/core/prefix.h"

#define U128_MAX (~(u128)0)

static int span_cmp(const void *a, const void *b) {
        const struct pool_span *x = a, *y = b;

        if (x->first != y->first)
                return x->first < y->first ? -1 : 1;
        return 0;
}

/* Append [first, last] clipped to [lo, hi], if anything of it is left. */
static void span_add(struct pool_span *v, size_t *n, u128 first, u128 last, u128 lo, u128 hi) {
        if (last < lo || first > hi)
                return;
        v[(*n)++] = (struct pool_span){first < lo ? lo : first, last > hi ? hi : last};
}

int pool_reserved_spans(const struct network *n, struct pool_span **ret, size_t *ret_n,
                        struct netd_error *err) {
        _cleanup_free_ struct pool_span *v = NULL;
        int family = n->cidr.base.family;
        size_t m = 0, j = 0;
        u128 lo, hi;

        *ret = NULL;
        *ret_n = 0;
        if (!prefix_host_range(&n->cidr, &lo, &hi))
                return 0;
        v = calloc(n->n_reserved + 2, sizeof(*v));
        if (!v)
                return error_set(err, NETD_EINTERNAL, "out of memory");
        if (n->gateway.family == family)
                span_add(v, &m, n->gateway.value, n->gateway.value, lo, hi);
        for (size_t i = 0; i < n->n_reserved; i++)
                if (n->reserved[i].start.family == family)
                        span_add(v, &m, n->reserved[i].start.value, n->reserved[i].end.value, lo, hi);
        if (n->has_dhcp_range && n->dhcp_range.start.family == family)
                span_add(v, &m, n->dhcp_range.start.value, n->dhcp_range.end.value, lo, hi);
        if (m == 0)
                return 0;

        qsort(v, m, sizeof(*v), span_cmp);
        for (size_t i = 1; i < m; i++) {
                /* Overlapping or adjacent spans merge. */
                if (v[j].last == U128_MAX || v[i].first <= v[j].last + 1) {
                        if (v[i].last > v[j].last)
                                v[j].last = v[i].last;
                } else
                        v[++j] = v[i];
        }
        *ret_n = j + 1;
        *ret = TAKE_PTR(v);
        return 0;
}

int pool_reserved_count(const struct network *n, u128 *ret, struct netd_error *err) {
        _cleanup_free_ struct pool_span *spans = NULL;
        size_t n_spans;
        u128 sum = 0;
        int r;

        r = pool_reserved_spans(n, &spans, &n_spans, err);
        if (r < 0)
                return r;
        /* Merged spans lie within the host range, whose size fits in a u128. */
        for (size_t i = 0; i < n_spans; i++)
                sum += spans[i].last - spans[i].first + 1;
        *ret = sum;
        return 0;
}

static bool spans_contain(const struct pool_span *spans, size_t n, u128 v) {
        for (size_t i = 0; i < n; i++)
                if (v >= spans[i].first && v <= spans[i].last)
                        return true;
        return false;
}

/* Take addresses first, first+1, ... up to last while fewer than k are taken. */
static void take_gap(int family, u128 first, u128 last, size_t k, struct addr *ret, size_t *got) {
        for (u128 a = first; *got < k; a++) {
                ret[(*got)++] = (struct addr){.family = family, .value = a};
                if (a == last)
                        break;
        }
}

/* One ordered walk of the taken addresses — the reserved spans merged with
 * the held and released addresses, which come sorted from the
 * (network_id, addr) indexes — taking from the gaps between them. */
static int take_never_used(struct store *s, int family, int64_t network_id, const struct pool_span *spans,
                           size_t n_spans, u128 lo, u128 hi, size_t k, struct addr *ret, size_t *got,
                           struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        struct addr point = {};
        size_t si = 0;
        u128 next = lo;
        int r;

        r = store_prepare_int(s,
                              "SELECT addr FROM addresses WHERE network_id = ?1"
                              " UNION ALL SELECT addr FROM released_addresses WHERE network_id = ?1"
                              " ORDER BY 1",
                              network_id, &stmt, err);
        if (r < 0)
                return r;
        r = store_step(s, stmt, err);
        if (r < 0)
                return r;
        if (r > 0)
                store_column_addr(stmt, 0, family, &point);

        while (*got < k) {
                bool have_row = r > 0;
                struct pool_span t;

                if (si < n_spans && (!have_row || spans[si].first <= point.value))
                        t = spans[si++];
                else if (have_row) {
                        t = (struct pool_span){point.value, point.value};
                        r = store_step(s, stmt, err);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                store_column_addr(stmt, 0, family, &point);
                } else {
                        take_gap(family, next, hi, k, ret, got);
                        break;
                }

                if (t.first > next)
                        take_gap(family, next, t.first - 1 < hi ? t.first - 1 : hi, k, ret, got);
                if (t.last >= hi)
                        break;
                if (t.last >= next)
                        next = t.last + 1;
        }
        return 0;
}

static int take_released(struct store *s, int family, int64_t network_id, const struct pool_span *spans,
                         size_t n_spans, u128 lo, u128 hi, size_t k, struct addr *ret, size_t *got,
                         struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_prepare_int(s, "SELECT addr FROM released_addresses WHERE network_id = ? ORDER BY seq",
                              network_id, &stmt, err);
        if (r < 0)
                return r;
        while (*got < k) {
                struct addr a;

                r = store_step(s, stmt, err);
                if (r <= 0)
                        return r;
                store_column_addr(stmt, 0, family, &a);
                /* Only a released address the network could hand out today. */
                if (a.value < lo || a.value > hi || spans_contain(spans, n_spans, a.value))
                        continue;
                ret[(*got)++] = a;
        }
        return 0;
}

int pool_take(struct store *s, const struct network *n, int64_t network_id, size_t k, const char *who,
              struct addr *ret, struct netd_error *err) {
        _cleanup_free_ struct pool_span *spans = NULL;
        int family = n->cidr.base.family;
        size_t n_spans, got = 0;
        u128 lo, hi;
        int r;

        r = pool_reserved_spans(n, &spans, &n_spans, err);
        if (r < 0)
                return r;
        if (prefix_host_range(&n->cidr, &lo, &hi)) {
                r = take_never_used(s, family, network_id, spans, n_spans, lo, hi, k, ret, &got, err);
                if (r < 0)
                        return r;
                if (got < k)
                        r = take_released(s, family, network_id, spans, n_spans, lo, hi, k, ret, &got, err);
                if (r < 0)
                        return r;
        }
        /* Short of k, both walks ran to their end: got is every free address. */
        if (got < k)
                return error_set(err, NETD_EEXHAUSTED, "%s: network %s has %zu free address%s, %zu needed",
                                 who, n->name, got, got == 1 ? "" : "es", k);
        return 0;
}
