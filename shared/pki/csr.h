#pragma once

#include "core/result.h"
#include "pki/privatekey.h"

#include <QByteArray>

namespace occ::pki {

// A PKCS#10 request signed with SHA-256 by the key it carries. The subject is only
// a hint: the issuing CA decides the identity.
Result<QByteArray> createCsr(const PrivateKey &key, const QString &commonNameHint);

// A parsed request whose self-signature has been verified and whose key is RSA
// with at least 2048 bits.
struct CheckedCsr
{
    X509ReqPtr request;
    int keyBits = 0;
};
Result<CheckedCsr> checkCsr(const QByteArray &pem);

} // namespace occ::pki
