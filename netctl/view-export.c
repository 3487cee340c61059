/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exports: netd renders them (YAML, dnsmasq lines); netctl prints the
 * text as it is. */
#include "reply.h"
#include "view.h"

int view_export_text(FILE *out, struct json_object *data, struct json_object *args _unused_,
                     struct netd_error *err) {
        const char *text = reply_text(data, "text");

        if (!text)
                return reply_malformed(err, "no \"text\" in the export");
        fputs(text, out);
        return 0;
}
