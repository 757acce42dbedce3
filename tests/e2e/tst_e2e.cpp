// OCC end to end across real hosts (ARCHITECTURE §1-§10): the real occ-cloud,
// occ-connector and occ-sensorhub programs on hosts made of network namespaces,
// LANs made of bridges, a router between them, a VPN gateway, a proxy host and a
// rogue. Discovery uses the real SSDP group 239.255.255.250:1900 on the office
// LAN. Every scenario builds the world afresh, prints its timeline (time, host,
// state change) and leaves nothing behind.
//
//   office 10.10.0.0/24 ── router ── inet 10.99.0.0/24 (cloud .10, proxy .5)
//      │ connector .3            ├── home 10.30.0.0/24 (no way to the office)
//      │ vpn gateway .2          └── branch 10.20.0.0/24 (no way to the office)
//      └── 10.77.0.0/24 tunnel "wg0" to a laptop in the branch
//   proxynet 10.40.0.0/24: only the proxy host (.5) leads anywhere
#include "await.h"
#include "cloudprocess.h"
#include "connectorprocess.h"
#include "hubprocess.h"
#include "lab.h"
#include "testutil.h"
#include "tinyproxy.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <set>

using namespace occ;
using namespace occ::test;

namespace {

const QString kCloudName = QStringLiteral("cloud.occ.test");
const QString kConnectorName = QStringLiteral("connector.office.test");
constexpr int kFallbackAfter = 10; // connection/fallbackAfter of the hubs (s)
constexpr int kFailbackProbe = 4;  // connection/failbackProbe of the hubs (s)

} // namespace

class E2e : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Lab> m_lab;
    std::unique_ptr<CloudProcess> m_cloud;
    CloudProcess::Customer m_customer;
    std::unique_ptr<ConnectorProcess> m_connector;
    std::vector<std::pair<QString, std::unique_ptr<HubProcess>>> m_hubs; // host name, hub
    Timeline m_timeline;

    // The world every scenario starts from: LANs, router, cloud, connector host.
    bool buildWorld()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_lab = std::make_unique<Lab>();
        Lab &lab = *m_lab;
        for (const char *lan : {"office", "inet", "home", "branch", "proxynet"}) {
            if (!lab.addLan(QString::fromLatin1(lan)))
                return false;
        }
        for (const char *host : {"router", "cloud", "connector", "vpn", "proxy"}) {
            if (!lab.addHost(QString::fromLatin1(host)))
                return false;
        }
        lab.addName(kCloudName, QStringLiteral("10.99.0.10"));
        lab.addName(kConnectorName, QStringLiteral("10.10.0.3"));
        const bool ok =
            lab.plug(QStringLiteral("router"), QStringLiteral("eth-office"), QStringLiteral("office"),
                     QStringLiteral("10.10.0.1/24")) &&
            lab.plug(QStringLiteral("router"), QStringLiteral("eth-inet"), QStringLiteral("inet"),
                     QStringLiteral("10.99.0.1/24")) &&
            lab.plug(QStringLiteral("router"), QStringLiteral("eth-home"), QStringLiteral("home"),
                     QStringLiteral("10.30.0.1/24")) &&
            lab.plug(QStringLiteral("router"), QStringLiteral("eth-branch"), QStringLiteral("branch"),
                     QStringLiteral("10.20.0.1/24")) &&
            lab.enableForwarding(QStringLiteral("router")) &&
            // Home and branch reach the internet, never the office LAN.
            lab.ip(QStringLiteral("router"),
                   {QStringLiteral("rule"), QStringLiteral("add"), QStringLiteral("from"),
                    QStringLiteral("10.30.0.0/24"), QStringLiteral("to"), QStringLiteral("10.10.0.0/24"),
                    QStringLiteral("prohibit")}) &&
            lab.ip(QStringLiteral("router"),
                   {QStringLiteral("rule"), QStringLiteral("add"), QStringLiteral("from"),
                    QStringLiteral("10.20.0.0/24"), QStringLiteral("to"), QStringLiteral("10.10.0.0/24"),
                    QStringLiteral("prohibit")}) &&
            lab.plug(QStringLiteral("cloud"), QStringLiteral("eth0"), QStringLiteral("inet"),
                     QStringLiteral("10.99.0.10/24"), QStringLiteral("10.99.0.1")) &&
            lab.plug(QStringLiteral("connector"), QStringLiteral("eth0"), QStringLiteral("office"),
                     QStringLiteral("10.10.0.3/24"), QStringLiteral("10.10.0.1")) &&
            // The VPN gateway: office side .2; tunnels come and go with the laptop.
            lab.plug(QStringLiteral("vpn"), QStringLiteral("eth0"), QStringLiteral("office"),
                     QStringLiteral("10.10.0.2/24"), QStringLiteral("10.10.0.1")) &&
            lab.enableForwarding(QStringLiteral("vpn")) &&
            lab.ip(QStringLiteral("connector"),
                   {QStringLiteral("route"), QStringLiteral("add"), QStringLiteral("10.77.0.0/24"),
                    QStringLiteral("via"), QStringLiteral("10.10.0.2")}) &&
            lab.plug(QStringLiteral("proxy"), QStringLiteral("eth-inet"), QStringLiteral("inet"),
                     QStringLiteral("10.99.0.5/24"), QStringLiteral("10.99.0.1")) &&
            lab.plug(QStringLiteral("proxy"), QStringLiteral("eth-lan"), QStringLiteral("proxynet"),
                     QStringLiteral("10.40.0.5/24")) &&
            lab.writeHostsFiles();
        if (!ok)
            return false;

        m_cloud = std::make_unique<CloudProcess>(
            m_dir->filePath(QStringLiteral("cloud")), QString(),
            QStringList{QStringLiteral("--listen"), QStringLiteral("0.0.0.0:8443"), QStringLiteral("--set"),
                        QStringLiteral("server/hostnames=") + kCloudName, QStringLiteral("--set"),
                        QStringLiteral("server/pollWakeup=200")},
            lab.host(QStringLiteral("cloud")));
        m_customer = m_cloud->addCustomer(QStringLiteral("Acme GmbH"));
        if (m_customer.id.isEmpty() || !m_cloud->start())
            return false;
        m_cloud->setUrl(QUrl(QStringLiteral("https://%1:8443/soap").arg(kCloudName)));
        m_timeline.add(QStringLiteral("cloud"), QStringLiteral("serving ") + m_cloud->url().toString());
        return startConnector(true);
    }

    bool startConnector(bool enrol)
    {
        if (!m_connector)
            m_connector = std::make_unique<ConnectorProcess>(
                m_dir->filePath(QStringLiteral("connector")),
                QStringList{
                    QStringLiteral("connector/advertiseHost=") + kConnectorName,
                    QStringLiteral("connection/heartbeat=1"), QStringLiteral("connector/handshakeTimeout=3"),
                    QStringLiteral("connection/reportInterval=1"), QStringLiteral("spool/fullSync=false")},
                m_lab->host(QStringLiteral("connector")));
        if (enrol && !m_connector->enrol(*m_cloud, m_customer, kConnectorName))
            return false;
        if (!m_connector->start())
            return false;
        m_timeline.add(QStringLiteral("connector"), QStringLiteral("running ") + m_connector->id());
        return true;
    }

    // A hub host plugged into lan, enrolled (from there) and started.
    HubProcess *startHub(const QString &name, const QString &lan, const QString &cidr, const QString &gateway,
                         const QStringList &extra = {})
    {
        if (!m_lab->addHost(name) || !m_lab->plug(name, QStringLiteral("eth0"), lan, cidr, gateway) ||
            !m_lab->writeHostsFiles())
            return nullptr;
        auto hub = std::make_unique<HubProcess>(
            m_dir->filePath(name),
            QStringList{QStringLiteral("hub/hostname=") + name, QStringLiteral("connection/interfaceCheck=1"),
                        QStringLiteral("connection/connectTimeout=2"),
                        QStringLiteral("connection/backoffMin=1"), QStringLiteral("connection/backoffMax=2"),
                        QStringLiteral("connection/reportInterval=1"),
                        QStringLiteral("connection/pollWait=5"), QStringLiteral("sensors/interval=2"),
                        QStringLiteral("sensors/heartbeatInterval=2"),
                        QStringLiteral("connection/fallbackAfter=%1").arg(kFallbackAfter),
                        QStringLiteral("connection/failbackProbe=%1").arg(kFailbackProbe)} +
                extra,
            m_lab->host(name));
        if (!hub->enrol(*m_cloud, m_customer, name) || !hub->start())
            return nullptr;
        m_timeline.add(name, QStringLiteral("hub started on %1 (%2)").arg(lan, cidr));
        m_hubs.emplace_back(name, std::move(hub));
        return m_hubs.back().second.get();
    }

    QJsonObject cloudHub(const QString &hubId) const
    {
        for (const QJsonValue &hub : m_cloud->cliJson({QStringLiteral("hubs")}).array()) {
            if (hub[QStringLiteral("hubId")].toString() == hubId)
                return hub.toObject();
        }
        return {};
    }

    bool cloudHoldsEverySeqOnce(const QString &hubId, qint64 upTo, QString *why) const
    {
        std::multiset<qint64> seqs;
        const QJsonArray all = m_cloud
                                   ->cliJson({QStringLiteral("measurements"), hubId,
                                              QStringLiteral("--limit"), QStringLiteral("1000000")})
                                   .array();
        for (const QJsonValue &m : all)
            seqs.insert(m[QStringLiteral("seq")].toInteger());
        const qint64 highest = seqs.empty() ? 0 : *seqs.rbegin();
        if (highest < upTo) {
            *why = QStringLiteral("%1: highest seq %2 < %3").arg(hubId).arg(highest).arg(upTo);
            return false;
        }
        for (qint64 seq = 1; seq <= highest; ++seq) {
            if (seqs.count(seq) != 1) {
                *why = QStringLiteral("%1: seq %2 stored %3 times").arg(hubId).arg(seq).arg(seqs.count(seq));
                return false;
            }
        }
        return true;
    }

    QJsonObject command(const QString &hubId, const QStringList &kindAndArgs) const
    {
        const QString id = m_cloud->cliJson(QStringList{QStringLiteral("command"), hubId} + kindAndArgs)
                               .object()[QStringLiteral("commandId")]
                               .toString();
        QJsonObject found;
        waitFor(
            [&] {
                for (const QJsonValue &c : m_cloud->cliJson({QStringLiteral("commands"), hubId}).array()) {
                    if (c[QStringLiteral("commandId")].toString() == id)
                        found = c.toObject();
                }
                const QString state = found[QStringLiteral("state")].toString();
                return state == QLatin1StringView("done") || state == QLatin1StringView("failed");
            },
            30000);
        return found;
    }

    bool allHubsIn(const QString &state, int timeoutMs)
    {
        return waitFor(
            [&] {
                return std::all_of(m_hubs.begin(), m_hubs.end(),
                                   [&](auto &h) { return h.second->state() == state; });
            },
            timeoutMs);
    }

    // When a hub reached `to` at or after `after` (its own stdout line).
    std::optional<QDateTime> reached(HubProcess &hub, const QString &to, const QDateTime &after)
    {
        std::optional<HubProcess::Change> change;
        waitFor([&] { return (change = hub.changeTo(to, after)).has_value(); }, 3000);
        return change ? std::optional<QDateTime>(change->at) : std::nullopt;
    }

    void printTimeline(const char *scenario)
    {
        Timeline all = m_timeline;
        for (auto &[name, hub] : m_hubs) {
            for (const HubProcess::Change &c : hub->changes())
                all.add(name,
                        QStringLiteral("%1 -> %2%3")
                            .arg(c.from, c.to,
                                 c.connectorId.isEmpty() ? QString() : QStringLiteral(" (connector)")),
                        c.at);
        }
        qInfo("timeline of %s:\n%s", scenario, qPrintable(all.text()));
    }

private slots:
    void init() { QVERIFY2(buildWorld(), qPrintable(m_lab ? m_lab->error() : QString())); }

    // 1. Office: three hubs find the connector over the real SSDP group.
    void office()
    {
        for (int i = 1; i <= 3; ++i)
            QVERIFY(startHub(QStringLiteral("pc-%1").arg(i), QStringLiteral("office"),
                             QStringLiteral("10.10.0.1%1/24").arg(i), QStringLiteral("10.10.0.1")));
        QVERIFY(allHubsIn(QStringLiteral("ConnectorLan"), 30000));
        for (auto &[name, hub] : m_hubs) {
            const QJsonObject status = hub->status();
            QCOMPARE(status[QStringLiteral("connectorId")].toString(), m_connector->id());
            QVERIFY2(status[QStringLiteral("lastSearch")][QStringLiteral("upnp")].toBool(), qPrintable(name));
            QVERIFY(waitFor(
                [&] {
                    const QJsonObject h = cloudHub(hub->id());
                    return h[QStringLiteral("path")].toString() == QLatin1StringView("ConnectorLan") &&
                           h[QStringLiteral("connectorId")].toString() == m_connector->id() &&
                           h[QStringLiteral("count")].toInt() > 0;
                },
                20000));
            QCOMPARE(cloudHub(hub->id())[QStringLiteral("hostname")].toString(), name);
        }
        QByteArray table;
        QCOMPARE(m_cloud->cli({QStringLiteral("hubs")}, &table), 0);
        qInfo("occ-cloud hubs:\n%s", table.constData());
        QCOMPARE(m_connector
                     ->query(QStringLiteral("status"))[QStringLiteral("hubs")][QStringLiteral("ConnectorLan")]
                     .toInt(),
                 3);
        printTimeline("office");
    }

    // 2. Connector crash: Searching, DirectCloud at fallbackAfter, every seq once, failback.
    void connectorCrash()
    {
        for (int i = 1; i <= 3; ++i)
            QVERIFY(startHub(QStringLiteral("pc-%1").arg(i), QStringLiteral("office"),
                             QStringLiteral("10.10.0.1%1/24").arg(i), QStringLiteral("10.10.0.1")));
        QVERIFY(allHubsIn(QStringLiteral("ConnectorLan"), 30000));
        for (auto &[name, hub] : m_hubs)
            QVERIFY2(hub->waitForDeliveries(2), qPrintable(name));
        const QDateTime killed = QDateTime::currentDateTimeUtc();
        m_connector->kill();
        m_timeline.add(QStringLiteral("connector"), QStringLiteral("killed (SIGKILL)"), killed);
        QVERIFY(allHubsIn(QStringLiteral("DirectCloud"), (kFallbackAfter + 10) * 1000));
        for (auto &[name, hub] : m_hubs) {
            const std::optional<QDateTime> searching = reached(*hub, QStringLiteral("Searching"), killed);
            const std::optional<QDateTime> direct = reached(*hub, QStringLiteral("DirectCloud"), killed);
            QVERIFY(searching && direct);
            const qint64 after = searching->msecsTo(*direct);
            // Not before fallbackAfter (rule 2); the upper bound is a deadline.
            QVERIFY2(after >= kFallbackAfter * 1000 - 500 && after <= kFallbackAfter * 1000 + scaled(3000),
                     qPrintable(QStringLiteral("%1: %2 ms").arg(name).arg(after)));
        }
        for (auto &[name, hub] : m_hubs) // direct delivery for a while
            QVERIFY2(hub->waitForDeliveries(3), qPrintable(name));
        const QDateTime restarted = QDateTime::currentDateTimeUtc();
        QVERIFY(startConnector(false));
        QVERIFY(allHubsIn(QStringLiteral("ConnectorLan"), (kFailbackProbe + 6) * 1000));
        for (auto &[name, hub] : m_hubs) {
            const std::optional<QDateTime> back = reached(*hub, QStringLiteral("ConnectorLan"), restarted);
            QVERIFY(back);
            QVERIFY2(restarted.msecsTo(*back) <= kFailbackProbe * 1000 + scaled(3000), qPrintable(name));
        }
        // Nothing lost, nothing twice.
        for (auto &[name, hub] : m_hubs) {
            QVERIFY(waitFor([&] { return hub->status()[QStringLiteral("queueDepth")].toInt() == 0; }, 15000));
            const qint64 upTo = hub->status()[QStringLiteral("highestSeq")].toInteger();
            QString why;
            QVERIFY2(waitFor([&] { return cloudHoldsEverySeqOnce(hub->id(), upTo, &why); }, 20000),
                     qPrintable(why));
        }
        printTimeline("connector crash");
    }

    // 3. Laptop: office -> branch over a VPN tunnel -> home -> office.
    void laptop()
    {
        Lab &lab = *m_lab;
        const QString laptop = QStringLiteral("laptop");
        HubProcess *hub = startHub(laptop, QStringLiteral("office"), QStringLiteral("10.10.0.50/24"),
                                   QStringLiteral("10.10.0.1"));
        QVERIFY(hub);
        QVERIFY(hub->waitForState(QStringLiteral("ConnectorLan"), 20000));

        // To the branch: its own LAN plus a tunnel named like a VPN device.
        QDateTime moved = QDateTime::currentDateTimeUtc();
        m_timeline.add(laptop, QStringLiteral("moved to the branch (wg0 tunnel to the office)"), moved);
        QVERIFY(lab.unplug(laptop, QStringLiteral("eth0")));
        QVERIFY(lab.plug(laptop, QStringLiteral("eth0"), QStringLiteral("branch"),
                         QStringLiteral("10.20.0.50/24"), QStringLiteral("10.20.0.1")));
        QVERIFY(lab.link(laptop, QStringLiteral("wg0"), QStringLiteral("10.77.0.2/24"), QStringLiteral("vpn"),
                         QStringLiteral("tun-laptop"), QStringLiteral("10.77.0.1/24")));
        QVERIFY(lab.ip(laptop, {QStringLiteral("route"), QStringLiteral("add"),
                                QStringLiteral("10.10.0.0/24"), QStringLiteral("via"),
                                QStringLiteral("10.77.0.1"), QStringLiteral("dev"), QStringLiteral("wg0")}));
        QVERIFY(hub->waitForState(QStringLiteral("ConnectorVpn"), 15000));
        std::optional<QDateTime> at = reached(*hub, QStringLiteral("ConnectorVpn"), moved);
        QVERIFY(at);
        qInfo("branch: ConnectorVpn %lld ms after the move", moved.msecsTo(*at));
        QVERIFY(moved.msecsTo(*at) <= scaled(6000));
        QJsonObject status = hub->status();
        QVERIFY2(!status[QStringLiteral("lastSearch")][QStringLiteral("upnp")].toBool(),
                 "the cache should have answered, without M-SEARCH");
        QCOMPARE(status[QStringLiteral("connector")][QStringLiteral("interface")].toString(),
                 QStringLiteral("wg0"));
        QVERIFY(waitFor(
            [&] {
                return cloudHub(hub->id())[QStringLiteral("path")].toString() ==
                       QLatin1StringView("ConnectorVpn");
            },
            10000));

        // Home: no way to the office at all.
        moved = QDateTime::currentDateTimeUtc();
        m_timeline.add(laptop, QStringLiteral("moved home (no route to the office)"), moved);
        QVERIFY(lab.unplug(laptop, QStringLiteral("wg0")));
        QVERIFY(lab.unplug(laptop, QStringLiteral("eth0")));
        QVERIFY(lab.plug(laptop, QStringLiteral("eth0"), QStringLiteral("home"),
                         QStringLiteral("10.30.0.50/24"), QStringLiteral("10.30.0.1")));
        QVERIFY(hub->waitForState(QStringLiteral("DirectCloud"), 20000));
        at = reached(*hub, QStringLiteral("DirectCloud"), moved);
        QVERIFY(at);
        qInfo("home: DirectCloud %lld ms after the move", moved.msecsTo(*at));
        QVERIFY(moved.msecsTo(*at) <=
                10000); // cache refused at once, UPnP 3 s, then the cloud - not fallbackAfter
        QVERIFY(waitFor(
            [&] {
                return cloudHub(hub->id())[QStringLiteral("path")].toString() ==
                       QLatin1StringView("DirectCloud");
            },
            10000));

        // Back in the office.
        moved = QDateTime::currentDateTimeUtc();
        m_timeline.add(laptop, QStringLiteral("back in the office"), moved);
        QVERIFY(lab.unplug(laptop, QStringLiteral("eth0")));
        QVERIFY(lab.plug(laptop, QStringLiteral("eth0"), QStringLiteral("office"),
                         QStringLiteral("10.10.0.50/24"), QStringLiteral("10.10.0.1")));
        QVERIFY(hub->waitForState(QStringLiteral("ConnectorLan"), 15000));
        at = reached(*hub, QStringLiteral("ConnectorLan"), moved);
        QVERIFY(at);
        qInfo("office: ConnectorLan %lld ms after the move", moved.msecsTo(*at));
        QVERIFY(moved.msecsTo(*at) <= scaled(6000));

        QVERIFY(waitFor([&] { return hub->status()[QStringLiteral("queueDepth")].toInt() == 0; }, 15000));
        const qint64 upTo = hub->status()[QStringLiteral("highestSeq")].toInteger();
        QString why;
        QVERIFY2(waitFor([&] { return cloudHoldsEverySeqOnce(hub->id(), upTo, &why); }, 20000),
                 qPrintable(why));
        printTimeline("laptop");
    }

    // 4. Proxy-only network: the cloud only through tinyproxy.
    void proxyOnly()
    {
        TinyProxy proxy;
        proxy.setNamespace(m_lab->host(QStringLiteral("proxy")));
        proxy.setListen(QStringLiteral("10.40.0.5"), QStringLiteral("10.40.0.0/24"));
        QString error;
        QVERIFY2(proxy.start(&error), qPrintable(error));
        const QString name = QStringLiteral("kiosk");
        QVERIFY(m_lab->addHost(name));
        QVERIFY(m_lab->plug(name, QStringLiteral("eth0"), QStringLiteral("proxynet"),
                            QStringLiteral("10.40.0.20/24")));
        QVERIFY(m_lab->writeHostsFiles());
        // No way around the proxy.
        QVERIFY(
            m_lab->host(name)->run(QStringLiteral("curl"),
                                   {QStringLiteral("-sk"), QStringLiteral("--max-time"), QStringLiteral("3"),
                                    QStringLiteral("https://%1:8443/").arg(kCloudName)}) != 0);
        auto hub = std::make_unique<HubProcess>(
            m_dir->filePath(name),
            QStringList{QStringLiteral("hub/hostname=") + name, QStringLiteral("proxy/url=") + proxy.url(),
                        QStringLiteral("connection/interfaceCheck=1"),
                        QStringLiteral("connection/connectTimeout=2"),
                        QStringLiteral("connection/reportInterval=1"), QStringLiteral("sensors/interval=2")},
            m_lab->host(name));
        QVERIFY(hub->enrol(*m_cloud, m_customer, name)); // enrolment goes through the proxy too
        QVERIFY(hub->start());
        QVERIFY(hub->waitForState(QStringLiteral("DirectCloud"), 20000));
        QVERIFY(waitFor([&] { return cloudHub(hub->id())[QStringLiteral("count")].toInt() > 3; }, 20000));
        QCOMPARE(cloudHub(hub->id())[QStringLiteral("path")].toString(), QStringLiteral("DirectCloud"));
        QVERIFY2(proxy.connectsTo(kCloudName + QStringLiteral(":8443")) >= 2, proxy.log().constData());
        m_hubs.emplace_back(name, std::move(hub));
        printTimeline("proxy-only network");
    }

    // 5. Rogue connector: answers faster, receives nothing.
    void rogueConnector()
    {
        const QString rogueHost = QStringLiteral("rogue");
        QVERIFY(m_lab->addHost(rogueHost));
        QVERIFY(m_lab->plug(rogueHost, QStringLiteral("eth0"), QStringLiteral("office"),
                            QStringLiteral("10.10.0.66/24"), QStringLiteral("10.10.0.1")));
        ProgramProcess rogue(QStringLiteral("ip"), ProgramProcess::Kind::Tool);
        QVERIFY(rogue.start(
            m_lab->host(rogueHost)->wrap(buildPath(QStringLiteral("tests/e2e/e2e_rogue")),
                                         {QStringLiteral("--customer"), m_customer.id,
                                          QStringLiteral("--address"), QStringLiteral("10.10.0.66"),
                                          QStringLiteral("--interface"), QStringLiteral("eth0")}),
            QRegularExpression(QStringLiteral("ROGUE")), nullptr, 10000));
        m_timeline.add(
            rogueHost,
            QStringLiteral("answering every M-SEARCH at once, TLS with a self-signed certificate"));
        for (int i = 1; i <= 3; ++i)
            QVERIFY(startHub(QStringLiteral("pc-%1").arg(i), QStringLiteral("office"),
                             QStringLiteral("10.10.0.1%1/24").arg(i), QStringLiteral("10.10.0.1")));
        QVERIFY(allHubsIn(QStringLiteral("ConnectorLan"), 30000));
        for (auto &[name, hub] : m_hubs)
            QCOMPARE(hub->status()[QStringLiteral("connectorId")].toString(), m_connector->id());
        // The rogue's next line of counters, written after the hubs chose.
        const qsizetype linesBefore = rogue.output().trimmed().split('\n').size();
        QVERIFY(waitFor([&] { return rogue.output().trimmed().split('\n').size() > linesBefore; }, 10000));
        const QList<QByteArray> lines = rogue.output().trimmed().split('\n');
        const QRegularExpressionMatch counters =
            QRegularExpression(QStringLiteral("answers=(\\d+) attempts=(\\d+) encrypted=(\\d+) bytes=(\\d+)"))
                .match(QString::fromUtf8(lines.last()));
        QVERIFY(counters.hasMatch());
        qInfo("rogue: %s", lines.last().constData());
        QVERIFY(counters.captured(1).toInt() >= 3); // it answered every hub
        QVERIFY(counters.captured(2).toInt() >= 1); // and hubs did try it
        QCOMPARE(counters.captured(3).toInt(), 0);  // no handshake completed
        QCOMPARE(counters.captured(4).toInt(), 0);  // not one byte of a frame
        printTimeline("rogue connector");
    }

    // 6. Commands reach a hub behind the connector and a direct hub.
    void commands()
    {
        HubProcess *office = startHub(QStringLiteral("pc-1"), QStringLiteral("office"),
                                      QStringLiteral("10.10.0.11/24"), QStringLiteral("10.10.0.1"));
        HubProcess *home = startHub(QStringLiteral("homeoffice"), QStringLiteral("home"),
                                    QStringLiteral("10.30.0.20/24"), QStringLiteral("10.30.0.1"));
        QVERIFY(office && home);
        QVERIFY(office->waitForState(QStringLiteral("ConnectorLan"), 20000));
        QVERIFY(home->waitForState(QStringLiteral("DirectCloud"), 20000));
        for (HubProcess *hub : {office, home}) {
            QJsonObject result = command(hub->id(), {QStringLiteral("runSensor"), QStringLiteral("memory")});
            QCOMPARE(result[QStringLiteral("state")].toString(), QStringLiteral("done"));
            QVERIFY2(result[QStringLiteral("detail")].toString().startsWith(QStringLiteral("memory: ")),
                     qPrintable(result[QStringLiteral("detail")].toString()));
            const QDateTime asked = QDateTime::currentDateTimeUtc();
            m_timeline.add(hub == office ? QStringLiteral("pc-1") : QStringLiteral("homeoffice"),
                           QStringLiteral("command reconnect"), asked);
            result = command(hub->id(), {QStringLiteral("reconnect")});
            QCOMPARE(result[QStringLiteral("state")].toString(), QStringLiteral("done"));
            QCOMPARE(result[QStringLiteral("detail")].toString(), QStringLiteral("reconnecting"));
        }
        // The office hub dropped its session and came back; the direct one stays direct.
        QVERIFY(reached(*office, QStringLiteral("Searching"), QDateTime::currentDateTimeUtc().addSecs(-30)));
        QVERIFY(office->waitForState(QStringLiteral("ConnectorLan"), 15000));
        QCOMPARE(home->state(), QStringLiteral("DirectCloud"));
        // Both results are on record in the cloud.
        for (HubProcess *hub : {office, home}) {
            const QJsonArray all = m_cloud->cliJson({QStringLiteral("commands"), hub->id()}).array();
            QCOMPARE(all.size(), 2);
            for (const QJsonValue &c : all)
                QVERIFY(c[QStringLiteral("ok")].toBool());
        }
        printTimeline("commands");
    }

    void cleanup()
    {
        if (QTest::currentTestFailed()) {
            printTimeline("the failed scenario");
            for (auto &[name, hub] : m_hubs)
                qWarning("%s log (last 3000 bytes):\n%s", qPrintable(name),
                         hub->program().errors().right(3000).constData());
            if (m_connector)
                qWarning("connector log (last 3000 bytes):\n%s",
                         m_connector->program().errors().right(3000).constData());
        }
        for (auto &[name, hub] : m_hubs) {
            hub->stop();
            QVERIFY2(hub->sanitizerReport().isEmpty(), hub->sanitizerReport().constData());
        }
        m_hubs.clear();
        if (m_connector) {
            m_connector->stop();
            QVERIFY2(m_connector->sanitizerReport().isEmpty(), m_connector->sanitizerReport().constData());
        }
        m_connector.reset();
        if (m_cloud) {
            m_cloud->stop();
            QVERIFY2(m_cloud->sanitizerReport().isEmpty(), m_cloud->sanitizerReport().constData());
        }
        m_cloud.reset();
        m_lab.reset(); // every namespace, bridge and hosts file
        m_dir.reset();
        m_timeline.clear();
    }
};

QTEST_GUILESS_MAIN(E2e)
#include "tst_e2e.moc"
