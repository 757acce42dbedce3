#include "renewer.h"

#include "core/logging.h"
#include "pki/csr.h"

#include <QSslKey>

namespace occ::identity {

namespace {
constexpr qint64 kRetryMs = 3'600'000;
constexpr qint64 kMaxTimerMs = 86'400'000; // QTimer takes an int; re-check daily
} // namespace

CertificateRenewer::CertificateRenewer(QString dataDir, const Clock &clock, cloudapi::CloudClient &client,
                                       QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_clock(clock)
    , m_client(client)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_clock.epochMs() >= pki::renewalDue(m_identity.certificate).toMSecsSinceEpoch())
            renewNow();
        else
            schedule();
    });
}

void CertificateRenewer::watch(const Identity &identity)
{
    m_identity = identity;
    schedule();
}

void CertificateRenewer::schedule()
{
    const qint64 due = pki::renewalDue(m_identity.certificate).toMSecsSinceEpoch();
    m_timer.start(int(qBound<qint64>(1000, due - m_clock.epochMs(), kMaxTimerMs)));
}

void CertificateRenewer::renewNow()
{
    if (m_busy)
        return;
    Result<QByteArray> csr = pki::createCsr(m_identity.key, m_identity.id);
    if (!csr) {
        emit renewalFailed(csr.error().message);
        m_timer.start(int(kRetryMs));
        return;
    }
    m_busy = true;
    m_client.renewCertificate(*csr, [this](Result<cloudapi::Certificates> answer) {
        m_busy = false;
        if (answer) {
            const QSslCertificate certificate(answer->certificatePem);
            Result<pki::Identity> info = pki::identityOf(certificate);
            // Ours: our id and our (unchanged) key.
            const bool ourKey =
                certificate.publicKey().toPem() ==
                QSslKey(m_identity.key.publicKeyPem(), QSsl::Rsa, QSsl::Pem, QSsl::PublicKey).toPem();
            if (info && info->id == m_identity.id && ourKey) {
                if (Result<void> w =
                        writeCertificates(m_dataDir, answer->certificatePem, answer->caCertificatePem);
                    w) {
                    m_identity.certificate = certificate;
                    m_identity.serial = info->serial;
                    m_identity.fingerprint = info->fingerprint;
                    qCInfo(lcPki) << "certificate renewed; new serial" << info->serial << "valid until"
                                  << info->notAfter.toString(Qt::ISODate);
                    emit renewed(m_identity);
                    schedule();
                    return;
                } else {
                    answer = w.error();
                }
            } else {
                answer = fail(ErrorCategory::Auth, QStringLiteral("the renewed certificate is not ours"));
            }
        }
        qCWarning(lcPki) << "certificate renewal failed, retrying in an hour:" << answer.error().message;
        emit renewalFailed(answer.error().message);
        m_timer.start(int(kRetryMs));
    });
}

} // namespace occ::identity
