#include "worker.h"

#include "hubserver/hubsession.h"
#include "spool/spool.h"
#include "tls/socketwatcher.h"

#include <atomic>
#include <QLoggingCategory>
#include <QThread>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcWorker, "occ.connector.session")

namespace occ::connector {

namespace {
std::atomic<quint64> g_nextSessionId{1};
} // namespace

Worker::Worker(int index, tls::TlsContextSlot &tls, SessionConfig config, RevocationList &revocations,
               ConnectorStats &stats, HandshakeGate &gate, Spool &spool, const Clock &clock)
    : m_index(index)
    , m_tls(tls)
    , m_config(std::move(config))
    , m_revocations(revocations)
    , m_stats(stats)
    , m_gate(gate)
    , m_spool(spool)
    , m_clock(clock)
    , m_sweep(this)
{
    setObjectName(QStringLiteral("worker-%1").arg(index));
    m_sweep.setInterval(1000);
    connect(&m_sweep, &QTimer::timeout, this, &Worker::sweep);
}

Worker::~Worker()
{
    Q_ASSERT_X(thread() == QThread::currentThread(), "Worker", "deleted outside its thread");
    for (HubSession *session : std::as_const(m_sessions))
        delete session;
    qDeleteAll(m_ended);
    m_sessions.clear();
    m_ended.clear();
}

void Worker::start()
{
    m_sockets = std::make_unique<tls::SocketWatcher>();
    m_sweep.start();
}

void Worker::adopt(int fd, const QString &peer, const QByteArray &peerHost)
{
    QMetaObject::invokeMethod(this, [this, fd, peer, peerHost] {
        if (m_closing) { // handed over just before the listener closed
            ::close(fd);
            m_gate.release(peerHost);
            return;
        }
        const quint64 id = g_nextSessionId.fetch_add(1, std::memory_order_relaxed);
        auto *session = new HubSession(id, *this, fd, peer, peerHost);
        m_sessions.insert(id, session);
        session->start();
    });
}

void Worker::sendTo(quint64 sessionId, const protocol::Message &message)
{
    QMetaObject::invokeMethod(this, [this, sessionId, message] {
        if (HubSession *session = m_sessions.value(sessionId))
            session->send(message);
    });
}

void Worker::closeSession(quint64 sessionId, const QString &code, const QString &message)
{
    QMetaObject::invokeMethod(this, [this, sessionId, code, message] {
        if (HubSession *session = m_sessions.value(sessionId))
            session->fail(code, message);
    });
}

void Worker::closeAll(const QString &reason)
{
    QMetaObject::invokeMethod(
        this,
        [this, reason] {
            m_closing = true;
            m_sweep.stop();
            const QList<HubSession *> sessions = m_sessions.values();
            for (HubSession *session : sessions)
                session->close(reason);
        },
        Qt::BlockingQueuedConnection);
}

void Worker::submit(HubSession &session, QList<protocol::Measurement> items, int batches)
{
    m_spool.append({this, session.id(), session.hubId(), std::move(items), batches});
}

qint64 Worker::lastSeen(const QString &hubId) const
{
    return m_spool.seen(hubId);
}

void Worker::appended(quint64 sessionId, qint64 upTo, int batches, bool stored)
{
    if (HubSession *session = m_sessions.value(sessionId))
        session->appended(upTo, batches, stored);
}

void Worker::helloAccepted(const HubHello &hello)
{
    emit hubConnected(hello);
}

void Worker::stateReported(HubSession &session, const protocol::StateReport &state)
{
    emit hubStateReported(session.id(), session.hubId(), state);
}

void Worker::resultReceived(HubSession &session, const protocol::CommandResult &result)
{
    emit commandResult(session.hubId(), result);
}

void Worker::sessionEnded(HubSession &session, const QString &reason)
{
    // Deleted outside of the connection's own callbacks.
    if (m_sessions.remove(session.id()) == 0)
        return;
    if (!session.hubId().isEmpty())
        emit hubDisconnected(session.id(), session.hubId(), reason);
    m_ended.append(&session);
    if (!m_reapScheduled) {
        m_reapScheduled = true;
        QMetaObject::invokeMethod(this, &Worker::reap, Qt::QueuedConnection);
    }
}

void Worker::reap()
{
    m_reapScheduled = false;
    qDeleteAll(m_ended);
    m_ended.clear();
}

void Worker::sweep()
{
    const qint64 t = now();
    const QList<HubSession *> sessions = m_sessions.values();
    for (HubSession *session : sessions)
        session->sweep(t);
}

} // namespace occ::connector
