#include "cloudclient.h"

#include "cloudapi/soapconvert.h"
#include "core/logging.h"
#include "occsoapclient.h"

#include <KDSoapClient/KDSoapJob.h>
#include <KDSoapClient/KDSoapMessage.h>
#include <QNetworkProxyFactory>
#include <QSslConfiguration>

namespace occ::cloudapi {

using namespace OccSoap;

Error faultToError(const KDSoapMessage &fault)
{
    const QString code = fault.childValues().child(QStringLiteral("faultcode")).value().toString();
    const QString text = fault.childValues().child(QStringLiteral("faultstring")).value().toString();
    bool numeric = false;
    code.toInt(&numeric);
    if (numeric) // KDSoap reports QNetworkReply errors with their number as the code
        return fail(ErrorCategory::Network, QStringLiteral("cloud unreachable: %1").arg(text));
    ErrorCategory category = ErrorCategory::Protocol;
    if (code.contains(QLatin1StringView("Auth")))
        category = ErrorCategory::Auth;
    else if (code.contains(QLatin1StringView("Invalid")) || code.contains(QLatin1StringView("TooLarge")))
        category = ErrorCategory::Input;
    else if (code.startsWith(QLatin1StringView("Server")))
        category = ErrorCategory::Internal;
    return fail(category, QStringLiteral("cloud refused the request: %1 (%2)").arg(text, code));
}

CloudClient::CloudClient(const CloudEndpoint &endpoint, QObject *parent)
    : QObject(parent)
{
    setEndpoint(endpoint);
}

void CloudClient::setEndpoint(const CloudEndpoint &endpoint)
{
    m_endpoint = endpoint;
    if (m_endpoint.url.path().isEmpty() || m_endpoint.url.path() == QLatin1StringView("/"))
        m_endpoint.url.setPath(QStringLiteral("/soap"));
    if (m_endpoint.proxy.mode == ProxySettings::Mode::System)
        QNetworkProxyFactory::setUseSystemConfiguration(true); // process-wide and idempotent
    // Calls in flight finish on the earlier services, which stay (children of this
    // client); an endpoint changes only at a certificate renewal.
    m_service = makeService(m_endpoint.timeoutMs);
    m_pollService = makeService((kMaxPollSeconds + 15) * 1000);
}

CloudClient::~CloudClient() = default;

OccService *CloudClient::makeService(int timeoutMs)
{
    auto *service = new OccService(this);
    service->setEndPoint(m_endpoint.url.toString());
    KDSoapClientInterface *client = service->clientInterface();
    client->setTimeout(timeoutMs);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setProtocol(QSsl::TlsV1_2OrLater);
    if (!m_endpoint.trustedCas.isEmpty())
        ssl.setCaCertificates(m_endpoint.trustedCas);
    if (!m_endpoint.clientCertificate.isNull()) {
        ssl.setLocalCertificate(m_endpoint.clientCertificate);
        ssl.setPrivateKey(m_endpoint.clientKey);
    }
    client->setSslConfiguration(ssl);
    switch (m_endpoint.proxy.mode) {
    case ProxySettings::Mode::System:
        break; // the application proxy factory (system configuration)
    case ProxySettings::Mode::None:
        client->setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        break;
    case ProxySettings::Mode::Explicit:
        client->setProxy(QNetworkProxy(QNetworkProxy::HttpProxy, m_endpoint.proxy.url.host(),
                                       quint16(m_endpoint.proxy.url.port()), m_endpoint.proxy.user,
                                       m_endpoint.proxy.password));
        break;
    }
    return service;
}

void CloudClient::cancelAll()
{
    ++m_generation;
}

template <typename Job, typename Params, typename Convert, typename T>
void CloudClient::run(OccService *service, const Params &params, Convert convert, Callback<T> done)
{
    auto *job = new Job(service, this);
    job->setParameters(params);
    const quint64 generation = m_generation;
    connect(job, &KDSoapJob::finished, this, [this, job, generation, convert, done = std::move(done)]() {
        if (generation != m_generation)
            return; // cancelled
        Result<T> result = job->isFault() ? Result<T>(faultToError(job->reply()))
                                          : Result<T>(convert(job->resultParameters()));
        if (!result)
            qCDebug(lcCloudApi) << "call failed:" << result.error().message;
        // Answered once the job has finished emitting: a receiver may delete this
        // client (and with it the job) from inside its callback.
        QMetaObject::invokeMethod(
            this,
            [this, generation, done, result = std::move(result)]() mutable {
                if (generation == m_generation)
                    done(std::move(result));
            },
            Qt::QueuedConnection);
    });
    job->start();
}

void CloudClient::enrol(const EnrolRequest &request, Callback<Certificates> done)
{
    TNS__Enrol params;
    params.setCustomerId(request.customerId);
    params.setEnrolmentKey(request.enrolmentKey);
    params.setRole(request.role == QLatin1StringView("connector") ? TNS__Role::Connector : TNS__Role::Hub);
    params.setHostname(request.hostname);
    params.setCsr(QString::fromLatin1(request.csrPem));
    run<EnrolJob>(
        m_service, params,
        [](const TNS__EnrolResponse &r) {
            return Certificates{r.id(), r.certificate().toLatin1(), r.caCertificate().toLatin1()};
        },
        std::move(done));
}

void CloudClient::renewCertificate(const QByteArray &csrPem, Callback<Certificates> done)
{
    TNS__RenewCertificate params;
    params.setCsr(QString::fromLatin1(csrPem));
    run<RenewCertificateJob>(
        m_service, params,
        [](const TNS__RenewCertificateResponse &r) {
            return Certificates{QString(), r.certificate().toLatin1(), r.caCertificate().toLatin1()};
        },
        std::move(done));
}

void CloudClient::submitBatch(const QList<HubBatch> &batches, Callback<QList<HubSeq>> done)
{
    TNS__SubmitBatch params;
    QList<TNS__HubBatch> soapBatches;
    for (const HubBatch &batch : batches)
        soapBatches.append(soap::batchToSoap<TNS__HubBatch>(batch));
    params.setBatch(soapBatches);
    run<SubmitBatchJob>(
        m_service, params,
        [](const TNS__SubmitBatchResponse &r) {
            QList<HubSeq> seqs;
            const QList<TNS__HubSeq> results = r.result();
            for (const TNS__HubSeq &seq : results)
                seqs.append(soap::hubSeqFromSoap(seq));
            return seqs;
        },
        std::move(done));
}

void CloudClient::reportState(const std::optional<ConnectorInfo> &connector, const QList<HubState> &hubs,
                              Callback<StateAnswer> done)
{
    TNS__ReportState params;
    if (connector)
        params.setConnector(soap::connectorToSoap<TNS__ConnectorInfo>(*connector));
    QList<TNS__HubState> states;
    for (const HubState &state : hubs)
        states.append(soap::stateToSoap<TNS__HubState>(state));
    params.setHub(states);
    run<ReportStateJob>(
        m_service, params,
        [](const TNS__ReportStateResponse &r) {
            StateAnswer answer{r.accepted(), {}};
            const QList<TNS__HubSeq> seqs = r.hubSeq();
            for (const TNS__HubSeq &seq : seqs)
                answer.highestSeqs.append(soap::hubSeqFromSoap(seq));
            return answer;
        },
        std::move(done));
}

void CloudClient::pollCommands(const QStringList &hubIds, int waitSeconds, Callback<QList<Command>> done)
{
    TNS__PollCommands params;
    params.setHubId(hubIds);
    params.setWaitSeconds(qBound(0, waitSeconds, kMaxPollSeconds));
    run<PollCommandsJob>(
        m_pollService, params,
        [](const TNS__PollCommandsResponse &r) {
            QList<Command> commands;
            const QList<TNS__Command> soapCommands = r.command();
            for (const TNS__Command &command : soapCommands)
                commands.append(soap::commandFromSoap(command));
            return commands;
        },
        std::move(done));
}

void CloudClient::completeCommand(const QString &commandId, const QString &hubId, bool ok,
                                  const QString &detail, Callback<bool> done)
{
    TNS__CompleteCommand params;
    params.setId(commandId);
    params.setHubId(hubId);
    params.setOk(ok);
    params.setDetail(detail);
    run<CompleteCommandJob>(
        m_service, params, [](const TNS__CompleteCommandResponse &r) { return r.stored(); }, std::move(done));
}

void CloudClient::listConnectors(Callback<ConnectorList> done)
{
    run<ListConnectorsJob>(
        m_service, TNS__ListConnectors(),
        [](const TNS__ListConnectorsResponse &r) {
            ConnectorList list;
            const QList<TNS__ConnectorInfo> soapConnectors = r.connector();
            for (const TNS__ConnectorInfo &info : soapConnectors)
                list.connectors.append(soap::connectorFromSoap(info));
            list.highestSeq = r.hasValueForHighestSeq() ? r.highestSeq() : 0;
            return list;
        },
        std::move(done));
}

void CloudClient::getRevocations(Callback<QStringList> done)
{
    run<GetRevocationsJob>(
        m_service, TNS__GetRevocations(), [](const TNS__GetRevocationsResponse &r) { return r.serial(); },
        std::move(done));
}

} // namespace occ::cloudapi
