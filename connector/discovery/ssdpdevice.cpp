#include "ssdpdevice.h"

#include "discovery/descriptionserver.h"
#include "ssdp/ssdpmessage.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDiscovery, "occ.connector.ssdp")

namespace occ::connector {

SsdpDevice::SsdpDevice(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_socket(m_config.endpoint)
    , m_random(QRandomGenerator::securelySeeded())
{
    connect(&m_socket, &ssdp::SsdpSocket::datagramReceived, this, &SsdpDevice::received);
    m_alive.setInterval(qMax(1, m_config.maxAge / 2) * 1000);
    connect(&m_alive, &QTimer::timeout, this, [this] { announce(true); });
}

SsdpDevice::~SsdpDevice()
{
    stop();
}

Result<void> SsdpDevice::start()
{
    if (Result<void> opened = m_socket.openAsDevice(); !opened)
        return opened;
    m_bootId = QDateTime::currentSecsSinceEpoch(); // increases with every start (UDA 2.0)
    m_started = true;
    QStringList names;
    for (const QNetworkInterface &interface : m_socket.interfaces())
        names << interface.name();
    qCInfo(lcDiscovery).noquote() << "UPnP device uuid:" + m_config.connectorId << "on"
                                  << names.join(QLatin1Char(',')) << "group"
                                  << m_config.endpoint.hostHeader();
    announce(true);
    m_alive.start();
    return {};
}

void SsdpDevice::stop()
{
    if (!m_started)
        return;
    m_started = false;
    m_alive.stop();
    announce(false);
    m_socket.close();
}

QList<QPair<QByteArray, QByteArray>> SsdpDevice::targets() const
{
    const QByteArray udn = "uuid:" + m_config.connectorId.toLatin1();
    return {{"upnp:rootdevice", udn + "::upnp:rootdevice"},
            {udn, udn},
            {ssdp::kDeviceType, udn + "::" + ssdp::kDeviceType}};
}

QByteArray SsdpDevice::locationFor(const QHostAddress &local) const
{
    return "http://" + local.toString().toLatin1() + ':' + QByteArray::number(m_config.descriptionPort) +
           DescriptionServer::kPath;
}

void SsdpDevice::announce(bool alive)
{
    // One NOTIFY per target and interface, each naming that interface's address.
    for (const QNetworkInterface &interface : m_socket.interfaces()) {
        const QByteArray location = locationFor(ssdp::ipv4Of(interface));
        for (const auto &[target, usn] : targets()) {
            const ssdp::Announcement a{location, m_config.server, usn, target, m_config.maxAge, m_bootId, 1};
            m_socket.sendToGroup(ssdp::buildNotify(m_config.endpoint.hostHeader(), a, alive), interface);
        }
    }
}

void SsdpDevice::received(const QNetworkDatagram &datagram)
{
    Result<ssdp::SsdpMessage> message = ssdp::parseSsdp(datagram.data());
    if (!message) {
        qCDebug(lcDiscovery) << "ignoring datagram from" << datagram.senderAddress() << ":"
                             << message.error().message;
        return;
    }
    if (message->kind != ssdp::SsdpMessage::Kind::Search || message->header("MAN") != "\"ssdp:discover\"")
        return;
    const QByteArray st = message->header("ST");
    const QByteArray udn = "uuid:" + m_config.connectorId.toLatin1();
    if (!ssdp::searchMatches(st, udn, ssdp::kDeviceType))
        return;
    bool mxOk = false;
    const int mx = message->header("MX").toInt(&mxOk);
    if (!mxOk || mx < 1)
        return; // UDA: a multicast M-SEARCH without a valid MX is ignored
    const QHostAddress sender = datagram.senderAddress();
    const quint16 senderPort = quint16(datagram.senderPort());
    const QHostAddress local = m_socket.localAddressFor(datagram);
    QList<QPair<QByteArray, QByteArray>> answers;
    for (const auto &[target, usn] : targets()) {
        if (st == "ssdp:all" || st == target)
            answers.append({target, usn});
    }
    // Answer after a random delay within MX (at most 5 s) so that many devices do
    // not answer at once.
    const int delay = int(m_random.bounded(quint32(qMin(mx, 5) * 1000)));
    QTimer::singleShot(delay, this, [this, answers, sender, senderPort, local] {
        for (const auto &[target, usn] : answers) {
            const ssdp::Announcement a{locationFor(local), m_config.server, usn, target,
                                       m_config.maxAge,    m_bootId,        1};
            m_socket.sendTo(ssdp::buildResponse(a), sender, senderPort);
        }
        ++m_answered;
    });
}

} // namespace occ::connector
