#pragma once

#include "core/backoff.h"
#include "core/connectorstats.h"
#include "spool/spool.h"

#include <QObject>
#include <QTimer>

namespace occ {
struct Error;
}

namespace occ::connector {

class CloudLink;

// Forwards the spool to the cloud (ARCHITECTURE §9): the oldest rows, each hub's in
// order, with SubmitBatch, bounded by measurements and bytes per call; deletes
// exactly what it sent once the cloud stored it (the cloud's highestSeq may be
// higher: the hub may have delivered newer seqs directly). It retries with jittered
// backoff while the cloud is unreachable. A call the cloud refuses for its content
// is split, by hub and then in halves, until the rows it refuses are found; those
// are quarantined (counted, listed by the admin console) and the rest flows.
class Uplink : public QObject
{
    Q_OBJECT
public:
    Uplink(CloudLink &link, Spool &spool, ConnectorStats &stats, int measurementsPerCall,
           QObject *parent = nullptr);

    void start();
    // New data in the spool (connected to Spool::dataAvailable).
    void kick();

    // The byte budget of one call's rows (CBOR in the spool; the SOAP body is about
    // three times as large, well below the cloud's server/maxBodyBytes).
    static constexpr qint64 kMaxBytesPerCall = 1024 * 1024;

private:
    void next();
    void send(QList<SpoolRow> rows);
    void refused(QList<SpoolRow> rows, const Error &error);
    void finishPiece();

    CloudLink &m_link;
    Spool &m_spool;
    ConnectorStats &m_stats;
    int m_perCall;
    bool m_busy = false;
    bool m_kicked = false;
    QList<QList<SpoolRow>> m_pieces; // parts of a refused call still to send, in order
    Backoff m_backoff{1000, 60000};
    QTimer m_retry;
    QTimer m_idle;
};

} // namespace occ::connector
