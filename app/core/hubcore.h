#pragma once

#include "commands/commandexecutor.h"
#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "path/connectionstate.h"
#include "path/pathselector.h"
#include "path/vpnclassifier.h"
#include "settings/settings.h"

#include <memory>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

namespace occ::secrets {
class SecretStore;
}
namespace occ::identity {
class CertificateRenewer;
}
namespace occ::control {
class LocalControlServer;
}
namespace occ::cloudapi {
class CloudClient;
}

namespace occ::hub {

class ConnectorCache;
class ConnectorLink;
class ConnectorSearch;
class ConnectorSession;
class Diagnostics;
class DirectLink;
class NetworkWatcher;
class Outbox;
class SensorScheduler;

// The local control socket of a hub: DATA/occ-sensorhub.sock.
QString controlSocketPath(const QString &dataDir);

// The Sensorhub without any UI (ARCHITECTURE §2, §5, §6, §9, §10, §13): composes the
// outbox, the sensors, the connector search and session, the direct cloud link,
// the path selector and the network watcher, executes commands and answers the
// local control socket. The tray, when there is one, only observes it
// (stateChanged, status()) and calls reconnect().
class HubCore : public QObject, private PathDriver, private CommandTarget
{
    Q_OBJECT
public:
    HubCore(QString dataDir, settings::Settings settings, secrets::SecretStore &secrets, const Clock &clock,
            QObject *parent = nullptr);
    ~HubCore() override;

    // Opens everything and starts the path selection. Fails when another instance
    // runs on the same data folder, the identity cannot be read or the outbox cannot
    // be opened. A hub that is not enrolled starts in NotEnrolled.
    Result<void> start();
    void stop();

    ConnectionState state() const;
    QString hubId() const { return m_identity.id; }
    QJsonObject status() const;
    void reconnect();

signals:
    void stateChanged(occ::hub::ConnectionState previous, occ::hub::ConnectionState current);

private:
    // PathDriver
    void searchConnectors(bool useSsdp) override;
    void checkConnectorAlive() override;
    void dropConnector() override;
    void startCloud() override;
    void stopCloud() override;
    // CommandTarget
    void reconnectSoon() override;
    void runSensor(const QString &id, std::function<void(bool, QString)> done) override;
    void reloadConfig(std::function<void(bool, QString)> done) override;
    void collectDiagnostics(std::function<void(bool, QString)> done) override;

    void applySettings();
    void searchFinished(ConnectorSession *session);
    void deliverResult(const protocol::CommandResult &result);
    void flushResults();
    void refreshConnectorList();
    QJsonObject handleControl(const QJsonObject &request);
    protocol::StateReport connectorState() const;
    cloudapi::HubState cloudState() const;
    Result<cloudapi::CloudEndpoint> endpoint() const;

    QString m_dataDir;
    settings::Settings m_settings;
    secrets::SecretStore &m_secrets;
    const Clock &m_clock;
    identity::Identity m_identity;
    bool m_enrolled = false;
    QString m_proxyPassword;
    VpnClassifier m_vpn{{}};

    std::unique_ptr<control::LocalControlServer> m_control;
    std::unique_ptr<Outbox> m_outbox;
    std::unique_ptr<ConnectorCache> m_cache;
    std::unique_ptr<ConnectorSearch> m_search;
    std::unique_ptr<ConnectorLink> m_link;
    std::unique_ptr<DirectLink> m_direct;
    std::unique_ptr<cloudapi::CloudClient> m_cloud; // ListConnectors and renewal
    std::unique_ptr<identity::CertificateRenewer> m_renewer;
    std::unique_ptr<PathSelector> m_selector;
    std::unique_ptr<NetworkWatcher> m_network;
    std::unique_ptr<SensorScheduler> m_sensors;
    std::unique_ptr<CommandExecutor> m_commands;
    std::unique_ptr<Diagnostics> m_diagnostics;
    QList<protocol::CommandResult> m_pendingResults; // no path at the moment
    QTimer m_connectorList;
    bool m_started = false;
};

} // namespace occ::hub
