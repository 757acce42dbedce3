#pragma once

#include "cloudapi/cloudtypes.h"
#include "protocol/messages.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace occ::cloud {

struct CustomerRecord
{
    QString id;
    QString name;
    QByteArray keySalt;
    QByteArray keyHash;
    QByteArray caCertificatePem;
    QByteArray caKeyPem; // encrypted PKCS#8
    qint64 created = 0;
};

// An enrolled hub or connector.
struct NodeRecord
{
    QString id;
    QString customerId;
    QString role; // hub | connector
    QString hostname;
    qint64 created = 0;
};

struct HubRecord
{
    QString hubId;
    QString customerId;
    QString hostname;
    QString path; // as last reported; the page shows Offline after server/offlineAfter
    QString connectorId;
    QString os;
    QString agentVersion;
    qint64 queueDepth = 0;
    qint64 dropped = 0;
    qint64 lastSeen = 0; // ms since the epoch
    qint64 lastSeq = 0;
    qint64 count = 0;
};

struct StoredMeasurement
{
    QString hubId;
    protocol::Measurement measurement;
    qint64 received = 0;
    QString via; // connector id, or "direct"
};

struct CommandRecord
{
    QString id;
    QString hubId;
    QString kind;
    QStringList args;
    qint64 created = 0;
    qint64 expires = 0;
    QString state; // pending | delivered | done | failed | expired
    qint64 delivered = 0;
    qint64 completed = 0;
    bool ok = false;
    QString detail;
    QString issuedBy;
};

} // namespace occ::cloud
