#pragma once

#include "netns.h"

#include <memory>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace occ::test {

// A small network of real hosts for end-to-end tests (root, iproute2): every host
// is a network namespace; the LANs are Linux bridges inside one more namespace
// (the "wire"), so nothing touches the machine's own network. Hosts are plugged
// into LANs with veth pairs and can be moved between them like a laptop. Names
// resolve through per-host hosts files (/etc/netns/NS/hosts, which `ip netns exec`
// mounts over /etc/hosts) and an empty resolver configuration, so no query leaves
// the lab. Everything - processes, namespaces, those files - is removed when the
// lab goes, also after a failed test; leftovers of a killed run are removed by the
// next lab.
class Lab
{
public:
    Lab();
    ~Lab();
    Lab(const Lab &) = delete;
    Lab &operator=(const Lab &) = delete;

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    // A LAN: a bridge in the wire namespace (multicast snooping off, so SSDP floods).
    bool addLan(const QString &lan);
    // A host; name is also its host name in the lab's hosts files.
    const NetNamespace *addHost(const QString &host);
    const NetNamespace *host(const QString &name) const;

    // Plugs host into lan as interface ifname with address (CIDR); gateway optional.
    bool plug(const QString &host, const QString &ifname, const QString &lan, const QString &cidr,
              const QString &gateway = {});
    bool unplug(const QString &host, const QString &ifname);
    // A point-to-point link between two hosts (a VPN tunnel, a router leg).
    bool link(const QString &hostA, const QString &ifA, const QString &cidrA, const QString &hostB,
              const QString &ifB, const QString &cidrB);
    // ip COMMAND inside host, e.g. {"route", "add", ...}.
    bool ip(const QString &host, const QStringList &command);
    bool enableForwarding(const QString &host);
    // host name -> address entries for everyone (written to each host's hosts file),
    // or for one host only (a name that only resolves there).
    void addName(const QString &name, const QString &address, const QString &onlyOnHost = {});
    bool writeHostsFiles();

private:
    QString wireName(const QString &host, const QString &ifname) const;

    std::unique_ptr<NetNamespace> m_wire;
    QHash<QString, std::shared_ptr<NetNamespace>> m_hosts;
    QStringList m_hostOrder;
    QHash<QString, QString> m_plugged; // "host/ifname" -> wire-side interface
    struct Name
    {
        QString name;
        QString address;
        QString onlyOn;
    };
    QList<Name> m_names;
    int m_nextWire = 0;
    QString m_error;
};

// What happened when, on which host: the short timeline every scenario prints.
class Timeline
{
public:
    void add(const QString &host, const QString &what, const QDateTime &at = QDateTime::currentDateTimeUtc());
    QString text() const;
    void clear() { m_events.clear(); }

private:
    struct Event
    {
        QDateTime at;
        QString host;
        QString what;
    };
    QList<Event> m_events;
};

} // namespace occ::test
