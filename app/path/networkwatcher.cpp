#include "networkwatcher.h"

#include <QLoggingCategory>
#include <QNetworkInformation>
#include <QNetworkInterface>

Q_LOGGING_CATEGORY(lcNetwork, "occ.hub.network")

namespace occ::hub {

NetworkWatcher::NetworkWatcher(qint64 checkIntervalMs, QObject *parent)
    : QObject(parent)
{
    m_poll.setInterval(int(qMax<qint64>(500, checkIntervalMs)));
    connect(&m_poll, &QTimer::timeout, this, &NetworkWatcher::check);
    // Several signals in a row (an interface going down and up) make one change.
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(300);
    connect(&m_debounce, &QTimer::timeout, this, [this] {
        const QString now = fingerprint();
        if (now == m_last)
            return;
        qCInfo(lcNetwork).noquote() << "network changed:" << now;
        m_last = now;
        emit changed();
    });
}

QString NetworkWatcher::fingerprint()
{
    QStringList parts;
    const QList<QNetworkInterface> all = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : all) {
        const auto flags = interface.flags();
        if (!(flags & QNetworkInterface::IsUp) || !(flags & QNetworkInterface::IsRunning))
            continue;
        QStringList addresses;
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            if (!entry.ip().isLinkLocal())
                addresses << entry.ip().toString() + QLatin1Char('/') + QString::number(entry.prefixLength());
        }
        addresses.sort();
        parts << interface.name() + QLatin1Char('=') + addresses.join(QLatin1Char(','));
    }
    parts.sort();
    return parts.join(QLatin1Char(' '));
}

void NetworkWatcher::start()
{
    m_last = fingerprint();
    m_poll.start();
    if (QNetworkInformation::loadDefaultBackend() && QNetworkInformation::instance()) {
        QNetworkInformation *information = QNetworkInformation::instance();
        qCInfo(lcNetwork) << "network change backend:" << information->backendName();
        connect(information, &QNetworkInformation::reachabilityChanged, this, [this] { m_debounce.start(); });
    } else {
        qCInfo(lcNetwork) << "no QNetworkInformation backend here; comparing the interface list every"
                          << m_poll.interval() << "ms";
    }
}

void NetworkWatcher::check()
{
    if (fingerprint() != m_last && !m_debounce.isActive())
        m_debounce.start();
}

} // namespace occ::hub
