#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "http/httpserver.h"
#include "identity/cloudpki.h"
#include "server/cloudcontext.h"
#include "settings/settings.h"

#include <memory>
#include <QTranslator>

namespace occ::cloud {

class CloudServices;

// occ-cloud serve: the front door (HttpServer) with the cloud's TLS credentials
// and the CloudHandler in each of its threads, configured from the settings.
class CloudServer
{
public:
    CloudServer(CloudServices &services, const settings::Settings &settings, const Clock &clock);
    ~CloudServer();

    // The public door on address:port; the operator door (the OCC page) on
    // pageAddress:pagePort unless pageAddress is null.
    Result<void> start(const QHostAddress &address, quint16 port,
                       const CloudPki::ServerCredentials &credentials, const QHostAddress &pageAddress = {},
                       quint16 pagePort = 0);
    void stop();
    QHostAddress address() const;
    quint16 port() const;
    // The operator door: a null address and 0 when there is none.
    QHostAddress pageAddress() const;
    quint16 pagePort() const;
    const http::HttpStats &stats() const;

    static http::HttpServerConfig frontDoorConfig(const settings::Settings &settings);
    // https://ADDRESS:PORT, an IPv6 address in brackets.
    static QString httpsBase(const QHostAddress &address, quint16 port);

private:
    CloudServices &m_services;
    const settings::Settings &m_settings;
    const Clock &m_clock;
    QTranslator m_german;
    std::unique_ptr<CallerAuthenticator> m_authenticator;
    std::unique_ptr<CloudContext> m_context;
    std::unique_ptr<http::HttpServer> m_server;
    std::unique_ptr<http::HttpServer> m_pageServer;
};

} // namespace occ::cloud
