#include "lab.h"

#include "testutil.h"

#include <csignal>
#include <QDir>
#include <QRegularExpression>
#include <unistd.h>

namespace occ::test {

namespace {

const QString kNetnsEtc = QStringLiteral("/etc/netns");

bool alive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

// Namespaces and hosts files left by a run that was killed before it could clean up.
void removeLeftovers()
{
    static const QRegularExpression ours(QStringLiteral("^occt-.*-(\\d+)$"));
    QByteArray list;
    run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("list")}, &list);
    for (const QByteArray &line : list.split('\n')) {
        const QString name = QString::fromLatin1(line.split(' ').value(0)).trimmed();
        const QRegularExpressionMatch m = ours.match(name);
        if (!m.hasMatch() || alive(m.captured(1).toLongLong()))
            continue;
        QByteArray pids;
        run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("pids"), name}, &pids);
        for (const QByteArray &pid : pids.split('\n')) {
            if (!pid.trimmed().isEmpty())
                ::kill(pid_t(pid.trimmed().toLongLong()), SIGKILL);
        }
        run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("del"), name});
    }
    const QStringList dirs = QDir(kNetnsEtc).entryList({QStringLiteral("occt-*")}, QDir::Dirs);
    for (const QString &dir : dirs) {
        const QRegularExpressionMatch m = ours.match(dir);
        if (m.hasMatch() && !alive(m.captured(1).toLongLong()))
            QDir(kNetnsEtc + QLatin1Char('/') + dir).removeRecursively();
    }
}

} // namespace

Lab::Lab()
{
    removeLeftovers();
    m_wire = std::make_unique<NetNamespace>(QStringLiteral("wire"), false);
    if (!m_wire->ok())
        m_error = m_wire->error();
}

Lab::~Lab()
{
    // Hosts first (their processes die with them), then the wire with the bridges.
    for (auto it = m_hostOrder.crbegin(); it != m_hostOrder.crend(); ++it) {
        const std::shared_ptr<NetNamespace> host = m_hosts.value(*it);
        if (host)
            QDir(kNetnsEtc + QLatin1Char('/') + host->name()).removeRecursively();
    }
    m_hosts.clear();
    m_wire.reset();
}

bool Lab::addLan(const QString &lan)
{
    if (m_wire->run(QStringLiteral("ip"),
                    {QStringLiteral("link"), QStringLiteral("add"), lan, QStringLiteral("type"),
                     QStringLiteral("bridge"), QStringLiteral("mcast_snooping"), QStringLiteral("0")}) != 0 ||
        m_wire->run(QStringLiteral("ip"),
                    {QStringLiteral("link"), QStringLiteral("set"), lan, QStringLiteral("up")}) != 0) {
        m_error = QStringLiteral("cannot make the bridge %1").arg(lan);
        return false;
    }
    return true;
}

const NetNamespace *Lab::addHost(const QString &name)
{
    auto host = std::make_shared<NetNamespace>(name, false);
    if (!host->ok()) {
        m_error = host->error();
        return nullptr;
    }
    m_hosts.insert(name, host);
    m_hostOrder.append(name);
    writeHostsFiles();
    return host.get();
}

const NetNamespace *Lab::host(const QString &name) const
{
    return m_hosts.value(name).get();
}

bool Lab::ip(const QString &host, const QStringList &command)
{
    const NetNamespace *ns = this->host(host);
    QByteArray output;
    if (!ns || ns->run(QStringLiteral("ip"), command, &output) != 0) {
        m_error = QStringLiteral("%1: ip %2: %3")
                      .arg(host, command.join(QLatin1Char(' ')), QString::fromLocal8Bit(output).trimmed());
        return false;
    }
    return true;
}

QString Lab::wireName(const QString &host, const QString &ifname) const
{
    return m_plugged.value(host + QLatin1Char('/') + ifname);
}

bool Lab::plug(const QString &host, const QString &ifname, const QString &lan, const QString &cidr,
               const QString &gateway)
{
    const NetNamespace *ns = this->host(host);
    if (!ns)
        return false;
    const QString wire = QStringLiteral("w%1").arg(m_nextWire++);
    QByteArray output;
    if (run(QStringLiteral("ip"),
            {QStringLiteral("link"), QStringLiteral("add"), wire, QStringLiteral("netns"), m_wire->name(),
             QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"),
             ifname, QStringLiteral("netns"), ns->name()},
            &output) != 0) {
        m_error =
            QStringLiteral("veth %1/%2: %3").arg(host, ifname, QString::fromLocal8Bit(output).trimmed());
        return false;
    }
    m_plugged.insert(host + QLatin1Char('/') + ifname, wire);
    if (m_wire->run(QStringLiteral("ip"), {QStringLiteral("link"), QStringLiteral("set"), wire,
                                           QStringLiteral("master"), lan}) != 0 ||
        m_wire->run(QStringLiteral("ip"),
                    {QStringLiteral("link"), QStringLiteral("set"), wire, QStringLiteral("up")}) != 0) {
        m_error = QStringLiteral("cannot plug %1 into %2").arg(host, lan);
        return false;
    }
    if (!ip(host, {QStringLiteral("addr"), QStringLiteral("add"), cidr, QStringLiteral("dev"), ifname}) ||
        !ip(host, {QStringLiteral("link"), QStringLiteral("set"), ifname, QStringLiteral("up")}))
        return false;
    if (!gateway.isEmpty() && !ip(host, {QStringLiteral("route"), QStringLiteral("add"),
                                         QStringLiteral("default"), QStringLiteral("via"), gateway}))
        return false;
    return true;
}

bool Lab::unplug(const QString &host, const QString &ifname)
{
    const QString wire = m_plugged.take(host + QLatin1Char('/') + ifname);
    if (!wire.isEmpty())
        return m_wire->run(QStringLiteral("ip"), {QStringLiteral("link"), QStringLiteral("del"), wire}) == 0;
    // A point-to-point link: delete it from the host's side.
    return ip(host, {QStringLiteral("link"), QStringLiteral("del"), ifname});
}

bool Lab::link(const QString &hostA, const QString &ifA, const QString &cidrA, const QString &hostB,
               const QString &ifB, const QString &cidrB)
{
    const NetNamespace *a = host(hostA);
    const NetNamespace *b = host(hostB);
    if (!a || !b)
        return false;
    QByteArray output;
    if (run(QStringLiteral("ip"),
            {QStringLiteral("link"), QStringLiteral("add"), ifA, QStringLiteral("netns"), a->name(),
             QStringLiteral("type"), QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"),
             ifB, QStringLiteral("netns"), b->name()},
            &output) != 0) {
        m_error =
            QStringLiteral("link %1-%2: %3").arg(hostA, hostB, QString::fromLocal8Bit(output).trimmed());
        return false;
    }
    return ip(hostA, {QStringLiteral("addr"), QStringLiteral("add"), cidrA, QStringLiteral("dev"), ifA}) &&
           ip(hostA, {QStringLiteral("link"), QStringLiteral("set"), ifA, QStringLiteral("up")}) &&
           ip(hostB, {QStringLiteral("addr"), QStringLiteral("add"), cidrB, QStringLiteral("dev"), ifB}) &&
           ip(hostB, {QStringLiteral("link"), QStringLiteral("set"), ifB, QStringLiteral("up")});
}

bool Lab::enableForwarding(const QString &host)
{
    const NetNamespace *ns = this->host(host);
    return ns &&
           ns->run(QStringLiteral("sh"),
                   {QStringLiteral("-c"), QStringLiteral("echo 1 > /proc/sys/net/ipv4/ip_forward")}) == 0;
}

void Lab::addName(const QString &name, const QString &address, const QString &onlyOnHost)
{
    m_names.append({name, address, onlyOnHost});
}

bool Lab::writeHostsFiles()
{
    for (const QString &hostName : std::as_const(m_hostOrder)) {
        const QString dir = kNetnsEtc + QLatin1Char('/') + m_hosts.value(hostName)->name();
        QByteArray hosts = "127.0.0.1 localhost\n::1 localhost\n";
        for (const Name &n : std::as_const(m_names)) {
            if (n.onlyOn.isEmpty() || n.onlyOn == hostName)
                hosts += n.address.toUtf8() + ' ' + n.name.toUtf8() + '\n';
        }
        // No name server: a name that is not in the hosts file fails at once.
        if (!writeFile(dir + QStringLiteral("/hosts"), hosts) ||
            !writeFile(dir + QStringLiteral("/resolv.conf"),
                       "# OCC e2e lab: names come from /etc/hosts only\noptions timeout:1 attempts:1\n")) {
            m_error = QStringLiteral("cannot write %1").arg(dir);
            return false;
        }
    }
    return true;
}

void Timeline::add(const QString &host, const QString &what, const QDateTime &at)
{
    m_events.append({at, host, what});
}

QString Timeline::text() const
{
    QList<Event> events = m_events;
    std::stable_sort(events.begin(), events.end(),
                     [](const Event &a, const Event &b) { return a.at < b.at; });
    QString text;
    for (const Event &e : events)
        text += QStringLiteral("  %1  %2 %3\n")
                    .arg(e.at.toString(QStringLiteral("HH:mm:ss.zzz")))
                    .arg(e.host, -12)
                    .arg(e.what);
    return text;
}

} // namespace occ::test
