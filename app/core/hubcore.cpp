#include "hubcore.h"

#include "cloudapi/cloudclient.h"
#include "commands/diagnostics.h"
#include "control/localcontrol.h"
#include "identity/renewer.h"
#include "link/connectorcache.h"
#include "link/connectorlink.h"
#include "link/connectorsearch.h"
#include "link/directlink.h"
#include "outbox/outbox.h"
#include "path/networkwatcher.h"
#include "secrets/secretstore.h"
#include "sensors/sensorscheduler.h"
#include "sensors/systemsensors.h"
#include "settings/defaults.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSysInfo>

Q_LOGGING_CATEGORY(lcHub, "occ.hub.core")

namespace occ::hub {

namespace {

QString iso(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) : QString();
}

constexpr int kReconnectDelayMs = 500; // lets the result of a reconnect command leave first

} // namespace

QString controlSocketPath(const QString &dataDir)
{
    return dataDir + QStringLiteral("/occ-sensorhub.sock");
}

HubCore::HubCore(QString dataDir, settings::Settings settings, secrets::SecretStore &secrets,
                 const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_settings(std::move(settings))
    , m_secrets(secrets)
    , m_clock(clock)
{}

HubCore::~HubCore()
{
    stop();
}

Result<void> HubCore::start()
{
    // One instance per data folder; the control socket also answers status/reconnect.
    m_control = std::make_unique<control::LocalControlServer>(
        controlSocketPath(m_dataDir), [this](const QJsonObject &r) { return handleControl(r); });
    if (Result<void> r = m_control->start(); !r)
        return r;
    if (auto *file = qobject_cast<secrets::FileSecretStore *>(&m_secrets))
        file->warnAboutFallback();

    m_enrolled = identity::isEnrolled(m_dataDir);
    if (m_enrolled) {
        Result<identity::Identity> identity = identity::loadIdentity(m_dataDir, m_secrets, pki::Role::Hub);
        if (!identity)
            return identity.error();
        m_identity = *identity;
    }

    queue::QueueOptions options;
    options.maxBytes = m_settings.integer(QStringLiteral("outbox/maxBytes"));
    options.overflow = queue::Overflow::DropOldest;
    options.fullSync = m_settings.boolean(QStringLiteral("outbox/fullSync"));
    Result<std::unique_ptr<Outbox>> outbox =
        Outbox::open(m_dataDir + QStringLiteral("/outbox.db"), options, m_clock);
    if (!outbox)
        return outbox.error();
    m_outbox = std::move(outbox).value();
    m_cache = std::make_unique<ConnectorCache>(m_dataDir + QStringLiteral("/connectors.ini"));
    m_diagnostics = std::make_unique<Diagnostics>(m_dataDir);

    m_selector = std::make_unique<PathSelector>(m_clock, static_cast<PathDriver &>(*this), PathTimings{});
    connect(m_selector.get(), &PathSelector::stateChanged, this,
            [this](ConnectionState previous, ConnectionState current) {
                if (isConnectorState(current) || current == ConnectionState::DirectCloud)
                    flushResults();
                emit stateChanged(previous, current);
            });
    if (!m_enrolled) {
        qCWarning(lcHub).noquote() << "not enrolled: run occ-sensorhub enrol --data-dir" << m_dataDir
                                   << "...";
        m_selector->start(false);
        m_started = true;
        return {};
    }

    Result<std::optional<QByteArray>> proxyPassword =
        secrets::readSecret(m_secrets, identity::kProxyPasswordSecret);
    if (proxyPassword && *proxyPassword)
        m_proxyPassword = QString::fromUtf8(**proxyPassword);
    Result<cloudapi::CloudEndpoint> cloud = endpoint();
    if (!cloud)
        return cloud.error();
    m_cloud = std::make_unique<cloudapi::CloudClient>(*cloud);

    QString hostname = m_settings.string(QStringLiteral("hub/hostname"));
    if (hostname.isEmpty())
        hostname = QHostInfo::localHostName();
    const HubInfo info{hostname, QSysInfo::prettyProductName(), QStringLiteral(OCC_VERSION)};
    m_search = std::make_unique<ConnectorSearch>(m_identity, info, *m_cache, SearchConfig{}, m_clock);
    connect(m_search.get(), &ConnectorSearch::finished, this, &HubCore::searchFinished);
    m_link = std::make_unique<ConnectorLink>(*m_outbox, 200, 60'000, [this] { return connectorState(); });
    connect(m_link.get(), &ConnectorLink::lost, this,
            [this](const QString &) { m_selector->connectorLost(); });
    connect(m_link.get(), &ConnectorLink::ticketReceived, m_search.get(), &ConnectorSearch::rememberTicket);
    m_direct = std::make_unique<DirectLink>(*m_outbox, m_identity.id, DirectConfig{},
                                            [this] { return cloudState(); });
    connect(m_direct.get(), &DirectLink::started, this, [this](bool ok) { m_selector->cloudStarted(ok); });
    connect(m_direct.get(), &DirectLink::lost, this, [this](const QString &) { m_selector->cloudLost(); });

    m_commands = std::make_unique<CommandExecutor>(m_clock, static_cast<CommandTarget &>(*this));
    connect(m_link.get(), &ConnectorLink::commandReceived, m_commands.get(), &CommandExecutor::execute);
    connect(m_direct.get(), &DirectLink::commandReceived, m_commands.get(), &CommandExecutor::execute);
    connect(m_commands.get(), &CommandExecutor::finished, this, &HubCore::deliverResult);

    m_sensors = std::make_unique<SensorScheduler>(
        m_clock, [this](protocol::Measurement m) { return m_outbox->add(std::move(m)); });
    m_network =
        std::make_unique<NetworkWatcher>(m_settings.millis(QStringLiteral("connection/interfaceCheck")));
    connect(m_network.get(), &NetworkWatcher::changed, this, [this] {
        qCInfo(lcHub) << "network change: checking the path";
        m_selector->networkChanged();
    });

    m_renewer = std::make_unique<identity::CertificateRenewer>(m_dataDir, m_clock, *m_cloud);
    connect(m_renewer.get(), &identity::CertificateRenewer::renewed, this,
            [this](const identity::Identity &renewed) {
                m_identity = renewed;
                m_search->setIdentity(renewed);
                if (Result<cloudapi::CloudEndpoint> fresh = endpoint(); fresh)
                    m_cloud->setEndpoint(*fresh);
                qCInfo(lcHub) << "certificate renewed; new sessions use it";
            });
    connect(&m_connectorList, &QTimer::timeout, this, &HubCore::refreshConnectorList);

    applySettings();
    m_sensors->setSensors(makeSystemSensors(m_settings));
    m_sensors->start();
    m_network->start();
    m_renewer->watch(m_identity);
    QTimer::singleShot(2000, this, &HubCore::refreshConnectorList);
    m_selector->start(true);
    m_started = true;
    qCInfo(lcHub).noquote() << "hub" << m_identity.id << "of customer" << m_identity.customerId << "started;"
                            << m_outbox->depth() << "results waiting in the outbox";
    return {};
}

void HubCore::stop()
{
    if (!m_started)
        return;
    m_started = false;
    m_connectorList.stop();
    if (m_sensors)
        m_sensors->stop();
    if (m_search)
        m_search->cancel();
    if (m_link)
        m_link->detach(QStringLiteral("the hub is stopping"));
    if (m_direct)
        m_direct->stop();
    m_control.reset();
    if (m_outbox)
        m_outbox->close(); // what waits in memory goes to disk now, or is counted as dropped
    qCInfo(lcHub) << "hub stopped;" << (m_outbox ? m_outbox->depth() : 0) << "results stay in the outbox,"
                  << (m_outbox ? m_outbox->dropped() : 0) << "dropped in all";
}

void HubCore::applySettings()
{
    const settings::Settings &s = m_settings;
    PathTimings timings;
    timings.fallbackAfterMs = s.millis(QStringLiteral("connection/fallbackAfter"));
    timings.failbackProbeMs = s.millis(QStringLiteral("connection/failbackProbe"));
    timings.backoffMinMs = s.millis(QStringLiteral("connection/backoffMin"));
    timings.backoffMaxMs = s.millis(QStringLiteral("connection/backoffMax"));
    m_selector->setTimings(timings);

    SearchConfig search;
    search.connectTimeoutMs = int(s.millis(QStringLiteral("connection/connectTimeout")));
    search.ssdpEnabled = s.boolean(QStringLiteral("ssdp/enabled"));
    search.ssdp = {QHostAddress(s.string(QStringLiteral("ssdp/group"))),
                   quint16(s.integer(QStringLiteral("ssdp/port"))),
                   s.list(QStringLiteral("ssdp/interfaces"))};
    search.mx = int(s.integer(QStringLiteral("ssdp/mx")));
    m_search->setConfig(search);

    const int batchSize = int(qBound(qint64(1), s.integer(QStringLiteral("hub/batchSize")), qint64(5000)));
    const qint64 reportMs = s.millis(QStringLiteral("connection/reportInterval"));
    m_link->setBatchSize(batchSize);
    m_link->setReportInterval(reportMs);
    DirectConfig direct;
    direct.batchSize = batchSize;
    direct.reportIntervalMs = reportMs;
    direct.pollSeconds = int(qBound(qint64(1), s.integer(QStringLiteral("connection/pollWait")),
                                    qint64(cloudapi::kMaxPollSeconds)));
    direct.retryMinMs = timings.backoffMinMs;
    direct.retryMaxMs = timings.backoffMaxMs;
    m_direct->setConfig(direct);

    m_vpn = VpnClassifier(s.list(QStringLiteral("connection/vpnInterfaces")));
    m_connectorList.start(int(qBound(qint64(10'000), s.millis(QStringLiteral("connection/connectorList")),
                                     qint64(24 * 3600 * 1000))));
}

Result<cloudapi::CloudEndpoint> HubCore::endpoint() const
{
    Result<cloudapi::CloudEndpoint> cloud = identity::cloudEndpoint(m_settings, &m_identity, m_proxyPassword);
    if (cloud)
        cloud->timeoutMs = int(qMax<qint64>(5000, m_settings.millis(QStringLiteral("cloud/timeout"))));
    return cloud;
}

ConnectionState HubCore::state() const
{
    return m_selector ? m_selector->state() : ConnectionState::NotEnrolled;
}

void HubCore::reconnect()
{
    if (m_selector)
        m_selector->manualReconnect();
}

// ---- PathDriver ----------------------------------------------------------------------

void HubCore::searchConnectors(bool useSsdp)
{
    m_search->start(useSsdp);
}

void HubCore::searchFinished(ConnectorSession *session)
{
    if (!session) {
        m_selector->connectorSearchDone(std::nullopt);
        return;
    }
    const ConnectorTarget target = session->target();
    const bool vpn = m_vpn.isVpnAddress(session->localAddress());
    CachedConnector reached;
    reached.connectorId = target.connectorId;
    reached.port = target.port;
    if (QHostAddress(target.host).isNull())
        reached.hostname = target.host;
    else if (!target.advertisedHostname.isEmpty())
        reached.hostname = target.advertisedHostname;
    QHostAddress peer = session->peerAddress();
    bool mapped = false;
    if (const quint32 v4 = peer.toIPv4Address(&mapped); mapped)
        peer = QHostAddress(v4);
    m_cache->recordSuccess(reached, peer.toString(), m_clock.epochMs());
    qCInfo(lcHub).noquote() << "connected to connector" << target.connectorId << "at" << peer.toString()
                            << "from" << session->localAddress().toString() << "interface"
                            << VpnClassifier::interfaceOf(session->localAddress()).name()
                            << (vpn ? "(VPN)" : "(LAN)");
    m_link->attach(std::unique_ptr<ConnectorSession>(session));
    m_selector->connectorSearchDone(ConnectorFound{target.connectorId, vpn});
}

void HubCore::checkConnectorAlive()
{
    ConnectorSession *session = m_link->session();
    if (!session || !m_link->active() || !VpnClassifier::interfaceOf(session->localAddress()).isValid()) {
        // The address the session used is gone: the machine moved.
        QTimer::singleShot(0, this, [this] { m_selector->connectorAliveChecked(std::nullopt); });
        return;
    }
    const QString connectorId = session->target().connectorId;
    const bool vpn = m_vpn.isVpnAddress(session->localAddress());
    session->checkAlive(int(m_settings.millis(QStringLiteral("connection/connectTimeout"))),
                        [this, connectorId, vpn](bool alive) {
                            // Answered from inside the session's handlers: decide after them.
                            QTimer::singleShot(0, this, [this, alive, connectorId, vpn] {
                                if (alive)
                                    m_selector->connectorAliveChecked(ConnectorFound{connectorId, vpn});
                                else
                                    m_selector->connectorAliveChecked(std::nullopt);
                            });
                        });
}

void HubCore::dropConnector()
{
    m_search->cancel();
    m_link->detach(QStringLiteral("path change"));
}

void HubCore::startCloud()
{
    Result<cloudapi::CloudEndpoint> cloud = endpoint();
    if (!cloud) {
        qCCritical(lcHub).noquote() << "cannot go to the cloud:" << cloud.error().message;
        QTimer::singleShot(0, this, [this] { m_selector->cloudStarted(false); });
        return;
    }
    m_direct->start(*cloud);
}

void HubCore::stopCloud()
{
    m_direct->stop();
}

// ---- commands ------------------------------------------------------------------------

void HubCore::reconnectSoon()
{
    QTimer::singleShot(kReconnectDelayMs, this, &HubCore::reconnect);
}

void HubCore::runSensor(const QString &id, std::function<void(bool, QString)> done)
{
    Result<void> started = m_sensors->runNow(id, [done](qint64 seq, const protocol::Measurement &m) {
        done(true, QStringLiteral("%1: %2 %3 (seq %4)")
                       .arg(m.sensor, protocol::enumName(m.status), m.text)
                       .arg(seq));
    });
    if (!started)
        done(false, started.error().message);
}

void HubCore::reloadConfig(std::function<void(bool, QString)> done)
{
    settings::Settings fresh = m_settings;
    fresh.reload();
    if (Result<void> valid = fresh.validate(); !valid) {
        done(false, QStringLiteral("kept the previous settings: %1").arg(valid.error().message));
        return;
    }
    QStringList changed;
    for (const settings::SettingInfo &info : settings::kSettings) {
        const QString key = QString::fromLatin1(info.key);
        if (fresh.string(key) != m_settings.string(key))
            changed << key;
    }
    m_settings = fresh;
    applySettings();
    m_sensors->setSensors(makeSystemSensors(m_settings));
    done(true, changed.isEmpty() ? QStringLiteral("reloaded %1: nothing changed").arg(m_settings.iniPath())
                                 : QStringLiteral("reloaded %1: %2")
                                       .arg(m_settings.iniPath(), changed.join(QStringLiteral(", "))));
}

void HubCore::collectDiagnostics(std::function<void(bool, QString)> done)
{
    QByteArray settingsText = "# effective settings of occ-sensorhub " OCC_VERSION "\n";
    for (const settings::SettingInfo &info : settings::kSettings)
        settingsText +=
            QByteArray(info.key) + " = " + m_settings.string(QString::fromLatin1(info.key)).toUtf8() + "\n";
    const QByteArray statusJson = QJsonDocument(status()).toJson(QJsonDocument::Indented);
    m_diagnostics->collect(
        m_identity.id,
        {{QStringLiteral("status.json"), statusJson}, {QStringLiteral("settings.ini"), settingsText}},
        [done](Result<QString> archive) {
            if (!archive) {
                done(false, archive.error().message);
                return;
            }
            done(true, QStringLiteral("archive %1 (%2 bytes)").arg(*archive).arg(QFileInfo(*archive).size()));
        });
}

void HubCore::deliverResult(const protocol::CommandResult &result)
{
    if (m_link->active() && m_link->sendResult(result))
        return;
    if (m_direct->established()) {
        m_direct->sendResult(result.cmdId, result.ok, result.detail);
        return;
    }
    // No way out at the moment: the result leaves with the next path. (The cloud
    // also delivers an unanswered command again; it is not run twice.)
    m_pendingResults.append(result);
    while (m_pendingResults.size() > 100)
        m_pendingResults.removeFirst();
}

void HubCore::flushResults()
{
    const QList<protocol::CommandResult> pending = std::exchange(m_pendingResults, {});
    for (const protocol::CommandResult &result : pending)
        deliverResult(result);
}

void HubCore::refreshConnectorList()
{
    if (!m_cloud)
        return;
    m_cloud->listConnectors([this](Result<cloudapi::ConnectorList> list) {
        if (!list) {
            qCInfo(lcHub).noquote() << "the cloud's connector list is not available now:"
                                    << list.error().message;
            return;
        }
        m_cache->learn(list->connectors);
        m_outbox->raiseFloor(list->highestSeq, QStringLiteral("the cloud"));
        qCInfo(lcHub) << "the cloud lists" << list->connectors.size() << "connectors of this customer";
    });
}

// ---- state and status ----------------------------------------------------------------

protocol::StateReport HubCore::connectorState() const
{
    return protocol::StateReport{stateName(state()), m_outbox->depth(), m_outbox->dropped(),
                                 m_outbox->lastDelivery()};
}

cloudapi::HubState HubCore::cloudState() const
{
    cloudapi::HubState s;
    s.hubId = m_identity.id;
    s.path = QStringLiteral("DirectCloud");
    s.hostname = m_settings.string(QStringLiteral("hub/hostname")).isEmpty()
                     ? QHostInfo::localHostName()
                     : m_settings.string(QStringLiteral("hub/hostname"));
    s.os = QSysInfo::prettyProductName();
    s.agentVersion = QStringLiteral(OCC_VERSION);
    s.queueDepth = m_outbox->depth();
    s.dropped = m_outbox->dropped();
    return s;
}

QJsonObject HubCore::status() const
{
    QJsonObject s{{QStringLiteral("ok"), true},
                  {QStringLiteral("version"), QStringLiteral(OCC_VERSION)},
                  {QStringLiteral("state"), stateName(state())},
                  {QStringLiteral("dataDir"), m_dataDir}};
    if (!m_enrolled)
        return s;
    const ConnectorSession *session = m_link->active() ? m_link->session() : nullptr;
    s.insert(QStringLiteral("hubId"), m_identity.id);
    s.insert(QStringLiteral("customerId"), m_identity.customerId);
    s.insert(QStringLiteral("connectorId"), m_selector->connectorId());
    s.insert(QStringLiteral("since"), iso(m_selector->since()));
    s.insert(QStringLiteral("sinceMs"), m_selector->since());
    s.insert(QStringLiteral("queueDepth"), m_outbox->depth());
    s.insert(QStringLiteral("dropped"), m_outbox->dropped());
    s.insert(QStringLiteral("lastDelivery"), iso(m_outbox->lastDelivery()));
    s.insert(QStringLiteral("highestSeq"), m_outbox->highestSeq());
    s.insert(QStringLiteral("storage"),
             QJsonObject{{QStringLiteral("ok"), m_outbox->storageProblem().isEmpty()},
                         {QStringLiteral("problem"), m_outbox->storageProblem()},
                         {QStringLiteral("waitingInMemory"), m_outbox->waitingInMemory()}});
    if (session) {
        s.insert(QStringLiteral("connector"),
                 QJsonObject{{QStringLiteral("address"), session->peerAddress().toString()},
                             {QStringLiteral("port"), int(session->target().port)},
                             {QStringLiteral("localAddress"), session->localAddress().toString()},
                             {QStringLiteral("interface"),
                              VpnClassifier::interfaceOf(session->localAddress()).name()}});
    }
    const cloudapi::CloudEndpoint &cloud = m_cloud->endpoint();
    s.insert(QStringLiteral("cloud"), QJsonObject{{QStringLiteral("url"), cloud.url.toString()},
                                                  {QStringLiteral("proxy"), cloud.proxy.describe()},
                                                  {QStringLiteral("direct"), m_direct->established()},
                                                  {QStringLiteral("lastError"), m_direct->lastError()}});
    QJsonArray cached;
    for (const CachedConnector &c : m_cache->ordered())
        cached.append(QJsonObject{{QStringLiteral("connectorId"), c.connectorId},
                                  {QStringLiteral("hostname"), c.hostname},
                                  {QStringLiteral("addresses"), QJsonArray::fromStringList(c.addresses)},
                                  {QStringLiteral("port"), int(c.port)},
                                  {QStringLiteral("lastSuccess"), iso(c.lastSuccess)},
                                  {QStringLiteral("successCount"), c.successCount}});
    s.insert(QStringLiteral("cachedConnectors"), cached);
    s.insert(QStringLiteral("lastSearch"), QJsonObject{{QStringLiteral("attempts"), m_search->lastAttempts()},
                                                       {QStringLiteral("upnp"), m_search->lastUsedSsdp()}});
    s.insert(QStringLiteral("sensors"), QJsonArray::fromStringList(m_sensors->ids()));
    return s;
}

QJsonObject HubCore::handleControl(const QJsonObject &request)
{
    const QString command = request.value(QStringLiteral("command")).toString();
    if (!m_started) {
        // The socket answers from the first moment (it also guards against a second
        // instance), before the links exist: reading the key's passphrase from the
        // keychain runs a nested event loop in which requests arrive.
        if (command == QLatin1StringView("status"))
            return {{QStringLiteral("ok"), true},
                    {QStringLiteral("version"), QStringLiteral(OCC_VERSION)},
                    {QStringLiteral("state"), QStringLiteral("Starting")},
                    {QStringLiteral("dataDir"), m_dataDir}};
        return {{QStringLiteral("ok"), false},
                {QStringLiteral("error"), QStringLiteral("the hub is starting; try again")}};
    }
    if (command == QLatin1StringView("status"))
        return status();
    if (command == QLatin1StringView("reconnect")) {
        if (!m_enrolled)
            return {{QStringLiteral("ok"), false},
                    {QStringLiteral("error"), QStringLiteral("this hub is not enrolled")}};
        reconnect();
        return {{QStringLiteral("ok"), true}, {QStringLiteral("state"), stateName(state())}};
    }
    return {{QStringLiteral("ok"), false},
            {QStringLiteral("error"),
             QStringLiteral("unknown request '%1' (status, reconnect)").arg(command.left(40))}};
}

} // namespace occ::hub
