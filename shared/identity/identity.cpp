#include "identity.h"

#include "core/files.h"
#include "core/logging.h"

#include <QFileInfo>

namespace occ::identity {

bool isEnrolled(const QString &dataDir)
{
    const IdentityFiles files(dataDir);
    return QFileInfo::exists(files.privateKey()) && QFileInfo::exists(files.certificate()) &&
           QFileInfo::exists(files.customerCa());
}

Result<Identity> loadIdentity(const QString &dataDir, secrets::SecretStore &secrets, pki::Role expectedRole)
{
    const IdentityFiles files(dataDir);
    if (!isEnrolled(dataDir))
        return fail(ErrorCategory::Config,
                    QStringLiteral("not enrolled: %1 holds no identity (run enrol first)").arg(files.dir));
    Result<QByteArray> certificatePem = readWholeFile(files.certificate());
    Result<QByteArray> caPem = readWholeFile(files.customerCa());
    Result<QByteArray> keyPem = readWholeFile(files.privateKey());
    if (!certificatePem || !caPem || !keyPem)
        return !certificatePem ? certificatePem.error() : !caPem ? caPem.error() : keyPem.error();
    Result<std::optional<QByteArray>> passphrase = secrets::readSecret(secrets, kPassphraseSecret);
    if (!passphrase)
        return passphrase.error();
    if (!*passphrase)
        return fail(
            ErrorCategory::Keychain,
            QStringLiteral("the key passphrase is missing from the %1; enrol again").arg(secrets.describe()));
    Result<pki::PrivateKey> key = pki::PrivateKey::fromEncryptedPem(*keyPem, **passphrase);
    if (!key)
        return key.error();
    Identity identity;
    identity.certificate = QSslCertificate(*certificatePem);
    identity.customerCa = QSslCertificate(*caPem);
    identity.key = *key;
    Result<pki::Identity> info = pki::identityOf(identity.certificate);
    if (!info)
        return info.error();
    if (info->role != expectedRole)
        return fail(ErrorCategory::Config,
                    QStringLiteral("%1 holds a %2 identity, not a %3 one")
                        .arg(files.dir, pki::roleName(info->role), pki::roleName(expectedRole)));
    if (identity.certificate.publicKey().toPem() !=
        QSslKey(key->publicKeyPem(), QSsl::Rsa, QSsl::Pem, QSsl::PublicKey).toPem())
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("%1 does not belong to %2").arg(files.certificate(), files.privateKey()));
    identity.id = info->id;
    identity.customerId = info->customerId;
    identity.role = info->role;
    identity.serial = info->serial;
    identity.fingerprint = info->fingerprint;
    return identity;
}

Result<void> writeCertificates(const QString &dataDir, const QByteArray &certificatePem,
                               const QByteArray &customerCaPem)
{
    const IdentityFiles files(dataDir);
    if (Result<void> r = writeWholeFile(files.customerCa(), customerCaPem, kWorldReadable); !r)
        return r;
    return writeWholeFile(files.certificate(), certificatePem, kWorldReadable);
}

Result<void> writeKey(const QString &dataDir, const pki::PrivateKey &key, const QByteArray &passphrase)
{
    Result<QByteArray> pem = key.toEncryptedPem(passphrase);
    if (!pem)
        return pem.error();
    return writeWholeFile(IdentityFiles(dataDir).privateKey(), *pem, kOwnerOnly);
}

Result<cloudapi::CloudEndpoint> cloudEndpoint(const settings::Settings &settings, const Identity *identity,
                                              const QString &proxyPassword)
{
    cloudapi::CloudEndpoint endpoint;
    endpoint.url = QUrl(settings.string(QStringLiteral("cloud/url")));
    if (!endpoint.url.isValid() || endpoint.url.scheme() != QLatin1StringView("https"))
        return fail(ErrorCategory::Config, QStringLiteral("cloud/url must be an https:// URL, not '%1'")
                                               .arg(settings.string(QStringLiteral("cloud/url"))));
    const QString caFile = settings.string(QStringLiteral("cloud/caFile"));
    if (!caFile.isEmpty()) {
        endpoint.trustedCas = QSslCertificate::fromPath(caFile);
        if (endpoint.trustedCas.isEmpty())
            return fail(ErrorCategory::Config,
                        QStringLiteral("cloud/caFile %1 holds no certificate").arg(caFile));
    }
    if (identity) {
        endpoint.clientCertificate = identity->certificate;
        endpoint.clientKey = identity->key.toQSslKey();
    }
    Result<cloudapi::ProxySettings> proxy = cloudapi::ProxySettings::fromSetting(
        settings.string(QStringLiteral("proxy/url")), settings.string(QStringLiteral("proxy/user")));
    if (!proxy)
        return proxy.error();
    endpoint.proxy = *proxy;
    endpoint.proxy.password = proxyPassword;
    endpoint.timeoutMs = int(settings.millis(QStringLiteral("cloud/timeout")));
    return endpoint;
}

} // namespace occ::identity
