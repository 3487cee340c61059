/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm_parse_xml() against the fixtures of tests/data/libvirt: every field of
 * every domain, hostile documents, and discovery through libvirt's real
 * in-process test driver (test:///ABS/PATH/hvN.xml). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "netd/virt/vm.h"
#include "netd/core/mac.h"

#define BY_PATH "/dev/disk/by-path/"

struct iface_expect {
        const char *mac, *source, *guest_name;
};

struct vm_expect {
        const char *file; /* under tests/data/libvirt */
        const char *name, *uuid, *state;
        size_t n_ifaces;
        struct iface_expect ifaces[8];
        const char *root_disk, *note;
        enum vm_firmware firmware; /* BIOS unless said */
};

static char long_source[VM_SOURCE_MAX + 1]; /* VM_SOURCE_MAX 'n's, set in main() */

/* The five domains of hv1.xml and hv2.xml, as netd must see them. */
static const struct vm_expect lab_vms[] = {
        {
                .file = "domains/sno-master-0.xml",
                .name = "sno-master-0",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01",
                .state = "running",
                .n_ifaces = 1,
                .ifaces = {{"52:54:00:00:0a:01", "lab", "enp1s0"}},
                .root_disk = BY_PATH "pci-0000:04:00.0",
                .note = "",
        },
        {
                .file = "domains/cmp-master-0.xml",
                .name = "cmp-master-0",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e02",
                .state = "running",
                .n_ifaces = 2,
                .ifaces = {{"52:54:00:00:0b:01", "br-lab", "enp1s0"},
                           {"52:54:00:00:0c:01", "default", "enp2s0"}},
                .root_disk = BY_PATH "pci-0000:03:00.0-scsi-0:0:0:0",
                .note = "",
        },
        {
                .file = "domains/builder.xml",
                .name = "builder",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e03",
                .state = "shutoff",
                .n_ifaces = 1,
                .ifaces = {{"52:54:00:00:0f:01", "lab", "enp1s0"}},
                .root_disk = BY_PATH "pci-0000:00:1f.2-ata-3.0",
                .note = "",
        },
        {
                .file = "domains/cmp-master-1.xml",
                .name = "cmp-master-1",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e04",
                .state = "running",
                .n_ifaces = 1,
                .ifaces = {{"52:54:00:00:0b:02", "lab", "enp1s0"}},
                .root_disk = BY_PATH "pci-0000:05:00.0",
                .note = "",
        },
        {
                .file = "domains/legacy.xml",
                .name = "legacy",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e05",
                .state = "paused",
                .n_ifaces = 1,
                .ifaces = {{"52:54:00:00:0f:02", "br-lab", ""}},
                .root_disk = "",
                .note = "disk hda: bus ide has no stable by-path name netd knows",
        },
};

/* The domains of hv-ztp.xml: seed 003's cluster1 and a dual-stack node,
 * with every firmware and root disk bus the exports know. */
#define ZTP_VM(n, u, m, disk, fw)                                                                            \
        {                                                                                                    \
                .file = "ztp/" n ".xml", .name = n, .uuid = "6d1f0e2a-3b4c-4d5e-8f60-7a8b9c0d00" u,          \
                .state = "running", .n_ifaces = 1, .ifaces = {{m, "lab", "enp1s0"}}, .root_disk = disk,      \
                .note = "", .firmware = fw,                                                                  \
        }
static const struct vm_expect ztp_vms[] = {
        ZTP_VM("cluster1-master-0", "10", "52:54:00:03:00:10", BY_PATH "pci-0000:04:00.0", VM_FIRMWARE_EFI),
        ZTP_VM("cluster1-master-1", "11", "52:54:00:03:00:11", BY_PATH "pci-0000:03:00.0-scsi-0:0:0:0",
               VM_FIRMWARE_EFI_SECURE),
        ZTP_VM("cluster1-master-2", "12", "52:54:00:03:00:12", BY_PATH "pci-0000:04:00.0", VM_FIRMWARE_EFI),
        ZTP_VM("cluster1-worker-0", "13", "52:54:00:03:00:13", BY_PATH "pci-0000:04:00.0", VM_FIRMWARE_BIOS),
        ZTP_VM("cluster1-worker-1", "14", "52:54:00:03:00:14", BY_PATH "pci-0000:04:00.0", VM_FIRMWARE_BIOS),
        ZTP_VM("cluster1-worker-2", "15", "52:54:00:03:00:15", BY_PATH "pci-0000:04:00.0", VM_FIRMWARE_BIOS),
        /* SATA port 2 (unit 1): systemd >= 250's primary name */
        ZTP_VM("cluster1-worker-3", "16", "52:54:00:03:00:16", BY_PATH "pci-0000:00:1f.2-ata-2.0",
               VM_FIRMWARE_EFI_SECURE),
        ZTP_VM("ds-master-0", "20", "52:54:00:03:00:20", BY_PATH "pci-0000:04:00.0", VM_FIRMWARE_EFI),
};

/* Single-domain edge cases that parse, with the root disk or its note. */
static const struct vm_expect edge_vms[] = {
        {
                .file = "edge/upper-uuid.xml",
                .name = "upper-uuid",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4eaa",
                .root_disk = "",
                .note = "no disk in the domain XML",
        },
        {
                .file = "edge/missing-controller.xml",
                .name = "missing-controller",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e12",
                .root_disk = "",
                .note = "disk sda: no SCSI controller with index 1 in the domain XML",
        },
        {
                .file = "edge/controller-no-pci.xml",
                .name = "controller-no-pci",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e13",
                .root_disk = "",
                .note = "disk sda: SATA controller 0 has no PCI address in the domain XML",
        },
        {
                .file = "edge/huge-bus.xml",
                .name = "huge-bus",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e14",
                .root_disk = "",
                .note = "disk sda has an invalid drive address",
        },
        {
                .file = "edge/no-disks.xml",
                .name = "no-disks",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e15",
                .n_ifaces = 1,
                .ifaces = {{"52:54:00:00:0a:15", "lab", "enp1s0"}},
                .root_disk = "",
                .note = "no disk in the domain XML",
        },
        {
                .file = "edge/lun.xml",
                .name = "lun",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e16",
                .root_disk = BY_PATH "pci-0000:06:00.0-scsi-0:0:2:3",
                .note = "",
        },
        {
                .file = "edge/cdrom-boot-only.xml",
                .name = "cdrom-boot-only",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e17",
                .root_disk = BY_PATH "pci-0000:07:00.0",
                .note = "",
        },
        {
                .file = "edge/boot-order.xml",
                .name = "boot-order",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e18",
                .root_disk = BY_PATH "pci-0000:05:00.0",
                .note = "",
        },
        {
                .file = "edge/virtio-no-address.xml",
                .name = "virtio-no-address",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e19",
                .root_disk = "",
                .note = "disk vda has no PCI address in the domain XML",
        },
        {
                .file = "edge/virtio-bad-pci.xml",
                .name = "virtio-bad-pci",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e1a",
                .root_disk = "",
                .note = "disk vda has an invalid PCI address",
        },
        {
                .file = "edge/usb-disk.xml",
                .name = "usb-disk",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e1b",
                .root_disk = "",
                .note = "disk sda: bus usb has no stable by-path name netd knows",
        },
        {
                .file = "edge/sata-bad-port.xml",
                .name = "sata-bad-port",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e1c",
                .root_disk = "",
                .note = "disk sda: SATA drive address 0:0:40 is not a single AHCI port",
        },
        {
                .file = "edge/nics.xml",
                .name = "nics",
                .uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e1d",
                .n_ifaces = 7,
                .ifaces =
                        {
                                {"52:54:00:00:0d:01", "lab", "ens3"},
                                {"52:54:00:00:0d:02", "br-lab", "ens3f1"},
                                {"52:54:00:00:0d:03", "", "enp2s1f4"},
                                {"52:54:00:00:0d:04", long_source, ""},
                                {"52:54:00:00:0d:06", "", ""},
                                {"52:54:00:00:0d:07", "lab", ""},
                                {"52:54:00:00:0d:09", "br-lab", "enp255s31f7"},
                        },
                .root_disk = BY_PATH "pci-0000:04:00.0",
                .note = "",
        },
};

static char *path_join(const char *a, const char *b) {
        char *p = NULL;

        assert_true(asprintf(&p, "%s/%s", a, b) > 0);
        return p;
}

/* tests/data/libvirt as an absolute path. */
static char *libvirt_dir(void) {
        const char *data = getenv("NETD_TEST_DATA");
        _cleanup_free_ char *dir = NULL;
        char *abs;

        if (!data)
                fail_msg("NETD_TEST_DATA is not set");
        dir = path_join(data, "libvirt");
        abs = realpath(dir, NULL);
        if (!abs)
                fail_msg("%s: %m", dir);
        return abs;
}

static char *file_read(const char *rel, size_t *ret_len) {
        _cleanup_free_ char *dir = libvirt_dir(), *path = path_join(dir, rel);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *buf;
        long size;

        if (!f)
                fail_msg("%s: %m", path);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        size = ftell(f);
        assert_true(size > 0);
        rewind(f);
        buf = malloc((size_t)size + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
        buf[size] = '\0';
        *ret_len = (size_t)size;
        return buf;
}

static int parse_file(const char *rel, struct vm *ret, struct netd_error *err) {
        size_t len;
        _cleanup_free_ char *xml = file_read(rel, &len);

        return vm_parse_xml(xml, len, ret, err);
}

static void assert_vm(const struct vm *v, const struct vm_expect *e) {
        assert_string_equal(v->name, e->name);
        assert_string_equal(v->uuid, e->uuid);
        assert_int_equal(v->n_ifaces, e->n_ifaces);
        for (size_t i = 0; i < e->n_ifaces; i++) {
                char mac[MAC_STRLEN];

                assert_string_equal(mac_format(v->ifaces[i].mac, mac, sizeof(mac)), e->ifaces[i].mac);
                assert_string_equal(v->ifaces[i].source, e->ifaces[i].source);
                assert_string_equal(v->ifaces[i].guest_name, e->ifaces[i].guest_name);
        }
        assert_string_equal(v->root_disk, e->root_disk);
        assert_string_equal(v->root_disk_note, e->note);
        assert_string_equal(vm_firmware_to_string(v->firmware), vm_firmware_to_string(e->firmware));
}

static void assert_fixture(const struct vm_expect *e) {
        struct netd_error err = {};
        struct vm v;
        int r = parse_file(e->file, &v, &err);

        if (r != 0)
                fail_msg("%s: %s", e->file, err.message);
        assert_int_equal(err.code, 0);
        assert_vm(&v, e);
        vm_clear(&v);
        assert_null(v.ifaces);
        assert_int_equal(v.n_ifaces, 0);
}

static void test_lab_domains(void **state) {
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(lab_vms); i++)
                assert_fixture(&lab_vms[i]);
        for (size_t i = 0; i < ARRAY_SIZE(ztp_vms); i++)
                assert_fixture(&ztp_vms[i]);
}

/* What <os> says about the firmware, the EFI markers one at a time. */
static void test_firmware(void **state) {
        static const struct {
                const char *os;
                enum vm_firmware want;
        } cases[] = {
                {"<os><type>hvm</type></os>", VM_FIRMWARE_BIOS},
                {"<os firmware='bios'><type>hvm</type></os>", VM_FIRMWARE_BIOS},
                {"<os><loader type='rom'>/usr/share/seabios/bios.bin</loader></os>", VM_FIRMWARE_BIOS},
                {"<os firmware='efi'/>", VM_FIRMWARE_EFI},
                {"<os><loader type='pflash'>/x/CODE.fd</loader></os>", VM_FIRMWARE_EFI},
                {"<os><loader readonly='yes'>/usr/share/OVMF/OVMF_CODE.fd</loader></os>", VM_FIRMWARE_EFI},
                {"<os><loader>/usr/share/edk2/ovmf/x.fd</loader></os>", VM_FIRMWARE_EFI},
                {"<os><nvram>/var/lib/libvirt/qemu/nvram/x_VARS.fd</nvram></os>", VM_FIRMWARE_EFI},
                {"<os firmware='efi'><firmware><feature enabled='yes' name='secure-boot'/></firmware></os>",
                 VM_FIRMWARE_EFI_SECURE},
                {"<os firmware='efi'><firmware><feature enabled='no' name='secure-boot'/></firmware></os>",
                 VM_FIRMWARE_EFI},
                {"<os><loader secure='yes' type='pflash'>/x.secboot.fd</loader></os>",
                 VM_FIRMWARE_EFI_SECURE},
                {"<os><loader secure='no' type='pflash'>/x.fd</loader></os>", VM_FIRMWARE_EFI},
                /* secure boot without EFI means nothing */
                {"<os><firmware><feature enabled='yes' name='secure-boot'/></firmware></os>",
                 VM_FIRMWARE_BIOS},
                {"<os><loader secure='yes' type='rom'>/bios.bin</loader></os>", VM_FIRMWARE_BIOS},
                /* someone else's namespace is not libvirt's <os> */
                {"<x:os xmlns:x='urn:x' firmware='efi'/>", VM_FIRMWARE_BIOS},
        };
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *doc = NULL;
                struct netd_error err = {};
                struct vm v;

                assert_true(
                        asprintf(&doc,
                                 "<domain><name>fw</name><uuid>3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e99</uuid>%s"
                                 "</domain>",
                                 cases[i].os) > 0);
                if (vm_parse_xml(doc, strlen(doc), &v, &err) < 0)
                        fail_msg("%s: %s", cases[i].os, err.message);
                if (v.firmware != cases[i].want)
                        fail_msg("%s: %s, expected %s", cases[i].os, vm_firmware_to_string(v.firmware),
                                 vm_firmware_to_string(cases[i].want));
                vm_clear(&v);
        }
        for (int f = VM_FIRMWARE_BIOS; f <= VM_FIRMWARE_EFI_SECURE; f++)
                assert_int_equal(vm_firmware_from_string(vm_firmware_to_string((enum vm_firmware)f)), f);
        assert_int_equal(vm_firmware_from_string("uefi"), -1);
        assert_int_equal(vm_firmware_from_string(NULL), -1);
        assert_null(vm_firmware_to_string((enum vm_firmware)7));
}

static void test_edge_domains(void **state) {
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(edge_vms); i++)
                assert_fixture(&edge_vms[i]);
}

/* A rejected document leaves *ret empty and a one-line message. */
static void assert_rejected(int r, const struct vm *v, const struct netd_error *err, const char *needle) {
        assert_int_equal(r, NETD_EINVALID);
        assert_int_equal(err->code, NETD_EINVALID);
        assert_null(v->ifaces);
        assert_int_equal(v->n_ifaces, 0);
        assert_string_equal(v->name, "");
        assert_null(strchr(err->message, '\n'));
        if (needle && !strstr(err->message, needle))
                fail_msg("message \"%s\" lacks \"%s\"", err->message, needle);
}

static void assert_file_rejected(const char *rel, const char *needle) {
        struct netd_error err = {};
        struct vm v;

        assert_rejected(parse_file(rel, &v, &err), &v, &err, needle);
        assert_null(strstr(err.message, "netd-must-never-read-this"));
}

static void test_rejected_files(void **state) {
        (void)state;
        assert_file_rejected("edge/bad-uuid.xml",
                             "domain bad-uuid: UUID \"3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e0g\"");
        assert_file_rejected("edge/no-uuid.xml", "domain no-uuid has no <uuid>");
        assert_file_rejected("edge/bad-mac.xml", "domain bad-mac: interface MAC \"52:54:00:00:0a\"");
        assert_file_rejected("edge/multicast-mac.xml",
                             "domain multicast-mac: interface MAC 53:54:00:00:0a:11");
        assert_file_rejected("edge/not-domain.xml", "not a libvirt domain: root element is <network>");
        assert_file_rejected("edge/entities.xml", NULL);
        assert_file_rejected("edge/external-entity.xml", "DOCTYPE");
        assert_file_rejected("edge/external-dtd.xml", "DOCTYPE");
}

/* A small valid domain around one interface or disk, for inline cases. */
static char *domain_with(const char *name, const char *uuid, const char *devices) {
        char *s = NULL;

        assert_true(
                asprintf(&s,
                         "<domain type='test'><name>%s</name><uuid>%s</uuid><devices>%s</devices></domain>",
                         name, uuid, devices) > 0);
        return s;
}

static int parse_string(const char *xml, struct vm *v, struct netd_error *err) {
        *err = (struct netd_error){};
        return vm_parse_xml(xml, strlen(xml), v, err);
}

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);

        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static void test_hostile_buffers(void **state) {
        static const char *const garbage[] = {
                "<",
                "<<<<>>>>",
                "not xml at all",
                "<domain>",
                "<domain><name>x</name><uuid>3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01</uuid>",
                "<?xml version='1.0'?>",
                "<domain><name>x</name><name>y</name></domain>",
                "<domain xmlns='urn:example:x'><name>x</name></domain>",
                "<domain><name>\xff\xfe</name></domain>",
                "<domain><name>a&#1;b</name></domain>",
                "<domain/>",
                "<domain><name/><uuid>3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01</uuid></domain>",
                "<domain><name>a&#9;b</name><uuid>3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01</uuid></domain>",
                "<domain><name>x</name><uuid>3f2a0c1e5b7d4e8a9c610a1b2c3d4e01</uuid></domain>",
                "<domain><name>x</name><uuid>3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01-00</uuid></domain>",
        };
        static const char with_nul[] = "<domain><name>x\0y</name></domain>";
        struct netd_error err = {};
        struct vm v;

        (void)state;
        assert_rejected(vm_parse_xml(NULL, 0, &v, &err), &v, &err, "empty");
        err = (struct netd_error){};
        assert_rejected(vm_parse_xml("", 0, &v, &err), &v, &err, "empty");
        err = (struct netd_error){};
        assert_rejected(vm_parse_xml(with_nul, sizeof(with_nul) - 1, &v, &err), &v, &err, "NUL");
        err = (struct netd_error){};
        assert_rejected(vm_parse_xml("<domain/>", (size_t)INT_MAX + 2, &v, &err), &v, &err, "too large");
        for (size_t i = 0; i < ARRAY_SIZE(garbage); i++)
                assert_rejected(parse_string(garbage[i], &v, &err), &v, &err, NULL);
}

static void test_hostile_values(void **state) {
        const char *uuid = "3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e01";
        _cleanup_free_ char *n255 = repeat('a', VM_NAME_MAX), *n256 = repeat('a', VM_NAME_MAX + 1),
                            *huge = repeat('7', 100000);
        char *doc, *devices;
        struct netd_error err = {};
        struct vm v;

        (void)state;
        /* The longest name fits, one more is refused rather than cut. */
        doc = domain_with(n255, uuid, "");
        assert_int_equal(parse_string(doc, &v, &err), 0);
        assert_string_equal(v.name, n255);
        vm_clear(&v);
        free(doc);
        doc = domain_with(n256, uuid, "");
        assert_rejected(parse_string(doc, &v, &err), &v, &err, "name is longer than 255");
        free(doc);

        doc = domain_with("x", huge, "");
        assert_rejected(parse_string(doc, &v, &err), &v, &err, "UUID \"(too long)\"");
        free(doc);

        assert_true(asprintf(&devices, "<interface type='network'><mac address='%s'/></interface>", huge) >
                    0);
        doc = domain_with("x", uuid, devices);
        assert_rejected(parse_string(doc, &v, &err), &v, &err, "domain x: interface MAC");
        free(doc);
        free(devices);

        /* Huge numbers in every numeric attribute give notes or empty names. */
        assert_true(asprintf(&devices,
                             "<interface type='network'><mac address='52:54:00:00:0a:01'/>"
                             "<address type='pci' domain='%s' bus='%s' slot='%s' function='%s'/></interface>"
                             "<controller type='scsi' index='%s'/>"
                             "<disk device='disk'><boot order='%s'/><target dev='sda' bus='scsi'/>"
                             "<address type='drive' controller='%s' bus='0' target='0' unit='0'/></disk>",
                             huge, huge, huge, huge, huge, huge, huge) > 0);
        doc = domain_with("x", uuid, devices);
        assert_int_equal(parse_string(doc, &v, &err), 0);
        assert_int_equal(v.n_ifaces, 1);
        assert_string_equal(v.ifaces[0].guest_name, "");
        assert_string_equal(v.root_disk, "");
        assert_string_equal(v.root_disk_note, "disk sda has an invalid drive address");
        vm_clear(&v);
        free(doc);
        free(devices);

        /* Missing attributes everywhere: no crash, libvirt's defaults. */
        doc = domain_with("x", uuid,
                          "<interface><mac/></interface><interface><mac address=''/></interface>"
                          "<disk><target/></disk><controller/>");
        assert_rejected(parse_string(doc, &v, &err), &v, &err, "domain x: interface MAC \"\"");
        free(doc);
        doc = domain_with("x", uuid, "<interface><mac/><source/><address/></interface><disk/><controller/>");
        assert_int_equal(parse_string(doc, &v, &err), 0);
        assert_int_equal(v.n_ifaces, 0);
        assert_string_equal(v.root_disk_note,
                            "disk without a target name has no target bus in the domain XML");
        vm_clear(&v);
        free(doc);
        doc = domain_with("x", uuid,
                          "<controller type='sata' index='0'><address type='pci' slot='0x1f' function='2'/>"
                          "</controller><disk><target bus='sata' dev='sdz'/><address type='drive'/></disk>");
        assert_int_equal(parse_string(doc, &v, &err), 0);
        assert_string_equal(v.root_disk, BY_PATH "pci-0000:00:1f.2-ata-1.0");
        vm_clear(&v);
        free(doc);

        /* A source cut to VM_SOURCE_MAX never ends in half a UTF-8 character. */
        assert_true(asprintf(&devices,
                             "<interface type='network'><mac address='52:54:00:00:0a:01'/>"
                             "<source network='%.*s\xc3\xa9'/></interface>",
                             VM_SOURCE_MAX - 1, long_source) > 0);
        doc = domain_with("x", uuid, devices);
        assert_int_equal(parse_string(doc, &v, &err), 0);
        assert_int_equal(v.n_ifaces, 1);
        assert_int_equal(strlen(v.ifaces[0].source), VM_SOURCE_MAX - 1);
        assert_int_equal(strspn(v.ifaces[0].source, "n"), VM_SOURCE_MAX - 1);
        vm_clear(&v);
        free(doc);
        free(devices);

        /* Untrusted names in a note are quoted, never raw. */
        doc = domain_with("x", uuid, "<disk><target dev='a&#10;b' bus='x&#127;&#233;'/></disk>");
        assert_int_equal(parse_string(doc, &v, &err), 0);
        assert_string_equal(v.root_disk_note,
                            "disk a\\x0ab: bus x\\x7f\\xc3\\xa9 has no stable by-path name netd knows");
        vm_clear(&v);
        free(doc);
}

/* Libxml2's nesting limit turns a very deep document into an error. */
static void test_deep_nesting(void **state) {
        const size_t depth = 100000;
        size_t len = 0;
        char *doc = malloc(depth * 7 + 64);
        struct netd_error err = {};
        struct vm v;

        (void)state;
        assert_non_null(doc);
        for (size_t i = 0; i < depth; i++) {
                memcpy(doc + len, "<a>", 3);
                len += 3;
        }
        for (size_t i = 0; i < depth; i++) {
                memcpy(doc + len, "</a>", 4);
                len += 4;
        }
        assert_rejected(vm_parse_xml(doc, len, &v, &err), &v, &err, NULL);
        free(doc);
}

/* Every prefix of a real domain, and random corruptions of it, parse or are
 * refused; none crashes (ASan/UBSan watch) or leaves garbage behind. */
static void test_truncated_and_mutated(void **state) {
        static const char interesting[] = "<>/'\"&;=x0 \n\xff\x01";
        unsigned seed = 20240501;

        (void)state;
        for (size_t f = 0; f < ARRAY_SIZE(lab_vms); f++) {
                size_t len;
                _cleanup_free_ char *xml = file_read(lab_vms[f].file, &len), *copy = malloc(len);
                const char *end = strstr(xml, "</domain>");

                assert_non_null(end);
                assert_non_null(copy);
                for (size_t n = 1; n < len; n++) {
                        struct netd_error err = {};
                        struct vm v;
                        int r = vm_parse_xml(xml, n, &v, &err);

                        if (n < (size_t)(end - xml) + strlen("</domain>"))
                                assert_int_equal(r, NETD_EINVALID);
                        else
                                assert_int_equal(r, 0);
                        vm_clear(&v);
                }
                for (int round = 0; round < 2000; round++) {
                        struct netd_error err = {};
                        struct vm v;
                        int r, flips = 1 + rand_r(&seed) % 4;

                        memcpy(copy, xml, len);
                        for (int i = 0; i < flips; i++) {
                                size_t at = (size_t)rand_r(&seed) % len;

                                copy[at] = rand_r(&seed) % 2
                                                   ? interesting[rand_r(&seed) % (sizeof(interesting) - 1)]
                                                   : (char)(rand_r(&seed) % 256);
                        }
                        r = vm_parse_xml(copy, len, &v, &err);
                        assert_true(r == 0 || r == NETD_EINVALID);
                        if (r == 0) {
                                assert_true(strlen(v.name) <= VM_NAME_MAX);
                                assert_int_equal(strlen(v.uuid), VM_UUID_STRLEN - 1);
                                assert_true(strlen(v.root_disk) <= VM_DISK_PATH_MAX);
                                assert_true(isempty(v.root_disk) != isempty(v.root_disk_note));
                                for (size_t i = 0; i < v.n_ifaces; i++)
                                        assert_true(strlen(v.ifaces[i].guest_name) <= IFNAME_MAX_LEN);
                        } else {
                                assert_true(err.message[0] != '\0');
                        }
                        vm_clear(&v);
                }
        }
}

static void test_state_to_string(void **state) {
        (void)state;
        assert_string_equal(vm_state_to_string(VIR_DOMAIN_NOSTATE), "nostate");
        assert_string_equal(vm_state_to_string(VIR_DOMAIN_RUNNING), "running");
        assert_string_equal(vm_state_to_string(VIR_DOMAIN_BLOCKED), "blocked");
        assert_string_equal(vm_state_to_string(VIR_DOMAIN_PAUSED), "paused");
        assert_string_equal(vm_state_to_string(VIR_DOMAIN_SHUTDOWN), "shutdown");
        assert_string_equal(vm_state_to_string(VIR_DOMAIN_SHUTOFF), "shutoff");
        assert_string_equal(vm_state_to_string(VIR_DOMAIN_CRASHED), "crashed");
        assert_string_equal(vm_state_to_string(VIR_DOMAIN_PMSUSPENDED), "pmsuspended");
        assert_string_equal(vm_state_to_string(99), "nostate");
        assert_string_equal(vm_state_to_string(-1), "nostate");
}

static void assert_json(const char *file, const char *state_word, const char *expected) {
        struct netd_error err = {};
        struct vm v;
        struct json_object *j;

        assert_int_equal(parse_file(file, &v, &err), 0);
        strscpy(v.state, sizeof(v.state), state_word);
        j = vm_to_json(&v);
        assert_non_null(j);
        assert_string_equal(
                json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                expected);
        json_object_put(j);
        vm_clear(&v);
}

static void test_json(void **state) {
        (void)state;
        assert_json(
                "domains/legacy.xml", "paused",
                "{\"name\":\"legacy\",\"uuid\":\"3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e05\",\"state\":\"paused\","
                "\"interfaces\":[{\"mac\":\"52:54:00:00:0f:02\",\"source\":\"br-lab\",\"guest_name\":null}],"
                "\"root_disk\":null,"
                "\"root_disk_note\":\"disk hda: bus ide has no stable by-path name netd knows\","
                "\"firmware\":\"bios\"}");
        assert_json(
                "domains/cmp-master-0.xml", "",
                "{\"name\":\"cmp-master-0\",\"uuid\":\"3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e02\",\"state\":null,"
                "\"interfaces\":[{\"mac\":\"52:54:00:00:0b:01\",\"source\":\"br-lab\",\"guest_name\":"
                "\"enp1s0\"},"
                "{\"mac\":\"52:54:00:00:0c:01\",\"source\":\"default\",\"guest_name\":\"enp2s0\"}],"
                "\"root_disk\":\"/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:0:0\",\"root_disk_note\":null,"
                "\"firmware\":\"bios\"}");
        assert_json("edge/no-disks.xml", "shutoff",
                    "{\"name\":\"no-disks\",\"uuid\":\"3f2a0c1e-5b7d-4e8a-9c61-0a1b2c3d4e15\",\"state\":"
                    "\"shutoff\","
                    "\"interfaces\":[{\"mac\":\"52:54:00:00:0a:15\",\"source\":\"lab\",\"guest_name\":"
                    "\"enp1s0\"}],"
                    "\"root_disk\":null,\"root_disk_note\":\"no disk in the domain XML\","
                    "\"firmware\":\"bios\"}");
}

static void libvirt_silent(void *data, virErrorPtr e) {
        (void)data;
        (void)e;
}

static int vm_cmp(const void *a, const void *b) {
        return strcmp(((const struct vm *)a)->name, ((const struct vm *)b)->name);
}

/* Opens test:///ABS/tests/data/libvirt/NODE through libvirt itself, reads
 * every domain as netd/virt.c does, and checks what netd would see. */
static void assert_node(const char *node, const struct vm_expect *const *expect, size_t n_expect) {
        _cleanup_free_ char *dir = libvirt_dir(), *path = path_join(dir, node), *uri = NULL;
        virConnectPtr conn;
        virDomainPtr *doms = NULL;
        struct vm *vms;
        int n;

        assert_true(asprintf(&uri, "test://%s", path) > 0);
        conn = virConnectOpen(uri);
        if (!conn) {
                virErrorPtr e = virGetLastError();
                fail_msg("%s: %s", uri, e && e->message ? e->message : "cannot open");
        }
        n = virConnectListAllDomains(conn, &doms, 0);
        assert_int_equal(n, (int)n_expect);
        vms = calloc((size_t)n, sizeof(*vms));
        assert_non_null(vms);
        for (int i = 0; i < n; i++) {
                struct netd_error err = {};
                char *xml = virDomainGetXMLDesc(doms[i], 0);
                int st = -1, reason;

                assert_non_null(xml);
                assert_int_equal(virDomainGetState(doms[i], &st, &reason, 0), 0);
                if (vm_parse_xml(xml, strlen(xml), &vms[i], &err) < 0)
                        fail_msg("%s: %s", virDomainGetName(doms[i]), err.message);
                strscpy(vms[i].state, sizeof(vms[i].state), vm_state_to_string(st));
                free(xml);
                virDomainFree(doms[i]);
        }
        free(doms);
        qsort(vms, (size_t)n, sizeof(*vms), vm_cmp);
        for (int i = 0; i < n; i++) {
                assert_vm(&vms[i], expect[i]);
                assert_string_equal(vms[i].state, expect[i]->state);
                vm_clear(&vms[i]);
        }
        free(vms);
        assert_int_equal(virConnectClose(conn), 0);
}

static void test_discovery_hv1(void **state) {
        /* Sorted by name: builder, cmp-master-0, sno-master-0. */
        const struct vm_expect *const expect[] = {&lab_vms[2], &lab_vms[1], &lab_vms[0]};
        _cleanup_free_ char *dir = libvirt_dir(), *path = path_join(dir, "hv1.xml"), *uri = NULL;
        virConnectPtr conn;
        virNetworkPtr net;
        char *bridge;

        (void)state;
        assert_node("hv1.xml", expect, ARRAY_SIZE(expect));

        /* The one network hv1 has is someone else's: "foreign" on br-foreign. */
        assert_true(asprintf(&uri, "test://%s", path) > 0);
        conn = virConnectOpen(uri);
        assert_non_null(conn);
        assert_int_equal(virConnectNumOfNetworks(conn), 1);
        net = virNetworkLookupByName(conn, "foreign");
        assert_non_null(net);
        bridge = virNetworkGetBridgeName(net);
        assert_non_null(bridge);
        assert_string_equal(bridge, "br-foreign");
        free(bridge);
        virNetworkFree(net);
        assert_null(virNetworkLookupByName(conn, "lab"));
        assert_null(virNetworkLookupByName(conn, "default"));
        assert_int_equal(virConnectClose(conn), 0);
}

/* The firmware survives libvirt's own parser and formatter. */
static void test_discovery_ztp(void **state) {
        const struct vm_expect *expect[ARRAY_SIZE(ztp_vms)];

        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(ztp_vms); i++)
                expect[i] = &ztp_vms[i];
        assert_node("hv-ztp.xml", expect, ARRAY_SIZE(expect));
}

static void test_discovery_hv2(void **state) {
        const struct vm_expect *const expect[] = {&lab_vms[3], &lab_vms[4]};
        _cleanup_free_ char *dir = libvirt_dir(), *path = path_join(dir, "hv2.xml"), *uri = NULL;
        virConnectPtr conn;

        (void)state;
        assert_node("hv2.xml", expect, ARRAY_SIZE(expect));

        assert_true(asprintf(&uri, "test://%s", path) > 0);
        conn = virConnectOpen(uri);
        assert_non_null(conn);
        assert_int_equal(virConnectNumOfNetworks(conn) + virConnectNumOfDefinedNetworks(conn), 0);
        assert_int_equal(virConnectClose(conn), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lab_domains),
                cmocka_unit_test(test_edge_domains),
                cmocka_unit_test(test_rejected_files),
                cmocka_unit_test(test_hostile_buffers),
                cmocka_unit_test(test_hostile_values),
                cmocka_unit_test(test_deep_nesting),
                cmocka_unit_test(test_truncated_and_mutated),
                cmocka_unit_test(test_state_to_string),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_discovery_hv1),
                cmocka_unit_test(test_discovery_hv2),
                cmocka_unit_test(test_discovery_ztp),
                cmocka_unit_test(test_firmware),
        };

        memset(long_source, 'n', VM_SOURCE_MAX);
        virSetErrorFunc(NULL, libvirt_silent);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
