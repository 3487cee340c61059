/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A libvirt domain's XML (netd/virt/vm.c: vm_parse_xml), as a hypervisor
 * hands it to netd's libvirt worker: UUID, interfaces and their MACs, the
 * root disk's by-path name, the firmware. Invariants:
 * - a refused document leaves *ret empty and a printable message;
 * - an accepted one has a name without control characters, a canonical
 *   lowercase UUID, unicast non-zero MACs, guest interface names that are
 *   valid interface names, and either a root disk under
 *   /dev/disk/by-path/pci- (printable, no blank) or a note saying why not;
 * - it turns into JSON (vm_to_json) with one entry per interface. */
#include "fuzz.h"
#include "netd/core/validate.h"
#include "netd/virt/vm.h"

static bool printable(const char *s, bool blank_ok) {
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f || (!blank_ok && *s == ' '))
                        return false;
        return true;
}

static void check_uuid(const char *u) {
        FUZZ_ASSERT(strlen(u) == 36, "uuid %s", u);
        for (int i = 0; i < 36; i++)
                FUZZ_ASSERT(i == 8 || i == 13 || i == 18 || i == 23
                                    ? u[i] == '-'
                                    : strchr("0123456789abcdef", u[i]) && u[i],
                            "uuid %s", u);
}

static void check_vm(const struct vm *v) {
        struct json_object *j, *ifaces;

        FUZZ_ASSERT(v->name[0] && printable(v->name, true), "name \"%s\"", v->name);
        check_uuid(v->uuid);
        for (size_t i = 0; i < v->n_ifaces; i++) {
                const struct vm_iface *f = &v->ifaces[i];

                FUZZ_ASSERT(f->mac && f->mac >> 48 == 0 && !((f->mac >> 40) & 1), "MAC %llx",
                            (unsigned long long)f->mac);
                FUZZ_ASSERT(memchr(f->source, '\0', sizeof(f->source)), "source not terminated");
                FUZZ_ASSERT(!f->guest_name[0] || validate_ifname(f->guest_name), "guest name \"%s\"",
                            f->guest_name);
        }
        if (v->root_disk[0])
                FUZZ_ASSERT(strncmp(v->root_disk, "/dev/disk/by-path/pci-", 22) == 0 &&
                                    printable(v->root_disk, false),
                            "root disk \"%s\"", v->root_disk);
        else
                FUZZ_ASSERT(v->root_disk_note[0], "no root disk and no note why");
        FUZZ_ASSERT(printable(v->root_disk_note, true), "note \"%s\"", v->root_disk_note);
        FUZZ_ASSERT(vm_firmware_from_string(vm_firmware_to_string(v->firmware)) == (int)v->firmware,
                    "firmware %d", (int)v->firmware);
        j = vm_to_json(v);
        FUZZ_ASSERT(j && json_object_object_get_ex(j, "interfaces", &ifaces) &&
                            json_object_array_length(ifaces) == v->n_ifaces,
                    "JSON: %s", j ? json_object_to_json_string(j) : "NULL");
        json_object_put(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct netd_error err = {0};
        struct vm v;

        if (vm_parse_xml((const char *)data, size, &v, &err) < 0) {
                FUZZ_ASSERT(err.message[0] && printable(err.message, true), "message \"%s\"", err.message);
                FUZZ_ASSERT(!v.ifaces && !v.n_ifaces, "a refused document left interfaces");
                return 0;
        }
        check_vm(&v);
        vm_clear(&v);
        return 0;
}
