#include "schema.h"

namespace occ::cloud {

const QList<QStringList> &schemaMigrations()
{
    static const QList<QStringList> migrations = {
        // version 1
        {
            QStringLiteral("CREATE TABLE customers ("
                           " id TEXT PRIMARY KEY, name TEXT NOT NULL,"
                           " key_salt TEXT NOT NULL, key_hash TEXT NOT NULL,"
                           " ca_certificate TEXT NOT NULL, ca_key TEXT NOT NULL,"
                           " created BIGINT NOT NULL)"),
            // Enrolled hubs and connectors.
            QStringLiteral("CREATE TABLE nodes ("
                           " id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),"
                           " role TEXT NOT NULL, hostname TEXT NOT NULL, created BIGINT NOT NULL)"),
            QStringLiteral("CREATE TABLE certificates ("
                           " serial TEXT PRIMARY KEY, node_id TEXT NOT NULL REFERENCES nodes(id),"
                           " customer_id TEXT NOT NULL, fingerprint TEXT NOT NULL,"
                           " not_after BIGINT NOT NULL, issued BIGINT NOT NULL, revoked BIGINT)"),
            QStringLiteral("CREATE INDEX certificates_customer ON certificates (customer_id, revoked)"),
            QStringLiteral("CREATE TABLE connectors ("
                           " connector_id TEXT PRIMARY KEY REFERENCES nodes(id), customer_id TEXT NOT NULL,"
                           " hostname TEXT NOT NULL, addresses TEXT NOT NULL, port INTEGER NOT NULL,"
                           " fingerprint TEXT NOT NULL, version TEXT NOT NULL, last_seen BIGINT NOT NULL)"),
            QStringLiteral("CREATE TABLE hub_state ("
                           " hub_id TEXT PRIMARY KEY REFERENCES nodes(id), customer_id TEXT NOT NULL,"
                           " path TEXT, connector_id TEXT, hostname TEXT, os TEXT, agent_version TEXT,"
                           " queue_depth BIGINT NOT NULL DEFAULT 0, dropped BIGINT NOT NULL DEFAULT 0,"
                           " last_seen BIGINT NOT NULL DEFAULT 0, last_seq BIGINT NOT NULL DEFAULT 0,"
                           " count BIGINT NOT NULL DEFAULT 0)"),
            QStringLiteral(
                "CREATE TABLE measurements ("
                " hub_id TEXT NOT NULL, seq BIGINT NOT NULL, sensor TEXT NOT NULL,"
                " ts BIGINT NOT NULL, status TEXT NOT NULL, vals TEXT NOT NULL, text TEXT NOT NULL,"
                " received BIGINT NOT NULL, via TEXT NOT NULL,"
                " PRIMARY KEY (hub_id, seq))"),
            QStringLiteral(
                "CREATE TABLE latest ("
                " hub_id TEXT NOT NULL, sensor TEXT NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL,"
                " status TEXT NOT NULL, vals TEXT NOT NULL, text TEXT NOT NULL,"
                " PRIMARY KEY (hub_id, sensor))"),
            QStringLiteral(
                "CREATE TABLE commands ("
                " id TEXT PRIMARY KEY, hub_id TEXT NOT NULL REFERENCES nodes(id), kind TEXT NOT NULL,"
                " args TEXT NOT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL,"
                " state TEXT NOT NULL, delivered BIGINT, completed BIGINT, ok INTEGER,"
                " detail TEXT, issued_by TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX commands_pending ON commands (hub_id, state)"),
        },
    };
    return migrations;
}

} // namespace occ::cloud
