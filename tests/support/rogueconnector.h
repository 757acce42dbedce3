#pragma once

#include <QHostAddress>
#include <QObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QUdpSocket>

namespace occ::test {

// A rogue "connector" for the trust tests: answers every M-SEARCH at once (faster
// than a real device, which waits a random part of MX), serves a description that
// claims the victim's customer, and runs a TLS server with a certificate of the
// wrong identity. It counts TLS attempts, completed handshakes and every byte of
// application data it receives - which must stay 0.
class RogueConnector : public QObject
{
public:
    struct Config
    {
        QString id;           // the connector id it claims (and its certificate's CN)
        QString customerId;   // the customer it claims to serve
        QHostAddress address; // where it listens and what LOCATION names
        quint16 ssdpPort = 1900;
        QHostAddress group = QHostAddress(QStringLiteral("239.255.255.250"));
        QString interfaceName; // where it joins the group
        // How it serves its description: at once; one byte every two seconds
        // (slowloris); or 256 MiB as fast as the hub reads.
        enum class Description
        {
            Normal,
            Trickle,
            Flood,
        } description = Description::Normal;
        QString hostname = QStringLiteral("rogue.example"); // the host name it claims
        quint16 tlsPort = 0;                                // the TLS port it claims; 0: its own TLS server's
    };
    RogueConnector(Config config, const QSslCertificate &certificate, const QSslKey &key);

    bool start(QString *error);
    int answers() const { return m_answers; }
    int attempts() const { return m_attempts; }
    int encrypted() const { return m_encrypted; }
    qint64 bytes() const { return m_bytes; }
    qint64 descriptionBytesSent() const { return m_descriptionBytes; }

private:
    Config m_config;
    QSslServer m_tls;
    QTcpServer m_http;
    QUdpSocket m_ssdp;
    int m_answers = 0;
    int m_attempts = 0;
    int m_encrypted = 0;
    qint64 m_bytes = 0;
    qint64 m_descriptionBytes = 0;
};

} // namespace occ::test
