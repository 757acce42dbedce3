#include "connectorsession.h"

#include "pki/verify.h"

#include <QLoggingCategory>
#include <QNetworkProxy>
#include <QSslConfiguration>

Q_LOGGING_CATEGORY(lcSession, "occ.hub.link")

namespace occ::hub {

using namespace protocol;

ConnectorSession::ConnectorSession(const identity::Identity &identity, HubInfo hub, int connectTimeoutMs,
                                   const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_identity(identity)
    , m_hub(std::move(hub))
    , m_connectTimeoutMs(connectTimeoutMs)
    , m_clock(clock)
{
    m_socket.setProxy(QNetworkProxy::NoProxy);
    connect(&m_socket, &QSslSocket::encrypted, this, &ConnectorSession::onEncrypted);
    connect(&m_socket, &QSslSocket::readyRead, this, &ConnectorSession::onReadyRead);
    connect(&m_socket, &QSslSocket::disconnected, this, &ConnectorSession::onDisconnected);
    connect(&m_socket, &QSslSocket::newSessionTicketReceived, this, [this] {
        const QByteArray ticket = m_socket.sslConfiguration().sessionTicket();
        if (!ticket.isEmpty())
            emit ticketReceived(ticket);
    });
    connect(&m_socket, &QSslSocket::sslErrors, this,
            [this](const QList<QSslError> &errors) { m_sslErrors = errors; });
    connect(&m_socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        QString reason = m_socket.errorString();
        if (!m_sslErrors.isEmpty())
            reason += QStringLiteral(" (%1)").arg(m_sslErrors.first().errorString());
        end(reason);
    });
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this,
            [this] { end(QStringLiteral("no welcome within %1 ms").arg(m_connectTimeoutMs)); });
    connect(&m_heartbeat, &QTimer::timeout, this, &ConnectorSession::heartbeat);
    m_aliveTimer.setSingleShot(true);
    connect(&m_aliveTimer, &QTimer::timeout, this, [this] {
        if (m_aliveAnswer)
            std::exchange(m_aliveAnswer, nullptr)(false);
    });
}

ConnectorSession::~ConnectorSession()
{
    m_ended = true;
    m_socket.abort();
}

void ConnectorSession::open(const ConnectorTarget &target, const QByteArray &sessionTicket)
{
    m_target = target;
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setProtocol(QSsl::TlsV1_2OrLater);
    ssl.setLocalCertificate(m_identity.certificate);
    ssl.setPrivateKey(m_identity.key.toQSslKey());
    ssl.setCaCertificates({m_identity.customerCa}); // the customer CA only, not the system store
    ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
    ssl.setSslOption(QSsl::SslOptionDisableSessionPersistence, false);
    if (!sessionTicket.isEmpty())
        ssl.setSessionTicket(sessionTicket);
    m_socket.setSslConfiguration(ssl);
    m_socket.setPeerVerifyName(target.connectorId);
    m_deadline.start(m_connectTimeoutMs);
    m_socket.connectToHostEncrypted(target.host, target.port, target.connectorId);
}

void ConnectorSession::onEncrypted()
{
    // Qt verified the chain and the name; the role and the customer are ours to check.
    Result<pki::Identity> peer = pki::checkIdentity(
        m_socket.peerCertificate(), {pki::Role::Connector, m_identity.customerId, m_target.connectorId, {}});
    if (!peer) {
        end(QStringLiteral("refused the connector: %1").arg(peer.error().message));
        return;
    }
    m_lastReceived = m_clock.monotonicMs();
    send(Hello{kProtocolVersion, m_identity.id, m_hub.hostname, m_hub.os, m_hub.agentVersion});
}

void ConnectorSession::onReadyRead()
{
    m_decoder.feed(m_socket.readAll());
    m_lastReceived = m_clock.monotonicMs();
    while (std::optional<QCborMap> frame = m_decoder.next()) {
        FrameError code = FrameError::BadField;
        Result<Message> message = decode(*frame, &code);
        if (!message) {
            send(ErrorReport{frameErrorCode(code), message.error().message.left(200)});
            end(QStringLiteral("connector sent a bad frame: %1").arg(message.error().message));
            return;
        }
        if (const Ping *ping = std::get_if<Ping>(&*message)) {
            send(Pong{ping->n});
            continue;
        }
        if (const Pong *pong = std::get_if<Pong>(&*message)) {
            if (m_aliveAnswer && pong->n == m_aliveProbe) {
                m_aliveTimer.stop();
                std::exchange(m_aliveAnswer, nullptr)(true);
            }
            continue;
        }
        if (!m_active) {
            if (const Welcome *welcome = std::get_if<Welcome>(&*message)) {
                if (welcome->v != kProtocolVersion || welcome->connectorId != m_target.connectorId) {
                    end(QStringLiteral("unexpected welcome (version %1, connector %2)")
                            .arg(welcome->v)
                            .arg(welcome->connectorId));
                    return;
                }
                m_welcome = *welcome;
                m_active = true;
                m_deadline.stop();
                m_heartbeat.start(int(qMax<qint64>(1, welcome->heartbeat) * 1000));
                emit established();
                continue;
            }
            if (const ErrorReport *error = std::get_if<ErrorReport>(&*message)) {
                end(QStringLiteral("connector refused: %1: %2").arg(error->code, error->message));
                return;
            }
            continue;
        }
        emit received(*message);
        if (m_ended)
            return;
    }
    if (m_decoder.failure())
        end(QStringLiteral("connector sent a bad frame: %1").arg(m_decoder.failure()->message));
}

void ConnectorSession::heartbeat()
{
    const qint64 interval = qMax<qint64>(1, m_welcome.heartbeat) * 1000;
    if (m_clock.monotonicMs() - m_lastReceived > 3 * interval) {
        end(QStringLiteral("heartbeat timeout"));
        return;
    }
    send(Ping{++m_pingCounter});
}

void ConnectorSession::checkAlive(int timeoutMs, std::function<void(bool)> answer)
{
    if (!m_active) {
        answer(false);
        return;
    }
    m_aliveProbe = -(++m_pingCounter); // negative: not a heartbeat ping
    m_aliveAnswer = std::move(answer);
    m_aliveTimer.start(timeoutMs);
    send(Ping{m_aliveProbe});
}

bool ConnectorSession::send(const Message &message)
{
    if (m_socket.state() != QAbstractSocket::ConnectedState)
        return false;
    const QByteArray frame = encode(message);
    return !frame.isEmpty() && m_socket.write(frame) == frame.size();
}

void ConnectorSession::close(const QString &reason)
{
    if (m_ended)
        return;
    m_ended = true;
    const bool wasActive = m_active;
    m_active = false;
    m_deadline.stop();
    m_heartbeat.stop();
    m_socket.disconnectFromHost();
    if (wasActive)
        qCInfo(lcSession).noquote() << "closed the session with" << m_target.connectorId << ":" << reason;
}

void ConnectorSession::onDisconnected()
{
    end(QStringLiteral("connector closed the connection"));
}

void ConnectorSession::end(const QString &reason)
{
    if (m_ended)
        return;
    m_ended = true;
    const bool wasActive = std::exchange(m_active, false);
    m_deadline.stop();
    m_heartbeat.stop();
    if (m_aliveAnswer) {
        m_aliveTimer.stop();
        std::exchange(m_aliveAnswer, nullptr)(false);
    }
    m_socket.abort();
    if (wasActive) {
        qCInfo(lcSession).noquote() << "lost the connector" << m_target.connectorId << ":" << reason;
        emit lost(reason);
    } else {
        qCInfo(lcSession).noquote() << "connector" << m_target.connectorId << "at" << m_target.host
                                    << QString::number(m_target.port) << "not reached:" << reason;
        emit failed(reason);
    }
}

QByteArray ConnectorSession::sessionTicket() const
{
    return m_socket.sslConfiguration().sessionTicket();
}

} // namespace occ::hub
