#pragma once

#include "cloudapi/cloudclient.h"
#include "core/backoff.h"
#include "outbox/outbox.h"

#include <functional>
#include <memory>
#include <QObject>
#include <QTimer>

namespace occ::hub {

struct DirectConfig
{
    int batchSize = 200;
    qint64 reportIntervalMs = 60'000;
    int pollSeconds = 25;      // PollCommands long poll
    int failuresUntilLost = 3; // consecutive failed calls that mean "cloud unreachable"
    qint64 retryMinMs = 1000;
    qint64 retryMaxMs = 30'000;
};

// Direct cloud mode (ARCHITECTURE §6 rule 2/3, §8, §10): the hub itself is the
// cloud's client over HTTPS (system or configured proxy). A ReportState call proves
// the way (started), then the outbox is submitted in seq order and deleted on the
// cloud's answer, commands are long-polled and results completed. Several failed
// calls in a row mean the cloud is gone (lost); the path selector decides what next.
class DirectLink : public QObject
{
    Q_OBJECT
public:
    using StateProvider = std::function<cloudapi::HubState()>;
    DirectLink(Outbox &outbox, QString hubId, DirectConfig config, StateProvider state,
               QObject *parent = nullptr);
    ~DirectLink() override;

    void start(const cloudapi::CloudEndpoint &endpoint);
    void stop();
    bool running() const { return m_client != nullptr; }
    bool established() const { return m_established; }
    void setConfig(const DirectConfig &config) { m_config = config; }

    void sendResult(const QString &commandId, bool ok, const QString &detail);
    void reportState();
    QString lastError() const { return m_lastError; }

signals:
    void started(bool ok);
    void lost(const QString &reason);
    void commandReceived(const occ::protocol::Command &command);

private:
    void submitNext();
    void poll();
    void succeeded();
    void learn(const QList<cloudapi::HubSeq> &seqs);
    void failed(const Error &error, const char *what);

    Outbox &m_outbox;
    QString m_hubId;
    DirectConfig m_config;
    StateProvider m_state;
    std::unique_ptr<cloudapi::CloudClient> m_client;
    bool m_established = false;
    bool m_submitting = false;
    bool m_polling = false;
    qint64 m_sentUpTo = 0;
    int m_failures = 0;
    QString m_lastError;
    Backoff m_backoff;
    QTimer m_retrySubmit;
    QTimer m_retryPoll;
    QTimer m_report;
};

} // namespace occ::hub
