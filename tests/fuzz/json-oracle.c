/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-oracle.h"

#define MAX_DEPTH 256

struct reader {
        const char *s;
        size_t len, pos;
        unsigned depth;
        bool unknown; /* a key that cannot be compared as json-c stores it */
        bool repeated;
};

struct key {
        char *text;
        size_t len;
};

static void skip_ws(struct reader *r) {
        while (r->pos < r->len && strchr(" \t\n\r", r->s[r->pos]) && r->s[r->pos])
                r->pos++;
}

static bool eat(struct reader *r, char c) {
        if (r->pos < r->len && r->s[r->pos] == c) {
                r->pos++;
                return true;
        }
        return false;
}

static int hex4(struct reader *r) {
        int v = 0;

        if (r->len - r->pos < 4)
                return -1;
        for (int i = 0; i < 4; i++) {
                char c = r->s[r->pos++];
                int d = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (d < 0)
                        return -1;
                v = v << 4 | d;
        }
        return v;
}

static size_t utf8_put(char *out, unsigned cp) {
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | cp >> 6);
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
}

/* A string at r->pos (the opening quote); its decoded bytes into *ret when
 * ret is given (the caller frees). */
static bool read_string(struct reader *r, struct key *ret) {
        char *out = NULL;
        size_t n = 0;

        if (!eat(r, '"'))
                return false;
        if (ret) {
                /* decoding never grows the text */
                out = malloc(r->len - r->pos + 1);
                if (!out)
                        abort();
        }
        for (;;) {
                unsigned char c;

                if (r->pos >= r->len)
                        goto fail;
                c = (unsigned char)r->s[r->pos++];
                if (c == '"')
                        break;
                if (c < 0x20)
                        goto fail;
                if (c != '\\') {
                        if (out)
                                out[n++] = (char)c;
                        continue;
                }
                if (r->pos >= r->len)
                        goto fail;
                c = (unsigned char)r->s[r->pos++];
                const char *esc = strchr("\"\\/bfnrt", c);
                if (esc && c) {
                        if (out)
                                out[n++] = "\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"];
                        continue;
                }
                if (c != 'u')
                        goto fail;
                int cp = hex4(r);
                if (cp < 0)
                        goto fail;
                if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
                        /* json-c ends a key at NUL and pairs surrogates its own way */
                        if (out)
                                r->unknown = true;
                        cp = '?';
                }
                if (out)
                        n += utf8_put(out + n, (unsigned)cp);
        }
        if (ret) {
                ret->text = out;
                ret->len = n;
        }
        return true;
fail:
        free(out);
        return false;
}

static bool read_number(struct reader *r) {
        size_t start;

        eat(r, '-');
        if (eat(r, '0'))
                ;
        else {
                start = r->pos;
                while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
                        r->pos++;
                if (r->pos == start)
                        return false;
        }
        if (eat(r, '.')) {
                start = r->pos;
                while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
                        r->pos++;
                if (r->pos == start)
                        return false;
        }
        if (eat(r, 'e') || eat(r, 'E')) {
                if (!eat(r, '+'))
                        eat(r, '-');
                start = r->pos;
                while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
                        r->pos++;
                if (r->pos == start)
                        return false;
        }
        return true;
}

static bool read_word(struct reader *r, const char *w) {
        size_t n = strlen(w);

        if (r->len - r->pos < n || memcmp(r->s + r->pos, w, n) != 0)
                return false;
        r->pos += n;
        return true;
}

static int key_cmp(const void *a, const void *b) {
        const struct key *x = a, *y = b;
        int c = memcmp(x->text, y->text, x->len < y->len ? x->len : y->len);

        return c ? c : (x->len > y->len) - (x->len < y->len);
}

static bool read_value(struct reader *r);

static bool read_object(struct reader *r) {
        struct key *keys = NULL;
        size_t n = 0;
        bool ok = false;

        skip_ws(r);
        if (eat(r, '}'))
                return true;
        for (;;) {
                struct key *k = realloc(keys, (n + 1) * sizeof(*keys));

                if (!k)
                        abort();
                keys = k;
                skip_ws(r);
                if (!read_string(r, &keys[n]))
                        goto out;
                n++;
                skip_ws(r);
                if (!eat(r, ':') || !read_value(r))
                        goto out;
                skip_ws(r);
                if (eat(r, '}'))
                        break;
                if (!eat(r, ','))
                        goto out;
        }
        ok = true;
        qsort(keys, n, sizeof(*keys), key_cmp);
        for (size_t i = 1; i < n; i++)
                if (key_cmp(&keys[i - 1], &keys[i]) == 0)
                        r->repeated = true;
out:
        for (size_t i = 0; i < n; i++)
                free(keys[i].text);
        free(keys);
        return ok;
}

static bool read_array(struct reader *r) {
        skip_ws(r);
        if (eat(r, ']'))
                return true;
        for (;;) {
                if (!read_value(r))
                        return false;
                skip_ws(r);
                if (eat(r, ']'))
                        return true;
                if (!eat(r, ','))
                        return false;
        }
}

static bool read_value(struct reader *r) {
        bool ok;

        skip_ws(r);
        if (r->pos >= r->len)
                return false;
        switch (r->s[r->pos]) {
        case '{':
        case '[':
                if (++r->depth > MAX_DEPTH)
                        return false;
                ok = r->s[r->pos++] == '{' ? read_object(r) : read_array(r);
                r->depth--;
                return ok;
        case '"':
                return read_string(r, NULL);
        case 't':
                return read_word(r, "true");
        case 'f':
                return read_word(r, "false");
        case 'n':
                return read_word(r, "null");
        default:
                return read_number(r);
        }
}

enum json_oracle json_oracle_keys(const char *text, size_t len) {
        struct reader r = {.s = text, .len = len};

        if (!read_value(&r))
                return JSON_ORACLE_UNKNOWN;
        skip_ws(&r);
        if (r.pos != r.len || r.unknown)
                return JSON_ORACLE_UNKNOWN;
        return r.repeated ? JSON_ORACLE_REPEATED : JSON_ORACLE_UNIQUE;
}
