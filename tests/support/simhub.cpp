#include "simhub.h"

#include "await.h"

#include <QDateTime>
#include <QNetworkProxy>
#include <QSslConfiguration>

namespace occ::test {

using namespace protocol;

SimHub::SimHub(EnrolledNode node, QObject *parent)
    : QObject(parent)
    , m_node(std::move(node))
{
    m_socket.setProxy(QNetworkProxy::NoProxy);
    QSslConfiguration ssl = m_socket.sslConfiguration();
    ssl.setLocalCertificate(m_node.certificate);
    ssl.setPrivateKey(m_node.key.toQSslKey());
    ssl.setCaCertificates({m_node.ca});
    ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
    ssl.setProtocol(QSsl::TlsV1_2OrLater);
    m_socket.setSslConfiguration(ssl);
    connect(&m_socket, &QSslSocket::readyRead, this, &SimHub::readFrames);
}

bool SimHub::connectTls(quint16 port, const QString &connectorId, int timeoutMs)
{
    m_socket.setPeerVerifyName(connectorId);
    m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port, connectorId);
    return occ::test::waitFor(
               [this] {
                   return m_socket.isEncrypted() || m_socket.state() == QAbstractSocket::UnconnectedState;
               },
               timeoutMs) &&
           m_socket.isEncrypted();
}

bool SimHub::hello(int timeoutMs)
{
    send(Hello{kProtocolVersion, m_node.id, QStringLiteral("sim-") + m_node.id.left(8),
               QStringLiteral("Linux"), QStringLiteral("test")});
    std::optional<Welcome> welcome = waitFor<Welcome>(timeoutMs);
    if (welcome)
        m_welcome = *welcome;
    return welcome.has_value();
}

void SimHub::send(const Message &message)
{
    m_socket.write(encode(message));
    m_socket.flush();
}

void SimHub::sendRaw(const QByteArray &bytes)
{
    m_socket.write(bytes);
    m_socket.flush();
}

void SimHub::readFrames()
{
    m_decoder.feed(m_socket.readAll());
    while (std::optional<QCborMap> frame = m_decoder.next()) {
        Result<Message> message = decode(*frame);
        if (!message)
            continue;
        if (const Ping *ping = std::get_if<Ping>(&*message)) {
            ++pingsSeen;
            if (autoPong)
                send(Pong{ping->n});
            continue;
        }
        if (std::holds_alternative<Pong>(*message))
            continue;
        if (const ErrorReport *error = std::get_if<ErrorReport>(&*message))
            m_lastError = *error;
        m_inbox.append(*message);
    }
}

std::optional<Message> SimHub::next(int timeoutMs)
{
    if (m_inbox.isEmpty())
        occ::test::waitFor(
            [this] { return !m_inbox.isEmpty() || m_socket.state() == QAbstractSocket::UnconnectedState; },
            timeoutMs);
    if (m_inbox.isEmpty())
        return std::nullopt;
    return m_inbox.takeFirst();
}

Batch SimHub::makeBatch(qint64 from, qint64 to)
{
    Batch batch;
    for (qint64 seq = from; seq <= to; ++seq) {
        Measurement m;
        m.seq = seq;
        m.sensor = seq % 2 ? QStringLiteral("cpu") : QStringLiteral("memory");
        m.ts = QDateTime::currentMSecsSinceEpoch();
        m.status = Status::Ok;
        m.values = {{QStringLiteral("value"), double(seq)}};
        batch.items.append(m);
    }
    return batch;
}

qint64 SimHub::sendBatch(qint64 from, qint64 to, int timeoutMs)
{
    send(makeBatch(from, to));
    std::optional<Ack> ack = waitFor<Ack>(timeoutMs);
    return ack ? ack->upTo : -1;
}

bool SimHub::waitDisconnected(int timeoutMs)
{
    return occ::test::waitFor(
        [this] {
            readFrames();
            return m_socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
}

} // namespace occ::test
