#pragma once

#include "cloudprocess.h"
#include "core/result.h"
#include "pki/privatekey.h"

#include <QSslCertificate>
#include <QSslKey>

namespace occ::test {

// A hub or connector enrolled through the real cloud's Enrol operation.
struct EnrolledNode
{
    QString id;
    QSslCertificate certificate;
    pki::PrivateKey key;
    QSslCertificate ca; // the customer CA
};

Result<EnrolledNode> enrolNode(const QUrl &cloudUrl, const QString &cloudCaFile,
                               const CloudProcess::Customer &customer, const QString &role,
                               const QString &hostname);

} // namespace occ::test
