#include "directlink.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDirect, "occ.hub.direct")

namespace occ::hub {

DirectLink::DirectLink(Outbox &outbox, QString hubId, DirectConfig config, StateProvider state,
                       QObject *parent)
    : QObject(parent)
    , m_outbox(outbox)
    , m_hubId(std::move(hubId))
    , m_config(config)
    , m_state(std::move(state))
    , m_backoff(config.retryMinMs, config.retryMaxMs)
{
    m_retrySubmit.setSingleShot(true);
    connect(&m_retrySubmit, &QTimer::timeout, this, &DirectLink::submitNext);
    m_retryPoll.setSingleShot(true);
    connect(&m_retryPoll, &QTimer::timeout, this, &DirectLink::poll);
    connect(&m_report, &QTimer::timeout, this, &DirectLink::reportState);
    connect(&m_outbox, &Outbox::added, this, [this] {
        if (m_established && !m_submitting && !m_retrySubmit.isActive())
            submitNext();
    });
}

DirectLink::~DirectLink()
{
    stop();
}

void DirectLink::start(const cloudapi::CloudEndpoint &endpoint)
{
    stop();
    m_client = std::make_unique<cloudapi::CloudClient>(endpoint);
    m_failures = 0;
    m_sentUpTo = 0;
    m_backoff = Backoff(m_config.retryMinMs, m_config.retryMaxMs);
    qCInfo(lcDirect).noquote() << "trying the cloud directly at" << endpoint.url.toString()
                               << "proxy:" << endpoint.proxy.describe();
    // ReportState proves the way: TLS, our certificate, the proxy.
    m_client->reportState(std::nullopt, {m_state()}, [this](Result<cloudapi::StateAnswer> answer) {
        if (!answer) {
            m_lastError = answer.error().message;
            qCWarning(lcDirect).noquote() << "cloud not reachable:" << m_lastError;
            m_client.reset();
            emit started(false);
            return;
        }
        // Before anything is submitted: never number below what the cloud holds.
        learn(answer->highestSeqs);
        m_lastError.clear();
        m_established = true;
        m_report.start(int(qMax<qint64>(1000, m_config.reportIntervalMs)));
        emit started(true);
        if (!m_client)
            return; // stopped by a receiver of started()
        submitNext();
        poll();
    });
}

void DirectLink::stop()
{
    m_retrySubmit.stop();
    m_retryPoll.stop();
    m_report.stop();
    m_established = false;
    m_submitting = false;
    m_polling = false;
    if (m_client) {
        m_client->cancelAll();
        m_client.release()->deleteLater(); // we may be inside one of its callbacks
    }
}

void DirectLink::submitNext()
{
    if (!m_established || m_submitting)
        return;
    Result<QList<protocol::Measurement>> items = m_outbox.after(m_sentUpTo, m_config.batchSize);
    if (!items) {
        qCCritical(lcDirect) << "cannot read the outbox:" << items.error().message;
        return;
    }
    if (items->isEmpty())
        return;
    const qint64 last = items->last().seq;
    const int count = int(items->size());
    m_submitting = true;
    m_client->submitBatch({cloudapi::HubBatch{m_hubId, std::move(*items)}},
                          [this, last, count](Result<QList<cloudapi::HubSeq>> answer) {
                              m_submitting = false;
                              if (!answer) {
                                  failed(answer.error(), "SubmitBatch");
                                  if (m_established)
                                      m_retrySubmit.start(int(m_backoff.next()));
                                  return;
                              }
                              succeeded();
                              // The cloud stored (or already had) everything we sent.
                              m_outbox.delivered(last);
                              m_sentUpTo = last;
                              learn(*answer);
                              qCDebug(lcDirect)
                                  << "cloud stored" << count << "measurements up to seq" << last;
                              submitNext();
                          });
}

void DirectLink::poll()
{
    if (!m_established || m_polling)
        return;
    m_polling = true;
    m_client->pollCommands({m_hubId}, m_config.pollSeconds, [this](Result<QList<cloudapi::Command>> answer) {
        m_polling = false;
        if (!answer) {
            failed(answer.error(), "PollCommands");
            if (m_established)
                m_retryPoll.start(int(m_backoff.next()));
            return;
        }
        succeeded();
        for (const cloudapi::Command &c : std::as_const(*answer))
            emit commandReceived(protocol::Command{c.id, c.kind, c.args, c.expires});
        if (m_established)
            poll();
    });
}

void DirectLink::reportState()
{
    if (!m_established)
        return;
    m_client->reportState(std::nullopt, {m_state()}, [this](Result<cloudapi::StateAnswer> answer) {
        if (!answer) {
            failed(answer.error(), "ReportState");
            return;
        }
        succeeded();
        learn(answer->highestSeqs);
    });
}

void DirectLink::sendResult(const QString &commandId, bool ok, const QString &detail)
{
    if (!m_established)
        return;
    m_client->completeCommand(commandId, m_hubId, ok, detail, [this, commandId](Result<bool> answer) {
        if (!answer) {
            failed(answer.error(), "CompleteCommand");
            return;
        }
        succeeded();
        qCInfo(lcDirect).noquote() << "result of command" << commandId << "stored in the cloud";
    });
}

void DirectLink::learn(const QList<cloudapi::HubSeq> &seqs)
{
    for (const cloudapi::HubSeq &seq : seqs) {
        if (seq.hubId == m_hubId)
            m_outbox.raiseFloor(seq.highestSeq, QStringLiteral("the cloud"));
    }
}

void DirectLink::succeeded()
{
    m_failures = 0;
    m_lastError.clear();
    m_backoff.reset();
}

void DirectLink::failed(const Error &error, const char *what)
{
    m_lastError = error.message;
    ++m_failures;
    qCWarning(lcDirect).noquote() << what << "failed (" << m_failures << "in a row):" << error.message;
    if (m_failures >= m_config.failuresUntilLost) {
        const QString reason =
            QStringLiteral("%1 cloud calls failed, the last: %2").arg(m_failures).arg(error.message);
        stop();
        emit lost(reason);
    }
}

} // namespace occ::hub
