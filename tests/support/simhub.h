#pragma once

#include "cloudenrol.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

#include <optional>
#include <QList>
#include <QObject>
#include <QSslSocket>

namespace occ::test {

// A simulated Sensorhub for connector tests, built from the shared protocol code:
// a QSslSocket with the hub's enrolled certificate, speaking OCCP/1. Every wait
// processes events and ends at its timeout.
class SimHub : public QObject
{
    Q_OBJECT
public:
    explicit SimHub(EnrolledNode node, QObject *parent = nullptr);

    // TCP + TLS with our certificate; verifies the connector against the customer
    // CA with peer name connectorId (as the real hub does).
    bool connectTls(quint16 port, const QString &connectorId, int timeoutMs = 10000);
    // hello -> welcome.
    bool hello(int timeoutMs = 10000);
    bool connectAndHello(quint16 port, const QString &connectorId)
    {
        return connectTls(port, connectorId) && hello();
    }

    void send(const protocol::Message &message);
    void sendRaw(const QByteArray &bytes);
    // The next message other than ping/pong (pings are answered when autoPong).
    std::optional<protocol::Message> next(int timeoutMs);
    template <typename M> std::optional<M> waitFor(int timeoutMs)
    {
        while (std::optional<protocol::Message> message = next(timeoutMs)) {
            if (const M *m = std::get_if<M>(&*message))
                return *m;
        }
        return std::nullopt;
    }
    // Sends seqs from..to as one batch and returns the acknowledged upTo (or -1).
    qint64 sendBatch(qint64 from, qint64 to, int timeoutMs = 10000);
    static protocol::Batch makeBatch(qint64 from, qint64 to);

    bool waitDisconnected(int timeoutMs);
    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    std::optional<protocol::ErrorReport> lastError() const { return m_lastError; }
    const protocol::Welcome &welcome() const { return m_welcome; }
    QString id() const { return m_node.id; }
    QSslSocket &socket() { return m_socket; }
    bool autoPong = true;
    int pingsSeen = 0;

private:
    void readFrames();

    EnrolledNode m_node;
    QSslSocket m_socket;
    protocol::FrameDecoder m_decoder;
    QList<protocol::Message> m_inbox;
    protocol::Welcome m_welcome;
    std::optional<protocol::ErrorReport> m_lastError;
};

} // namespace occ::test
