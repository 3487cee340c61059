#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks netd's exports against the real consumers' definitions, read at
test time from the reference copies (../shared/reference/ztp beside the
repository, as CI has it; README there names each source):

- ClusterInstance: the CRD's openAPIV3Schema (python3-jsonschema), plus the
  contract's node fields and the 63-character hostName rule. A document
  whose comment block announces placeholders may fail the schema only at
  values that are placeholders ("CHANGE-ME-...").
- SiteConfig: every key a yaml tag of the SiteConfig v1 generator's Go types
  (siteConfig.go), the contract's node fields, bootMode in the CRD's enum.
- Inventories (install_type abi / ipi): every group and variable that the
  reference DCI inventory templates define and their consumer roles read is
  in the inventory or named in its comment block; values have the shape the
  consumers build URLs from.

usage: ztp-check.py [--reference DIR] [--search-from REPO] FILE|DIR...   (a DIR: its exports, by the
suffixes below; dnsmasq lines are skipped)
"""
import argparse
import ipaddress
import os
import re
import sys

import jsonschema
import yaml

NODE_FIELDS = ["bmcAddress", "bmcCredentialsName", "bootMACAddress", "bootMode", "hostName",
               "rootDeviceHints"]
PLACEHOLDER = "CHANGE-ME-"
# the exports among a directory's files: unit goldens, integration goldens
EXPORT_SUFFIXES = (".ok", ".clusterinstance", ".siteconfig", ".inventory")
MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# HOST:PORT, [IPV6]:PORT or HOST: what the kvm vendor role puts after "https://"
AUTHORITY_RE = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")

failures = []


def fail(path, msg):
    failures.append(f"{path}: {msg}")


def read(ref, rel):
    with open(os.path.join(ref, rel)) as f:
        return f.read()


def header_of(text):
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return "\n".join(out)


def named_in(header, name):
    return re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", header) is not None


# ---- ClusterInstance ----

class Reference:
    def __init__(self, ref):
        self.ref = ref
        crd = yaml.safe_load(read(ref, "siteconfig-v2/clusterinstances-crd.yaml"))
        version = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"][0]
        self.schema = version["schema"]["openAPIV3Schema"]
        node = self.schema["properties"]["spec"]["properties"]["nodes"]["items"]
        self.boot_modes = node["properties"]["bootMode"]["enum"]
        tmpl = read(ref, "siteconfig-v2/assisted-installer-template.go")
        self.templates = dict(re.findall(r'(\w+LevelInstallTemplates)\s*=\s*"([^"]+)"', tmpl))
        self.go_types = go_structs(read(ref, "siteconfig-v1/siteConfig.go"))


def check_clusterinstance(path, doc, header, ref):
    placeholders = "placeholders (CHANGE-ME" in header
    validator = jsonschema.Draft7Validator(ref.schema)
    for e in validator.iter_errors(doc):
        where = "/".join(str(p) for p in e.absolute_path)
        if placeholders and isinstance(e.instance, str) and e.instance.startswith(PLACEHOLDER):
            continue
        fail(path, f"CRD schema: {where}: {e.message}")
    spec = doc.get("spec", {})
    refs = [t["name"] for t in spec.get("templateRefs", [])]
    if ref.templates.get("ClusterLevelInstallTemplates") not in refs:
        fail(path, f"spec.templateRefs {refs} lack the operator's cluster templates")
    for i, n in enumerate(spec.get("nodes", [])):
        check_node(path, f"spec.nodes[{i}]", n, ref, placeholders)
        nrefs = [t["name"] for t in n.get("templateRefs", [])]
        if ref.templates.get("NodeLevelInstallTemplates") not in nrefs:
            fail(path, f"spec.nodes[{i}].templateRefs {nrefs} lack the operator's node templates")
    check_networks(path, spec)


def check_node(path, where, n, ref, placeholders):
    for f in NODE_FIELDS:
        if f not in n:
            fail(path, f"{where}: {f} missing")
    host = n.get("hostName", "")
    if len(host) > 63:
        fail(path, f"{where}: hostName {host} is longer than 63 characters")
    mode = n.get("bootMode")
    if mode not in ref.boot_modes and not (placeholders and str(mode).startswith(PLACEHOLDER)):
        fail(path, f"{where}: bootMode {mode} is not one of {ref.boot_modes}")
    hints = n.get("rootDeviceHints", {})
    dev = hints.get("deviceName", "") if isinstance(hints, dict) else ""
    if not (dev.startswith("/dev/") or (placeholders and dev.startswith(PLACEHOLDER))):
        fail(path, f"{where}: rootDeviceHints.deviceName {dev!r} is not a /dev path")
    if not MAC_RE.match(str(n.get("bootMACAddress", "")).lower()):
        fail(path, f"{where}: bootMACAddress {n.get('bootMACAddress')} is not a MAC")


def check_networks(path, spec):
    """machineNetwork holds every VIP; one entry per family, at most two."""
    nets = [ipaddress.ip_network(m["cidr"]) for m in spec.get("machineNetwork", [])]
    if not 1 <= len(nets) <= 2 or len({n.version for n in nets}) != len(nets):
        fail(path, f"machineNetwork {nets}: one entry per family expected")
    for key in ("apiVIPs", "ingressVIPs"):
        for vip in spec.get(key, []):
            a = ipaddress.ip_address(vip)
            if not any(a in n for n in nets):
                fail(path, f"{key} {vip} is outside machineNetwork")


# ---- SiteConfig ----

def go_structs(src):
    """{struct name: {yaml tag: field type}} of a Go file."""
    types = {}
    for name, body in re.findall(r"^type (\w+) struct \{\n(.*?)^\}", src, re.S | re.M):
        fields = {}
        for ftype, tag in re.findall(r'^\s*\w+\s+([\w.\[\]*]+(?:\[[\w.]+\][\w.{}]+)?)\s+`yaml:"([^",]*)',
                                     body, re.M):
            if tag and tag != "-":
                fields[tag] = ftype
        types[name] = fields
    return types


def check_go_keys(path, where, value, type_name, types):
    fields = types.get(type_name)
    if fields is None or not isinstance(value, dict):
        return
    for k, v in value.items():
        if k not in fields:
            fail(path, f"{where}.{k}: not a yaml key of {type_name} in siteConfig.go")
            continue
        t = fields[k].lstrip("*[]")
        if isinstance(v, list):
            for i, item in enumerate(v):
                check_go_keys(path, f"{where}.{k}[{i}]", item, t, types)
        else:
            check_go_keys(path, f"{where}.{k}", v, t, types)


def check_siteconfig(path, doc, header, ref):
    placeholders = "placeholders (CHANGE-ME" in header
    check_go_keys(path, "", doc, "SiteConfig", ref.go_types)
    if doc.get("apiVersion") != "ran.openshift.io/v1" or doc.get("kind") != "SiteConfig":
        fail(path, "not a ran.openshift.io/v1 SiteConfig")
    for c in doc["spec"]["clusters"]:
        for i, n in enumerate(c["nodes"]):
            check_node(path, f"nodes[{i}]", n, ref, placeholders)
        check_networks(path, c)


# ---- inventories ----

def jinja_yaml(text):
    """A YAML Jinja template with its statements dropped and every
    expression a plain string (enough to read its keys)."""
    text = re.sub(r"\{%.*?%\}", "", text, flags=re.S)
    text = re.sub(r"([\"'])\{\{.*?\}\}\1", "X", text)
    text = re.sub(r"\{\{.*?\}\}", "X", text)
    return yaml.safe_load(text)


def reads(text):
    hostvars = set(re.findall(r"hostvars\[[^\]]+\]\[['\"](\w+)['\"]\]", text))
    groups = set(re.findall(r"groups\[['\"](\w+)['\"]\]", text))
    return hostvars, groups, set(re.findall(r"\w+", text))


def hosts_of(group):
    """{host: vars} of a group and its children, group vars inherited."""
    out = {}
    if not isinstance(group, dict):
        return out
    gvars = group.get("vars") or {}
    for h, hv in (group.get("hosts") or {}).items():
        out[h] = {**gvars, **(hv or {})}
    for child in (group.get("children") or {}).values():
        for h, hv in hosts_of(child).items():
            out[h] = {**gvars, **hv}
    return out


def groups_of(group, out=None):
    out = {} if out is None else out
    for name, g in ((group or {}).get("children") or {}).items():
        out[name] = g
        groups_of(g, out)
    return out


def require(path, header, where, have, names):
    for name in sorted(names):
        if name not in have and not named_in(header, name):
            fail(path, f"{where}: {name} is neither set nor named in the comment block")


def check_addresses(path, hosts, net_key_values):
    nets = [ipaddress.ip_network(v) for v in net_key_values if v]
    for h, hv in hosts.items():
        if "ansible_host" in hv:
            a = ipaddress.ip_address(hv["ansible_host"])
            if nets and not any(a in n for n in nets):
                fail(path, f"{h}: ansible_host {a} is outside the machine network {nets}")


def check_abi(path, doc, header, ref):
    tmpl = jinja_yaml(read(ref.ref, "dci/abi_on_libvirt-hosts.j2"))
    consumers = "\n".join(read(ref.ref, f) for f in (
        "redhatci/vendors-kvm-defaults-main.yml", "redhatci/vendors-kvm-get-sm.yml",
        "redhatci/generate_manifests-agent-config.yaml.j2", "redhatci/insert_dns_records-tasks-main.yml",
        "redhatci/insert_dns_records-openshift-cluster.conf.j2", "redhatci/insert_dns_records-defaults-main.yml"))
    hostvars, groups, words = reads(consumers)
    tall = tmpl["all"]
    tnodes = tall["children"]["nodes"]
    node_keys = set(tnodes["vars"]) | {"role"}
    for h in hosts_of(tnodes).values():
        node_keys |= set(h)
    # the list: the template says DCI's playbooks need `cluster`
    need_vars = {k for k in tall["vars"] if k in words} | {"machine_network_cidr", "cluster"}
    need_host = (hostvars & node_keys) | {"ansible_host", "vendor"}
    need_groups = groups & (set(groups_of(tall)) | {"nodes"})

    a = doc["all"]
    have_vars = a.get("vars") or {}
    require(path, header, "all.vars", have_vars, need_vars)
    have_groups = groups_of(a)
    for g in sorted(need_groups):
        if g == "workers" and not any(hv.get("role") == "worker" for hv in hosts_of(have_groups.get("nodes")).values()):
            continue
        if g not in have_groups and not named_in(header, g):
            fail(path, f"group {g} is neither there nor named in the comment block")
    nodes = hosts_of(have_groups.get("nodes"))
    if not nodes:
        fail(path, "group nodes has no hosts")
    for h, hv in nodes.items():
        mentioned = header
        require(path, mentioned, f"host {h}", hv, need_host - ({"vendor"} if named_in(header, h) else set()))
        if "bmc_address" in hv and not AUTHORITY_RE.match(str(hv["bmc_address"])):
            fail(path, f"host {h}: bmc_address {hv['bmc_address']} is not HOST:PORT (the role adds the scheme)")
        if not MAC_RE.match(str(hv.get("mac", ""))):
            fail(path, f"host {h}: mac {hv.get('mac')} is not a MAC")
        if hv.get("role") not in ("master", "worker"):
            fail(path, f"host {h}: role {hv.get('role')}")
    for h in have_groups.get("masters", {}).get("hosts", {}) or {}:
        if nodes.get(h, {}).get("role") != "master":
            fail(path, f"host {h} of masters is not a master")
    extra = [m["cidr"] for m in have_vars.get("extra_machine_networks", [])]
    check_addresses(path, nodes, [have_vars.get("machine_network_cidr")] + extra)


def ini_template(text):
    """[all:vars] keys, groups and per-host keys of an INI inventory
    template, outside {% if %} blocks (what every inventory has)."""
    depth, section = 0, None
    all_vars, groups, host_keys = set(), set(), set()
    for line in text.splitlines():
        s = line.strip()
        if re.match(r"\{%-?\s*if\b", s) and "endif" not in s:
            depth += 1
            continue
        if re.match(r"\{%-?\s*endif", s):
            depth -= 1
            continue
        if depth > 0 or s.startswith("#") or not s:
            continue
        m = re.match(r"^\[([\w:]+)\]$", s)
        if m:
            section = m.group(1)
            if ":" not in section:
                groups.add(section)
            continue
        if section == "all:vars":
            m = re.match(r"^(\w+)=", s)
            if m:
                all_vars.add(m.group(1))
        elif section in ("masters", "workers"):
            inline = re.sub(r"\{%-?\s*if.*?\{%-?\s*endif\s*-?%\}", "", s)
            host_keys |= set(re.findall(r"\b(\w+)=", inline))
    return all_vars, groups, host_keys


def check_ipi(path, doc, header, ref):
    all_vars, tgroups, host_keys = ini_template(read(ref.ref, "redhatci/ocp_on_libvirt-hosts.j2"))
    consumer = read(ref.ref, "redhatci/installer-install-config-virtualmedia.j2")
    hostvars, groups, _ = reads(consumer)
    need_host = host_keys - {"ansible_host"}
    a = doc["all"]
    have_vars = a.get("vars") or {}
    require(path, header, "all.vars", have_vars, all_vars)
    have_groups = groups_of(a)
    for g in sorted((tgroups - {"ocs_nodes"}) | ({"masters"} & groups)):
        if g == "workers" and not have_vars.get("numworkers"):
            continue
        if g not in have_groups and not named_in(header, g):
            fail(path, f"group {g} is neither there nor named in the comment block")
    hosts = {}
    for g in ("masters", "workers"):
        hosts.update(hosts_of(have_groups.get(g)))
    if len(hosts_of(have_groups.get("masters"))) != have_vars.get("nummasters"):
        fail(path, "nummasters is not the number of masters")
    redfish = set((have_groups.get("kvm_hosts_redfish") or {}).get("hosts") or {})
    for h, hv in hosts.items():
        require(path, header, f"host {h}", hv, need_host)
        if h in redfish:
            # the installer role's bmc.address for kvm_hosts_redfish
            require(path, header, f"host {h}", hv, {"ipmi_address", "redfish_port", "kvm_uuid"} & hostvars)
            if not UUID_RE.match(str(hv.get("kvm_uuid", ""))):
                fail(path, f"host {h}: kvm_uuid {hv.get('kvm_uuid')} is not a UUID")
            if not isinstance(hv.get("redfish_port"), int):
                fail(path, f"host {h}: redfish_port {hv.get('redfish_port')} is not a number")
        if not MAC_RE.match(str(hv.get("provision_mac", ""))):
            fail(path, f"host {h}: provision_mac {hv.get('provision_mac')} is not a MAC")
        if ("root_device_hint" in hv) != ("root_device_hint_value" in hv):
            fail(path, f"host {h}: root_device_hint without its value, or the reverse")
    if have_vars.get("dualstack_baremetal"):
        require(path, header, "all.vars", have_vars, {"extcidrnet6", "ipv6_enabled"})
    check_addresses(path, hosts, [have_vars.get("extcidrnet"), have_vars.get("extcidrnet6")])


def check_file(path, ref):
    text = open(path).read()
    if not text.startswith("#"):
        fail(path, "no comment block")
    header = header_of(text)
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return "dnsmasq" if "dnsmasq" in os.path.basename(path) else fail(path, "not YAML")
    if len(docs) != 1 or not isinstance(docs[0], dict):
        return "dnsmasq" if "dnsmasq" in os.path.basename(path) else fail(path, "not one YAML mapping")
    doc = docs[0]
    kind = doc.get("kind")
    if kind == "ClusterInstance":
        check_clusterinstance(path, doc, header, ref)
    elif kind == "SiteConfig":
        check_siteconfig(path, doc, header, ref)
    elif (doc.get("all", {}).get("vars") or {}).get("install_type") == "abi":
        check_abi(path, doc, header, ref)
    elif (doc.get("all", {}).get("vars") or {}).get("install_type") == "ipi":
        check_ipi(path, doc, header, ref)
    else:
        fail(path, "neither a ClusterInstance, a SiteConfig nor a DCI inventory")
        return None
    return kind or doc["all"]["vars"]["install_type"]


CRD = "siteconfig-v2/clusterinstances-crd.yaml"
SKIP = 77  # meson's "skipped"


def reference_find(given, search_from):
    """The reference copies: --reference, else $NETD_ZTP_REFERENCE, else
    shared/reference/ztp in the repository's parent or any folder above it
    (CI has them beside the clone). None when there are none."""
    places = [given, os.environ.get("NETD_ZTP_REFERENCE")]
    d = os.path.abspath(search_from) if search_from else None
    while d:
        places.append(os.path.join(os.path.dirname(d), "shared", "reference", "ztp"))
        parent = os.path.dirname(d)
        d = parent if parent != d else None
    for p in places:
        if p and os.path.isfile(os.path.join(p, CRD)):
            return p
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", help="the reference copies (default: found, see reference_find)")
    ap.add_argument("--search-from", help="look for shared/reference/ztp beside this folder and above")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    where = reference_find(args.reference, args.search_from)
    if not where:
        print("ztp-check: no reference copies (shared/reference/ztp) beside the repository or above it;"
              " set NETD_ZTP_REFERENCE to check the exports against the real schemas", file=sys.stderr)
        return SKIP
    print(f"ztp-check: reference {where}")
    ref = Reference(where)
    kinds = {}
    files = []
    for path in args.files:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(EXPORT_SUFFIXES))
        else:
            files.append(path)
    for path in files:
        k = check_file(path, ref)
        if k:
            kinds[k] = kinds.get(k, 0) + 1
    for f in failures:
        print("FAIL", f)
    print(f"ztp-check: {len(files)} files, checked " +
          ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + f"; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
