#include "soapservice.h"

#include "cloudapi/soapconvert.h"
#include "occsoapclient.h"
#include "protocol/measurementrules.h"
#include "soap/soapreader.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSoap, "occ.cloud.soap")

namespace occ::cloud {

using namespace OccSoap;
namespace soap = cloudapi::soap;

QString soapFaultCode(ErrorCategory category)
{
    switch (category) {
    case ErrorCategory::Auth:
        return QStringLiteral("soap:Client.Auth");
    case ErrorCategory::Input:
    case ErrorCategory::Protocol:
    case ErrorCategory::Crypto:
        return QStringLiteral("soap:Client.Invalid");
    case ErrorCategory::Storage:
    case ErrorCategory::Io:
        return QStringLiteral("soap:Server.Storage");
    default:
        return QStringLiteral("soap:Server.Internal");
    }
}

http::HttpResponse SoapService::faultResponse(int httpStatus, const QString &code, const QString &message)
{
    http::HttpResponse response;
    response.status = httpStatus;
    response.contentType = "text/xml; charset=utf-8";
    response.body = soapFaultEnvelope(code, message);
    return response;
}

SoapService::SoapService(CloudContext &context)
    : m_context(context)
    , m_access(context.registry)
    , m_polls(context.commands, context.clock, context.limits.pollWakeupMs)
{}

void SoapService::handle(const http::HttpRequest &request, const http::HttpResponder &responder)
{
    Call call{request, responder, {}, {}, false};
    Result<KDSoapValue> body = readSoapRequest(request.body);
    if (!body) {
        answerFault(call, body.error());
        return;
    }
    dispatch(call, *body);
}

void SoapService::answerFault(Call &call, const Error &error)
{
    qCWarning(lcSoap).noquote() << call.request.peer()
                                << (call.operation.isEmpty() ? QStringLiteral("request") : call.operation)
                                << "refused:" << error.message;
    // SOAP 1.1 over HTTP: a fault goes with status 500.
    call.responder.respond(faultResponse(500, soapFaultCode(error.category), error.message));
}

bool SoapService::check(Call &call, const Result<void> &result)
{
    if (!result && !call.fault)
        call.fault = result.error();
    return result.ok();
}

std::optional<pki::Identity> SoapService::caller(Call &call)
{
    // The certificate of the connection this request came on, and no other.
    Result<pki::Identity> identity = m_context.authenticator.authenticate(call.request.peerCertificate);
    if (!identity) {
        check(call, identity.error());
        return std::nullopt;
    }
    return *identity;
}

template <typename Params, typename Response>
void SoapService::run(Call &call, const KDSoapValue &request,
                      Response (SoapService::*operation)(Call &, const Params &), const char *responseName)
{
    Params params;
    params.deserialize(request);
    const Response response = (this->*operation)(call, params);
    if (call.fault) {
        answerFault(call, *call.fault);
    } else if (!call.delayed) {
        KDSoapValue value = response.serialize(QString::fromLatin1(responseName));
        value.setNamespaceUri(QLatin1StringView(cloudapi::kNamespace));
        value.setQualified(true);
        http::HttpResponse answer;
        answer.contentType = "text/xml; charset=utf-8";
        answer.body = soapEnvelope(value, QLatin1StringView(cloudapi::kNamespace));
        call.responder.respond(std::move(answer));
    }
}

void SoapService::dispatch(Call &call, const KDSoapValue &request)
{
    call.operation = request.name().left(64);
    if (request.namespaceUri() != QLatin1StringView(cloudapi::kNamespace)) {
        answerFault(call, fail(ErrorCategory::Input,
                               QStringLiteral("element '%1' is in namespace '%2', expected '%3'")
                                   .arg(call.operation, request.namespaceUri().left(128),
                                        QLatin1StringView(cloudapi::kNamespace))));
        return;
    }
    const QString &op = call.operation;
    if (op == QLatin1StringView("Enrol"))
        run(call, request, &SoapService::enrol, "EnrolResponse");
    else if (op == QLatin1StringView("RenewCertificate"))
        run(call, request, &SoapService::renewCertificate, "RenewCertificateResponse");
    else if (op == QLatin1StringView("SubmitBatch"))
        run(call, request, &SoapService::submitBatch, "SubmitBatchResponse");
    else if (op == QLatin1StringView("ReportState"))
        run(call, request, &SoapService::reportState, "ReportStateResponse");
    else if (op == QLatin1StringView("PollCommands"))
        run(call, request, &SoapService::pollCommands, "PollCommandsResponse");
    else if (op == QLatin1StringView("CompleteCommand"))
        run(call, request, &SoapService::completeCommand, "CompleteCommandResponse");
    else if (op == QLatin1StringView("ListConnectors"))
        run(call, request, &SoapService::listConnectors, "ListConnectorsResponse");
    else if (op == QLatin1StringView("GetRevocations"))
        run(call, request, &SoapService::getRevocations, "GetRevocationsResponse");
    else
        answerFault(call, fail(ErrorCategory::Input, QStringLiteral("unknown operation '%1'").arg(op)));
}

TNS__EnrolResponse SoapService::enrol(Call &call, const TNS__Enrol &p)
{
    TNS__EnrolResponse response;
    cloudapi::EnrolRequest request{p.customerId(), p.enrolmentKey(), p.role().stringValue(), p.hostname(),
                                   p.csr().toLatin1()};
    Result<cloudapi::Certificates> certificates = m_context.enrolment.enrol(request);
    if (!certificates) {
        check(call, certificates.error());
        return response;
    }
    qCInfo(lcSoap).noquote() << call.request.peer() << "enrolled" << request.role << certificates->id
                             << request.hostname;
    response.setId(certificates->id);
    response.setCertificate(QString::fromLatin1(certificates->certificatePem));
    response.setCaCertificate(QString::fromLatin1(certificates->caCertificatePem));
    return response;
}

TNS__RenewCertificateResponse SoapService::renewCertificate(Call &call, const TNS__RenewCertificate &p)
{
    TNS__RenewCertificateResponse response;
    const std::optional<pki::Identity> who = caller(call);
    if (!who)
        return response;
    Result<cloudapi::Certificates> certificates = m_context.enrolment.renew(*who, p.csr().toLatin1());
    if (!certificates) {
        check(call, certificates.error());
        return response;
    }
    response.setCertificate(QString::fromLatin1(certificates->certificatePem));
    response.setCaCertificate(QString::fromLatin1(certificates->caCertificatePem));
    return response;
}

TNS__SubmitBatchResponse SoapService::submitBatch(Call &call, const TNS__SubmitBatch &p)
{
    TNS__SubmitBatchResponse response;
    const std::optional<pki::Identity> who = caller(call);
    if (!who)
        return response;
    // Every check first: a refused call stores nothing at all.
    QList<cloudapi::HubBatch> batches;
    int total = 0;
    const QList<TNS__HubBatch> soapBatches = p.batch();
    for (const TNS__HubBatch &soapBatch : soapBatches) {
        cloudapi::HubBatch batch = soap::batchFromSoap(soapBatch);
        if (!check(call, m_access.mayActFor(*who, batch.hubId)))
            return response;
        for (const protocol::Measurement &m : std::as_const(batch.measurements)) {
            if (!check(call, protocol::validateMeasurement(m)))
                return response;
        }
        total += int(batch.measurements.size());
        batches.append(std::move(batch));
    }
    if (total > m_context.limits.maxMeasurementsPerCall) {
        check(call, fail(ErrorCategory::Input, QStringLiteral("%1 measurements in one call; the limit is %2")
                                                   .arg(total)
                                                   .arg(m_context.limits.maxMeasurementsPerCall)));
        return response;
    }
    const QString via = who->role == pki::Role::Connector ? who->id : QString();
    QList<TNS__HubSeq> results;
    for (const cloudapi::HubBatch &batch : std::as_const(batches)) {
        Result<cloudapi::HubSeq> seq =
            m_context.measurements.ingest(who->customerId, batch, via, m_context.clock.epochMs());
        if (!seq) {
            check(call, seq.error());
            return response;
        }
        results.append(soap::hubSeqToSoap<TNS__HubSeq>(*seq));
    }
    response.setResult(results);
    return response;
}

TNS__ReportStateResponse SoapService::reportState(Call &call, const TNS__ReportState &p)
{
    TNS__ReportStateResponse response;
    const std::optional<pki::Identity> who = caller(call);
    if (!who)
        return response;
    const qint64 now = m_context.clock.epochMs();
    QList<cloudapi::HubState> states;
    const QList<TNS__HubState> soapStates = p.hub();
    for (const TNS__HubState &soapState : soapStates) {
        cloudapi::HubState state = soap::stateFromSoap(soapState);
        if (!check(call, m_access.mayActFor(*who, state.hubId)))
            return response;
        if (!cloudapi::isPathName(state.path)) {
            check(call,
                  fail(ErrorCategory::Input, QStringLiteral("unknown path '%1'").arg(state.path.left(40))));
            return response;
        }
        if (who->role == pki::Role::Connector)
            state.connectorId = who->id; // a connector speaks for the hubs connected to itself
        else if (state.path == QLatin1StringView("DirectCloud"))
            state.connectorId.clear();
        states.append(state);
    }
    if (p.hasValueForConnector()) {
        if (who->role != pki::Role::Connector || p.connector().connectorId() != who->id) {
            check(call, fail(ErrorCategory::Auth, QStringLiteral("only a connector may report itself")));
            return response;
        }
        cloudapi::ConnectorInfo info = soap::connectorFromSoap(p.connector());
        info.fingerprint = QString::fromLatin1(who->fingerprint); // what the TLS handshake proved
        if (!check(call, m_context.registry.upsertConnector(who->customerId, info, now)))
            return response;
    }
    QStringList hubIds;
    for (const cloudapi::HubState &state : std::as_const(states)) {
        if (!check(call, m_context.measurements.reportState(who->customerId, state, now)))
            return response;
        hubIds.append(state.hubId);
    }
    Result<QHash<QString, qint64>> highest = m_context.measurements.highestSeqs(hubIds);
    if (!highest) {
        check(call, highest.error());
        return response;
    }
    QList<TNS__HubSeq> seqs;
    for (const QString &hubId : std::as_const(hubIds))
        seqs.append(soap::hubSeqToSoap<TNS__HubSeq>(cloudapi::HubSeq{hubId, highest->value(hubId), 0}));
    response.setAccepted(int(states.size()));
    response.setHubSeq(seqs);
    return response;
}

TNS__PollCommandsResponse SoapService::pollCommands(Call &call, const TNS__PollCommands &p)
{
    TNS__PollCommandsResponse response;
    const std::optional<pki::Identity> who = caller(call);
    if (!who)
        return response;
    const QStringList hubIds = p.hubId();
    if (hubIds.isEmpty() || hubIds.size() > 50000) {
        check(call, fail(ErrorCategory::Input, QStringLiteral("PollCommands needs 1 to 50000 hub ids")));
        return response;
    }
    for (const QString &hubId : hubIds) {
        if (!check(call, m_access.mayActFor(*who, hubId)))
            return response;
    }
    const qint64 now = m_context.clock.epochMs();
    if (who->role == pki::Role::Hub && !check(call, m_context.measurements.touch(hubIds, now)))
        return response;
    Result<QList<cloudapi::Command>> ready = m_context.commands.takeDeliverable(hubIds, now);
    if (!ready) {
        check(call, ready.error());
        return response;
    }
    const int wait = qBound(0, p.waitSeconds(), cloudapi::kMaxPollSeconds);
    if (!ready->isEmpty() || wait == 0) {
        QList<TNS__Command> commands;
        for (const cloudapi::Command &c : std::as_const(*ready))
            commands.append(soap::commandToSoap<TNS__Command>(c));
        response.setCommand(commands);
        return response;
    }
    // Nothing yet: answer later, on this request's connection, without holding the thread.
    call.delayed = true;
    const http::HttpResponder responder = call.responder;
    m_polls.wait(
        hubIds, now + wait * 1000LL, [responder] { return responder.alive(); },
        [responder](const QList<cloudapi::Command> &found) {
            TNS__PollCommandsResponse later;
            QList<TNS__Command> commands;
            for (const cloudapi::Command &c : found)
                commands.append(soap::commandToSoap<TNS__Command>(c));
            later.setCommand(commands);
            KDSoapValue value = later.serialize(QStringLiteral("PollCommandsResponse"));
            value.setNamespaceUri(QLatin1StringView(cloudapi::kNamespace));
            value.setQualified(true);
            http::HttpResponse answer;
            answer.contentType = "text/xml; charset=utf-8";
            answer.body = soapEnvelope(value, QLatin1StringView(cloudapi::kNamespace));
            responder.respond(std::move(answer));
        });
    return response;
}

TNS__CompleteCommandResponse SoapService::completeCommand(Call &call, const TNS__CompleteCommand &p)
{
    TNS__CompleteCommandResponse response;
    const std::optional<pki::Identity> who = caller(call);
    if (!who || !check(call, m_access.mayActFor(*who, p.hubId())))
        return response;
    Result<bool> stored =
        m_context.commands.complete(p.id(), p.hubId(), p.ok(), p.detail(), m_context.clock.epochMs());
    if (!stored) {
        check(call, stored.error());
        return response;
    }
    qCInfo(lcSoap).noquote() << "command" << p.id() << "of" << p.hubId() << (p.ok() ? "done:" : "failed:")
                             << p.detail().left(200);
    response.setStored(*stored);
    return response;
}

TNS__ListConnectorsResponse SoapService::listConnectors(Call &call, const TNS__ListConnectors &)
{
    TNS__ListConnectorsResponse response;
    const std::optional<pki::Identity> who = caller(call);
    if (!who)
        return response;
    Result<QList<cloudapi::ConnectorInfo>> connectors = m_context.registry.connectors(who->customerId);
    if (!connectors) {
        check(call, connectors.error());
        return response;
    }
    QList<TNS__ConnectorInfo> list;
    for (const cloudapi::ConnectorInfo &info : std::as_const(*connectors))
        list.append(soap::connectorToSoap<TNS__ConnectorInfo>(info));
    response.setConnector(list);
    if (who->role == pki::Role::Hub) {
        Result<QHash<QString, qint64>> highest = m_context.measurements.highestSeqs({who->id});
        if (!highest) {
            check(call, highest.error());
            return response;
        }
        response.setHighestSeq(highest->value(who->id));
    }
    return response;
}

TNS__GetRevocationsResponse SoapService::getRevocations(Call &call, const TNS__GetRevocations &)
{
    TNS__GetRevocationsResponse response;
    const std::optional<pki::Identity> who = caller(call);
    if (!who)
        return response;
    Result<QStringList> serials = m_context.registry.revokedSerials(who->customerId);
    if (!serials) {
        check(call, serials.error());
        return response;
    }
    response.setSerial(*serials);
    return response;
}

} // namespace occ::cloud
