#pragma once

#include "core/clock.h"
#include "core/connectorstats.h"
#include "core/revocationlist.h"
#include "hubserver/handshakegate.h"
#include "hubserver/sessionconfig.h"
#include "protocol/messages.h"
#include "tls/tlscontext.h"

#include <memory>
#include <QHash>
#include <QObject>
#include <QTimer>

namespace occ::tls {
class SocketWatcher;
}

namespace occ::connector {

class HubSession;
class Spool;

// One event loop (thread) holding a share of the hub sessions (ARCHITECTURE §15):
// the listener hands it accepted sockets, it runs their TLS and OCCP/1, and one
// sweep timer does heartbeats and timeouts for all of them. Entry points marked
// "any thread" queue into the worker's thread.
class Worker : public QObject
{
    Q_OBJECT
public:
    Worker(int index, tls::TlsContextSlot &tls, SessionConfig config, RevocationList &revocations,
           ConnectorStats &stats, HandshakeGate &gate, Spool &spool, const Clock &clock);
    ~Worker() override;

    // Any thread.
    // peerHost holds a slot of the handshake gate until the handshake ends.
    void adopt(int fd, const QString &peer, const QByteArray &peerHost);
    void sendTo(quint64 sessionId, const protocol::Message &message);
    void closeSession(quint64 sessionId, const QString &code, const QString &message);
    // Blocks until every session is closed; sessions handed over later are closed
    // at once (shutdown).
    void closeAll(const QString &reason);
    // Worker thread: starts the sweep timer.
    void start();

    // For sessions (worker thread).
    const SessionConfig &config() const { return m_config; }
    tls::SocketWatcher &sockets() { return *m_sockets; }
    // The context new sessions start with (a renewal may have replaced it).
    std::shared_ptr<tls::TlsContext> tlsContext() const { return m_tls.current(); }
    RevocationList &revocations() { return m_revocations; }
    ConnectorStats &stats() { return m_stats; }
    HandshakeGate &handshakeGate() { return m_gate; }
    qint64 now() const { return m_clock.monotonicMs(); }
    void submit(HubSession &session, QList<protocol::Measurement> items, int batches);
    qint64 lastSeen(const QString &hubId) const;
    void helloAccepted(const HubHello &hello);
    void stateReported(HubSession &session, const protocol::StateReport &state);
    void resultReceived(HubSession &session, const protocol::CommandResult &result);
    void sessionEnded(HubSession &session, const QString &reason);

    int sessionCount() const { return int(m_sessions.size()); } // worker thread

signals:
    void hubConnected(const occ::connector::HubHello &hello);
    void hubStateReported(quint64 sessionId, const QString &hubId, const occ::protocol::StateReport &state);
    void commandResult(const QString &hubId, const occ::protocol::CommandResult &result);
    void hubDisconnected(quint64 sessionId, const QString &hubId, const QString &reason);

private:
    friend class Spool;
    void appended(quint64 sessionId, qint64 upTo, int batches, bool stored);
    void sweep();
    void reap();

    int m_index;
    tls::TlsContextSlot &m_tls;
    SessionConfig m_config;
    RevocationList &m_revocations;
    ConnectorStats &m_stats;
    HandshakeGate &m_gate;
    Spool &m_spool;
    const Clock &m_clock;
    std::unique_ptr<tls::SocketWatcher> m_sockets; // made in the worker thread by start()
    QHash<quint64, HubSession *> m_sessions;
    QList<HubSession *> m_ended;
    QTimer m_sweep;
    bool m_reapScheduled = false;
    bool m_closing = false;
};

} // namespace occ::connector
