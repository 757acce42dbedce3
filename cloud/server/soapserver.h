#pragma once

#include "server/cloudcontext.h"

#include <KDSoapServer/KDSoapServer.h>

#include <QSslCertificate>
#include <QSslKey>

namespace occ::cloud {

// occ-cloud's HTTPS endpoint: KDSoapServer with TLS >= 1.2, a pool of worker
// threads (one service object each), SOAP at /soap, the WSDL at /soap?wsdl and the
// OCC page at /. Client certificates are requested but not required at the TLS
// level (Enrol works without one); every other operation checks them.
class SoapServer : public KDSoapServer
{
    Q_OBJECT
public:
    SoapServer(CloudContext &context, const QList<QSslCertificate> &chain, const QSslKey &key, int threads,
               QObject *parent = nullptr);

    QObject *createServerObject() override;

private:
    CloudContext &m_context;
};

} // namespace occ::cloud
