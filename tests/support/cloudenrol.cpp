#include "cloudenrol.h"

#include "await.h"
#include "cloudapi/cloudclient.h"
#include "pki/csr.h"

namespace occ::test {

Result<EnrolledNode> enrolNode(const QUrl &cloudUrl, const QString &cloudCaFile,
                               const CloudProcess::Customer &customer, const QString &role,
                               const QString &hostname)
{
    Result<pki::PrivateKey> key = pki::PrivateKey::generate();
    if (!key)
        return key.error();
    Result<QByteArray> csr = pki::createCsr(*key, hostname);
    if (!csr)
        return csr.error();
    cloudapi::CloudEndpoint endpoint;
    endpoint.url = cloudUrl;
    endpoint.trustedCas = QSslCertificate::fromPath(cloudCaFile);
    endpoint.proxy.mode = cloudapi::ProxySettings::Mode::None;
    cloudapi::CloudClient client(endpoint);
    Result<cloudapi::Certificates> certs = await<cloudapi::Certificates>([&](auto done) {
        client.enrol({customer.id, customer.enrolmentKey, role, hostname, *csr}, done);
    });
    if (!certs)
        return certs.error();
    return EnrolledNode{certs->id, QSslCertificate(certs->certificatePem), *key,
                        QSslCertificate(certs->caCertificatePem)};
}

} // namespace occ::test
