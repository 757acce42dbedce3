#pragma once

#include "core/result.h"
#include "pki/identity.h"
#include "pki/privatekey.h"

#include <QByteArray>
#include <QStringList>

namespace occ::pki {

// What goes into an issued certificate besides the public key.
struct IssueRequest
{
    QString id;         // CN
    QString customerId; // O
    Role role = Role::Hub;
    int validityDays = 365;
    QStringList dnsNames;    // subjectAltName DNS entries (server certificates)
    QStringList ipAddresses; // subjectAltName IP entries (server certificates)
};

// A CA key pair that signs requests: one per customer, and one for the cloud's
// own HTTPS server certificate.
class CertificateAuthority
{
public:
    // A new self-signed CA (RSA-2048, SHA-256, CA:TRUE, keyCertSign/cRLSign).
    // Subject fields are limited to 64 characters each (X.509).
    static Result<CertificateAuthority> create(const QString &commonName, const QString &organization,
                                               int validityDays = 3650,
                                               const QString &organizationalUnit = {});
    static Result<CertificateAuthority> load(const QByteArray &certificatePem, PrivateKey key);

    // Checks the request (signature, RSA >= 2048) and issues a certificate with a
    // random 128-bit serial. Returns the certificate as PEM.
    Result<QByteArray> sign(const QByteArray &csrPem, const IssueRequest &request) const;
    // Same, for a public key the CA itself holds (used for the cloud server cert).
    Result<QByteArray> signKey(const PrivateKey &key, const IssueRequest &request) const;

    QByteArray certificatePem() const { return m_certificatePem; }
    const PrivateKey &key() const { return m_key; }

private:
    CertificateAuthority(QByteArray certificatePem, PrivateKey key)
        : m_certificatePem(std::move(certificatePem))
        , m_key(std::move(key))
    {}
    Result<QByteArray> issue(EVP_PKEY *subjectKey, const IssueRequest &request) const;

    QByteArray m_certificatePem;
    PrivateKey m_key;
};

} // namespace occ::pki
