#pragma once

#include "core/clock.h"
#include "identity/identity.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

#include <functional>
#include <QHostAddress>
#include <QObject>
#include <QSslSocket>
#include <QTimer>

namespace occ::hub {

struct ConnectorTarget
{
    QString connectorId; // the certificate's CN must be this
    QString host;        // host name or address
    quint16 port = 0;
    QString advertisedHostname; // what the UPnP description said (cached once TLS proved the connector)
};

struct HubInfo
{
    QString hostname;
    QString os;
    QString agentVersion;
};

// One OCCP/1 session with a connector over QSslSocket (ARCHITECTURE §7): mutual TLS
// with the customer CA as the only trust anchor, the connector's id as the peer
// name, role and customer checked, never through a proxy; hello/welcome within the
// connect timeout; heartbeat; resumption with the session ticket of an earlier
// session to the same connector. The hub sends nothing before the connector proved
// who it is, so a rogue answer to an M-SEARCH never receives a frame.
class ConnectorSession : public QObject
{
    Q_OBJECT
public:
    // clock: its monotonic time measures the heartbeat (a wall-clock step neither
    // ends a healthy session nor hides a dead one).
    ConnectorSession(const identity::Identity &identity, HubInfo hub, int connectTimeoutMs,
                     const Clock &clock, QObject *parent = nullptr);
    ~ConnectorSession() override;

    void open(const ConnectorTarget &target, const QByteArray &sessionTicket = {});
    void close(const QString &reason);
    bool send(const protocol::Message &message);
    // Sends a ping and reports whether the pong came within timeoutMs.
    void checkAlive(int timeoutMs, std::function<void(bool)> answer);

    bool active() const { return m_active; }
    const protocol::Welcome &welcome() const { return m_welcome; }
    const ConnectorTarget &target() const { return m_target; }
    QHostAddress localAddress() const { return m_socket.localAddress(); }
    QHostAddress peerAddress() const { return m_socket.peerAddress(); }
    // The TLS session ticket the connector issued (for resuming the next session).
    QByteArray sessionTicket() const;

signals:
    void established();
    void failed(const QString &reason);                   // before welcome
    void lost(const QString &reason);                     // after welcome
    void received(const occ::protocol::Message &message); // ack, cmd, error
    void ticketReceived(const QByteArray &ticket);

private:
    void onEncrypted();
    void onReadyRead();
    void onDisconnected();
    void end(const QString &reason);
    void heartbeat();

    identity::Identity m_identity;
    HubInfo m_hub;
    int m_connectTimeoutMs;
    const Clock &m_clock;
    ConnectorTarget m_target;
    QSslSocket m_socket;
    protocol::FrameDecoder m_decoder;
    protocol::Welcome m_welcome;
    QTimer m_deadline;
    QTimer m_heartbeat;
    qint64 m_lastReceived = 0;
    qint64 m_pingCounter = 0;
    bool m_active = false;
    bool m_ended = false;
    qint64 m_aliveProbe = 0;
    std::function<void(bool)> m_aliveAnswer;
    QTimer m_aliveTimer;
    QList<QSslError> m_sslErrors;
};

} // namespace occ::hub
