#pragma once

#include "core/backoff.h"
#include "core/connectorstats.h"

#include <QObject>
#include <QTimer>

namespace occ::connector {

class CloudLink;
struct SpoolRow;
class Spool;

// Forwards the spool to the cloud (ARCHITECTURE §9): the oldest batches, each hub's
// in order, with SubmitBatch; deletes them after the cloud's answer; retries with
// jittered backoff while the cloud is unreachable (the spool keeps filling up to
// its bound).
class Uplink : public QObject
{
    Q_OBJECT
public:
    Uplink(CloudLink &link, Spool &spool, ConnectorStats &stats, int measurementsPerCall, QObject *parent = nullptr);

    void start();
    // New data in the spool (connected to Spool::dataAvailable).
    void kick();

private:
    void next();
    void send(const QList<SpoolRow> &rows);

    CloudLink &m_link;
    Spool &m_spool;
    ConnectorStats &m_stats;
    int m_perCall;
    bool m_busy = false;
    bool m_kicked = false;
    Backoff m_backoff{1000, 60000};
    QTimer m_retry;
    QTimer m_idle;
};

} // namespace occ::connector
