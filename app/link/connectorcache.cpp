#include "connectorcache.h"

#include <QSettings>

namespace occ::hub {

namespace {
constexpr int kMaxAddresses = 8;
constexpr int kMaxEntries = 32;
} // namespace

ConnectorCache::ConnectorCache(QString path)
    : m_path(std::move(path))
{
    load();
}

void ConnectorCache::load()
{
    QSettings ini(m_path, QSettings::IniFormat);
    const QStringList groups = ini.childGroups();
    for (const QString &group : groups) {
        ini.beginGroup(group);
        CachedConnector c;
        c.connectorId = group;
        c.hostname = ini.value(QStringLiteral("hostname")).toString();
        c.addresses = ini.value(QStringLiteral("addresses")).toStringList();
        c.port = quint16(ini.value(QStringLiteral("port")).toUInt());
        c.fingerprint = ini.value(QStringLiteral("fingerprint")).toByteArray();
        c.lastSuccess = ini.value(QStringLiteral("lastSuccess")).toLongLong();
        c.successCount = ini.value(QStringLiteral("successCount")).toLongLong();
        ini.endGroup();
        if (c.port != 0)
            m_entries.append(c);
    }
}

void ConnectorCache::save() const
{
    QSettings ini(m_path, QSettings::IniFormat);
    ini.clear();
    for (const CachedConnector &c : m_entries) {
        ini.beginGroup(c.connectorId);
        ini.setValue(QStringLiteral("hostname"), c.hostname);
        ini.setValue(QStringLiteral("addresses"), c.addresses);
        ini.setValue(QStringLiteral("port"), c.port);
        ini.setValue(QStringLiteral("fingerprint"), c.fingerprint);
        ini.setValue(QStringLiteral("lastSuccess"), c.lastSuccess);
        ini.setValue(QStringLiteral("successCount"), c.successCount);
        ini.endGroup();
    }
    ini.sync();
}

QList<CachedConnector> ConnectorCache::ordered() const
{
    QList<CachedConnector> list = m_entries;
    std::stable_sort(list.begin(), list.end(), [](const CachedConnector &a, const CachedConnector &b) {
        return a.lastSuccess > b.lastSuccess;
    });
    return list;
}

void ConnectorCache::learn(const CachedConnector &connector)
{
    if (connector.connectorId.isEmpty() || connector.port == 0)
        return;
    auto it = std::find_if(m_entries.begin(), m_entries.end(),
                           [&](const CachedConnector &c) { return c.connectorId == connector.connectorId; });
    if (it == m_entries.end()) {
        if (m_entries.size() >= kMaxEntries) {
            // Forget the entry reached longest ago.
            auto oldest =
                std::min_element(m_entries.begin(), m_entries.end(),
                                 [](const auto &a, const auto &b) { return a.lastSuccess < b.lastSuccess; });
            m_entries.erase(oldest);
        }
        CachedConnector fresh = connector;
        fresh.lastSuccess = 0;
        fresh.successCount = 0;
        m_entries.append(fresh);
    } else {
        if (!connector.hostname.isEmpty())
            it->hostname = connector.hostname;
        for (const QString &address : connector.addresses) {
            if (!it->addresses.contains(address))
                it->addresses.append(address);
        }
        it->addresses = it->addresses.mid(0, kMaxAddresses);
        it->port = connector.port;
        if (!connector.fingerprint.isEmpty())
            it->fingerprint = connector.fingerprint;
    }
    save();
}

void ConnectorCache::learn(const QList<cloudapi::ConnectorInfo> &fromCloud)
{
    for (const cloudapi::ConnectorInfo &info : fromCloud)
        learn(CachedConnector{info.connectorId, info.hostname, info.addresses, quint16(info.port),
                              info.fingerprint.toLatin1(), 0, 0});
}

void ConnectorCache::recordSuccess(const CachedConnector &connector, const QString &address, qint64 now)
{
    learn(connector);
    auto it = std::find_if(m_entries.begin(), m_entries.end(),
                           [&](const CachedConnector &c) { return c.connectorId == connector.connectorId; });
    if (it == m_entries.end())
        return;
    if (!address.isEmpty()) {
        it->addresses.removeAll(address);
        it->addresses.prepend(address);
        it->addresses = it->addresses.mid(0, kMaxAddresses);
    }
    it->lastSuccess = now;
    ++it->successCount;
    save();
}

} // namespace occ::hub
