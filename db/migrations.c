/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The schema, as numbered migrations. Migration N brings PRAGMA user_version
 * from N-1 to N; a released migration is never edited, only followed by a
 * new one.
 *
 * Addresses are 16-byte big-endian blobs, so blob order is numeric order
 * and the (network_id, addr) indexes hand out addresses sorted. Every held
 * address (node IPs and VIPs) lives in `addresses`, so one UNIQUE
 * constraint guards them all. The triggers keep `released_addresses` (the
 * reuse history) disjoint from `addresses` whatever deletes a row:
 * releasing a node, or a cluster through the cascades. */
#include "store-private.h"

static const char *const migrations[] = {
        /* 1: everything */
        "CREATE TABLE networks ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  family INTEGER NOT NULL CHECK (family IN (4, 6)),"
        "  prefix BLOB NOT NULL CHECK (length(prefix) = 16),"
        "  prefix_len INTEGER NOT NULL CHECK (prefix_len BETWEEN 0 AND 128),"
        "  gateway BLOB CHECK (gateway IS NULL OR length(gateway) = 16),"
        "  domain TEXT NOT NULL,"
        "  interface TEXT,"
        "  vni INTEGER CHECK (vni BETWEEN 1 AND 16777215),"
        "  bridge TEXT,"
        "  mtu INTEGER CHECK (mtu BETWEEN 68 AND 65535),"
        "  dhcp_start BLOB CHECK (dhcp_start IS NULL OR length(dhcp_start) = 16),"
        "  dhcp_end BLOB CHECK (dhcp_end IS NULL OR length(dhcp_end) = 16),"
        "  CHECK ((dhcp_start IS NULL) = (dhcp_end IS NULL))"
        ");"
        "CREATE TABLE reserved_ranges ("
        "  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,"
        "  seq INTEGER NOT NULL,"
        "  start_addr BLOB NOT NULL CHECK (length(start_addr) = 16),"
        "  end_addr BLOB NOT NULL CHECK (length(end_addr) = 16),"
        "  PRIMARY KEY (network_id, seq),"
        "  CHECK (start_addr <= end_addr)"
        ");"
        "CREATE TABLE clusters ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE RESTRICT,"
        "  domain TEXT NOT NULL,"
        "  topology TEXT NOT NULL CHECK (topology IN ('sno', 'compact', 'mno')),"
        "  masters INTEGER NOT NULL CHECK (masters >= 1),"
        "  workers INTEGER NOT NULL CHECK (workers >= 0)"
        ");"
        "CREATE INDEX clusters_network ON clusters(network_id);"
        "CREATE TABLE nodes ("
        "  id INTEGER PRIMARY KEY,"
        "  cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  role TEXT NOT NULL CHECK (role IN ('master', 'worker')),"
        "  mac INTEGER NOT NULL UNIQUE CHECK (mac BETWEEN 1 AND 281474976710655),"
        "  UNIQUE (cluster_id, name)"
        ");"
        "CREATE TABLE addresses ("
        "  id INTEGER PRIMARY KEY,"
        "  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE RESTRICT,"
        "  addr BLOB NOT NULL CHECK (length(addr) = 16),"
        "  cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,"
        "  node_id INTEGER UNIQUE REFERENCES nodes(id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind IN ('node', 'api-vip', 'ingress-vip')),"
        "  CHECK ((kind = 'node') = (node_id IS NOT NULL)),"
        "  UNIQUE (network_id, addr)"
        ");"
        "CREATE INDEX addresses_cluster ON addresses(cluster_id);"
        "CREATE UNIQUE INDEX addresses_vip ON addresses(cluster_id, kind) WHERE node_id IS NULL;"
        "CREATE TABLE released_addresses ("
        "  seq INTEGER PRIMARY KEY,"
        "  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,"
        "  addr BLOB NOT NULL CHECK (length(addr) = 16),"
        "  released_at INTEGER NOT NULL,"
        "  UNIQUE (network_id, addr)"
        ");"
        "CREATE TRIGGER addresses_release AFTER DELETE ON addresses BEGIN"
        "  INSERT OR REPLACE INTO released_addresses (network_id, addr, released_at)"
        "    VALUES (OLD.network_id, OLD.addr, CAST(strftime('%s', 'now') AS INTEGER));"
        "END;"
        "CREATE TRIGGER addresses_reuse AFTER INSERT ON addresses BEGIN"
        "  DELETE FROM released_addresses WHERE network_id = NEW.network_id AND addr = NEW.addr;"
        "END;",

        /* 2: the fabric. A network's VXLAN device is named after its VNI, so
         * two networks sharing one would fight over the device. Attachments,
         * links and routes hold their host (and network) back from deletion;
         * queued garbage dies with its host, which can no longer be reached. */
        "CREATE UNIQUE INDEX networks_vni ON networks(vni) WHERE vni IS NOT NULL;"
        "CREATE TABLE hosts ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  connect TEXT NOT NULL CHECK (length(connect) BETWEEN 1 AND 1024),"
        "  underlay BLOB NOT NULL CHECK (length(underlay) = 16),"
        "  underlay_family INTEGER NOT NULL CHECK (underlay_family IN (4, 6)),"
        "  libvirt TEXT,"
        "  bmc TEXT,"
        "  UNIQUE (underlay_family, underlay)"
        ");"
        "CREATE TABLE attachments ("
        "  id INTEGER PRIMARY KEY,"
        "  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE RESTRICT,"
        "  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE RESTRICT,"
        "  uplink TEXT,"
        "  address BLOB CHECK (address IS NULL OR length(address) = 16),"
        "  address_family INTEGER CHECK (address_family IN (4, 6)),"
        "  prefixlen INTEGER CHECK (prefixlen BETWEEN 1 AND 128),"
        "  CHECK ((address IS NULL) = (address_family IS NULL) AND (address IS NULL) = (prefixlen IS NULL)),"
        "  UNIQUE (network_id, host_id)"
        ");"
        "CREATE INDEX attachments_host ON attachments(host_id);"
        "CREATE TABLE links ("
        "  id INTEGER PRIMARY KEY,"
        "  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE RESTRICT,"
        "  kind TEXT NOT NULL CHECK (kind IN ('veth')),"
        "  name TEXT NOT NULL,"
        "  peer TEXT NOT NULL,"
        "  master TEXT,"
        "  peer_master TEXT,"
        "  CHECK (name <> peer),"
        "  UNIQUE (host_id, name),"
        "  UNIQUE (host_id, peer)"
        ");"
        "CREATE TABLE routes ("
        "  id INTEGER PRIMARY KEY,"
        "  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE RESTRICT,"
        "  dest BLOB NOT NULL CHECK (length(dest) = 16),"
        "  dest_family INTEGER NOT NULL CHECK (dest_family IN (4, 6)),"
        "  dest_len INTEGER NOT NULL CHECK (dest_len BETWEEN 0 AND 128),"
        "  via BLOB NOT NULL CHECK (length(via) = 16),"
        "  dev TEXT,"
        "  UNIQUE (host_id, dest_family, dest, dest_len)"
        ");"
        "CREATE TABLE fabric_garbage ("
        "  id INTEGER PRIMARY KEY,"
        "  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL,"
        "  name TEXT NOT NULL,"
        "  json TEXT NOT NULL,"
        "  UNIQUE (host_id, json)"
        ");",

        /* 3: what DHCP hands out. A network's boot settings (a row only when
         * one is set), its DHCP options (one value per name, in the order
         * given), and a node's own boot instructions over its network's (a
         * row only for a node that has them); all go with their owner.
         * IF NOT EXISTS: applying it to a schema that has it is harmless. */
        "CREATE TABLE IF NOT EXISTS network_boot ("
        "  network_id INTEGER PRIMARY KEY REFERENCES networks(id) ON DELETE CASCADE,"
        "  file TEXT,"
        "  file_efi TEXT,"
        "  server BLOB CHECK (server IS NULL OR length(server) = 16),"
        "  tftp_root TEXT,"
        "  ipxe_script TEXT,"
        "  CHECK (COALESCE(file, file_efi, server, tftp_root, ipxe_script) IS NOT NULL)"
        ");"
        "CREATE TABLE IF NOT EXISTS network_dhcp_options ("
        "  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  value TEXT NOT NULL,"
        "  position INTEGER NOT NULL,"
        "  UNIQUE (network_id, name),"
        "  UNIQUE (network_id, position)"
        ");"
        "CREATE TABLE IF NOT EXISTS node_boot ("
        "  node_id INTEGER PRIMARY KEY REFERENCES nodes(id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind IN ('ipxe-script', 'file')),"
        "  value TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 255)"
        ");",

        /* 4: dual-stack clusters, reused nodes, node facts. A cluster has one
         * network per family (position 0 is the primary family) with an
         * optional machine network; a node holds one address per network of
         * its cluster, and the VIPs are per network. A node that reuses
         * another (--reuse) has no MAC and no address of its own; its owner
         * cannot be deleted under it. Tables whose constraints change are
         * rebuilt (foreign keys are off while a migration runs). */
        "CREATE TABLE cluster_networks ("
        "  cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,"
        "  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE RESTRICT,"
        "  family INTEGER NOT NULL CHECK (family IN (4, 6)),"
        "  position INTEGER NOT NULL CHECK (position IN (0, 1)),"
        "  machine_prefix BLOB CHECK (machine_prefix IS NULL OR length(machine_prefix) = 16),"
        "  machine_prefix_len INTEGER CHECK (machine_prefix_len BETWEEN 0 AND 128),"
        "  CHECK ((machine_prefix IS NULL) = (machine_prefix_len IS NULL)),"
        "  PRIMARY KEY (cluster_id, position),"
        "  UNIQUE (cluster_id, family),"
        "  UNIQUE (cluster_id, network_id)"
        ");"
        "CREATE INDEX cluster_networks_network ON cluster_networks(network_id);"
        "CREATE TRIGGER cluster_networks_family BEFORE INSERT ON cluster_networks"
        "  WHEN NEW.family <> (SELECT family FROM networks WHERE id = NEW.network_id) BEGIN"
        "  SELECT RAISE(ABORT, 'cluster network family differs from the network''s');"
        "END;"
        "INSERT INTO cluster_networks (cluster_id, network_id, family, position)"
        "  SELECT c.id, c.network_id, n.family, 0 FROM clusters c JOIN networks n ON n.id = c.network_id;"
        "CREATE TABLE nodes_new ("
        "  id INTEGER PRIMARY KEY,"
        "  cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,"
        "  name TEXT NOT NULL,"
        "  role TEXT NOT NULL CHECK (role IN ('master', 'worker')),"
        "  mac INTEGER UNIQUE CHECK (mac BETWEEN 1 AND 281474976710655),"
        "  reuses INTEGER REFERENCES nodes(id) ON DELETE RESTRICT,"
        "  bmc_address TEXT CHECK (length(bmc_address) BETWEEN 1 AND 255),"
        "  root_disk TEXT CHECK (length(root_disk) BETWEEN 1 AND 255),"
        "  boot_mode TEXT CHECK (boot_mode IN ('uefi', 'uefi-secure', 'legacy')),"
        "  CHECK ((mac IS NULL) = (reuses IS NOT NULL)),"
        "  UNIQUE (cluster_id, name)"
        ");"
        "INSERT INTO nodes_new (id, cluster_id, name, role, mac)"
        "  SELECT id, cluster_id, name, role, mac FROM nodes;"
        "DROP TABLE nodes;"
        "ALTER TABLE nodes_new RENAME TO nodes;"
        "CREATE INDEX nodes_reuses ON nodes(reuses) WHERE reuses IS NOT NULL;"
        "CREATE TABLE addresses_new ("
        "  id INTEGER PRIMARY KEY,"
        "  network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE RESTRICT,"
        "  addr BLOB NOT NULL CHECK (length(addr) = 16),"
        "  cluster_id INTEGER NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,"
        "  node_id INTEGER REFERENCES nodes(id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind IN ('node', 'api-vip', 'ingress-vip')),"
        "  CHECK ((kind = 'node') = (node_id IS NOT NULL)),"
        "  FOREIGN KEY (cluster_id, network_id) REFERENCES cluster_networks(cluster_id, network_id)"
        "    ON DELETE CASCADE,"
        "  UNIQUE (network_id, addr),"
        "  UNIQUE (node_id, network_id)"
        ");"
        "INSERT INTO addresses_new SELECT id, network_id, addr, cluster_id, node_id, kind FROM addresses;"
        "DROP TABLE addresses;"
        "ALTER TABLE addresses_new RENAME TO addresses;"
        "CREATE INDEX addresses_cluster ON addresses(cluster_id);"
        "CREATE UNIQUE INDEX addresses_vip ON addresses(cluster_id, network_id, kind) WHERE node_id IS NULL;"
        "CREATE TRIGGER addresses_release AFTER DELETE ON addresses BEGIN"
        "  INSERT OR REPLACE INTO released_addresses (network_id, addr, released_at)"
        "    VALUES (OLD.network_id, OLD.addr, CAST(strftime('%s', 'now') AS INTEGER));"
        "END;"
        "CREATE TRIGGER addresses_reuse AFTER INSERT ON addresses BEGIN"
        "  DELETE FROM released_addresses WHERE network_id = NEW.network_id AND addr = NEW.addr;"
        "END;",

        /* 5: hosts: two underlays, agent path (issue 13). */
        /* At most one underlay per family and host; an address is one
         * host's (UNIQUE (family, addr)). The agent's program (--agent).
         * A network's VXLAN runs over the underlays of its family. */
        "CREATE TABLE hosts_new ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  connect TEXT NOT NULL CHECK (length(connect) BETWEEN 1 AND 1024),"
        "  agent TEXT NOT NULL DEFAULT 'netd' CHECK (length(agent) BETWEEN 1 AND 255),"
        "  libvirt TEXT,"
        "  bmc TEXT"
        ");"
        "INSERT INTO hosts_new (id, name, connect, libvirt, bmc)"
        "  SELECT id, name, connect, libvirt, bmc FROM hosts;"
        "CREATE TABLE host_underlays ("
        "  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
        "  family INTEGER NOT NULL CHECK (family IN (4, 6)),"
        "  addr BLOB NOT NULL CHECK (length(addr) = 16),"
        "  PRIMARY KEY (host_id, family),"
        "  UNIQUE (family, addr)"
        ");"
        "INSERT INTO host_underlays (host_id, family, addr)"
        "  SELECT id, underlay_family, underlay FROM hosts;"
        "DROP TABLE hosts;"
        "ALTER TABLE hosts_new RENAME TO hosts;"
        "ALTER TABLE networks ADD COLUMN underlay_family INTEGER NOT NULL DEFAULT 4"
        "  CHECK (underlay_family IN (4, 6));"
        /* A network whose hosts all had IPv6 underlays ran over IPv6. */
        "UPDATE networks SET underlay_family = 6"
        "  WHERE id IN (SELECT network_id FROM attachments)"
        "  AND id NOT IN (SELECT a.network_id FROM attachments a JOIN host_underlays u"
        "    ON u.host_id = a.host_id AND u.family = 4);",
};

int store_schema_version(void) {
        return (int)ARRAY_SIZE(migrations);
}

const char *migrations_sql(int version) {
        return version >= 1 && version <= store_schema_version() ? migrations[version - 1] : NULL;
}

static int user_version_get(struct store *s, int *ret, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_query(s, "PRAGMA user_version", &stmt, err);
        if (r < 0)
                return r;
        *ret = r > 0 ? sqlite3_column_int(stmt, 0) : 0;
        return 0;
}

/* After migration `version`: every reference still points at a row. */
static int foreign_keys_check(struct store *s, int version, struct netd_error *err) {
        _cleanup_stmt_ sqlite3_stmt *stmt = NULL;
        int r;

        r = store_query(s, "PRAGMA foreign_key_check", &stmt, err);
        if (r <= 0)
                return r;
        return error_set(err, NETD_EINTERNAL,
                         "database migration %d: table %s row %lld refers to a missing %s row", version,
                         (const char *)sqlite3_column_text(stmt, 0), (long long)sqlite3_column_int64(stmt, 1),
                         (const char *)sqlite3_column_text(stmt, 2));
}

static int migrations_run(struct store *s, int latest, struct netd_error *err) {
        for (;;) {
                _cleanup_tx_ struct store_tx tx = {};
                char set_version[64];
                int version, r;

                /* Read the version inside the write transaction, so that two
                 * processes opening a new file cannot both migrate it. */
                r = store_tx_begin(s, true, &tx, err);
                if (r < 0)
                        return r;
                r = user_version_get(s, &version, err);
                if (r < 0)
                        return r;
                if (version > latest)
                        return error_set(err, NETD_EINTERNAL,
                                         "database schema version %d is newer than this netd's (%d)", version,
                                         latest);
                if (version == latest)
                        return store_tx_commit(&tx, err);

                r = store_exec(s, migrations[version], err);
                if (r < 0)
                        return r;
                r = foreign_keys_check(s, version + 1, err);
                if (r < 0)
                        return r;
                /* PRAGMA takes no bound parameters; this is an integer of ours. */
                snprintf(set_version, sizeof(set_version), "PRAGMA user_version = %d", version + 1);
                r = store_exec(s, set_version, err);
                if (r < 0)
                        return r;
                r = store_tx_commit(&tx, err);
                if (r < 0)
                        return r;
        }
}

int migrations_apply(struct store *s, struct netd_error *err) {
        int latest = store_schema_version();
        int r;

        /* SQLite's way to change a table's constraints: rebuild it with
         * foreign keys off (a no-op inside a transaction, hence here), check
         * every reference before the commit, switch them back on after. */
        r = store_exec(s, "PRAGMA foreign_keys = OFF", err);
        if (r < 0)
                return r;
        r = migrations_run(s, latest, err);
        if (r < 0) {
                (void)store_exec(s, "PRAGMA foreign_keys = ON", NULL);
                return r;
        }
        return store_exec(s, "PRAGMA foreign_keys = ON", err);
}
