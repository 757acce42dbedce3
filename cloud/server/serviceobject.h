#pragma once

#include "occsoapserver.h"
#include "server/accesspolicy.h"
#include "server/cloudcontext.h"
#include "server/longpoll.h"
#include "server/occpage.h"

#include <KDSoapServer/KDSoapServerObjectInterface.h>
#include <KDSoapServer/KDSoapServerRawXMLInterface.h>

#include <optional>

namespace occ::cloud {

// One per SOAP worker thread (KDSoap creates it there): implements the operations
// of the WSDL on top of the shared, thread-safe CloudContext, and serves the OCC
// page (GET /).
//
// POST requests take KDSoap's raw-XML path: this object buffers the body up to the
// configured limit, parses it with readSoapRequest() and dispatches to the
// operations with the generated (de)serialisers. KDSoap 2.2's own path leaves a
// truncated body unanswered and calls garbage "Request was a fault"; this one
// answers every bad request with a fault that says what is wrong.
class ServiceObject : public OccSoapServer::OccServiceServerBase, public KDSoapServerRawXMLInterface
{
    Q_OBJECT
    Q_INTERFACES(KDSoapServerRawXMLInterface)
public:
    explicit ServiceObject(CloudContext &context);

    // KDSoapServerRawXMLInterface: sees the headers of every request first.
    bool newRequest(const QByteArray &requestType, const QMap<QByteArray, QByteArray> &httpHeaders) override;
    void processXML(const QByteArray &xmlChunk) override;
    void endRequest() override;

    QIODevice *processFileRequest(const QString &path, QByteArray &contentType) override;
    HttpResponseHeaderItems additionalHttpResponseHeaderItems() const override;

    OccSoapServer::TNS__EnrolResponse enrol(const OccSoapServer::TNS__Enrol &parameters) override;
    OccSoapServer::TNS__RenewCertificateResponse
    renewCertificate(const OccSoapServer::TNS__RenewCertificate &parameters) override;
    OccSoapServer::TNS__SubmitBatchResponse submitBatch(const OccSoapServer::TNS__SubmitBatch &parameters) override;
    OccSoapServer::TNS__ReportStateResponse reportState(const OccSoapServer::TNS__ReportState &parameters) override;
    OccSoapServer::TNS__PollCommandsResponse pollCommands(const OccSoapServer::TNS__PollCommands &parameters) override;
    OccSoapServer::TNS__CompleteCommandResponse
    completeCommand(const OccSoapServer::TNS__CompleteCommand &parameters) override;
    OccSoapServer::TNS__ListConnectorsResponse
    listConnectors(const OccSoapServer::TNS__ListConnectors &parameters) override;
    OccSoapServer::TNS__GetRevocationsResponse
    getRevocations(const OccSoapServer::TNS__GetRevocations &parameters) override;

private:
    void dispatch(const KDSoapValue &request);
    template <typename Params, typename Response>
    void call(const KDSoapValue &request, Response (ServiceObject::*operation)(const Params &), const char *responseName);
    void writeFault(const Error &error, bool close = false);

    // The authenticated caller of the current request, or a fault set.
    std::optional<pki::Identity> caller();
    void refuse(const Error &error);
    bool check(const Result<void> &result);
    QString peer() const;

    CloudContext &m_context;
    AccessPolicy m_access;
    LongPolls m_polls;
    OccPage m_page;
    QString m_operation;
    QByteArray m_acceptLanguage;
    QByteArray m_body;
    std::optional<Error> m_rejection; // the body will be read but not processed
    std::optional<Error> m_fault;     // the current operation refused
    bool m_delayed = false;           // the current operation answers later
};

} // namespace occ::cloud
