#pragma once

#include <QString>

namespace occ::connector {

// The rules of a hub session (ARCHITECTURE §7), from the settings.
struct SessionConfig
{
    QString connectorId;
    QString customerId;
    qint64 heartbeatMs = 10'000;
    qint64 handshakeTimeoutMs = 10'000;
    int maxBatch = 500;
    int window = 8;
};

// What the core learns when a hub has said hello.
struct HubHello
{
    quint64 sessionId = 0;
    QString hubId;
    QString hostname;
    QString os;
    QString agentVersion;
    QByteArray serial;
    QString peerAddress;
    bool resumed = false;
};

} // namespace occ::connector
