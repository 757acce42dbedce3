#include "registry.h"

#include <QSqlError>

namespace occ::cloud {

namespace {

CustomerRecord customerFrom(const QSqlQuery &q)
{
    return CustomerRecord{q.value(0).toString(),
                          q.value(1).toString(),
                          q.value(2).toByteArray(),
                          q.value(3).toByteArray(),
                          q.value(4).toString().toLatin1(),
                          q.value(5).toString().toLatin1(),
                          q.value(6).toLongLong()};
}

const QString kCustomerColumns =
    QStringLiteral("SELECT id, name, key_salt, key_hash, ca_certificate, ca_key, created FROM customers");

} // namespace

Result<void> Registry::addCustomer(const CustomerRecord &c)
{
    Result<QSqlQuery> r =
        m_db.query(QStringLiteral("INSERT INTO customers (id, name, key_salt, key_hash, ca_certificate, "
                                  "ca_key, created) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                   {c.id, c.name, QString::fromLatin1(c.keySalt), QString::fromLatin1(c.keyHash),
                    QString::fromLatin1(c.caCertificatePem), QString::fromLatin1(c.caKeyPem), c.created});
    if (!r)
        return r.error();
    return {};
}

Result<std::optional<CustomerRecord>> Registry::customer(const QString &id)
{
    Result<QSqlQuery> q = m_db.query(kCustomerColumns + QStringLiteral(" WHERE id = ?"), {id});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<CustomerRecord>();
    return std::optional<CustomerRecord>(customerFrom(*q));
}

Result<QList<CustomerRecord>> Registry::customers()
{
    Result<QSqlQuery> q = m_db.query(kCustomerColumns + QStringLiteral(" ORDER BY created"));
    if (!q)
        return q.error();
    QList<CustomerRecord> list;
    while (q->next())
        list.append(customerFrom(*q));
    return list;
}

Result<void> Registry::addNode(const NodeRecord &node, const QByteArray &serial,
                               const QByteArray &fingerprint, qint64 notAfter, qint64 now)
{
    Result<QSqlDatabase> db = m_db.connection();
    if (!db)
        return db.error();
    Transaction transaction(m_db, *db);
    Result<QSqlQuery> r = execute(
        *db,
        QStringLiteral("INSERT INTO nodes (id, customer_id, role, hostname, created) VALUES (?, ?, ?, ?, ?)"),
        {node.id, node.customerId, node.role, node.hostname, node.created});
    if (!r)
        return r.error();
    if (node.role == QLatin1StringView("hub")) {
        r = execute(*db,
                    QStringLiteral("INSERT INTO hub_state (hub_id, customer_id, hostname) VALUES (?, ?, ?)"),
                    {node.id, node.customerId, node.hostname});
        if (!r)
            return r.error();
    }
    if (Result<void> c = addCertificate(node.id, node.customerId, serial, fingerprint, notAfter, now); !c)
        return c;
    return transaction.commit();
}

Result<std::optional<NodeRecord>> Registry::node(const QString &id)
{
    Result<QSqlQuery> q = m_db.query(
        QStringLiteral("SELECT id, customer_id, role, hostname, created FROM nodes WHERE id = ?"), {id});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<NodeRecord>();
    return std::optional<NodeRecord>(NodeRecord{q->value(0).toString(), q->value(1).toString(),
                                                q->value(2).toString(), q->value(3).toString(),
                                                q->value(4).toLongLong()});
}

Result<void> Registry::addCertificate(const QString &nodeId, const QString &customerId,
                                      const QByteArray &serial, const QByteArray &fingerprint,
                                      qint64 notAfter, qint64 now)
{
    Result<QSqlQuery> r = m_db.query(
        QStringLiteral("INSERT INTO certificates (serial, node_id, customer_id, fingerprint, "
                       "not_after, issued) VALUES (?, ?, ?, ?, ?, ?)"),
        {QString::fromLatin1(serial), nodeId, customerId, QString::fromLatin1(fingerprint), notAfter, now});
    if (!r)
        return r.error();
    return {};
}

Result<int> Registry::revoke(const QString &idOrSerial, qint64 now)
{
    Result<QSqlQuery> r =
        m_db.query(QStringLiteral("UPDATE certificates SET revoked = ? WHERE revoked IS NULL AND "
                                  "(node_id = ? OR serial = ?)"),
                   {now, idOrSerial, idOrSerial.toLower()});
    if (!r)
        return r.error();
    return r->numRowsAffected();
}

Result<bool> Registry::isRevoked(const QByteArray &serial)
{
    Result<QSqlQuery> q = m_db.query(QStringLiteral("SELECT revoked FROM certificates WHERE serial = ?"),
                                     {QString::fromLatin1(serial)});
    if (!q)
        return q.error();
    // A certificate the cloud has no record of is treated as revoked.
    return !q->next() || !q->value(0).isNull();
}

Result<QStringList> Registry::revokedSerials(const QString &customerId)
{
    Result<QSqlQuery> q = m_db.query(
        QStringLiteral(
            "SELECT serial FROM certificates WHERE customer_id = ? AND revoked IS NOT NULL ORDER BY serial"),
        {customerId});
    if (!q)
        return q.error();
    QStringList serials;
    while (q->next())
        serials.append(q->value(0).toString());
    return serials;
}

Result<void> Registry::upsertConnector(const QString &customerId, const cloudapi::ConnectorInfo &info,
                                       qint64 now)
{
    Result<QSqlQuery> r = m_db.query(
        QStringLiteral(
            "INSERT INTO connectors (connector_id, customer_id, hostname, addresses, port, fingerprint, "
            "version, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (connector_id) DO UPDATE SET "
            "hostname = excluded.hostname, addresses = excluded.addresses, port = excluded.port, "
            "fingerprint = excluded.fingerprint, version = excluded.version, last_seen = excluded.last_seen"),
        {info.connectorId, customerId, info.hostname, info.addresses.join(QLatin1Char(',')), info.port,
         info.fingerprint, info.version, now});
    if (!r)
        return r.error();
    return {};
}

Result<QList<cloudapi::ConnectorInfo>> Registry::connectors(const QString &customerId)
{
    Result<QSqlQuery> q =
        m_db.query(QStringLiteral("SELECT connector_id, hostname, addresses, port, fingerprint, version "
                                  "FROM connectors WHERE customer_id = ? ORDER BY last_seen DESC"),
                   {customerId});
    if (!q)
        return q.error();
    QList<cloudapi::ConnectorInfo> list;
    while (q->next()) {
        list.append({q->value(0).toString(), q->value(1).toString(),
                     q->value(2).toString().split(QLatin1Char(','), Qt::SkipEmptyParts), q->value(3).toInt(),
                     q->value(4).toString(), q->value(5).toString()});
    }
    return list;
}

} // namespace occ::cloud
