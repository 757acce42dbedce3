#pragma once

#include "cloudapi/cloudclient.h"
#include "core/clock.h"

#include <memory>
#include <QObject>

namespace occ::connector {

// The connector's way to the cloud: one CloudClient (mutual TLS with the
// connector's certificate, system or configured proxy) shared by the uplink tasks,
// and what the admin console shows about it.
class CloudLink : public QObject
{
    Q_OBJECT
public:
    CloudLink(const cloudapi::CloudEndpoint &endpoint, const Clock &clock, QObject *parent = nullptr);

    cloudapi::CloudClient &client() { return *m_client; }
    // A renewed certificate: calls from now on use it.
    void setEndpoint(const cloudapi::CloudEndpoint &endpoint);

    void succeeded();
    void failed(const Error &error);

    bool reachable() const { return m_consecutiveFailures == 0 && m_lastSuccess > 0; }
    qint64 lastSuccess() const { return m_lastSuccess; }
    qint64 lastFailure() const { return m_lastFailure; }
    QString lastError() const { return m_lastError; }
    int consecutiveFailures() const { return m_consecutiveFailures; }
    QString proxyDescription() const { return m_client->endpoint().proxy.describe(); }
    QString url() const { return m_client->endpoint().url.toString(); }

private:
    const Clock &m_clock;
    std::unique_ptr<cloudapi::CloudClient> m_client;
    qint64 m_lastSuccess = 0;
    qint64 m_lastFailure = 0;
    QString m_lastError;
    int m_consecutiveFailures = 0;
};

} // namespace occ::connector
