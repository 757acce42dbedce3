#include "enroller.h"

#include "core/files.h"
#include "core/logging.h"
#include "pki/csr.h"

#include <QEventLoop>
#include <QFileInfo>

namespace occ::identity {

Result<Identity> enrol(const EnrolOptions &options, secrets::SecretStore &secrets,
                       settings::Settings &settings)
{
    if (isEnrolled(options.dataDir))
        return fail(ErrorCategory::Config, QStringLiteral("%1 is already enrolled; use a fresh data folder")
                                               .arg(IdentityFiles(options.dataDir).dir));
    if (options.cloudUrl.scheme() != QLatin1StringView("https") || options.cloudUrl.host().isEmpty())
        return fail(ErrorCategory::Config, QStringLiteral("--cloud must be an https:// URL"));
    if (options.customerId.isEmpty() || options.enrolmentKey.isEmpty())
        return fail(ErrorCategory::Config, QStringLiteral("--customer and --key are required"));

    QList<QSslCertificate> cloudCas;
    QByteArray cloudCaPem;
    if (!options.cloudCaFile.isEmpty()) {
        Result<QByteArray> pem = readWholeFile(options.cloudCaFile);
        if (!pem)
            return pem.error();
        cloudCas = QSslCertificate::fromData(*pem);
        if (cloudCas.isEmpty())
            return fail(ErrorCategory::Config,
                        QStringLiteral("%1 holds no PEM certificate").arg(options.cloudCaFile));
        cloudCaPem = *pem;
    }

    // The key and its passphrase first: without a working secret store there is
    // no point in asking the cloud.
    Result<pki::PrivateKey> key = pki::PrivateKey::generate();
    if (!key)
        return key.error();
    const QByteArray passphrase = pki::randomPassphrase();
    if (Result<void> stored = secrets::writeSecret(secrets, kPassphraseSecret, passphrase); !stored)
        return stored.error();
    Result<QByteArray> csr = pki::createCsr(*key, options.hostname);
    if (!csr)
        return csr.error();

    cloudapi::CloudEndpoint endpoint;
    endpoint.url = options.cloudUrl;
    endpoint.trustedCas = cloudCas;
    Result<cloudapi::ProxySettings> proxy = cloudapi::ProxySettings::fromSetting(
        settings.string(QStringLiteral("proxy/url")), settings.string(QStringLiteral("proxy/user")));
    if (!proxy)
        return proxy.error();
    endpoint.proxy = *proxy;
    if (endpoint.proxy.mode == cloudapi::ProxySettings::Mode::Explicit) {
        Result<std::optional<QByteArray>> password = secrets::readSecret(secrets, kProxyPasswordSecret);
        if (password && *password)
            endpoint.proxy.password = QString::fromUtf8(**password);
    }
    cloudapi::CloudClient client(endpoint);
    QEventLoop loop;
    std::optional<Result<cloudapi::Certificates>> answer;
    client.enrol(
        {options.customerId, options.enrolmentKey, pki::roleName(options.role), options.hostname, *csr},
        [&](Result<cloudapi::Certificates> r) {
            answer = std::move(r);
            loop.quit();
        });
    while (!answer) // a quit() of every loop ends this one early; the call still answers
        loop.exec();
    if (!*answer)
        return answer->error();
    const cloudapi::Certificates &certificates = answer->value();

    // What comes back must be ours: our key, our customer, the role we asked for.
    const QSslCertificate certificate(certificates.certificatePem);
    Result<pki::Identity> info = pki::identityOf(certificate);
    if (!info)
        return info.error();
    if (info->role != options.role || info->customerId != options.customerId ||
        certificate.publicKey().toPem() !=
            QSslKey(key->publicKeyPem(), QSsl::Rsa, QSsl::Pem, QSsl::PublicKey).toPem())
        return fail(ErrorCategory::Auth,
                    QStringLiteral("the cloud answered with a certificate that is not ours"));

    if (Result<void> r = writeKey(options.dataDir, *key, passphrase); !r)
        return r.error();
    if (Result<void> r =
            writeCertificates(options.dataDir, certificates.certificatePem, certificates.caCertificatePem);
        !r)
        return r.error();
    const IdentityFiles files(options.dataDir);
    if (!cloudCaPem.isEmpty()) {
        if (Result<void> r = writeWholeFile(files.cloudCa(), cloudCaPem, kWorldReadable); !r)
            return r.error();
    }
    if (Result<void> r = settings.store(QStringLiteral("cloud/url"), options.cloudUrl.toString()); !r)
        return r.error();
    if (Result<void> r = settings.store(QStringLiteral("cloud/caFile"),
                                        cloudCaPem.isEmpty() ? QString() : files.cloudCa());
        !r)
        return r.error();
    // The passphrase is where this run put it: later runs must look there too.
    if (Result<void> r = settings.store(QStringLiteral("identity/keychain"),
                                        settings.string(QStringLiteral("identity/keychain")));
        !r)
        return r.error();
    qCInfo(lcPki) << "enrolled as" << pki::roleName(info->role) << info->id << "of customer"
                  << info->customerId;
    return loadIdentity(options.dataDir, secrets, options.role);
}

} // namespace occ::identity
