#include "soapserver.h"

#include "server/serviceobject.h"

#include <KDSoapServer/KDSoapThreadPool.h>

#include <QSslConfiguration>

namespace occ::cloud {

SoapServer::SoapServer(CloudContext &context, const QList<QSslCertificate> &chain, const QSslKey &key, int threads,
                       QObject *parent)
    : KDSoapServer(parent), m_context(context)
{
    setPath(QStringLiteral("/soap"));
    setWsdlFile(QStringLiteral(":/occ/occ.wsdl"), QStringLiteral("/soap?wsdl"));
    setFeatures(KDSoapServer::Ssl);
    setUse(KDSoapMessage::LiteralUse);
    setLogLevel(KDSoapServer::LogNothing);

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setProtocol(QSsl::TlsV1_2OrLater);
    ssl.setLocalCertificateChain(chain);
    ssl.setPrivateKey(key);
    // Ask for a client certificate; each operation decides whether it needs one.
    ssl.setPeerVerifyMode(QSslSocket::QueryPeer);
    // Keep the server from loading the system store for every connection.
    ssl.setCaCertificates(chain.mid(1));
    setSslConfiguration(ssl);

    auto *pool = new KDSoapThreadPool(this);
    pool->setMaxThreadCount(qMax(1, threads));
    setThreadPool(pool);
}

QObject *SoapServer::createServerObject()
{
    return new ServiceObject(m_context);
}

} // namespace occ::cloud
