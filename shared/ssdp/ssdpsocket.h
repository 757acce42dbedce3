#pragma once

#include "core/result.h"

#include <QHostAddress>
#include <QList>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QObject>
#include <QStringList>
#include <QUdpSocket>

namespace occ::ssdp {

struct SsdpEndpoint
{
    QHostAddress group = QHostAddress(QStringLiteral("239.255.255.250"));
    quint16 port = 1900;
    QStringList interfaceNames; // empty: every suitable interface
    QByteArray hostHeader() const { return group.toString().toLatin1() + ':' + QByteArray::number(port); }
};

// The IPv4 interfaces SSDP uses: up, running, multicast-capable, with an IPv4
// address; restricted to names when given. Loopback counts only when it has the
// multicast flag (a test's network namespace), never by default on a real host.
QList<QNetworkInterface> multicastInterfaces(const QStringList &names);
// The first IPv4 address of an interface.
QHostAddress ipv4Of(const QNetworkInterface &interface);

// A UDP socket for SSDP. A device binds the group port and joins the group on every
// interface; a control point binds an ephemeral port and gets unicast answers.
// Sends to the group go out through each interface in turn (IP_MULTICAST_IF).
// It never goes through a proxy.
class SsdpSocket : public QObject
{
    Q_OBJECT
public:
    explicit SsdpSocket(SsdpEndpoint endpoint, QObject *parent = nullptr);

    Result<void> openAsDevice();
    Result<void> openAsControlPoint();
    void close();

    // Sends to the group on every interface; returns on how many it went out.
    int sendToGroup(const QByteArray &datagram);
    // Sends to the group out of one interface.
    bool sendToGroup(const QByteArray &datagram, const QNetworkInterface &interface);
    bool sendTo(const QByteArray &datagram, const QHostAddress &address, quint16 port);

    const QList<QNetworkInterface> &interfaces() const { return m_interfaces; }
    const SsdpEndpoint &endpoint() const { return m_endpoint; }
    // The local address on the interface a datagram arrived on (for LOCATION).
    QHostAddress localAddressFor(const QNetworkDatagram &datagram) const;

signals:
    void datagramReceived(const QNetworkDatagram &datagram);

private:
    void readPending();
    static constexpr qint64 kMaxDatagramRead = 16384;

    SsdpEndpoint m_endpoint;
    QUdpSocket m_socket;
    QList<QNetworkInterface> m_interfaces;
};

} // namespace occ::ssdp
