/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The YAML emitter (libyaml) with sticky errors: after the first failure
 * every call is a no-op, so the document code reads as the document's
 * shape and is checked once. */
#include <strings.h>

#include "export-private.h"

void emit_event(struct emitter *e, yaml_event_t *ev, bool initialized) {
        if (e->failed)
                return;
        if (!initialized) {
                e->failed = true;
                return;
        }
        /* the emitter owns the event from here, also on failure */
        if (!yaml_emitter_emit(&e->y, ev))
                e->failed = true;
}

static void emit_scalar(struct emitter *e, const char *s, yaml_scalar_style_t style) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit_event(e, &ev,
                   yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)strlen(s), 1, 1,
                                                style));
}

static bool word_is(const char *s, const char *word) {
        return strcasecmp(s, word) == 0;
}

/* A plain scalar only when no YAML 1.1 or 1.2 loader can take it for
 * anything but a string: it starts with a letter or '/' (so it is no
 * number, sexagesimal, timestamp, null, merge key or .inf) and is none of
 * the boolean or null words. The rest is double-quoted; libyaml itself
 * falls back to quoting when a plain scalar would not parse back. */
static bool scalar_is_plain_safe(const char *s) {
        static const char *const words[] = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"};
        char first = s[0];

        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '/'))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(words); i++)
                if (word_is(s, words[i]))
                        return false;
        return true;
}

void emit_str(struct emitter *e, const char *s) {
        emit_scalar(e, s,
                    scalar_is_plain_safe(s) ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

/* MACs and UUIDs: quoted always, so they look alike whatever their first
 * digit. */
void emit_quoted(struct emitter *e, const char *s) {
        emit_scalar(e, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

void emit_bool(struct emitter *e, bool b) {
        emit_scalar(e, b ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
}

void emit_uint(struct emitter *e, unsigned u) {
        char buf[16];

        snprintf(buf, sizeof(buf), "%u", u);
        emit_scalar(e, buf, YAML_PLAIN_SCALAR_STYLE);
}

void emit_map_start(struct emitter *e) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit_event(e, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

void emit_map_end(struct emitter *e) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit_event(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

void emit_seq_start(struct emitter *e) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit_event(e, &ev,
                   yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

void emit_seq_end(struct emitter *e) {
        yaml_event_t ev;

        if (e->failed)
                return;
        emit_event(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

void emit_kv_str(struct emitter *e, const char *key, const char *value) {
        emit_str(e, key);
        emit_str(e, value);
}

void emit_kv_quoted(struct emitter *e, const char *key, const char *value) {
        emit_str(e, key);
        emit_quoted(e, value);
}

void emit_kv_bool(struct emitter *e, const char *key, bool value) {
        emit_str(e, key);
        emit_bool(e, value);
}

void emit_kv_uint(struct emitter *e, const char *key, unsigned value) {
        emit_str(e, key);
        emit_uint(e, value);
}

/* key: [value] */
void emit_kv_list1(struct emitter *e, const char *key, const char *value) {
        emit_str(e, key);
        emit_seq_start(e);
        emit_str(e, value);
        emit_seq_end(e);
}
