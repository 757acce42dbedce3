#include "ssdpsocket.h"

#include "core/logging.h"

#include <QNetworkProxy>

namespace occ::ssdp {

QList<QNetworkInterface> multicastInterfaces(const QStringList &names)
{
    QList<QNetworkInterface> result;
    const QList<QNetworkInterface> all = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : all) {
        const auto flags = interface.flags();
        if (!names.isEmpty() && !names.contains(interface.name()))
            continue;
        if (!(flags & QNetworkInterface::IsUp) || !(flags & QNetworkInterface::IsRunning) ||
            !(flags & QNetworkInterface::CanMulticast) || ipv4Of(interface).isNull())
            continue;
        result.append(interface);
    }
    return result;
}

QHostAddress ipv4Of(const QNetworkInterface &interface)
{
    const QList<QNetworkAddressEntry> entries = interface.addressEntries();
    for (const QNetworkAddressEntry &entry : entries) {
        if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol)
            return entry.ip();
    }
    return {};
}

SsdpSocket::SsdpSocket(SsdpEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
{
    m_socket.setProxy(QNetworkProxy::NoProxy);
    connect(&m_socket, &QUdpSocket::readyRead, this, &SsdpSocket::readPending);
}

Result<void> SsdpSocket::openAsDevice()
{
    m_interfaces = multicastInterfaces(m_endpoint.interfaceNames);
    if (m_interfaces.isEmpty())
        return fail(
            ErrorCategory::Network,
            QStringLiteral("no multicast-capable IPv4 interface for SSDP%1")
                .arg(m_endpoint.interfaceNames.isEmpty()
                         ? QString()
                         : QStringLiteral(" among ") + m_endpoint.interfaceNames.join(QLatin1Char(','))));
    if (!m_socket.bind(QHostAddress::AnyIPv4, m_endpoint.port,
                       QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint))
        return fail(
            ErrorCategory::Network,
            QStringLiteral("cannot bind SSDP port %1: %2").arg(m_endpoint.port).arg(m_socket.errorString()));
    int joined = 0;
    for (const QNetworkInterface &interface : std::as_const(m_interfaces)) {
        if (m_socket.joinMulticastGroup(m_endpoint.group, interface))
            ++joined;
        else
            qCWarning(lcSsdp) << "cannot join" << m_endpoint.group << "on" << interface.name()
                              << m_socket.errorString();
    }
    if (joined == 0)
        return fail(ErrorCategory::Network,
                    QStringLiteral("could not join %1 on any interface").arg(m_endpoint.group.toString()));
    m_socket.setSocketOption(QAbstractSocket::MulticastTtlOption, 2);
    m_socket.setSocketOption(QAbstractSocket::MulticastLoopbackOption, 1);
    return {};
}

Result<void> SsdpSocket::openAsControlPoint()
{
    m_interfaces = multicastInterfaces(m_endpoint.interfaceNames);
    if (!m_socket.bind(QHostAddress::AnyIPv4, 0))
        return fail(ErrorCategory::Network,
                    QStringLiteral("cannot open an SSDP socket: %1").arg(m_socket.errorString()));
    m_socket.setSocketOption(QAbstractSocket::MulticastTtlOption, 2);
    m_socket.setSocketOption(QAbstractSocket::MulticastLoopbackOption, 1);
    return {};
}

void SsdpSocket::close()
{
    m_socket.close();
}

int SsdpSocket::sendToGroup(const QByteArray &datagram)
{
    int sent = 0;
    for (const QNetworkInterface &interface : std::as_const(m_interfaces))
        sent += sendToGroup(datagram, interface) ? 1 : 0;
    return sent;
}

bool SsdpSocket::sendToGroup(const QByteArray &datagram, const QNetworkInterface &interface)
{
    m_socket.setMulticastInterface(interface);
    if (m_socket.writeDatagram(datagram, m_endpoint.group, m_endpoint.port) == datagram.size())
        return true;
    qCDebug(lcSsdp) << "send on" << interface.name() << "failed:" << m_socket.errorString();
    return false;
}

bool SsdpSocket::sendTo(const QByteArray &datagram, const QHostAddress &address, quint16 port)
{
    return m_socket.writeDatagram(datagram, address, port) == datagram.size();
}

QHostAddress SsdpSocket::localAddressFor(const QNetworkDatagram &datagram) const
{
    if (datagram.interfaceIndex() > 0) {
        const QNetworkInterface interface =
            QNetworkInterface::interfaceFromIndex(int(datagram.interfaceIndex()));
        const QHostAddress address = ipv4Of(interface);
        if (!address.isNull())
            return address;
    }
    // Without packet information: the interface whose subnet holds the sender.
    for (const QNetworkInterface &interface : m_interfaces) {
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol &&
                datagram.senderAddress().isInSubnet(entry.ip(), entry.prefixLength()))
                return entry.ip();
        }
    }
    return m_interfaces.isEmpty() ? QHostAddress() : ipv4Of(m_interfaces.first());
}

void SsdpSocket::readPending()
{
    while (m_socket.hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_socket.receiveDatagram(kMaxDatagramRead);
        if (datagram.isValid())
            emit datagramReceived(datagram);
    }
}

} // namespace occ::ssdp
