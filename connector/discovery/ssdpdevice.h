#pragma once

#include "ssdp/ssdpsocket.h"

#include <QObject>
#include <QRandomGenerator>
#include <QTimer>

namespace occ::connector {

// The connector as a UPnP root device of type urn:occ-project-org:device:Connector:1
// (ARCHITECTURE §4): answers M-SEARCH for ssdp:all, upnp:rootdevice, its UDN and
// its device type after a random delay within MX, announces itself with
// NOTIFY ssdp:alive at start and every half max-age, and says ssdp:byebye on a
// clean shutdown.
class SsdpDevice : public QObject
{
    Q_OBJECT
public:
    struct Config
    {
        ssdp::SsdpEndpoint endpoint;
        QString connectorId;
        quint16 descriptionPort = 0;
        int maxAge = 1800;
        QByteArray server; // SERVER header
    };
    SsdpDevice(Config config, QObject *parent = nullptr);
    ~SsdpDevice() override;

    Result<void> start();
    void stop(); // byebye

    int searchesAnswered() const { return m_answered; }

private:
    void received(const QNetworkDatagram &datagram);
    void announce(bool alive);
    QList<QPair<QByteArray, QByteArray>> targets() const; // (target, USN) pairs
    QByteArray locationFor(const QHostAddress &local) const;

    Config m_config;
    ssdp::SsdpSocket m_socket;
    QTimer m_alive;
    QRandomGenerator m_random;
    qint64 m_bootId = 0;
    int m_answered = 0;
    bool m_started = false;
};

} // namespace occ::connector
