#pragma once

// RAII holders for OpenSSL 3 objects and the one place that turns OpenSSL's error
// queue into an occ::Error. Only EVP/X509 APIs are used (no deprecated RSA_*).

#include "core/result.h"

#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <QByteArray>

namespace occ::pki {

template <typename T, void (*Free)(T *)> struct OpenSslDeleter
{
    void operator()(T *p) const { Free(p); }
};

using PKeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ, X509_REQ_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE, X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;

// Call first in main(), before any TLS. OpenSSL's at-exit cleanup deletes the key
// through which each thread's OpenSSL state (its error queue) is freed when the
// thread ends; a Qt thread that finishes just as main() returns (the network
// access thread, a SOAP server worker) then leaks that state. Keeping OpenSSL's
// global state until the process ends lets every thread free its own.
void initOpenSsl();

// The oldest pending OpenSSL error, with a context, as a Crypto error; clears the queue.
Error opensslError(const QString &what);

BioPtr memoryBio(const QByteArray &data);
QByteArray bioContents(BIO *bio);

X509Ptr parseCertificatePem(const QByteArray &pem);
QByteArray certificateToPem(X509 *certificate);

} // namespace occ::pki
