#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QSslCertificate>
#include <QString>

struct x509_st;

namespace occ::pki {

// Who a certificate belongs to. Issued certificates carry CN = id,
// O = customer id and OU = role (ARCHITECTURE §3).
enum class Role
{
    Hub,
    Connector,
    Cloud, // the cloud's HTTPS server certificate
};

QString roleName(Role role);
std::optional<Role> roleFromName(QStringView name);

struct Identity
{
    QString id;
    QString customerId;
    Role role = Role::Hub;
    QByteArray serial;      // hex, lower case
    QByteArray fingerprint; // SHA-256 of the DER, hex, lower case
    QDateTime notBefore;
    QDateTime notAfter;

    bool operator==(const Identity &) const = default;
};

// Reads the identity fields of a certificate (no chain check: see verify.h).
Result<Identity> identityOf(const QSslCertificate &certificate);
// The same from OpenSSL's parsed certificate, without decoding it again (OpenSSL
// 3.0 decodes a public key slowly; TLS servers call this for every handshake).
Result<Identity> identityOf(x509_st *certificate);

// SHA-256 fingerprint as lower-case hex without separators.
QByteArray fingerprintOf(const QSslCertificate &certificate);

// When a certificate should be renewed: two thirds into its lifetime.
QDateTime renewalDue(const QSslCertificate &certificate);

} // namespace occ::pki
