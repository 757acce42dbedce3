#pragma once

#include "cloudapi/cloudclient.h"
#include "core/clock.h"
#include "identity/identity.h"

#include <QObject>
#include <QTimer>

namespace occ::identity {

// Renews the certificate at two thirds of its lifetime over the authenticated
// channel (ARCHITECTURE §3): a CSR for the same key, the new certificate written
// in place, renewed() for those who configure TLS with it. Failures retry hourly.
class CertificateRenewer : public QObject
{
    Q_OBJECT
public:
    CertificateRenewer(QString dataDir, const Clock &clock, cloudapi::CloudClient &client,
                       QObject *parent = nullptr);

    void watch(const Identity &identity);
    // Renews now, whatever the due date (tests, administrators).
    void renewNow();

signals:
    void renewed(const occ::identity::Identity &identity);
    void renewalFailed(const QString &message);

private:
    void schedule();

    QString m_dataDir;
    const Clock &m_clock;
    cloudapi::CloudClient &m_client;
    Identity m_identity;
    QTimer m_timer;
    bool m_busy = false;
};

} // namespace occ::identity
