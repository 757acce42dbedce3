#include "connectorlink.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcLink, "occ.hub.delivery")

namespace occ::hub {

using namespace protocol;

namespace {
// How long a batch may wait for its ack before it is sent again. A connector
// whose spool is full does not acknowledge; the session itself stays alive.
qint64 ackTimeoutMs(const Welcome &welcome)
{
    return qMax<qint64>(5000, 3 * qMax<qint64>(1, welcome.heartbeat) * 1000);
}
} // namespace

ConnectorLink::ConnectorLink(Outbox &outbox, int batchSize, qint64 reportIntervalMs, StateProvider state,
                             QObject *parent)
    : QObject(parent)
    , m_outbox(outbox)
    , m_batchSize(qMax(1, batchSize))
    , m_state(std::move(state))
{
    m_ackTimer.setSingleShot(true);
    connect(&m_ackTimer, &QTimer::timeout, this, &ConnectorLink::ackOverdue);
    m_report.setInterval(int(qMax<qint64>(1000, reportIntervalMs)));
    connect(&m_report, &QTimer::timeout, this, &ConnectorLink::reportState);
    connect(&m_outbox, &Outbox::added, this, &ConnectorLink::pump);
}

ConnectorLink::~ConnectorLink()
{
    detach(QStringLiteral("shutting down"));
}

void ConnectorLink::attach(std::unique_ptr<ConnectorSession> session)
{
    detach(QStringLiteral("replaced"));
    m_session = std::move(session);
    m_session->setParent(nullptr);
    m_inFlight.clear();
    m_sentUpTo = 0; // everything still in the outbox, in seq order
    m_ackedUpTo = 0;
    ConnectorSession *s = m_session.get();
    connect(s, &ConnectorSession::received, this, &ConnectorLink::received);
    connect(s, &ConnectorSession::ticketReceived, this,
            [this, s](const QByteArray &ticket) { emit ticketReceived(s->target().connectorId, ticket); });
    connect(s, &ConnectorSession::lost, this, [this](const QString &reason) {
        m_ackTimer.stop();
        m_report.stop();
        m_inFlight.clear();
        if (m_session)
            m_session.release()->deleteLater();
        emit lost(reason);
    });
    // A hub whose outbox was deleted or restored must not number below what the
    // connector has already seen of it (ARCHITECTURE §9).
    if (m_session->welcome().lastSeq > 0)
        m_outbox.raiseFloor(m_session->welcome().lastSeq, QStringLiteral("the connector"));
    reportState();
    m_report.start();
    pump();
}

void ConnectorLink::detach(const QString &reason)
{
    m_ackTimer.stop();
    m_report.stop();
    m_inFlight.clear();
    if (!m_session)
        return;
    ConnectorSession *s = m_session.release();
    s->disconnect(this);
    const QByteArray ticket = s->sessionTicket();
    if (!ticket.isEmpty())
        emit ticketReceived(s->target().connectorId, ticket);
    s->close(reason);
    s->deleteLater();
}

void ConnectorLink::pump()
{
    if (!active())
        return;
    const Welcome &welcome = m_session->welcome();
    const int window = int(qBound(qint64(1), qint64(welcome.window), qint64(64)));
    const int size =
        int(qBound(qint64(1), qMin(qint64(m_batchSize), qint64(welcome.maxBatch)), qint64(10000)));
    while (m_inFlight.size() < window) {
        Result<QList<Measurement>> items = m_outbox.after(m_sentUpTo, size);
        if (!items) {
            qCCritical(lcLink) << "cannot read the outbox:" << items.error().message;
            return;
        }
        if (items->isEmpty())
            return;
        const qint64 last = items->last().seq;
        if (!m_session->send(Batch{std::move(*items)})) {
            qCWarning(lcLink) << "could not send a batch; the session is going away";
            return;
        }
        m_inFlight.append(last);
        m_sentUpTo = last;
        if (!m_ackTimer.isActive())
            m_ackTimer.start(int(ackTimeoutMs(welcome)));
    }
}

void ConnectorLink::received(const Message &message)
{
    if (const Ack *ack = std::get_if<Ack>(&message)) {
        acknowledged(ack->upTo);
    } else if (const protocol::Command *command = std::get_if<protocol::Command>(&message)) {
        emit commandReceived(*command);
    } else if (const ErrorReport *error = std::get_if<ErrorReport>(&message)) {
        qCWarning(lcLink).noquote() << "connector reported" << error->code << ":" << error->message;
    }
}

void ConnectorLink::acknowledged(qint64 upTo)
{
    if (upTo <= m_ackedUpTo)
        return;
    if (upTo > m_sentUpTo) {
        qCWarning(lcLink) << "connector acknowledged" << upTo << "but only" << m_sentUpTo
                          << "was sent; ignored";
        return;
    }
    const qint64 before = m_outbox.depth();
    m_outbox.delivered(upTo);
    m_deliveredCount += qMax<qint64>(0, before - m_outbox.depth());
    m_ackedUpTo = upTo;
    while (!m_inFlight.isEmpty() && m_inFlight.first() <= upTo)
        m_inFlight.removeFirst();
    m_ackTimer.stop();
    if (!m_inFlight.isEmpty())
        m_ackTimer.start(int(ackTimeoutMs(m_session->welcome())));
    pump();
}

void ConnectorLink::ackOverdue()
{
    if (!active() || m_inFlight.isEmpty())
        return;
    qCWarning(lcLink) << "no ack for" << m_inFlight.size()
                      << "batches (connector spool full?); sending again from" << m_ackedUpTo + 1;
    m_inFlight.clear();
    m_sentUpTo = m_ackedUpTo;
    pump();
}

bool ConnectorLink::sendResult(const CommandResult &result)
{
    return active() && m_session->send(result);
}

void ConnectorLink::reportState()
{
    if (active() && m_state)
        m_session->send(m_state());
}

} // namespace occ::hub
