#include "rogueconnector.h"

#include "ssdp/devicedescription.h"
#include "ssdp/ssdpmessage.h"

#include <memory>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QSslSocket>
#include <QTimer>

namespace occ::test {

RogueConnector::RogueConnector(Config config, const QSslCertificate &certificate, const QSslKey &key)
    : m_config(std::move(config))
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setLocalCertificate(certificate);
    ssl.setPrivateKey(key);
    ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_tls.setSslConfiguration(ssl);
    connect(&m_tls, &QSslServer::startedEncryptionHandshake, this, [this] { ++m_attempts; });
    connect(&m_tls, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_tls.nextPendingConnection()) {
            auto *ssl = qobject_cast<QSslSocket *>(socket);
            connect(ssl, &QSslSocket::encrypted, this, [this] { ++m_encrypted; });
            connect(ssl, &QSslSocket::readyRead, this, [this, ssl] { m_bytes += ssl->readAll().size(); });
            connect(ssl, &QSslSocket::disconnected, ssl, &QObject::deleteLater);
        }
    });
    connect(&m_http, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_http.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                if (!socket->readAll().contains("\r\n\r\n"))
                    return;
                const QByteArray body = ssdp::buildDescription(
                    {m_config.id, QStringLiteral("Totally the connector"), m_config.customerId,
                     m_config.hostname, m_config.tlsPort ? m_config.tlsPort : m_tls.serverPort(), 1,
                     QByteArray(64, 'a')},
                    QStringLiteral("6.6.6"));
                switch (m_config.description) {
                case Config::Description::Normal:
                    socket->write(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\nContent-Length: " +
                        QByteArray::number(body.size()) + "\r\n\r\n" + body);
                    socket->disconnectFromHost();
                    m_descriptionBytes += body.size();
                    break;
                case Config::Description::Trickle: {
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " +
                                  QByteArray::number(body.size()) + "\r\n\r\n");
                    auto *timer = new QTimer(socket);
                    auto sent = std::make_shared<qsizetype>(0);
                    connect(timer, &QTimer::timeout, socket, [this, socket, body, sent] {
                        if (*sent < body.size()) {
                            socket->write(body.mid((*sent)++, 1));
                            ++m_descriptionBytes;
                        }
                    });
                    timer->start(2000);
                    break;
                }
                case Config::Description::Flood: {
                    constexpr qint64 total = 256LL * 1024 * 1024;
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " +
                                  QByteArray::number(total) + "\r\n\r\n");
                    const QByteArray chunk(64 * 1024, ' ');
                    auto refill = [this, socket, chunk] {
                        while (socket->bytesToWrite() < 4 * chunk.size() && m_descriptionBytes < total) {
                            socket->write(chunk);
                            m_descriptionBytes += chunk.size();
                        }
                    };
                    connect(socket, &QTcpSocket::bytesWritten, socket, refill);
                    refill();
                    break;
                }
                }
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    connect(&m_ssdp, &QUdpSocket::readyRead, this, [this] {
        while (m_ssdp.hasPendingDatagrams()) {
            const QNetworkDatagram datagram = m_ssdp.receiveDatagram();
            if (!datagram.data().startsWith("M-SEARCH"))
                continue;
            ssdp::Announcement answer;
            answer.location = "http://" + m_config.address.toString().toLatin1() + ':' +
                              QByteArray::number(m_http.serverPort()) + "/description.xml";
            answer.server = "Linux UPnP/2.0 rogue/6.6.6";
            answer.usn = "uuid:" + m_config.id.toLatin1() + "::" + ssdp::kDeviceType;
            answer.target = ssdp::kDeviceType;
            m_ssdp.writeDatagram(ssdp::buildResponse(answer), datagram.senderAddress(),
                                 quint16(datagram.senderPort()));
            ++m_answers;
        }
    });
}

bool RogueConnector::start(QString *error)
{
    if (!m_tls.listen(m_config.address, 0) || !m_http.listen(m_config.address, 0)) {
        *error = QStringLiteral("rogue cannot listen on %1").arg(m_config.address.toString());
        return false;
    }
    if (!m_ssdp.bind(QHostAddress::AnyIPv4, m_config.ssdpPort,
                     QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint) ||
        !m_ssdp.joinMulticastGroup(m_config.group,
                                   QNetworkInterface::interfaceFromName(m_config.interfaceName))) {
        *error = QStringLiteral("rogue cannot join %1 on %2: %3")
                     .arg(m_config.group.toString(), m_config.interfaceName, m_ssdp.errorString());
        return false;
    }
    return true;
}

} // namespace occ::test
