#pragma once

#include <atomic>
#include <QtGlobal>

namespace occ::connector {

// Counters shared by all threads of the connector (relaxed atomics); the admin
// console turns them into totals and rates.
struct ConnectorStats
{
    std::atomic<qint64> handshakesStarted{0};
    std::atomic<qint64> handshakesCompleted{0};
    std::atomic<qint64> handshakesFailed{0};
    std::atomic<qint64> handshakesResumed{0};
    std::atomic<qint64> handshakesInProgress{0};
    std::atomic<qint64> handshakesRefusedBusy{0}; // closed at once: their address had its share
    std::atomic<qint64> acceptErrors{0};
    std::atomic<qint64> sessionsOpen{0};
    std::atomic<qint64> batchesAcknowledged{0};
    std::atomic<qint64> measurementsAcknowledged{0};
    std::atomic<qint64> duplicatesIgnored{0};
    std::atomic<qint64> spoolFullRefusals{0};
    std::atomic<qint64> protocolErrors{0};
    std::atomic<qint64> measurementsUploaded{0};
};

} // namespace occ::connector
