#pragma once

#include "cloudapi/cloudtypes.h"
#include "core/clock.h"
#include "core/connectorstats.h"
#include "core/hubdirectory.h"
#include "core/result.h"
#include "core/revocationlist.h"
#include "identity/identity.h"
#include "settings/settings.h"
#include "spool/spool.h"

#include <memory>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QThread>
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

namespace occ::tls {
class TlsContext;
class TlsContextSlot;
} // namespace occ::tls

namespace occ::connector {

class CloudLink;
class CommandRelay;
class DescriptionServer;
class HandshakeGate;
class Listener;
class RevocationWatcher;
class SsdpDevice;
class StateReporter;
class Uplink;
class Worker;

// occ-connector run: builds and owns everything (ARCHITECTURE §2, §15):
// the spool thread, the worker threads with the hub sessions, the listener, the
// UPnP device, the cloud uplink tasks and the admin socket; routes between them in
// the main thread.
class ConnectorCore : public QObject
{
    Q_OBJECT
public:
    ConnectorCore(QString dataDir, settings::Settings settings, secrets::SecretStore &secrets,
                  const Clock &clock, QObject *parent = nullptr);
    ~ConnectorCore() override;

    Result<void> start();
    void stop();

    quint16 port() const;
    QString connectorId() const { return m_identity.id; }
    QJsonObject handleAdmin(const QJsonObject &request);

private:
    cloudapi::ConnectorInfo selfInfo() const;
    Result<std::shared_ptr<tls::TlsContext>> serverContext(const identity::Identity &identity);
    QJsonObject status();
    QJsonObject hubJson(const HubEntry &entry) const;
    void sampleRates();

    QString m_dataDir;
    settings::Settings m_settings;
    secrets::SecretStore &m_secrets;
    const Clock &m_clock;
    identity::Identity m_identity;
    ConnectorStats m_stats;
    RevocationList m_revocations;
    HubDirectory m_directory;
    std::unique_ptr<tls::TlsContextSlot> m_tls;
    std::unique_ptr<HandshakeGate> m_gate;

    QThread m_spoolThread;
    std::unique_ptr<Spool> m_spool;
    QList<QThread *> m_workerThreads;
    QList<Worker *> m_workers;
    std::unique_ptr<Listener> m_listener;
    std::unique_ptr<CloudLink> m_link;
    std::unique_ptr<Uplink> m_uplink;
    std::unique_ptr<StateReporter> m_reporter;
    std::unique_ptr<CommandRelay> m_commands;
    std::unique_ptr<RevocationWatcher> m_revocationWatcher;
    std::unique_ptr<identity::CertificateRenewer> m_renewer;
    std::unique_ptr<DescriptionServer> m_description;
    std::unique_ptr<SsdpDevice> m_ssdp;
    std::unique_ptr<control::LocalControlServer> m_admin;

    QElapsedTimer m_uptime;
    QTimer m_sampler;
    SpoolFigures m_spoolFigures;
    struct Sample
    {
        qint64 batches;
        qint64 measurements;
    };
    QList<Sample> m_samples; // one per second, the last ten
    bool m_stopped = false;
};

} // namespace occ::connector
