#include "cloudserver.h"

#include "cli/cloudservices.h"
#include "server/cloudhandler.h"
#include "tls/tlscontext.h"

#include <openssl/pem.h>
#include <QFile>

namespace occ::cloud {

namespace {

pki::PKeyPtr toEvpKey(const QSslKey &key)
{
    const QByteArray pem = key.toPem();
    BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
    EVP_PKEY *evp = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    return pki::PKeyPtr(evp);
}

} // namespace

http::HttpServerConfig CloudServer::frontDoorConfig(const settings::Settings &s)
{
    http::HttpServerConfig config;
    config.workers = int(s.integer(QStringLiteral("server/threads")));
    config.limits.maxHeaderBytes = int(s.integer(QStringLiteral("server/maxHeaderBytes")));
    config.limits.maxHeaders = int(s.integer(QStringLiteral("server/maxHeaderFields")));
    config.limits.maxBodyBytes = s.integer(QStringLiteral("server/maxBodyBytes"));
    config.limits.maxAnonymousBodyBytes = s.integer(QStringLiteral("server/maxAnonymousBodyBytes"));
    config.timeouts.handshakeMs = s.millis(QStringLiteral("server/handshakeTimeout"));
    config.timeouts.headMs = s.millis(QStringLiteral("server/headerTimeout"));
    config.timeouts.bodyMs = s.millis(QStringLiteral("server/bodyTimeout"));
    config.timeouts.idleMs = s.millis(QStringLiteral("server/idleTimeout"));
    config.timeouts.handlerMs = s.millis(QStringLiteral("server/handlerTimeout"));
    config.timeouts.refusalMs = s.millis(QStringLiteral("server/refusalTimeout"));
    config.gate.maxConnections = int(s.integer(QStringLiteral("server/maxConnections")));
    config.gate.maxPerAddress = int(s.integer(QStringLiteral("server/maxConnectionsPerAddress")));
    config.gate.maxPendingPerAddress = int(s.integer(QStringLiteral("server/maxAnonymousPerAddress")));
    config.gate.ipv6PrefixLength = int(s.integer(QStringLiteral("server/ipv6PrefixLength")));
    config.refusal = &CloudHandler::refusal;
    return config;
}

CloudServer::CloudServer(CloudServices &services, const settings::Settings &settings, const Clock &clock)
    : m_services(services)
    , m_settings(settings)
    , m_clock(clock)
{}

CloudServer::~CloudServer()
{
    stop();
}

Result<void> CloudServer::start(const QHostAddress &address, quint16 port,
                                const CloudPki::ServerCredentials &credentials,
                                const QHostAddress &pageAddress, quint16 pagePort)
{
    pki::PKeyPtr key = toEvpKey(credentials.key);
    Result<std::shared_ptr<tls::TlsContext>> tls =
        tls::TlsContext::createWebServer(credentials.chain, key.get(), QByteArrayLiteral("occ-cloud"));
    if (!tls)
        return tls.error();
    QFile wsdlFile(QStringLiteral(":/occ/occ.wsdl"));
    if (!wsdlFile.open(QIODevice::ReadOnly))
        return fail(ErrorCategory::Internal, QStringLiteral("the WSDL resource is missing"));
    const QByteArray wsdl = wsdlFile.readAll();

    const bool haveGerman = m_german.load(QStringLiteral(":/i18n/occ_de.qm"));
    m_authenticator = std::make_unique<CallerAuthenticator>(m_services.pki, m_services.registry, m_clock);
    ServerLimits limits;
    limits.maxBodyBytes = m_settings.integer(QStringLiteral("server/maxBodyBytes"));
    limits.offlineAfterMs = m_settings.millis(QStringLiteral("server/offlineAfter"));
    limits.commandTtlMs = m_settings.millis(QStringLiteral("server/commandTtl"));
    limits.pollWakeupMs = int(m_settings.integer(QStringLiteral("server/pollWakeup")));
    m_context = std::make_unique<CloudContext>(CloudContext{m_services.registry,
                                                            m_services.measurements,
                                                            m_services.commands,
                                                            m_services.enrolment,
                                                            *m_authenticator,
                                                            m_clock,
                                                            limits,
                                                            haveGerman ? &m_german : nullptr,
                                                            {},
                                                            {}});
    m_context->publicUrl = m_settings.string(QStringLiteral("server/publicUrl"));
    if (!m_context->publicUrl.isEmpty() && !m_context->publicUrl.endsWith(QLatin1StringView("/soap")))
        m_context->publicUrl =
            m_context->publicUrl.chopped(m_context->publicUrl.endsWith(QLatin1Char('/')) ? 1 : 0) +
            QStringLiteral("/soap");
    CloudContext &context = *m_context;
    m_server = std::make_unique<http::HttpServer>(
        frontDoorConfig(m_settings), *tls,
        [&context, wsdl]() -> std::unique_ptr<http::HttpHandler> {
            return std::make_unique<CloudHandler>(context, wsdl, CloudHandler::Door::Public);
        },
        m_clock);
    if (Result<void> r = m_server->start(address, port); !r)
        return r;
    if (!pageAddress.isNull()) {
        http::HttpServerConfig config = frontDoorConfig(m_settings);
        config.workers = 1; // a few operators, not every hub
        m_pageServer = std::make_unique<http::HttpServer>(
            config, *tls,
            [&context, wsdl]() -> std::unique_ptr<http::HttpHandler> {
                return std::make_unique<CloudHandler>(context, wsdl, CloudHandler::Door::Operator);
            },
            m_clock);
        if (Result<void> r = m_pageServer->start(pageAddress, pagePort); !r) {
            stop();
            return fail(r.error().category,
                        QStringLiteral("the OCC page (page/listen): %1").arg(r.error().message));
        }
    }
    m_context->listenUrl =
        httpsBase(m_server->serverAddress(), m_server->serverPort()) + QStringLiteral("/soap");
    return {};
}

QString CloudServer::httpsBase(const QHostAddress &address, quint16 port)
{
    QString host = address.toString();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("https://%1:%2").arg(host).arg(port);
}

void CloudServer::stop()
{
    if (m_pageServer)
        m_pageServer->stop();
    m_pageServer.reset();
    if (m_server)
        m_server->stop();
    m_server.reset();
}

QHostAddress CloudServer::address() const
{
    return m_server ? m_server->serverAddress() : QHostAddress();
}

quint16 CloudServer::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QHostAddress CloudServer::pageAddress() const
{
    return m_pageServer ? m_pageServer->serverAddress() : QHostAddress();
}

quint16 CloudServer::pagePort() const
{
    return m_pageServer ? m_pageServer->serverPort() : 0;
}

const http::HttpStats &CloudServer::stats() const
{
    return m_server->stats();
}

} // namespace occ::cloud
