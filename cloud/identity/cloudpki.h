#pragma once

#include "core/result.h"
#include "pki/certificateauthority.h"
#include "storage/registry.h"

#include <memory>
#include <QHash>
#include <QMutex>
#include <QSslCertificate>
#include <QSslKey>

namespace occ::cloud {

// The cloud's keys: the per-customer CAs (keys encrypted at rest in the database
// with the CA passphrase) and the HTTPS server certificate. Thread-safe.
class CloudPki
{
public:
    // passphraseFile: where the CA passphrase lives (0600); made on first use.
    CloudPki(Registry &registry, QString passphraseFile);

    Result<void> loadPassphrase();

    // A new customer CA: certificate PEM and encrypted key PEM.
    struct NewCa
    {
        QByteArray certificatePem;
        QByteArray encryptedKeyPem;
    };
    Result<NewCa> createCustomerCa(const QString &customerId, const QString &customerName);
    // The CA of a customer, loaded once and cached.
    Result<std::shared_ptr<const pki::CertificateAuthority>> customerCa(const QString &customerId);

    struct ServerCredentials
    {
        QList<QSslCertificate> chain; // server certificate first
        QSslKey key;
        QString caFile; // the file clients take as --cloud-ca (generated CA only)
    };
    // The configured certificate (certificate/key/passphrase files), or else a server
    // CA and certificate made in dataDir on first start (DATA/server-ca.pem) for
    // localhost, this host and extraNames.
    Result<ServerCredentials> serverCredentials(const QString &dataDir, const QString &certificateFile,
                                                const QString &keyFile, const QString &keyPassphraseFile,
                                                const QStringList &extraNames);

private:
    Registry &m_registry;
    QString m_passphraseFile;
    QByteArray m_passphrase;
    QMutex m_mutex;
    QHash<QString, std::shared_ptr<const pki::CertificateAuthority>> m_cas;
};

} // namespace occ::cloud
