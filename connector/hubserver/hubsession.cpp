#include "hubsession.h"

#include "hubserver/worker.h"
#include "pki/verify.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcWorker)

namespace occ::connector {

using namespace protocol;

HubSession::HubSession(quint64 id, Worker &worker, int fd, const QString &peer, const QByteArray &peerHost)
    : m_id(id)
    , m_worker(worker)
    , m_tls(worker.tlsContext())
    , m_peer(peer)
    , m_peerHost(peerHost)
{
    m_created = m_lastReceived = worker.now();
    m_connection = std::make_unique<tls::TlsConnection>(
        m_tls->get(), fd, true, worker.sockets(),
        tls::TlsConnection::Callbacks{[this] { onEncrypted(); },
                                      [this](const char *data, qsizetype size) { onData(data, size); },
                                      [this](const QString &reason) { onClosed(reason); },
                                      {}});
    // handshakesInProgress was counted by the listener when it accepted the socket.
    ++m_worker.stats().handshakesStarted;
    ++m_worker.stats().sessionsOpen;
}

HubSession::~HubSession()
{
    handshakeEnded();
    --m_worker.stats().sessionsOpen;
}

void HubSession::handshakeEnded()
{
    if (!std::exchange(m_inHandshake, false))
        return;
    --m_worker.stats().handshakesInProgress;
    m_worker.handshakeGate().release(m_peerHost);
}

void HubSession::start()
{
    m_connection->start();
}

bool HubSession::send(const Message &message)
{
    if (m_state == State::Closed)
        return false;
    return m_connection->write(encode(message));
}

void HubSession::fail(const QString &code, const QString &message)
{
    if (m_state == State::Closed)
        return;
    ++m_worker.stats().protocolErrors;
    if (m_state != State::Tls)
        send(ErrorReport{code, message.left(500)});
    close(QStringLiteral("%1: %2").arg(code, message));
}

void HubSession::close(const QString &reason)
{
    m_connection->close(reason); // reports through onClosed
}

void HubSession::onEncrypted()
{
    handshakeEnded();
    // OpenSSL verified the chain against the customer CA; now the identity rules.
    // Straight from OpenSSL's parsed certificate: no second decoding.
    Result<pki::Identity> identity = pki::checkIdentity(
        m_connection->peerCertificate(), {pki::Role::Hub, m_worker.config().customerId, {}, {}});
    if (identity && m_worker.revocations().contains(identity->serial))
        identity =
            occ::fail(ErrorCategory::Auth,
                      QStringLiteral("certificate %1 is revoked").arg(QString::fromLatin1(identity->serial)));
    if (!identity) {
        ++m_worker.stats().handshakesFailed;
        m_state = State::AwaitHello; // so that the error frame is sent
        fail(QStringLiteral("unauthorized"), identity.error().message);
        return;
    }
    ++m_worker.stats().handshakesCompleted;
    m_resumed = m_connection->sessionReused();
    if (m_resumed)
        ++m_worker.stats().handshakesResumed;
    m_serial = identity->serial;
    m_hubId = identity->id; // provisional until hello confirms it
    m_state = State::AwaitHello;
}

void HubSession::onData(const char *data, qsizetype size)
{
    m_lastReceived = m_worker.now();
    m_decoder.feed(QByteArrayView(data, size));
    // Everything decoded from this read is acknowledged together (ARCHITECTURE §15).
    QList<Measurement> readBatch;
    int readBatches = 0;
    while (std::optional<QCborMap> frame = m_decoder.next()) {
        FrameError code = FrameError::BadField;
        Result<Message> message = decode(*frame, &code);
        if (!message) {
            fail(frameErrorCode(code), message.error().message);
            return;
        }
        if (!handle(*message, readBatch, readBatches))
            return;
    }
    if (m_decoder.failure()) {
        fail(frameErrorCode(m_decoder.failure()->code), m_decoder.failure()->message);
        return;
    }
    if (readBatches > 0) {
        qCDebug(lcWorker) << "hub" << m_hubId << "sent" << readBatches << "batches," << readBatch.size()
                          << "measurements";
        m_batchesInFlight += readBatches;
        m_worker.submit(*this, std::move(readBatch), readBatches);
    }
}

bool HubSession::handle(const Message &message, QList<Measurement> &readBatch, int &readBatches)
{
    const MessageType type = typeOf(message);
    if (messageInfo(type).direction == Direction::ConnectorToHub) {
        fail(QStringLiteral("bad-message"),
             QStringLiteral("'%1' is not sent by hubs").arg(QLatin1StringView(messageInfo(type).name)));
        return false;
    }
    if (m_state == State::AwaitHello) {
        if (type != MessageType::Hello) {
            fail(QStringLiteral("bad-message"), QStringLiteral("the first message must be hello"));
            return false;
        }
        return acceptHello(std::get<Hello>(message));
    }
    switch (type) {
    case MessageType::Hello:
        fail(QStringLiteral("bad-message"), QStringLiteral("hello was already said"));
        return false;
    case MessageType::Batch:
        if (!acceptBatch(std::get<Batch>(message), readBatch, readBatches))
            return false;
        ++readBatches;
        return true;
    case MessageType::Result:
        m_worker.resultReceived(*this, std::get<CommandResult>(message));
        return true;
    case MessageType::State:
        m_worker.stateReported(*this, std::get<StateReport>(message));
        return true;
    case MessageType::Ping:
        return send(Pong{std::get<Ping>(message).n});
    case MessageType::Pong:
        return true;
    default:
        return true;
    }
}

bool HubSession::acceptHello(const Hello &hello)
{
    if (hello.v != kProtocolVersion) {
        fail(QStringLiteral("version"),
             QStringLiteral("protocol version %1 is not supported (this connector speaks %2)")
                 .arg(hello.v)
                 .arg(kProtocolVersion));
        return false;
    }
    if (hello.hubId != m_hubId) {
        fail(QStringLiteral("unauthorized"),
             QStringLiteral("hello claims hub '%1' but the certificate is for '%2'")
                 .arg(hello.hubId.left(64), m_hubId));
        return false;
    }
    m_state = State::Active;
    m_lastPing = m_worker.now();
    const SessionConfig &config = m_worker.config();
    // lastSeq: the hub never numbers below what this connector (or the cloud, as
    // far as the connector heard) has seen of it (ARCHITECTURE §9).
    if (!send(Welcome{kProtocolVersion, config.connectorId, config.heartbeatMs / 1000, config.maxBatch,
                      config.window, m_worker.lastSeen(m_hubId)}))
        return false;
    m_worker.helloAccepted(HubHello{m_id, m_hubId, hello.hostname.left(255), hello.os.left(128),
                                    hello.agentVersion.left(64), m_serial, m_peer, m_resumed});
    return true;
}

bool HubSession::acceptBatch(const Batch &batch, QList<Measurement> &readBatch, int readBatches)
{
    const SessionConfig &config = m_worker.config();
    if (batch.items.isEmpty() || batch.items.size() > config.maxBatch) {
        fail(QStringLiteral("batch-size"), QStringLiteral("a batch holds 1 to %1 measurements, not %2")
                                               .arg(config.maxBatch)
                                               .arg(batch.items.size()));
        return false;
    }
    if (m_batchesInFlight + readBatches + 1 > config.window + 1) {
        // One batch of slack for a frame that crossed our ack on the wire.
        fail(QStringLiteral("window"),
             QStringLiteral("more than %1 unacknowledged batches").arg(config.window));
        return false;
    }
    qint64 previous = readBatch.isEmpty() ? 0 : readBatch.last().seq;
    for (const Measurement &m : batch.items) {
        if (m.seq <= 0 || m.seq <= previous || m.sensor.isEmpty()) {
            fail(QStringLiteral("bad-message"),
                 QStringLiteral("measurements need positive, increasing seq and a sensor (seq %1)")
                     .arg(m.seq));
            return false;
        }
        previous = m.seq;
    }
    readBatch += batch.items;
    return true;
}

void HubSession::appended(qint64 upTo, int batches, bool stored)
{
    qCDebug(lcWorker) << "hub" << m_hubId << "spool answered up to" << upTo
                      << (stored ? "stored" : "refused");
    m_batchesInFlight = qMax(0, m_batchesInFlight - batches);
    if (!stored) {
        // Spool full (or failing): no ack; the hub keeps the data and sends again.
        ++m_worker.stats().spoolFullRefusals;
        return;
    }
    m_worker.stats().batchesAcknowledged += batches;
    send(Ack{upTo});
}

void HubSession::sweep(qint64 now)
{
    const SessionConfig &config = m_worker.config();
    if (m_state == State::Tls || m_state == State::AwaitHello) {
        if (now - m_created > config.handshakeTimeoutMs)
            close(m_state == State::Tls ? QStringLiteral("TLS handshake timeout")
                                        : QStringLiteral("no hello in time"));
        return;
    }
    if (m_state != State::Active)
        return;
    if (now - m_lastReceived > 3 * config.heartbeatMs) {
        close(QStringLiteral("heartbeat timeout (silent for %1 s)").arg((now - m_lastReceived) / 1000));
        return;
    }
    if (now - m_lastPing >= config.heartbeatMs) {
        m_lastPing = now;
        send(Ping{++m_pingCounter});
    }
}

void HubSession::onClosed(const QString &reason)
{
    if (m_state == State::Tls) {
        handshakeEnded();
        ++m_worker.stats().handshakesFailed;
    }
    const State was = m_state;
    m_state = State::Closed;
    if (was == State::Active)
        qCInfo(lcWorker).noquote() << "hub" << m_hubId << "from" << m_peer << "disconnected:" << reason;
    else
        qCWarning(lcWorker).noquote() << "session from" << m_peer << (m_hubId.isEmpty() ? QString() : m_hubId)
                                      << "ended before hello:" << reason;
    if (was != State::Active)
        m_hubId.clear(); // never announced, so never retracted
    m_worker.sessionEnded(*this, reason);
}

} // namespace occ::connector
