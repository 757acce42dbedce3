#pragma once

// The data of the cloud API (ARCHITECTURE §8) as plain structs, independent of the
// KDSoap types generated from resources/wsdl/occ.wsdl. soapconvert.h maps them.

#include "protocol/messages.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace occ::cloudapi {

inline constexpr const char *kNamespace = "urn:occ-project-org:cloud:1";
inline constexpr int kMaxPollSeconds = 25;

// Path names as in ARCHITECTURE §6 (also the SOAP enumeration Path).
inline constexpr const char *kPathNames[] = {"ConnectorLan", "ConnectorVpn", "DirectCloud"};

struct HubBatch
{
    QString hubId;
    QList<protocol::Measurement> measurements;
};

struct HubSeq
{
    QString hubId;
    qint64 highestSeq = 0; // highest seq the cloud holds for this hub
    int stored = 0;        // newly stored by this call
    bool operator==(const HubSeq &) const = default;
};

// ReportState's answer: how many states were taken, and the highest seq the cloud
// holds for each reported hub.
struct StateAnswer
{
    int accepted = 0;
    QList<HubSeq> highestSeqs;
};

struct HubState
{
    QString hubId;
    QString path; // one of kPathNames
    QString connectorId;
    QString hostname;
    QString os;
    QString agentVersion;
    qint64 queueDepth = 0;
    qint64 dropped = 0;
    bool operator==(const HubState &) const = default;
};

struct ConnectorInfo
{
    QString connectorId;
    QString hostname;
    QStringList addresses;
    int port = 0;
    QString fingerprint; // SHA-256 of the certificate, hex
    QString version;
    bool operator==(const ConnectorInfo &) const = default;
};

// ListConnectors' answer; highestSeq for a hub caller (0 otherwise).
struct ConnectorList
{
    QList<ConnectorInfo> connectors;
    qint64 highestSeq = 0;
};

struct Command
{
    QString id;
    QString hubId;
    QString kind;
    QStringList args;
    qint64 expires = 0; // ms since the epoch
    bool operator==(const Command &) const = default;
};

struct EnrolRequest
{
    QString customerId;
    QString enrolmentKey;
    QString role; // hub | connector
    QString hostname;
    QByteArray csrPem;
};

struct Certificates
{
    QString id;
    QByteArray certificatePem;
    QByteArray caCertificatePem;
};

bool isPathName(const QString &path);

} // namespace occ::cloudapi
