#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The layering check: reads the table of layers in docs/architecture.md and
fails, naming file and line, on

  - an #include "..." that crosses a direction the table does not allow,
  - an #include <...> of a library the layer does not use,
  - a folder or header circle,
  - a function or variable declared in a public header whose name does not
    start with the object its file is named for (foo-bar.h: foo_bar_ or bar_),
  - a .c file of netd/, db/ or netctl/ over MAX_LINES lines.

Usage: check-layers.py [SOURCE_ROOT]   (prints every finding, exit 1 if any)
"""
import os
import re
import sys

MAX_LINES = 800
SOURCE_DIRS = ("netd", "db", "netctl")
# A library named in the table's "libraries" column -> the headers it brings.
LIBRARY_HEADERS = {
    "json-c": ("json-c/",),
    "sqlite3": ("sqlite3.h",),
    "libevent": ("event2/",),
    "libnl": ("netlink/",),
    "libvirt": ("libvirt/",),
    "libxml2": ("libxml/",),
    "uuid": ("uuid.h", "uuid/"),
    "libyaml": ("yaml.h",),
    "libsystemd": ("systemd/",),
}


def fail(findings, path, line, msg):
    findings.append(f"{path}:{line}: {msg}")


def read_table(root):
    """The rows between the <!-- layers --> markers: | `layer` | `a`, `b` | libs |."""
    doc = os.path.join(root, "docs", "architecture.md")
    text = open(doc, encoding="utf-8").read()
    m = re.search(r"<!-- layers -->(.*?)<!-- /layers -->", text, re.S)
    if not m:
        sys.exit(f"{doc}: no <!-- layers --> table")
    layers = {}
    for row in m.group(1).splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        allowed = re.findall(r"`([^`]+)`", cells[1])
        libs = re.findall(r"`([^`]+)`", cells[2])
        for lib in libs:
            if lib not in LIBRARY_HEADERS:
                sys.exit(f"{doc}: layer {name}: unknown library {lib}")
        layers[name] = (set(allowed), set(libs))
    for name, (allowed, _) in layers.items():
        for a in allowed:
            if a not in layers:
                sys.exit(f"{doc}: layer {name} may include {a}, which is no layer")
    return layers


def libraries(layers, name, seen=None):
    """The libraries a layer may use: its own and those of every layer below it."""
    seen = set() if seen is None else seen
    if name in seen:
        return set()
    seen.add(name)
    allowed, libs = layers[name]
    out = set(libs)
    for a in allowed:
        out |= libraries(layers, a, seen)
    return out


def layer_of(rel, layers):
    """The deepest layer folder holding `rel`, or None."""
    d = os.path.dirname(rel)
    while d:
        if d in layers:
            return d
        d = os.path.dirname(d)
    return None


def sources(root):
    for top in SOURCE_DIRS:
        for dirpath, dirnames, files in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, f), root)


def strip_comments(text):
    # Keep line numbers: replace comments by as many newlines.
    def blank(m):
        return "\n" * m.group(0).count("\n")
    text = re.sub(r"/\*.*?\*/", blank, text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def check_includes(root, layers, findings):
    graph = {}        # header/source -> set of project headers it includes
    folder_edges = {}  # layer -> set of layers it includes
    for rel in sources(root):
        layer = layer_of(rel, layers)
        if layer is None:
            fail(findings, rel, 1, "not in any layer of docs/architecture.md")
            continue
        allowed = layers[layer][0]
        libs = libraries(layers, layer)
        graph.setdefault(rel, set())
        lines = open(os.path.join(root, rel), encoding="utf-8").read().split("\n")
        for n, line in enumerate(lines, 1):
            m = re.match(r'\s*#\s*include\s+([<"])([^>"]+)[>"]', line)
            if not m:
                continue
            kind, name = m.groups()
            if kind == "<":
                for lib, prefixes in LIBRARY_HEADERS.items():
                    if name.startswith(prefixes) and lib not in libs:
                        fail(findings, rel, n, f"<{name}> is {lib}, which layer {layer} does not use")
                continue
            local = os.path.normpath(os.path.join(os.path.dirname(rel), name))
            target = local if os.path.exists(os.path.join(root, local)) else os.path.normpath(name)
            if not os.path.exists(os.path.join(root, target)):
                fail(findings, rel, n, f'"{name}" not found')
                continue
            graph[rel].add(target)
            tlayer = layer_of(target, layers)
            if tlayer is None or tlayer == layer:
                continue
            folder_edges.setdefault(layer, set()).add(tlayer)
            if tlayer not in allowed:
                fail(findings, rel, n, f'"{name}": layer {layer} may not include {tlayer}')
            if target.endswith("-private.h"):
                fail(findings, rel, n, f'"{name}" is private to {tlayer}')
    return graph, folder_edges


def find_cycle(edges):
    """A cycle in a graph {node: set(nodes)} as a list, or None."""
    color = {}
    stack = []

    def visit(u):
        color[u] = 1
        stack.append(u)
        for v in sorted(edges.get(u, ())):
            if color.get(v) == 1:
                return stack[stack.index(v):] + [v]
            if color.get(v) is None:
                c = visit(v)
                if c:
                    return c
        stack.pop()
        color[u] = 2
        return None

    for u in sorted(edges):
        if color.get(u) is None:
            c = visit(u)
            if c:
                return c
    return None


def declared_names(text):
    """(name, line) of the functions and variables a header declares at top
    level, not static, not typedefs, not inside a struct or enum body."""
    text = strip_comments(text)
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.M)
    out = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "{":
            # A static inline function's body ends its statement.
            if depth == 0 and start is not None and re.search(r"\bstatic\b", text[start:i]):
                start = None
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and start is None:
                start = i + 1
        elif ch == ";" and depth == 0:
            if start is not None:
                raw = text[start:i]
                stmt = raw.strip()
                first = start + len(raw) - len(raw.lstrip())
                out.extend(parse_statement(stmt, text.count("\n", 0, first) + 1))
            start = i + 1
    return out


def parse_statement(stmt, line):
    if not stmt or re.match(r"(typedef|static)\b", stmt):
        return []
    # A struct/enum definition ends with "}" before the ";": nothing declared.
    if stmt.endswith("}") or re.match(r"(struct|enum|union)\s+\w+\s*$", stmt):
        return []
    m = re.match(r"[^()]*?\b([A-Za-z_]\w*)\s*\(", stmt)
    if m:
        return [(m.group(1), line)]
    m = re.match(r"extern\b[^()=\[]*?\b([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*$", stmt)
    if m:
        return [(m.group(1), line)]
    return []


def check_names(root, findings):
    for rel in sources(root):
        if not rel.endswith(".h") or rel.endswith("-private.h"):
            continue
        base = os.path.basename(rel)[:-2]
        prefixes = {base.replace("-", "_") + "_", base.split("-")[-1] + "_"}
        text = open(os.path.join(root, rel), encoding="utf-8").read()
        for name, line in declared_names(text):
            if not any(name.startswith(p) for p in prefixes):
                want = " or ".join(sorted(prefixes))
                fail(findings, rel, line, f"{name}() is declared in {os.path.basename(rel)}: its name should start with {want}")


def check_sizes(root, findings):
    for rel in sources(root):
        if rel.endswith(".c"):
            n = sum(1 for _ in open(os.path.join(root, rel), encoding="utf-8"))
            if n > MAX_LINES:
                fail(findings, rel, n, f"{n} lines: split it by object (at most {MAX_LINES})")


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    findings = []
    layers = read_table(root)
    cycle = find_cycle({k: v[0] for k, v in layers.items()})
    if cycle:
        fail(findings, "docs/architecture.md", 1, "the layer table has a circle: " + " -> ".join(cycle))
    graph, folder_edges = check_includes(root, layers, findings)
    cycle = find_cycle(folder_edges)
    if cycle:
        fail(findings, cycle[0], 1, "folders include each other in a circle: " + " -> ".join(cycle))
    cycle = find_cycle({k: {t for t in v if t.endswith(".h")} for k, v in graph.items() if k.endswith(".h")})
    if cycle:
        fail(findings, cycle[0], 1, "headers include each other in a circle: " + " -> ".join(cycle))
    check_names(root, findings)
    check_sizes(root, findings)
    for f in findings:
        print(f)
    n_files = sum(1 for _ in sources(root))
    print(f"check-layers: {n_files} files, {len(layers)} layers, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
