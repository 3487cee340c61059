/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a libvirt domain's XML. The document comes from a hypervisor host
 * netd does not control, so it is treated as hostile: no DTD, no entities,
 * no network, every value copied into a bounded buffer, every number range
 * checked, and a missing attribute is never a crash. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <uuid/uuid.h>

#include "vm.h"
#include "netd/core/mac.h"

/* Far above any real domain (a few KiB), well below libxml2's int length. */
#define VM_XML_MAX (16u * 1024 * 1024)
#define QUOTE_SIZE 64
#define BY_PATH "/dev/disk/by-path/"

/* The largest drive address part netd accepts: QEMU's virtio-scsi allows LUNs
 * up to 16383 and targets up to 255; nothing real comes near 65535. */
#define DRIVE_PART_MAX 65535u
/* An AHCI controller has at most 32 ports. */
#define AHCI_PORTS 32u

static inline void xmlfreep(xmlChar **p) {
        if (*p)
                xmlFree(*p);
}
#define _cleanup_xmlfree_ _cleanup_(xmlfreep)

static inline void xmlfreedocp(xmlDoc **p) {
        if (*p)
                xmlFreeDoc(*p);
}

struct pci_addr {
        unsigned domain, bus, slot, function;
};

struct drive_addr {
        unsigned controller, bus, target, unit;
};

/* Elements of the libvirt schema have no namespace; anything namespaced
 * (e.g. the test driver's <test:runstate>) is someone else's. */
static bool node_is(const xmlNode *n, const char *name) {
        return n->type == XML_ELEMENT_NODE && !n->ns && xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNode *child_find(const xmlNode *parent, const char *name) {
        for (xmlNode *c = parent->children; c; c = c->next)
                if (node_is(c, name))
                        return c;
        return NULL;
}

/* Cuts a UTF-8 sequence that a truncation left incomplete at the end of s,
 * so a shortened name is still valid text in JSON. */
static void utf8_trim_partial(char *s) {
        size_t n = strlen(s), i = n, need;
        unsigned char lead;

        while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
                i--;
        if (i == 0)
                return;
        lead = (unsigned char)s[i - 1];
        if (lead < 0xc0)
                return;
        need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        if (n - (i - 1) < need)
                s[i - 1] = '\0';
}

/* Copies attribute `name` into buf: 0, -ENOENT when absent (buf is ""), or
 * -E2BIG when it did not fit (buf holds a truncated copy). */
static int attr_get(const xmlNode *n, const char *name, char *buf, size_t size) {
        _cleanup_xmlfree_ xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);

        if (!v) {
                buf[0] = '\0';
                return -ENOENT;
        }
        if (strscpy(buf, size, (const char *)v))
                return 0;
        utf8_trim_partial(buf);
        return -E2BIG;
}

/* An unsigned number as libvirt writes and reads them: "0x"-prefixed hex or
 * plain decimal, no sign, no spaces, at most `max`. */
static int number_parse(const char *s, unsigned max, unsigned *ret) {
        unsigned base = 10;
        unsigned long v = 0;

        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                base = 16;
                s += 2;
        }
        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                unsigned d;

                if (*s >= '0' && *s <= '9')
                        d = (unsigned)(*s - '0');
                else if (base == 16 && *s >= 'a' && *s <= 'f')
                        d = (unsigned)(*s - 'a' + 10);
                else if (base == 16 && *s >= 'A' && *s <= 'F')
                        d = (unsigned)(*s - 'A' + 10);
                else
                        return -EINVAL;
                v = v * base + d;
                if (v > max)
                        return -ERANGE;
        }
        *ret = (unsigned)v;
        return 0;
}

/* A numeric attribute; absent attributes are `def`, as libvirt defaults
 * the parts of an address to 0. */
static int attr_number(const xmlNode *n, const char *name, unsigned max, unsigned def, unsigned *ret) {
        char buf[32];
        int r = attr_get(n, name, buf, sizeof(buf));

        if (r == -ENOENT) {
                *ret = def;
                return 0;
        }
        if (r < 0)
                return -ERANGE;
        return number_parse(buf, max, ret);
}

/* The <address type='pci'> of a device: 0, -ENOENT when it has none, or
 * -EINVAL when it is malformed or out of range. */
static int pci_address_get(const xmlNode *dev, struct pci_addr *ret) {
        xmlNode *a = child_find(dev, "address");
        char type[8];

        if (!a || attr_get(a, "type", type, sizeof(type)) < 0 || !streq(type, "pci"))
                return -ENOENT;
        if (attr_number(a, "domain", 0xffff, 0, &ret->domain) < 0 ||
            attr_number(a, "bus", 0xff, 0, &ret->bus) < 0 ||
            attr_number(a, "slot", 0x1f, 0, &ret->slot) < 0 ||
            attr_number(a, "function", 0x7, 0, &ret->function) < 0)
                return -EINVAL;
        /* libvirt reads an all-zero PCI address as "not assigned yet". */
        if (ret->domain == 0 && ret->bus == 0 && ret->slot == 0 && ret->function == 0)
                return -ENOENT;
        return 0;
}

/* The <address type='drive'> of a disk, with the same returns. */
static int drive_address_get(const xmlNode *disk, struct drive_addr *ret) {
        xmlNode *a = child_find(disk, "address");
        char type[8];

        if (!a || attr_get(a, "type", type, sizeof(type)) < 0 || !streq(type, "drive"))
                return -ENOENT;
        if (attr_number(a, "controller", DRIVE_PART_MAX, 0, &ret->controller) < 0 ||
            attr_number(a, "bus", DRIVE_PART_MAX, 0, &ret->bus) < 0 ||
            attr_number(a, "target", DRIVE_PART_MAX, 0, &ret->target) < 0 ||
            attr_number(a, "unit", DRIVE_PART_MAX, 0, &ret->unit) < 0)
                return -EINVAL;
        return 0;
}

/* systemd's predictable name of a NIC from its PCI address, reduced to the
 * rule of vm.h. A non-zero PCI domain adds a "P" part in systemd that the
 * rule does not cover, so such NICs get no name rather than a wrong one. */
static void guest_name_format(const struct pci_addr *a, char *buf, size_t size) {
        int n;

        buf[0] = '\0';
        if (a->domain != 0)
                return;
        if (a->function != 0)
                n = a->bus == 0 ? snprintf(buf, size, "ens%uf%u", a->slot, a->function)
                                : snprintf(buf, size, "enp%us%uf%u", a->bus, a->slot, a->function);
        else
                n = a->bus == 0 ? snprintf(buf, size, "ens%u", a->slot)
                                : snprintf(buf, size, "enp%us%u", a->bus, a->slot);
        if (n < 0 || (size_t)n >= size)
                buf[0] = '\0';
}

static int iface_parse(const xmlNode *n, const char *qname, struct vm_iface *ret, struct netd_error *err) {
        xmlNode *mac = child_find(n, "mac"), *source = child_find(n, "source");
        struct netd_error mac_err = {};
        struct pci_addr pci;
        char buf[MAC_STRLEN + 1];
        int r;

        *ret = (struct vm_iface){};
        /* A value too long for buf is kept one character longer than a MAC
         * can be, so mac_parse() rejects it by its length. */
        if (!mac || attr_get(mac, "address", buf, sizeof(buf)) == -ENOENT)
                buf[0] = '\0';
        r = mac_parse(buf, &ret->mac, &mac_err);
        if (r < 0)
                return error_set(err, r, "domain %s: interface %s", qname, mac_err.message);

        /* A running domain's <source> of a network interface also names the
         * bridge; the network is what netd matches on, so it wins. */
        if (source && attr_get(source, "network", ret->source, sizeof(ret->source)) == -ENOENT)
                (void)attr_get(source, "bridge", ret->source, sizeof(ret->source));

        if (pci_address_get(n, &pci) == 0)
                guest_name_format(&pci, ret->guest_name, sizeof(ret->guest_name));
        return 0;
}

/* netd knows a NIC by its MAC; an <interface> without one (hand-written
 * XML; libvirt always generates one) is not a NIC netd can manage. */
static bool iface_has_mac(const xmlNode *n) {
        xmlNode *mac;

        if (!node_is(n, "interface"))
                return false;
        mac = child_find(n, "mac");
        return mac && xmlHasNsProp(mac, BAD_CAST "address", NULL);
}

static int ifaces_parse(const xmlNode *devices, const char *qname, struct vm *v, struct netd_error *err) {
        size_t n = 0;

        for (xmlNode *c = devices->children; c; c = c->next)
                if (iface_has_mac(c))
                        n++;
        if (n == 0)
                return 0;

        v->ifaces = calloc(n, sizeof(*v->ifaces));
        if (!v->ifaces)
                return error_set(err, NETD_EINTERNAL, "domain %s: out of memory for %zu interfaces", qname,
                                 n);
        for (xmlNode *c = devices->children; c && v->n_ifaces < n; c = c->next) {
                int r;

                if (!iface_has_mac(c))
                        continue;
                r = iface_parse(c, qname, &v->ifaces[v->n_ifaces], err);
                if (r < 0)
                        return r;
                v->n_ifaces++;
        }
        return 0;
}

/* Disks that can hold the root file system: device "disk" (libvirt's
 * default) or "lun"; cdroms and floppies never do. */
static bool disk_is_candidate(const xmlNode *n) {
        char device[8];
        int r;

        if (!node_is(n, "disk"))
                return false;
        r = attr_get(n, "device", device, sizeof(device));
        if (r == -ENOENT)
                return true;
        return r == 0 && (streq(device, "disk") || streq(device, "lun"));
}

/* The first boot disk per vm.h: lowest <boot order>, else document order.
 * A boot order that is not a positive number counts as none. */
static xmlNode *root_disk_find(const xmlNode *devices) {
        xmlNode *first = NULL, *best = NULL;
        unsigned best_order = 0;

        for (xmlNode *c = devices->children; c; c = c->next) {
                xmlNode *boot;
                unsigned order;

                if (!disk_is_candidate(c))
                        continue;
                if (!first)
                        first = c;
                boot = child_find(c, "boot");
                if (!boot || attr_number(boot, "order", UINT_MAX, 0, &order) < 0 || order == 0)
                        continue;
                if (!best || order < best_order) {
                        best = c;
                        best_order = order;
                }
        }
        return best ? best : first;
}

/* The <controller type=TYPE index=INDEX> of the domain, or NULL. */
static xmlNode *controller_find(const xmlNode *devices, const char *type, unsigned index) {
        for (xmlNode *c = devices->children; c; c = c->next) {
                char t[16];
                unsigned i;

                if (!node_is(c, "controller"))
                        continue;
                if (attr_get(c, "type", t, sizeof(t)) < 0 || !streq(t, type))
                        continue;
                if (attr_number(c, "index", UINT_MAX, UINT_MAX, &i) < 0 || i != index)
                        continue;
                return c;
        }
        return NULL;
}

static _printf_(2, 3) void note_set(struct vm *v, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(v->root_disk_note, sizeof(v->root_disk_note), fmt, ap);
        va_end(ap);
        v->root_disk[0] = '\0';
}

static void path_set(struct vm *v, const char *label, const struct pci_addr *pci, const char *suffix) {
        int n = snprintf(v->root_disk, sizeof(v->root_disk), BY_PATH "pci-%04x:%02x:%02x.%x%s", pci->domain,
                         pci->bus, pci->slot, pci->function, suffix);

        if (n < 0 || (size_t)n >= sizeof(v->root_disk))
                note_set(v, "disk %s: its by-path name is too long", label);
}

/* The PCI address of the controller a drive-addressed disk sits on, or a
 * note on v and -1. */
static int controller_pci(struct vm *v, const xmlNode *devices, const char *label, const char *type,
                          const char *type_name, unsigned index, struct pci_addr *ret) {
        xmlNode *ctrl = controller_find(devices, type, index);
        int r;

        if (!ctrl) {
                note_set(v, "disk %s: no %s controller with index %u in the domain XML", label, type_name,
                         index);
                return -1;
        }
        r = pci_address_get(ctrl, ret);
        if (r == -ENOENT) {
                note_set(v, "disk %s: %s controller %u has no PCI address in the domain XML", label,
                         type_name, index);
                return -1;
        }
        if (r < 0) {
                note_set(v, "disk %s: %s controller %u has an invalid PCI address", label, type_name, index);
                return -1;
        }
        return 0;
}

/* Fills root_disk (or root_disk_note) from the chosen disk. The names are
 * those udev's path_id builtin gives the guest's disk:
 *  - virtio-blk: path_id skips the virtio bus device, so the name is the
 *    PCI function alone, "pci-DDDD:BB:SS.F".
 *  - virtio-scsi: the SCSI device is named by handle_scsi_default(),
 *    "scsi-H:C:T:L", where H is rebased to the lowest host number under the
 *    same parent; a virtio-scsi controller has one host, so H is 0. libvirt's
 *    drive address bus/target/unit are QEMU's channel/scsi-id/lun.
 *  - SATA: handle_scsi_ata() names the ATA port by its 1-based port_no,
 *    and QEMU's AHCI port is libvirt's 0-based unit. systemd >= 250 (RHCOS
 *    4.13 and later) names it "ata-N.T" (T the target, 0 on an AHCI port)
 *    and keeps "ata-N" only as a compatibility link (ID_PATH_ATA_COMPAT).
 *    The Assisted Installer matches rootDeviceHints against ID_PATH, so the
 *    primary name is the one written; the exports' --udev-compat cuts ".0". */
static void root_disk_resolve(struct vm *v, const xmlNode *devices, const xmlNode *disk) {
        xmlNode *target = child_find(disk, "target");
        char dev[QUOTE_SIZE] = "", bus[QUOTE_SIZE] = "", label[QUOTE_SIZE], qbus[QUOTE_SIZE];
        char suffix[64];
        struct pci_addr pci;
        struct drive_addr drive;
        int r;

        if (target) {
                (void)attr_get(target, "dev", dev, sizeof(dev));
                (void)attr_get(target, "bus", bus, sizeof(bus));
        }
        if (isempty(dev))
                strscpy(label, sizeof(label), "without a target name");
        else
                error_quote_untrusted(dev, label, sizeof(label));
        error_quote_untrusted(bus, qbus, sizeof(qbus));

        if (isempty(bus)) {
                note_set(v, "disk %s has no target bus in the domain XML", label);
                return;
        }

        if (streq(bus, "virtio")) {
                r = pci_address_get(disk, &pci);
                if (r == -ENOENT)
                        note_set(v, "disk %s has no PCI address in the domain XML", label);
                else if (r < 0)
                        note_set(v, "disk %s has an invalid PCI address", label);
                else
                        path_set(v, label, &pci, "");
                return;
        }

        if (!streq(bus, "scsi") && !streq(bus, "sata")) {
                note_set(v, "disk %s: bus %s has no stable by-path name netd knows", label, qbus);
                return;
        }

        r = drive_address_get(disk, &drive);
        if (r == -ENOENT) {
                note_set(v, "disk %s has no drive address in the domain XML", label);
                return;
        }
        if (r < 0) {
                note_set(v, "disk %s has an invalid drive address", label);
                return;
        }

        if (streq(bus, "scsi")) {
                if (controller_pci(v, devices, label, "scsi", "SCSI", drive.controller, &pci) < 0)
                        return;
                (void)snprintf(suffix, sizeof(suffix), "-scsi-0:%u:%u:%u", drive.bus, drive.target,
                               drive.unit);
        } else {
                /* An AHCI port holds one device: no port multiplier (bus) or
                 * second target, whose names udev would form differently. */
                if (drive.bus != 0 || drive.target != 0 || drive.unit >= AHCI_PORTS) {
                        note_set(v, "disk %s: SATA drive address %u:%u:%u is not a single AHCI port", label,
                                 drive.bus, drive.target, drive.unit);
                        return;
                }
                if (controller_pci(v, devices, label, "sata", "SATA", drive.controller, &pci) < 0)
                        return;
                (void)snprintf(suffix, sizeof(suffix), "-ata-%u.%u", drive.unit + 1, drive.target);
        }
        path_set(v, label, &pci, suffix);
}

/* The text of a child element, trimmed of surrounding white space, into a
 * bounded buffer: 0, -ENOENT or -E2BIG. */
static int text_get(const xmlNode *parent, const char *name, char *buf, size_t size) {
        xmlNode *n = child_find(parent, name);
        _cleanup_xmlfree_ xmlChar *content = NULL;
        const char *s, *e;
        size_t len;

        buf[0] = '\0';
        if (!n || !(content = xmlNodeGetContent(n)))
                return -ENOENT;
        s = (const char *)content;
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
                e--;
        len = (size_t)(e - s);
        if (len >= size)
                return -E2BIG;
        memcpy(buf, s, len);
        buf[len] = '\0';
        return 0;
}

static bool has_control_chars(const char *s) {
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

/* <os>: EFI when libvirt picks the firmware (firmware='efi'), when the
 * loader is a pflash image or an OVMF/edk2 file (libvirt before 5.2 and
 * hand-written XML), or when there is an NVRAM store; secure boot when the
 * loader says secure='yes' or <firmware> enables the secure-boot feature.
 * Anything else boots SeaBIOS, x86 QEMU's default. */
static enum vm_firmware firmware_parse(const xmlNode *root) {
        xmlNode *os = child_find(root, "os"), *loader, *fw;
        char buf[16], path[VM_SOURCE_MAX + 1];
        bool efi = false, secure = false;

        if (!os)
                return VM_FIRMWARE_BIOS;
        if (attr_get(os, "firmware", buf, sizeof(buf)) == 0 && streq(buf, "efi"))
                efi = true;
        loader = child_find(os, "loader");
        if (loader) {
                if (attr_get(loader, "type", buf, sizeof(buf)) == 0 && streq(buf, "pflash"))
                        efi = true;
                if (text_get(os, "loader", path, sizeof(path)) == 0 &&
                    (strstr(path, "OVMF") || strstr(path, "edk2") || strstr(path, "AAVMF")))
                        efi = true;
                if (attr_get(loader, "secure", buf, sizeof(buf)) == 0 && streq(buf, "yes"))
                        secure = true;
        }
        if (child_find(os, "nvram"))
                efi = true;
        fw = child_find(os, "firmware");
        for (xmlNode *c = fw ? fw->children : NULL; c; c = c->next) {
                char name[16], enabled[8];

                if (node_is(c, "feature") && attr_get(c, "name", name, sizeof(name)) == 0 &&
                    streq(name, "secure-boot") && attr_get(c, "enabled", enabled, sizeof(enabled)) == 0 &&
                    streq(enabled, "yes"))
                        secure = true;
        }
        if (!efi)
                return VM_FIRMWARE_BIOS;
        return secure ? VM_FIRMWARE_EFI_SECURE : VM_FIRMWARE_EFI;
}

static int identity_parse(const xmlNode *root, struct vm *v, struct netd_error *err) {
        char q[QUOTE_SIZE], buf[64];
        uuid_t uu;
        int r;

        r = text_get(root, "name", v->name, sizeof(v->name));
        if (r == -ENOENT || (r == 0 && isempty(v->name)))
                return error_set(err, NETD_EINVALID, "domain XML has no <name>");
        if (r == -E2BIG)
                return error_set(err, NETD_EINVALID, "domain XML: name is longer than %d characters",
                                 VM_NAME_MAX);
        error_quote_untrusted(v->name, q, sizeof(q));
        if (has_control_chars(v->name))
                return error_set(err, NETD_EINVALID, "domain %s: name contains control characters", q);

        r = text_get(root, "uuid", buf, sizeof(buf));
        if (r == -ENOENT)
                return error_set(err, NETD_EINVALID, "domain %s has no <uuid>", q);
        if (r < 0 || uuid_parse(buf, uu) < 0) {
                char qu[QUOTE_SIZE];

                return error_set(err, NETD_EINVALID, "domain %s: UUID \"%s\" is not valid", q,
                                 r < 0 ? "(too long)" : error_quote_untrusted(buf, qu, sizeof(qu)));
        }
        uuid_unparse_lower(uu, v->uuid);
        return 0;
}

static int document_parse(const xmlDoc *doc, struct vm *v, struct netd_error *err) {
        xmlNode *root = xmlDocGetRootElement(doc), *devices, *disk;
        char q[QUOTE_SIZE];
        int r;

        if (!root || !node_is(root, "domain")) {
                char qr[QUOTE_SIZE];

                return error_set(err, NETD_EINVALID, "not a libvirt domain: root element is <%s>",
                                 root ? error_quote_untrusted((const char *)root->name, qr, sizeof(qr)) : "");
        }
        r = identity_parse(root, v, err);
        if (r < 0)
                return r;
        error_quote_untrusted(v->name, q, sizeof(q));
        v->firmware = firmware_parse(root);

        devices = child_find(root, "devices");
        if (!devices) {
                note_set(v, "no disk in the domain XML");
                return 0;
        }
        r = ifaces_parse(devices, q, v, err);
        if (r < 0)
                return r;

        disk = root_disk_find(devices);
        if (!disk)
                note_set(v, "no disk in the domain XML");
        else
                root_disk_resolve(v, devices, disk);
        return 0;
}

int vm_parse_xml(const char *xml, size_t len, struct vm *ret, struct netd_error *err) {
        _cleanup_(xmlfreedocp) xmlDoc *doc = NULL;
        int r;

        *ret = (struct vm){};
        if (!xml || len == 0)
                return error_set(err, NETD_EINVALID, "domain XML is empty");
        if (len > VM_XML_MAX)
                return error_set(err, NETD_EINVALID, "domain XML is too large (%zu bytes, at most %u)", len,
                                 VM_XML_MAX);
        if (memchr(xml, '\0', len))
                return error_set(err, NETD_EINVALID, "domain XML contains a NUL byte");

        xmlInitParser();
        /* No XML_PARSE_NOENT, DTDLOAD, DTDATTR or XINCLUDE: nothing outside
         * the buffer is ever read, and NONET keeps even a stray URL local. */
        doc = xmlReadMemory(xml, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc) {
                const xmlError *e = xmlGetLastError();

                return error_set(err, NETD_EINVALID, "domain XML is not well-formed (line %d)",
                                 e ? e->line : 0);
        }
        /* libvirt never writes a DOCTYPE; one here can only carry entities. */
        if (doc->intSubset || doc->extSubset)
                return error_set(err, NETD_EINVALID, "domain XML must not have a DOCTYPE");

        r = document_parse(doc, ret, err);
        if (r < 0)
                vm_clear(ret);
        return r;
}

void vm_clear(struct vm *v) {
        if (!v)
                return;
        free(v->ifaces);
        *v = (struct vm){};
}

const char *vm_state_to_string(int state) {
        switch (state) {
        case VIR_DOMAIN_RUNNING:
                return "running";
        case VIR_DOMAIN_BLOCKED:
                return "blocked";
        case VIR_DOMAIN_PAUSED:
                return "paused";
        case VIR_DOMAIN_SHUTDOWN:
                return "shutdown";
        case VIR_DOMAIN_SHUTOFF:
                return "shutoff";
        case VIR_DOMAIN_CRASHED:
                return "crashed";
        case VIR_DOMAIN_PMSUSPENDED:
                return "pmsuspended";
        case VIR_DOMAIN_NOSTATE:
        default:
                /* A state newer than this libvirt is as good as unknown. */
                return "nostate";
        }
}

static const char *const firmware_names[] = {
        [VM_FIRMWARE_BIOS] = "bios",
        [VM_FIRMWARE_EFI] = "efi",
        [VM_FIRMWARE_EFI_SECURE] = "efi-secure",
};

const char *vm_firmware_to_string(enum vm_firmware f) {
        if ((size_t)f >= ARRAY_SIZE(firmware_names))
                return NULL;
        return firmware_names[f];
}

int vm_firmware_from_string(const char *s) {
        for (size_t i = 0; s && i < ARRAY_SIZE(firmware_names); i++)
                if (streq(s, firmware_names[i]))
                        return (int)i;
        return -1;
}

static struct json_object *string_or_null(const char *s) {
        return isempty(s) ? NULL : json_object_new_string(s);
}

struct json_object *vm_to_json(const struct vm *v) {
        struct json_object *o = json_object_new_object(), *ifaces = json_object_new_array();

        if (!o || !ifaces) {
                json_object_put(o);
                json_object_put(ifaces);
                return NULL;
        }
        for (size_t i = 0; i < v->n_ifaces; i++) {
                struct json_object *j = json_object_new_object();
                char mac[MAC_STRLEN];

                if (!j)
                        goto fail;
                json_object_object_add(
                        j, "mac", json_object_new_string(mac_format(v->ifaces[i].mac, mac, sizeof(mac))));
                json_object_object_add(j, "source", string_or_null(v->ifaces[i].source));
                json_object_object_add(j, "guest_name", string_or_null(v->ifaces[i].guest_name));
                json_object_array_add(ifaces, j);
        }
        json_object_object_add(o, "name", string_or_null(v->name));
        json_object_object_add(o, "uuid", string_or_null(v->uuid));
        json_object_object_add(o, "state", string_or_null(v->state));
        json_object_object_add(o, "interfaces", ifaces);
        json_object_object_add(o, "root_disk", string_or_null(v->root_disk));
        json_object_object_add(o, "root_disk_note", string_or_null(v->root_disk_note));
        json_object_object_add(o, "firmware", string_or_null(vm_firmware_to_string(v->firmware)));
        return o;

fail:
        json_object_put(o);
        json_object_put(ifaces);
        return NULL;
}
