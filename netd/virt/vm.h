/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Virtual machines as libvirt describes them: what netd reads from a
 * domain's XML (UUID, interfaces, the root disk as udev's by-path name).
 * Pure: no libvirt connection here; netd/virt.c fetches the XML on its
 * worker thread and hands it to vm_parse_xml(). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "netd/core/error.h"
#include "netd/core/validate.h"
#include "netd/core/mac.h"

#define VM_NAME_MAX 255      /* what netd keeps of a domain name */
#define VM_UUID_STRLEN 37    /* canonical lowercase form plus NUL */
#define VM_SOURCE_MAX 255    /* an interface's network or bridge name */
#define VM_DISK_PATH_MAX 160 /* "/dev/disk/by-path/pci-…-scsi-0:B:T:U" */
#define VM_NOTE_MAX 200

struct vm_iface {
        mac_t mac;
        char source[VM_SOURCE_MAX + 1]; /* network= or bridge= name; "" for other types */
        /* The name systemd's predictable naming gives the NIC in the guest,
         * from its PCI address: bus 0 → "ens<slot>", else "enp<bus>s<slot>",
         * plus "f<function>" when the function is not 0. "" without a PCI
         * address. */
        char guest_name[IFNAME_MAX_LEN + 1];
};

/* The firmware a domain boots with, as the exports' bootMode needs it. */
enum vm_firmware {
        VM_FIRMWARE_BIOS,       /* SeaBIOS: no EFI loader (the x86 default) */
        VM_FIRMWARE_EFI,        /* <os firmware='efi'> or a pflash/OVMF loader */
        VM_FIRMWARE_EFI_SECURE, /* and secure boot: loader secure='yes' or the secure-boot feature */
};

struct vm {
        char name[VM_NAME_MAX + 1];
        char uuid[VM_UUID_STRLEN];
        char state[16]; /* filled by the caller (vm_state_to_string), not from XML */
        struct vm_iface *ifaces;
        size_t n_ifaces;
        /* "/dev/disk/by-path/…" of the root disk, "" when it cannot be told;
         * root_disk_note then says why (e.g. "vda has no PCI address"). */
        char root_disk[VM_DISK_PATH_MAX + 1];
        char root_disk_note[VM_NOTE_MAX + 1];
        enum vm_firmware firmware;
};

/* Parse one domain XML document (virDomainGetXMLDesc). The root disk is the
 * first boot disk that is not a cdrom: the disk (device "disk" or "lun")
 * with the lowest <boot order=…>, or without any boot order the first such
 * disk in document order. Its by-path name follows udev:
 *   virtio-blk (bus virtio, PCI address)  → pci-DDDD:BB:SS.F
 *   virtio-scsi (bus scsi, drive address)  → the SCSI controller's PCI
 *                                            address + "-scsi-0:BUS:TARGET:UNIT"
 *   SATA (bus sata, drive address)         → the SATA controller's PCI
 *                                            address + "-ata-<unit+1>.0"
 *                                            (systemd >= 250's primary name)
 * Other buses leave root_disk empty with a note. A document that is not a
 * domain, lacks a valid UUID, or has a malformed MAC is NETD_EINVALID. */
int vm_parse_xml(const char *xml, size_t len, struct vm *ret, struct netd_error *err);

/* Free what vm_parse_xml() allocated and zero *v. */
void vm_clear(struct vm *v);

/* libvirt's virDomainState as a word: "running", "blocked", "paused",
 * "shutdown", "shutoff", "crashed", "pmsuspended", "nostate". */
const char *vm_state_to_string(int state);

/* "bios", "efi", "efi-secure"; NULL for anything else. */
const char *vm_firmware_to_string(enum vm_firmware f);
/* The inverse; -1 for an unknown word. */
int vm_firmware_from_string(const char *s);

/* {"name","uuid","state","interfaces":[{"mac","source","guest_name"}],
 *  "root_disk","root_disk_note","firmware"}; empty strings become null. */
struct json_object *vm_to_json(const struct vm *v);
