#pragma once

#include "link/connectorsession.h"
#include "outbox/outbox.h"

#include <functional>
#include <memory>
#include <QObject>
#include <QTimer>

namespace occ::hub {

// Delivery over an established connector session (ARCHITECTURE §7, §9): the outbox
// in seq order as batches of at most min(hub/batchSize, welcome.maxBatch), at most
// welcome.window unacknowledged; an ack deletes up to its seq; a batch not
// acknowledged in time (a full spool) is sent again. Commands arrive here, results
// and state reports leave here.
class ConnectorLink : public QObject
{
    Q_OBJECT
public:
    using StateProvider = std::function<protocol::StateReport()>;
    ConnectorLink(Outbox &outbox, int batchSize, qint64 reportIntervalMs, StateProvider state,
                  QObject *parent = nullptr);
    ~ConnectorLink() override;

    // Takes an established session; the rest of the outbox goes first.
    void attach(std::unique_ptr<ConnectorSession> session);
    // Closes the session (path switch, manual reconnect, shutdown).
    void detach(const QString &reason);
    ConnectorSession *session() const { return m_session.get(); }
    bool active() const { return m_session && m_session->active(); }

    bool sendResult(const protocol::CommandResult &result);
    void reportState();
    void setBatchSize(int batchSize) { m_batchSize = qMax(1, batchSize); }
    void setReportInterval(qint64 ms) { m_report.setInterval(int(qMax<qint64>(1000, ms))); }

    qint64 deliveredCount() const { return m_deliveredCount; }

signals:
    void lost(const QString &reason);
    void commandReceived(const occ::protocol::Command &command);
    void ticketReceived(const QString &connectorId, const QByteArray &ticket);

private:
    void pump();
    void received(const protocol::Message &message);
    void acknowledged(qint64 upTo);
    void ackOverdue();

    Outbox &m_outbox;
    int m_batchSize;
    StateProvider m_state;
    std::unique_ptr<ConnectorSession> m_session;
    QList<qint64> m_inFlight; // last seq of every unacknowledged batch, oldest first
    qint64 m_sentUpTo = 0;
    qint64 m_ackedUpTo = 0;
    qint64 m_deliveredCount = 0;
    QTimer m_ackTimer;
    QTimer m_report;
};

} // namespace occ::hub
