#pragma once

#include "core/result.h"
#include "storage/database.h"
#include "storage/records.h"

#include <QSet>

namespace occ::cloud {

// Customers, enrolled nodes, issued certificates, revocations and connector
// addresses.
class Registry
{
public:
    explicit Registry(Database &database)
        : m_db(database)
    {}

    Result<void> addCustomer(const CustomerRecord &customer);
    Result<std::optional<CustomerRecord>> customer(const QString &id);
    Result<QList<CustomerRecord>> customers();

    Result<void> addNode(const NodeRecord &node, const QByteArray &serial, const QByteArray &fingerprint,
                         qint64 notAfter, qint64 now);
    Result<std::optional<NodeRecord>> node(const QString &id);
    Result<void> addCertificate(const QString &nodeId, const QString &customerId, const QByteArray &serial,
                                const QByteArray &fingerprint, qint64 notAfter, qint64 now);

    // Revokes every certificate of a node id, or one certificate by serial.
    // Returns how many certificates were newly revoked.
    Result<int> revoke(const QString &idOrSerial, qint64 now);
    Result<bool> isRevoked(const QByteArray &serial);
    Result<QStringList> revokedSerials(const QString &customerId);

    Result<void> upsertConnector(const QString &customerId, const cloudapi::ConnectorInfo &info, qint64 now);
    Result<QList<cloudapi::ConnectorInfo>> connectors(const QString &customerId);

private:
    Database &m_db;
};

} // namespace occ::cloud
