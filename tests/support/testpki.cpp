#include "testpki.h"

#include "pki/csr.h"

namespace occ::test {

TestPki::TestPki(const QString &customerId)
    : m_customerId(customerId)
{
    Result<pki::CertificateAuthority> ca =
        pki::CertificateAuthority::create(QStringLiteral("OCC test CA ") + customerId, customerId);
    if (!ca)
        qFatal("test CA: %s", qPrintable(ca.error().toString()));
    m_ca = std::make_shared<pki::CertificateAuthority>(std::move(ca).value());
}

Credentials TestPki::issue(const QString &id, pki::Role role, int validityDays) const
{
    Result<pki::PrivateKey> key = pki::PrivateKey::generate();
    if (!key)
        qFatal("test key: %s", qPrintable(key.error().toString()));
    Result<QByteArray> csr = pki::createCsr(*key, id);
    if (!csr)
        qFatal("test csr: %s", qPrintable(csr.error().toString()));
    Result<QByteArray> pem = m_ca->sign(*csr, {id, m_customerId, role, validityDays, {}, {}});
    if (!pem)
        qFatal("test sign: %s", qPrintable(pem.error().toString()));
    return Credentials{QSslCertificate(*pem), *pem, *key, key->toQSslKey()};
}

Credentials TestPki::selfSigned(const QString &id, const QString &customerId, pki::Role role)
{
    // A CA that signs for itself and is trusted by nobody.
    Result<pki::CertificateAuthority> rogue = pki::CertificateAuthority::create(id, customerId);
    if (!rogue)
        qFatal("rogue CA: %s", qPrintable(rogue.error().toString()));
    Result<pki::PrivateKey> key = pki::PrivateKey::generate();
    Result<QByteArray> pem = rogue->signKey(*key, {id, customerId, role, 30, {}, {}});
    if (!pem)
        qFatal("rogue sign: %s", qPrintable(pem.error().toString()));
    return Credentials{QSslCertificate(*pem), *pem, *key, key->toQSslKey()};
}

} // namespace occ::test
