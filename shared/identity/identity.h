#pragma once

#include "cloudapi/cloudclient.h"
#include "core/result.h"
#include "pki/identity.h"
#include "pki/privatekey.h"
#include "secrets/secretstore.h"
#include "settings/settings.h"

#include <QList>
#include <QSslCertificate>
#include <QString>

namespace occ::identity {

// The files of an enrolled hub or connector (ARCHITECTURE §14).
struct IdentityFiles
{
    explicit IdentityFiles(const QString &dataDir)
        : dir(dataDir + QStringLiteral("/identity"))
    {}
    QString dir;
    QString privateKey() const { return dir + QStringLiteral("/private-key.pem"); }
    QString certificate() const { return dir + QStringLiteral("/certificate.pem"); }
    QString customerCa() const { return dir + QStringLiteral("/customer-ca.pem"); }
    QString cloudCa() const { return dir + QStringLiteral("/cloud-ca.pem"); }
};

// The name of the key passphrase in the secret store.
inline const QString kPassphraseSecret = QStringLiteral("identity-passphrase");
// The name of the proxy password in the secret store.
inline const QString kProxyPasswordSecret = QStringLiteral("proxy-password");

// Who this program is, as enrolled: certificate, decrypted key, customer CA.
struct Identity
{
    QString id;
    QString customerId;
    pki::Role role = pki::Role::Hub;
    QSslCertificate certificate;
    pki::PrivateKey key;
    QSslCertificate customerCa;
    QByteArray serial;
    QByteArray fingerprint;
};

bool isEnrolled(const QString &dataDir);

// Reads the identity files and decrypts the key with the passphrase from the
// secret store. Refuses an identity of another role.
Result<Identity> loadIdentity(const QString &dataDir, secrets::SecretStore &secrets, pki::Role expectedRole);

// Writes the certificate and CA files (0644) of an identity; the key file (0600,
// encrypted) is written by writeKey.
Result<void> writeCertificates(const QString &dataDir, const QByteArray &certificatePem,
                               const QByteArray &customerCaPem);
Result<void> writeKey(const QString &dataDir, const pki::PrivateKey &key, const QByteArray &passphrase);

// How to reach the cloud as this identity: cloud/url, cloud/caFile (or the system
// trust store), proxy/url + proxy/user with the password from the secret store.
Result<cloudapi::CloudEndpoint> cloudEndpoint(const settings::Settings &settings, const Identity *identity,
                                              const QString &proxyPassword);

} // namespace occ::identity
