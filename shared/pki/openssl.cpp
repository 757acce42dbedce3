#include "openssl.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace occ::pki {

void initOpenSsl()
{
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
}

Error opensslError(const QString &what)
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return fail(ErrorCategory::Crypto, what);
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return fail(ErrorCategory::Crypto, what + QStringLiteral(": ") + QString::fromLatin1(buffer));
}

BioPtr memoryBio(const QByteArray &data)
{
    return BioPtr(BIO_new_mem_buf(data.constData(), int(data.size())));
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return QByteArray(data, length);
}

X509Ptr parseCertificatePem(const QByteArray &pem)
{
    BioPtr bio = memoryBio(pem);
    X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    return certificate;
}

QByteArray certificateToPem(X509 *certificate)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_X509(bio.get(), certificate))
        return {};
    return bioContents(bio.get());
}

} // namespace occ::pki
