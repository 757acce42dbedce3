#pragma once

#include "pki/certificateauthority.h"
#include "pki/identity.h"
#include "pki/privatekey.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>

namespace occ::test {

struct Credentials
{
    QSslCertificate certificate;
    QByteArray certificatePem;
    pki::PrivateKey key;
    QSslKey sslKey;
};

// A customer CA made inside the test, issuing hub and connector certificates the
// same way the cloud does (CSR -> sign).
class TestPki
{
public:
    explicit TestPki(const QString &customerId = QStringLiteral("customer-test"));

    Credentials issue(const QString &id, pki::Role role, int validityDays = 30) const;
    QSslCertificate caCertificate() const { return QSslCertificate(m_ca->certificatePem()); }
    const pki::CertificateAuthority &authority() const { return *m_ca; }
    QString customerId() const { return m_customerId; }

    // A self-signed certificate with a hub/connector-looking subject: signed by no CA.
    static Credentials selfSigned(const QString &id, const QString &customerId, pki::Role role);

private:
    QString m_customerId;
    std::shared_ptr<pki::CertificateAuthority> m_ca;
};

} // namespace occ::test
