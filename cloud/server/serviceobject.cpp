#include "serviceobject.h"

#include "cloudapi/soapconvert.h"
#include "protocol/measurementrules.h"
#include "server/soapreader.h"

#include <KDSoapClient/KDSoapMessage.h>
#include <KDSoapServer/KDSoapDelayedResponseHandle.h>
#include <KDSoapServer/KDSoapServerObjectInterface.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <QBuffer>
#include <QLoggingCategory>
#include <QSslSocket>
#include <sys/socket.h>

Q_LOGGING_CATEGORY(lcSoap, "occ.cloud.soap")

namespace occ::cloud {

using namespace OccSoapServer;
namespace soap = cloudapi::soap;

namespace {

QString faultCode(ErrorCategory category)
{
    switch (category) {
    case ErrorCategory::Auth:
        return QStringLiteral("Client.Auth");
    case ErrorCategory::Input:
    case ErrorCategory::Protocol:
    case ErrorCategory::Crypto:
        return QStringLiteral("Client.Invalid");
    case ErrorCategory::Storage:
    case ErrorCategory::Io:
        return QStringLiteral("Server.Storage");
    default:
        return QStringLiteral("Server.Internal");
    }
}

} // namespace

ServiceObject::ServiceObject(CloudContext &context)
    : m_context(context)
    , m_access(context.registry)
    , m_polls(context.commands, context.clock, context.limits.pollWakeupMs, this)
    , m_page(context.registry, context.measurements, context.clock, context.limits.offlineAfterMs)
{}

QString ServiceObject::peer() const
{
    const QAbstractSocket *socket = serverSocket();
    return socket ? socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort())
                  : QStringLiteral("?");
}

// ---- HTTP level ---------------------------------------------------------------------

bool ServiceObject::newRequest(const QByteArray &requestType, const QMap<QByteArray, QByteArray> &httpHeaders)
{
    m_acceptLanguage = httpHeaders.value("accept-language");
    m_rejection.reset();
    // Both KDSoap's server and Qt's HTTP client write headers and body separately.
    // With Nagle's algorithm on one side and a delayed ACK on the other that costs
    // ~40 ms per call: the server sends without delay (TCP_NODELAY) and
    // acknowledges the request headers at once (TCP_QUICKACK), so the client's
    // body is not held back.
    if (QAbstractSocket *socket = serverSocket()) {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        const int one = 1;
        ::setsockopt(int(socket->socketDescriptor()), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    m_body.clear();
    if (requestType != "POST")
        return false; // GET: WSDL and OCC page through KDSoap
    const QByteArray encoding = httpHeaders.value("transfer-encoding").toLower();
    bool ok = false;
    const qint64 length = httpHeaders.value("content-length").toLongLong(&ok);
    if (encoding.contains("chunked"))
        m_rejection = fail(ErrorCategory::Input,
                           QStringLiteral("chunked request bodies are not accepted; send Content-Length"));
    else if (ok && length > m_context.limits.maxBodyBytes)
        m_rejection = fail(ErrorCategory::Input,
                           QStringLiteral("request body of %1 bytes exceeds the limit of %2 bytes")
                               .arg(length)
                               .arg(m_context.limits.maxBodyBytes));
    if (m_rejection && ok && length > std::numeric_limits<int>::max()) {
        // KDSoap cannot count that far: answer now and hang up.
        writeFault(*m_rejection, true);
        return true;
    }
    if (!m_rejection)
        m_body.reserve(ok ? qsizetype(length) : 0);
    return true;
}

void ServiceObject::processXML(const QByteArray &xmlChunk)
{
    if (m_rejection)
        return; // read and thrown away, chunk by chunk
    if (m_body.size() + xmlChunk.size() > m_context.limits.maxBodyBytes) {
        m_rejection = fail(
            ErrorCategory::Input,
            QStringLiteral("request body exceeds the limit of %1 bytes").arg(m_context.limits.maxBodyBytes));
        m_body.clear();
        return;
    }
    m_body += xmlChunk;
}

void ServiceObject::endRequest()
{
    if (m_rejection) {
        writeFault(*m_rejection, true);
        return;
    }
    const QByteArray body = std::exchange(m_body, QByteArray());
    m_operation.clear();
    Result<KDSoapValue> request = readSoapRequest(body);
    if (!request) {
        writeFault(request.error());
        return;
    }
    dispatch(*request);
}

void ServiceObject::writeFault(const Error &error, bool close)
{
    qCWarning(lcSoap).noquote() << peer() << (m_operation.isEmpty() ? QStringLiteral("request") : m_operation)
                                << "refused:" << error.message;
    QAbstractSocket *socket = serverSocket();
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    const QString code = error.message.contains(QLatin1StringView("exceeds the limit"))
                             ? QStringLiteral("Client.TooLarge")
                             : faultCode(error.category);
    writeXML(soapFaultEnvelope(code, error.message), true);
    if (close)
        socket->disconnectFromHost();
}

QIODevice *ServiceObject::processFileRequest(const QString &path, QByteArray &contentType)
{
    if (path != QLatin1StringView("/") && path != QLatin1StringView("/index.html"))
        return nullptr;
    Result<QByteArray> html = m_page.render(prefersGerman(m_acceptLanguage) ? m_context.german : nullptr);
    auto *buffer = new QBuffer;
    if (!html) {
        qCWarning(lcSoap) << "OCC page:" << html.error().message;
        buffer->setData(QByteArrayLiteral("<!DOCTYPE html><p>OCC page unavailable: ") +
                        html.error().message.toHtmlEscaped().toUtf8());
    } else {
        buffer->setData(*html);
    }
    contentType = "text/html; charset=utf-8";
    return buffer;
}

KDSoapServerObjectInterface::HttpResponseHeaderItems ServiceObject::additionalHttpResponseHeaderItems() const
{
    return {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}};
}

// ---- SOAP level ---------------------------------------------------------------------

void ServiceObject::refuse(const Error &error)
{
    if (!m_fault)
        m_fault = error;
}

bool ServiceObject::check(const Result<void> &result)
{
    if (!result)
        refuse(result.error());
    return result.ok();
}

std::optional<pki::Identity> ServiceObject::caller()
{
    const auto *socket = qobject_cast<const QSslSocket *>(serverSocket());
    Result<pki::Identity> identity =
        m_context.authenticator.authenticate(socket ? socket->peerCertificate() : QSslCertificate());
    if (!identity) {
        refuse(identity.error());
        return std::nullopt;
    }
    return *identity;
}

template <typename Params, typename Response>
void ServiceObject::call(const KDSoapValue &request, Response (ServiceObject::*operation)(const Params &),
                         const char *responseName)
{
    Params params;
    params.deserialize(request);
    const Response response = (this->*operation)(params);
    if (m_fault) {
        writeFault(*m_fault);
    } else if (!m_delayed) {
        KDSoapValue value = response.serialize(QString::fromLatin1(responseName));
        value.setNamespaceUri(QLatin1StringView(cloudapi::kNamespace));
        value.setQualified(true);
        writeXML(soapEnvelope(value, QLatin1StringView(cloudapi::kNamespace)), false);
    }
}

void ServiceObject::dispatch(const KDSoapValue &request)
{
    m_operation = request.name().left(64);
    m_fault.reset();
    m_delayed = false;
    if (request.namespaceUri() != QLatin1StringView(cloudapi::kNamespace)) {
        writeFault(
            fail(ErrorCategory::Input, QStringLiteral("element '%1' is in namespace '%2', expected '%3'")
                                           .arg(m_operation, request.namespaceUri().left(128),
                                                QLatin1StringView(cloudapi::kNamespace))));
        return;
    }
    if (m_operation == QLatin1StringView("Enrol"))
        call(request, &ServiceObject::enrol, "EnrolResponse");
    else if (m_operation == QLatin1StringView("RenewCertificate"))
        call(request, &ServiceObject::renewCertificate, "RenewCertificateResponse");
    else if (m_operation == QLatin1StringView("SubmitBatch"))
        call(request, &ServiceObject::submitBatch, "SubmitBatchResponse");
    else if (m_operation == QLatin1StringView("ReportState"))
        call(request, &ServiceObject::reportState, "ReportStateResponse");
    else if (m_operation == QLatin1StringView("PollCommands"))
        call(request, &ServiceObject::pollCommands, "PollCommandsResponse");
    else if (m_operation == QLatin1StringView("CompleteCommand"))
        call(request, &ServiceObject::completeCommand, "CompleteCommandResponse");
    else if (m_operation == QLatin1StringView("ListConnectors"))
        call(request, &ServiceObject::listConnectors, "ListConnectorsResponse");
    else if (m_operation == QLatin1StringView("GetRevocations"))
        call(request, &ServiceObject::getRevocations, "GetRevocationsResponse");
    else
        writeFault(fail(ErrorCategory::Input, QStringLiteral("unknown operation '%1'").arg(m_operation)));
}

TNS__EnrolResponse ServiceObject::enrol(const TNS__Enrol &p)
{
    TNS__EnrolResponse response;
    cloudapi::EnrolRequest request{p.customerId(), p.enrolmentKey(), p.role().stringValue(), p.hostname(),
                                   p.csr().toLatin1()};
    Result<cloudapi::Certificates> certificates = m_context.enrolment.enrol(request);
    if (!certificates) {
        refuse(certificates.error());
        return response;
    }
    qCInfo(lcSoap).noquote() << peer() << "enrolled" << request.role << certificates->id << request.hostname;
    response.setId(certificates->id);
    response.setCertificate(QString::fromLatin1(certificates->certificatePem));
    response.setCaCertificate(QString::fromLatin1(certificates->caCertificatePem));
    return response;
}

TNS__RenewCertificateResponse ServiceObject::renewCertificate(const TNS__RenewCertificate &p)
{
    TNS__RenewCertificateResponse response;
    const std::optional<pki::Identity> who = caller();
    if (!who)
        return response;
    Result<cloudapi::Certificates> certificates = m_context.enrolment.renew(*who, p.csr().toLatin1());
    if (!certificates) {
        refuse(certificates.error());
        return response;
    }
    response.setCertificate(QString::fromLatin1(certificates->certificatePem));
    response.setCaCertificate(QString::fromLatin1(certificates->caCertificatePem));
    return response;
}

TNS__SubmitBatchResponse ServiceObject::submitBatch(const TNS__SubmitBatch &p)
{
    TNS__SubmitBatchResponse response;
    const std::optional<pki::Identity> who = caller();
    if (!who)
        return response;
    // Every check first: a refused call stores nothing at all.
    QList<cloudapi::HubBatch> batches;
    int total = 0;
    const QList<TNS__HubBatch> soapBatches = p.batch();
    for (const TNS__HubBatch &soapBatch : soapBatches) {
        cloudapi::HubBatch batch = soap::batchFromSoap(soapBatch);
        if (!check(m_access.mayActFor(*who, batch.hubId)))
            return response;
        for (const protocol::Measurement &m : std::as_const(batch.measurements)) {
            if (!check(protocol::validateMeasurement(m)))
                return response;
        }
        total += int(batch.measurements.size());
        batches.append(std::move(batch));
    }
    if (total > m_context.limits.maxMeasurementsPerCall) {
        refuse(fail(ErrorCategory::Input, QStringLiteral("%1 measurements in one call; the limit is %2")
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
            refuse(seq.error());
            return response;
        }
        results.append(soap::hubSeqToSoap<TNS__HubSeq>(*seq));
    }
    response.setResult(results);
    return response;
}

TNS__ReportStateResponse ServiceObject::reportState(const TNS__ReportState &p)
{
    TNS__ReportStateResponse response;
    const std::optional<pki::Identity> who = caller();
    if (!who)
        return response;
    const qint64 now = m_context.clock.epochMs();
    QList<cloudapi::HubState> states;
    const QList<TNS__HubState> soapStates = p.hub();
    for (const TNS__HubState &soapState : soapStates) {
        cloudapi::HubState state = soap::stateFromSoap(soapState);
        if (!check(m_access.mayActFor(*who, state.hubId)))
            return response;
        if (!cloudapi::isPathName(state.path)) {
            refuse(fail(ErrorCategory::Input, QStringLiteral("unknown path '%1'").arg(state.path.left(40))));
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
            refuse(fail(ErrorCategory::Auth, QStringLiteral("only a connector may report itself")));
            return response;
        }
        cloudapi::ConnectorInfo info = soap::connectorFromSoap(p.connector());
        info.fingerprint = QString::fromLatin1(who->fingerprint); // what the TLS handshake proved
        if (!check(m_context.registry.upsertConnector(who->customerId, info, now)))
            return response;
    }
    for (const cloudapi::HubState &state : std::as_const(states)) {
        if (!check(m_context.measurements.reportState(who->customerId, state, now)))
            return response;
    }
    response.setAccepted(int(states.size()));
    return response;
}

TNS__PollCommandsResponse ServiceObject::pollCommands(const TNS__PollCommands &p)
{
    TNS__PollCommandsResponse response;
    const std::optional<pki::Identity> who = caller();
    if (!who)
        return response;
    const QStringList hubIds = p.hubId();
    if (hubIds.isEmpty() || hubIds.size() > 50000) {
        refuse(fail(ErrorCategory::Input, QStringLiteral("PollCommands needs 1 to 50000 hub ids")));
        return response;
    }
    for (const QString &hubId : hubIds) {
        if (!check(m_access.mayActFor(*who, hubId)))
            return response;
    }
    const qint64 now = m_context.clock.epochMs();
    if (who->role == pki::Role::Hub && !check(m_context.measurements.touch(hubIds, now)))
        return response;
    Result<QList<cloudapi::Command>> ready = m_context.commands.takeDeliverable(hubIds, now);
    if (!ready) {
        refuse(ready.error());
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
    // Nothing yet: answer later without holding this thread.
    const KDSoapDelayedResponseHandle handle = prepareDelayedResponse();
    m_delayed = true;
    m_polls.wait(hubIds, now + wait * 1000LL, serverSocket(),
                 [this, handle](const QList<cloudapi::Command> &found) {
                     TNS__PollCommandsResponse later;
                     QList<TNS__Command> commands;
                     for (const cloudapi::Command &c : found)
                         commands.append(soap::commandToSoap<TNS__Command>(c));
                     later.setCommand(commands);
                     pollCommandsResponse(handle, later);
                 });
    return response;
}

TNS__CompleteCommandResponse ServiceObject::completeCommand(const TNS__CompleteCommand &p)
{
    TNS__CompleteCommandResponse response;
    const std::optional<pki::Identity> who = caller();
    if (!who || !check(m_access.mayActFor(*who, p.hubId())))
        return response;
    Result<bool> stored =
        m_context.commands.complete(p.id(), p.hubId(), p.ok(), p.detail(), m_context.clock.epochMs());
    if (!stored) {
        refuse(stored.error());
        return response;
    }
    qCInfo(lcSoap).noquote() << "command" << p.id() << "of" << p.hubId() << (p.ok() ? "done:" : "failed:")
                             << p.detail().left(200);
    response.setStored(*stored);
    return response;
}

TNS__ListConnectorsResponse ServiceObject::listConnectors(const TNS__ListConnectors &)
{
    TNS__ListConnectorsResponse response;
    const std::optional<pki::Identity> who = caller();
    if (!who)
        return response;
    Result<QList<cloudapi::ConnectorInfo>> connectors = m_context.registry.connectors(who->customerId);
    if (!connectors) {
        refuse(connectors.error());
        return response;
    }
    QList<TNS__ConnectorInfo> list;
    for (const cloudapi::ConnectorInfo &info : std::as_const(*connectors))
        list.append(soap::connectorToSoap<TNS__ConnectorInfo>(info));
    response.setConnector(list);
    return response;
}

TNS__GetRevocationsResponse ServiceObject::getRevocations(const TNS__GetRevocations &)
{
    TNS__GetRevocationsResponse response;
    const std::optional<pki::Identity> who = caller();
    if (!who)
        return response;
    Result<QStringList> serials = m_context.registry.revokedSerials(who->customerId);
    if (!serials) {
        refuse(serials.error());
        return response;
    }
    response.setSerial(*serials);
    return response;
}

} // namespace occ::cloud
