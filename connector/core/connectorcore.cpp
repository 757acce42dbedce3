#include "connectorcore.h"

#include "admin/adminprotocol.h"
#include "control/localcontrol.h"
#include "discovery/descriptionserver.h"
#include "discovery/ssdpdevice.h"
#include "hubserver/listener.h"
#include "hubserver/worker.h"
#include "identity/renewer.h"
#include "pki/verify.h"
#include "secrets/secretstore.h"
#include "ssdp/devicedescription.h"
#include "tls/tlscontext.h"
#include "uplink/cloudlink.h"
#include "uplink/commandrelay.h"
#include "uplink/revocationwatcher.h"
#include "uplink/statereporter.h"
#include "uplink/uplink.h"

#include <openssl/x509.h>
#include <QDateTime>
#include <QHostInfo>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QUuid>

Q_LOGGING_CATEGORY(lcCore, "occ.connector.core")

namespace occ::connector {

namespace {

Result<std::pair<QHostAddress, quint16>> parseListen(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    const QHostAddress address(text.left(colon).remove(QLatin1Char('[')).remove(QLatin1Char(']')));
    if (colon <= 0 || !ok || port > 65535 || address.isNull())
        return fail(ErrorCategory::Config,
                    QStringLiteral("connector/listen must be ADDRESS:PORT, not '%1'").arg(text));
    return std::pair{address, quint16(port)};
}

QString iso(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate) : QString();
}

} // namespace

ConnectorCore::ConnectorCore(QString dataDir, settings::Settings settings, secrets::SecretStore &secrets,
                             const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_settings(std::move(settings))
    , m_secrets(secrets)
    , m_clock(clock)
{
    m_spoolThread.setObjectName(QStringLiteral("spool"));
}

ConnectorCore::~ConnectorCore()
{
    stop();
}

Result<std::shared_ptr<tls::TlsContext>> ConnectorCore::serverContext(const identity::Identity &identity)
{
    // Refused during the TLS handshake: revoked serials, other roles, other customers.
    const QString customer = identity.customerId;
    return tls::TlsContext::create(
        identity, tls::TlsContext::Side::Server, [this, customer](X509 *leaf, bool *revoked) {
            Result<pki::Identity> peer = pki::checkIdentity(leaf, {pki::Role::Hub, customer, {}, {}});
            if (!peer)
                return peer.error().message;
            *revoked = m_revocations.contains(peer->serial);
            return *revoked
                       ? QStringLiteral("certificate %1 is revoked").arg(QString::fromLatin1(peer->serial))
                       : QString();
        });
}

Result<void> ConnectorCore::start()
{
    m_uptime.start();
    if (auto *file = qobject_cast<secrets::FileSecretStore *>(&m_secrets))
        file->warnAboutFallback();
    Result<identity::Identity> identity = identity::loadIdentity(m_dataDir, m_secrets, pki::Role::Connector);
    if (!identity)
        return identity.error();
    m_identity = *identity;
    Result<std::shared_ptr<tls::TlsContext>> tls = serverContext(m_identity);
    if (!tls)
        return tls.error();
    m_tls = std::make_unique<tls::TlsContextSlot>(*tls);

    // The spool in its own thread.
    queue::QueueOptions spoolOptions;
    spoolOptions.maxBytes = m_settings.integer(QStringLiteral("spool/maxBytes"));
    spoolOptions.overflow = queue::Overflow::Reject;
    spoolOptions.fullSync = m_settings.boolean(QStringLiteral("spool/fullSync"));
    m_spool = std::make_unique<Spool>(m_dataDir + QStringLiteral("/spool.db"), spoolOptions, m_stats);
    m_spool->moveToThread(&m_spoolThread);
    m_spoolThread.start();
    Result<void> opened = fail(ErrorCategory::Internal, QString());
    QMetaObject::invokeMethod(
        m_spool.get(), [&] { opened = m_spool->open(); }, Qt::BlockingQueuedConnection);
    if (!opened)
        return opened;
    // Status is right from the first request, not only after the first sample.
    QMetaObject::invokeMethod(
        m_spool.get(), [&] { m_spoolFigures = m_spool->figuresNow(); }, Qt::BlockingQueuedConnection);

    // Worker threads with the hub sessions.
    SessionConfig config;
    config.connectorId = m_identity.id;
    config.customerId = m_identity.customerId;
    config.heartbeatMs = m_settings.millis(QStringLiteral("connection/heartbeat"));
    config.handshakeTimeoutMs = m_settings.millis(QStringLiteral("connector/handshakeTimeout"));
    config.maxBatch = int(m_settings.integer(QStringLiteral("connector/maxBatch")));
    config.window = int(m_settings.integer(QStringLiteral("connector/window")));
    int workers = int(m_settings.integer(QStringLiteral("connector/workers")));
    if (workers <= 0)
        workers = qMax(1, QThread::idealThreadCount());
    m_gate = std::make_unique<HandshakeGate>(
        int(m_settings.integer(QStringLiteral("connector/maxHandshakesPerAddress"))));
    for (int i = 0; i < workers; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("worker-%1").arg(i));
        auto *worker = new Worker(i, *m_tls, config, m_revocations, m_stats, *m_gate, *m_spool, m_clock);
        worker->moveToThread(thread);
        connect(worker, &Worker::hubConnected, this, [this, worker](const HubHello &hello) {
            m_directory.connected(worker, hello, m_clock.epochMs());
        });
        connect(worker, &Worker::hubStateReported, &m_directory, &HubDirectory::stateReported);
        connect(worker, &Worker::hubDisconnected, this,
                [this](quint64 sessionId, const QString &hubId, const QString &) {
                    m_directory.disconnected(sessionId, hubId);
                });
        thread->start();
        QMetaObject::invokeMethod(worker, &Worker::start);
        m_workerThreads.append(thread);
        m_workers.append(worker);
    }

    Result<std::pair<QHostAddress, quint16>> listen =
        parseListen(m_settings.string(QStringLiteral("connector/listen")));
    if (!listen)
        return listen.error();
    m_listener = std::make_unique<Listener>(m_workers, m_stats, *m_gate, 256 * workers);
    if (Result<void> r = m_listener->start(listen->first, listen->second); !r)
        return r;

    // The cloud side.
    Result<std::optional<QByteArray>> proxyPassword =
        secrets::readSecret(m_secrets, identity::kProxyPasswordSecret);
    Result<cloudapi::CloudEndpoint> endpoint = identity::cloudEndpoint(
        m_settings, &m_identity,
        proxyPassword && *proxyPassword ? QString::fromUtf8(**proxyPassword) : QString());
    if (!endpoint)
        return endpoint.error();
    m_link = std::make_unique<CloudLink>(*endpoint, m_clock);
    m_uplink = std::make_unique<Uplink>(*m_link, *m_spool, m_stats,
                                        int(m_settings.integer(QStringLiteral("connector/uplinkBatch"))));
    connect(m_spool.get(), &Spool::dataAvailable, m_uplink.get(), &Uplink::kick);
    m_reporter = std::make_unique<StateReporter>(
        *m_link, m_directory, [this] { return selfInfo(); },
        m_settings.millis(QStringLiteral("connection/reportInterval")));
    connect(&m_directory, &HubDirectory::hubArrived, m_reporter.get(), &StateReporter::changed);
    connect(m_reporter.get(), &StateReporter::cloudSeqs, this,
            [this](const QList<cloudapi::HubSeq> &seqs) { m_spool->cloudSeqs(seqs); });
    connect(&m_directory, &HubDirectory::hubStateChanged, m_reporter.get(), &StateReporter::changed);
    m_commands = std::make_unique<CommandRelay>(*m_link, m_directory);
    connect(&m_directory, &HubDirectory::hubArrived, m_commands.get(), &CommandRelay::hubArrived);
    for (Worker *worker : std::as_const(m_workers))
        connect(worker, &Worker::commandResult, m_commands.get(), &CommandRelay::resultReceived);
    m_revocationWatcher = std::make_unique<RevocationWatcher>(
        *m_link, m_revocations, m_directory,
        m_settings.millis(QStringLiteral("connector/revocationInterval")));
    m_renewer = std::make_unique<identity::CertificateRenewer>(m_dataDir, m_clock, m_link->client());
    connect(m_renewer.get(), &identity::CertificateRenewer::renewed, this,
            [this](const identity::Identity &renewed) {
                m_identity = renewed;
                // A new context for new sessions; the running ones keep theirs.
                if (Result<std::shared_ptr<tls::TlsContext>> fresh = serverContext(renewed); fresh)
                    m_tls->replace(*fresh);
                else
                    qCCritical(lcCore) << "cannot use the renewed certificate:" << fresh.error().message;
                Result<cloudapi::CloudEndpoint> fresh = identity::cloudEndpoint(
                    m_settings, &m_identity, m_link->client().endpoint().proxy.password);
                if (fresh)
                    m_link->setEndpoint(*fresh);
            });

    // UPnP: description over HTTP and the SSDP device.
    const quint16 descriptionPort = quint16(m_settings.integer(QStringLiteral("connector/descriptionPort")));
    const cloudapi::ConnectorInfo self = selfInfo();
    const QByteArray description = ssdp::buildDescription(
        {m_identity.id, QStringLiteral("OCC Connector %1").arg(self.hostname), m_identity.customerId,
         self.hostname, quint16(self.port), int(protocol::kProtocolVersion), m_identity.fingerprint},
        QStringLiteral(OCC_VERSION));
    m_description = std::make_unique<DescriptionServer>(description);
    if (Result<void> r = m_description->start(descriptionPort); !r)
        return r;
    SsdpDevice::Config ssdpConfig;
    ssdpConfig.endpoint = {QHostAddress(m_settings.string(QStringLiteral("ssdp/group"))),
                           quint16(m_settings.integer(QStringLiteral("ssdp/port"))),
                           m_settings.list(QStringLiteral("ssdp/interfaces"))};
    ssdpConfig.connectorId = m_identity.id;
    ssdpConfig.descriptionPort = m_description->serverPort();
    ssdpConfig.maxAge = int(m_settings.integer(QStringLiteral("ssdp/maxAge")));
    ssdpConfig.server = "Linux UPnP/2.0 occ-connector/" OCC_VERSION;
    if (m_settings.boolean(QStringLiteral("ssdp/enabled"))) {
        m_ssdp = std::make_unique<SsdpDevice>(ssdpConfig);
        if (Result<void> r = m_ssdp->start(); !r) {
            qCWarning(lcCore).noquote() << "UPnP discovery is off:" << r.error().message
                                        << "(hubs that know this connector still connect)";
            m_ssdp.reset();
        }
    } else {
        qCInfo(lcCore) << "UPnP discovery disabled (ssdp/enabled=false)";
    }

    m_admin = std::make_unique<control::LocalControlServer>(
        adminSocketPath(m_dataDir), [this](const QJsonObject &r) { return handleAdmin(r); });
    if (Result<void> r = m_admin->start(); !r)
        return r;

    m_uplink->start();
    m_reporter->start();
    m_commands->start();
    m_revocationWatcher->start();
    m_renewer->watch(m_identity);
    m_sampler.setInterval(1000);
    connect(&m_sampler, &QTimer::timeout, this, &ConnectorCore::sampleRates);
    m_sampler.start();
    qCInfo(lcCore).noquote() << "connector" << m_identity.id << "of customer" << m_identity.customerId
                             << "listening on"
                             << m_listener->serverAddress().toString() + QLatin1Char(':') +
                                    QString::number(port())
                             << "with" << workers << "worker threads";
    return {};
}

void ConnectorCore::stop()
{
    Q_ASSERT_X(QThread::currentThread() == thread(), "ConnectorCore::stop", "called outside the main thread");
    if (m_stopped)
        return;
    m_stopped = true;
    // The main loop has ended: nothing queued for this thread runs any more, so the
    // cloud side (uplink, reporter, relay, renewal) is quiet. The order below keeps
    // every object alive while another thread may still call it, and deletes each
    // one in its own thread (ARCHITECTURE §16).
    m_sampler.stop();
    if (m_ssdp)
        m_ssdp->stop(); // byebye
    if (m_listener)
        m_listener->close(); // 1. no new sessions
    for (Worker *worker : std::as_const(m_workers))
        worker->closeAll(QStringLiteral("connector shutting down")); // 2. sessions closed
    if (m_spool && m_spoolThread.isRunning()) // 3. what was appended is committed and answered
        QMetaObject::invokeMethod(m_spool.get(), &Spool::close, Qt::BlockingQueuedConnection);
    for (qsizetype i = 0; i < m_workers.size(); ++i) { // 4. the spool calls no worker now
        Worker *worker = m_workers.at(i);
        QMetaObject::invokeMethod(
            worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
        m_workerThreads.at(i)->quit();
        m_workerThreads.at(i)->wait();
    }
    m_workers.clear();
    qDeleteAll(m_workerThreads);
    m_workerThreads.clear();
    if (m_spool && m_spoolThread.isRunning()) { // 5. the spool, in its thread
        Spool *spool = m_spool.release();
        QMetaObject::invokeMethod(
            spool, [spool] { delete spool; }, Qt::BlockingQueuedConnection);
    }
    m_spoolThread.quit();
    m_spoolThread.wait();
    m_spool.reset(); // only when it never reached its thread (start failed early)
    // 6. what the spool's answers were addressed to, and the cloud client (its
    // network threads are joined in QNetworkAccessManager's destructor).
    m_uplink.reset();
    m_reporter.reset();
    m_commands.reset();
    m_revocationWatcher.reset();
    m_renewer.reset();
    m_link.reset();
    m_description.reset();
    m_ssdp.reset();
    m_admin.reset();
    m_listener.reset();
}

quint16 ConnectorCore::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

cloudapi::ConnectorInfo ConnectorCore::selfInfo() const
{
    cloudapi::ConnectorInfo info;
    info.connectorId = m_identity.id;
    info.hostname = m_settings.string(QStringLiteral("connector/advertiseHost"));
    if (info.hostname.isEmpty()) {
        info.hostname = QHostInfo::localHostName();
        const QString domain = QHostInfo::localDomainName();
        if (!domain.isEmpty() && !info.hostname.contains(QLatin1Char('.')))
            info.hostname += QLatin1Char('.') + domain;
    }
    const QHostAddress listening = m_listener ? m_listener->serverAddress() : QHostAddress();
    if (!listening.isNull() && listening != QHostAddress::AnyIPv4 && listening != QHostAddress::Any) {
        info.addresses << listening.toString();
    } else {
        const QList<QHostAddress> all = QNetworkInterface::allAddresses();
        for (const QHostAddress &address : all) {
            if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback())
                info.addresses << address.toString();
        }
    }
    info.port = port();
    info.fingerprint = QString::fromLatin1(m_identity.fingerprint);
    info.version = QStringLiteral(OCC_VERSION);
    return info;
}

void ConnectorCore::sampleRates()
{
    m_samples.append({m_stats.batchesAcknowledged.load(), m_stats.measurementsAcknowledged.load()});
    if (m_samples.size() > 11)
        m_samples.removeFirst();
    m_spool->figures(this, [this](SpoolFigures figures) { m_spoolFigures = figures; });
}

QJsonObject ConnectorCore::hubJson(const HubEntry &entry) const
{
    return {{QStringLiteral("hubId"), entry.hello.hubId},
            {QStringLiteral("hostname"), entry.hello.hostname},
            {QStringLiteral("path"), entry.path},
            {QStringLiteral("peer"), entry.hello.peerAddress},
            {QStringLiteral("since"), iso(entry.connectedAt)},
            {QStringLiteral("os"), entry.hello.os},
            {QStringLiteral("agentVersion"), entry.hello.agentVersion},
            {QStringLiteral("queueDepth"), entry.queueDepth},
            {QStringLiteral("dropped"), entry.dropped},
            {QStringLiteral("tlsResumed"), entry.hello.resumed}};
}

QJsonObject ConnectorCore::status()
{
    int lan = 0;
    int vpn = 0;
    const QList<HubEntry> hubs = m_directory.all();
    for (const HubEntry &hub : hubs)
        (hub.path == QLatin1StringView("ConnectorVpn") ? vpn : lan)++;
    double batchesPerSecond = 0;
    double measurementsPerSecond = 0;
    if (m_samples.size() >= 2) {
        const double seconds = double(m_samples.size() - 1);
        batchesPerSecond = double(m_samples.last().batches - m_samples.first().batches) / seconds;
        measurementsPerSecond =
            double(m_samples.last().measurements - m_samples.first().measurements) / seconds;
    }
    return {
        {QStringLiteral("ok"), true},
        {QStringLiteral("connectorId"), m_identity.id},
        {QStringLiteral("customerId"), m_identity.customerId},
        {QStringLiteral("version"), QStringLiteral(OCC_VERSION)},
        {QStringLiteral("uptimeSeconds"), m_uptime.elapsed() / 1000},
        {QStringLiteral("listen"),
         m_listener->serverAddress().toString() + QLatin1Char(':') + QString::number(port())},
        {QStringLiteral("hubs"), QJsonObject{{QStringLiteral("total"), int(hubs.size())},
                                             {QStringLiteral("ConnectorLan"), lan},
                                             {QStringLiteral("ConnectorVpn"), vpn}}},
        {QStringLiteral("handshakes"),
         QJsonObject{{QStringLiteral("completed"), m_stats.handshakesCompleted.load()},
                     {QStringLiteral("failed"), m_stats.handshakesFailed.load()},
                     {QStringLiteral("resumed"), m_stats.handshakesResumed.load()},
                     {QStringLiteral("inProgress"), m_stats.handshakesInProgress.load()},
                     {QStringLiteral("refusedBusyAddress"), m_stats.handshakesRefusedBusy.load()},
                     {QStringLiteral("acceptErrors"), m_stats.acceptErrors.load()}}},
        {QStringLiteral("batchesPerSecond"), batchesPerSecond},
        {QStringLiteral("measurementsPerSecond"), measurementsPerSecond},
        {QStringLiteral("measurementsAcknowledged"), m_stats.measurementsAcknowledged.load()},
        {QStringLiteral("measurementsUploaded"), m_stats.measurementsUploaded.load()},
        {QStringLiteral("duplicatesIgnored"), m_stats.duplicatesIgnored.load()},
        {QStringLiteral("protocolErrors"), m_stats.protocolErrors.load()},
        {QStringLiteral("spool"),
         QJsonObject{{QStringLiteral("batches"), m_spoolFigures.rows},
                     {QStringLiteral("bytes"), m_spoolFigures.bytes},
                     {QStringLiteral("maxBytes"), m_spoolFigures.maxBytes},
                     {QStringLiteral("refusedFull"), m_stats.spoolFullRefusals.load()},
                     {QStringLiteral("quarantined"), m_spoolFigures.quarantined},
                     {QStringLiteral("ok"), m_spoolFigures.problem.isEmpty()},
                     {QStringLiteral("problem"), m_spoolFigures.problem}}},
        {QStringLiteral("cloud"), QJsonObject{{QStringLiteral("url"), m_link->url()},
                                              {QStringLiteral("reachable"), m_link->reachable()},
                                              {QStringLiteral("lastSuccess"), iso(m_link->lastSuccess())},
                                              {QStringLiteral("lastFailure"), iso(m_link->lastFailure())},
                                              {QStringLiteral("lastError"), m_link->lastError()},
                                              {QStringLiteral("proxy"), m_link->proxyDescription()}}},
        {QStringLiteral("ssdp"),
         QJsonObject{{QStringLiteral("searchesAnswered"), m_ssdp ? m_ssdp->searchesAnswered() : 0}}},
    };
}

QJsonObject ConnectorCore::handleAdmin(const QJsonObject &request)
{
    const QString command = request.value(QStringLiteral("command")).toString();
    const QString id = request.value(QStringLiteral("id")).toString();
    auto error = [](const QString &message) {
        return QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), message}};
    };
    if (command == QLatin1StringView("status") || command == QLatin1StringView("stats"))
        return status();
    if (command == QLatin1StringView("hubs")) {
        QJsonArray hubs;
        for (const HubEntry &entry : m_directory.all())
            hubs.append(hubJson(entry));
        return {{QStringLiteral("ok"), true}, {QStringLiteral("hubs"), hubs}};
    }
    if (command == QLatin1StringView("hub")) {
        const HubEntry *entry = m_directory.find(id);
        if (!entry)
            return error(QStringLiteral("hub %1 is not connected").arg(id));
        return {{QStringLiteral("ok"), true}, {QStringLiteral("hub"), hubJson(*entry)}};
    }
    if (command == QLatin1StringView("renew-certificate")) {
        // Also for administrators who do not want to wait for two thirds of the
        // lifetime (a changed CA, a test of the path to the cloud).
        m_renewer->renewNow();
        return {{QStringLiteral("ok"), true},
                {QStringLiteral("serial"), QString::fromLatin1(m_identity.serial)}};
    }
    if (command == QLatin1StringView("quarantine")) {
        QJsonArray entries;
        for (const queue::QuarantinedItem &item : m_spool->quarantinedEntries(1000))
            entries.append(QJsonObject{{QStringLiteral("hubId"), item.stream},
                                       {QStringLiteral("firstSeq"), item.firstSeq},
                                       {QStringLiteral("lastSeq"), item.lastSeq},
                                       {QStringLiteral("count"), item.count},
                                       {QStringLiteral("reason"), item.reason},
                                       {QStringLiteral("at"), iso(item.at)}});
        return {{QStringLiteral("ok"), true},
                {QStringLiteral("total"), m_spoolFigures.quarantined},
                {QStringLiteral("entries"), entries}};
    }
    if (command == QLatin1StringView("kick")) {
        if (!m_directory.kick(id, QStringLiteral("kicked by the administrator")))
            return error(QStringLiteral("hub %1 is not connected").arg(id));
        return {{QStringLiteral("ok"), true}};
    }
    if (command == QLatin1StringView("reconnect-all")) {
        // A reconnect command down each session: the hubs run their own path
        // selection (the cache brings them straight back).
        int count = 0;
        for (const HubEntry &entry : m_directory.all()) {
            entry.worker->sendTo(entry.hello.sessionId,
                                 protocol::Command{QStringLiteral("local-") +
                                                       QUuid::createUuid().toString(QUuid::WithoutBraces),
                                                   QStringLiteral("reconnect"),
                                                   {},
                                                   m_clock.epochMs() + 60000});
            ++count;
        }
        return {{QStringLiteral("ok"), true}, {QStringLiteral("count"), count}};
    }
    return error(QStringLiteral("unknown command '%1' (status, hubs, hub, stats, quarantine, kick, "
                                "reconnect-all, renew-certificate)")
                     .arg(command.left(40)));
}

} // namespace occ::connector
