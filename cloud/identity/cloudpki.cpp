#include "cloudpki.h"

#include "core/files.h"
#include "pki/privatekey.h"

#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QSaveFile>

Q_LOGGING_CATEGORY(lcCloudPki, "occ.cloud.pki")

namespace occ::cloud {

CloudPki::CloudPki(Registry &registry, QString passphraseFile)
    : m_registry(registry)
    , m_passphraseFile(std::move(passphraseFile))
{}

Result<void> CloudPki::loadPassphrase()
{
    QMutexLocker lock(&m_mutex);
    if (!m_passphrase.isEmpty())
        return {};
    if (!QFileInfo::exists(m_passphraseFile)) {
        const QByteArray fresh = pki::randomPassphrase();
        if (Result<void> w = writeWholeFile(m_passphraseFile, fresh, kOwnerOnly); !w)
            return w;
        qCInfo(lcCloudPki) << "created the CA passphrase file" << m_passphraseFile;
    }
    if (QFileInfo(m_passphraseFile).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup))
        return fail(ErrorCategory::Config,
                    QStringLiteral("%1 must be readable by its owner only").arg(m_passphraseFile));
    Result<QByteArray> passphrase = readWholeFile(m_passphraseFile);
    if (!passphrase)
        return passphrase.error();
    m_passphrase = passphrase->trimmed();
    if (m_passphrase.size() < 16)
        return fail(ErrorCategory::Config,
                    QStringLiteral("%1 holds no usable passphrase").arg(m_passphraseFile));
    return {};
}

Result<CloudPki::NewCa> CloudPki::createCustomerCa(const QString &customerId, const QString &customerName)
{
    if (Result<void> p = loadPassphrase(); !p)
        return p.error();
    // The name is for people reading the certificate; it must fit the 64-character
    // limit of a subject field, the id always does.
    Result<pki::CertificateAuthority> ca = pki::CertificateAuthority::create(
        QStringLiteral("OCC customer CA %1").arg(customerId), customerId, 3650, customerName.left(64));
    if (!ca)
        return ca.error();
    Result<QByteArray> key = ca->key().toEncryptedPem(m_passphrase);
    if (!key)
        return key.error();
    return NewCa{ca->certificatePem(), *key};
}

Result<std::shared_ptr<const pki::CertificateAuthority>> CloudPki::customerCa(const QString &customerId)
{
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_cas.constFind(customerId); it != m_cas.cend())
            return it.value();
    }
    if (Result<void> p = loadPassphrase(); !p)
        return p.error();
    Result<std::optional<CustomerRecord>> record = m_registry.customer(customerId);
    if (!record)
        return record.error();
    if (!*record)
        return fail(ErrorCategory::Auth, QStringLiteral("unknown customer '%1'").arg(customerId));
    Result<pki::PrivateKey> key = pki::PrivateKey::fromEncryptedPem((*record)->caKeyPem, m_passphrase);
    if (!key)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot open the CA key of customer %1 (wrong CA passphrase file?): %2")
                        .arg(customerId, key.error().message));
    Result<pki::CertificateAuthority> ca = pki::CertificateAuthority::load((*record)->caCertificatePem, *key);
    if (!ca)
        return ca.error();
    auto shared = std::make_shared<const pki::CertificateAuthority>(std::move(ca).value());
    QMutexLocker lock(&m_mutex);
    m_cas.insert(customerId, shared);
    return shared;
}

Result<CloudPki::ServerCredentials>
CloudPki::serverCredentials(const QString &dataDir, const QString &certificateFile, const QString &keyFile,
                            const QString &keyPassphraseFile, const QStringList &extraNames)
{
    ServerCredentials credentials;
    if (!certificateFile.isEmpty()) {
        // An administrator's own certificate (e.g. from a public CA).
        Result<QByteArray> pem = readWholeFile(certificateFile);
        if (!pem)
            return pem.error();
        credentials.chain = QSslCertificate::fromData(*pem, QSsl::Pem);
        if (credentials.chain.isEmpty())
            return fail(ErrorCategory::Config,
                        QStringLiteral("%1 holds no PEM certificate").arg(certificateFile));
        Result<QByteArray> keyPem = readWholeFile(keyFile);
        if (!keyPem)
            return keyPem.error();
        Result<QByteArray> passphrase = readWholeFile(keyPassphraseFile);
        if (!passphrase)
            return passphrase.error();
        Result<pki::PrivateKey> key = pki::PrivateKey::fromEncryptedPem(*keyPem, passphrase->trimmed());
        if (!key)
            return key.error();
        credentials.key = key->toQSslKey();
        return credentials;
    }

    if (Result<void> p = loadPassphrase(); !p)
        return p.error();
    const QString caPath = dataDir + QStringLiteral("/server-ca.pem");
    const QString caKeyPath = dataDir + QStringLiteral("/server-ca-key.pem");
    const QString certPath = dataDir + QStringLiteral("/server-certificate.pem");
    const QString keyPath = dataDir + QStringLiteral("/server-key.pem");
    credentials.caFile = caPath;

    if (!QFileInfo::exists(certPath) || !QFileInfo::exists(keyPath)) {
        Result<pki::CertificateAuthority> ca = [&]() -> Result<pki::CertificateAuthority> {
            if (QFileInfo::exists(caPath) && QFileInfo::exists(caKeyPath)) {
                Result<QByteArray> caPem = readWholeFile(caPath);
                Result<QByteArray> caKeyPem = readWholeFile(caKeyPath);
                if (!caPem || !caKeyPem)
                    return !caPem ? caPem.error() : caKeyPem.error();
                Result<pki::PrivateKey> caKey = pki::PrivateKey::fromEncryptedPem(*caKeyPem, m_passphrase);
                if (!caKey)
                    return caKey.error();
                return pki::CertificateAuthority::load(*caPem, *caKey);
            }
            return pki::CertificateAuthority::create(
                QStringLiteral("OCC cloud server CA %1").arg(QHostInfo::localHostName()).left(64),
                QStringLiteral("OCC cloud"));
        }();
        if (!ca)
            return ca.error();
        Result<pki::PrivateKey> key = pki::PrivateKey::generate();
        if (!key)
            return key.error();
        QStringList dns{QStringLiteral("localhost"), QHostInfo::localHostName()};
        QStringList ips{QStringLiteral("127.0.0.1"), QStringLiteral("::1")};
        for (const QString &name : extraNames) {
            if (QHostAddress(name).isNull())
                dns << name;
            else
                ips << name;
        }
        dns.removeDuplicates();
        ips.removeDuplicates();
        Result<QByteArray> cert = ca->signKey(
            *key, {QHostInfo::localHostName().left(64), QString(), pki::Role::Cloud, 825, dns, ips});
        if (!cert)
            return cert.error();
        Result<QByteArray> caKeyPem = ca->key().toEncryptedPem(m_passphrase);
        Result<QByteArray> keyPem = key->toEncryptedPem(m_passphrase);
        if (!caKeyPem || !keyPem)
            return !caKeyPem ? caKeyPem.error() : keyPem.error();
        for (const auto &[path, content, mode] :
             {std::tuple{caPath, ca->certificatePem(), kWorldReadable},
              std::tuple{caKeyPath, *caKeyPem, kOwnerOnly}, std::tuple{keyPath, *keyPem, kOwnerOnly},
              std::tuple{certPath, *cert, kWorldReadable}}) {
            if (Result<void> w = writeWholeFile(path, content, mode); !w)
                return w.error();
        }
        qCInfo(lcCloudPki) << "made a server certificate for" << dns << ips << "; clients take" << caPath
                           << "as --cloud-ca";
    }
    Result<QByteArray> certPem = readWholeFile(certPath);
    Result<QByteArray> keyPem = readWholeFile(keyPath);
    Result<QByteArray> caPem = readWholeFile(caPath);
    if (!certPem || !keyPem || !caPem)
        return !certPem ? certPem.error() : !keyPem ? keyPem.error() : caPem.error();
    Result<pki::PrivateKey> key = pki::PrivateKey::fromEncryptedPem(*keyPem, m_passphrase);
    if (!key)
        return key.error();
    credentials.chain = {QSslCertificate(*certPem), QSslCertificate(*caPem)};
    credentials.key = key->toQSslKey();
    return credentials;
}

} // namespace occ::cloud
