#pragma once

#include "http/httphandler.h"
#include "server/cloudcontext.h"
#include "soap/accesspolicy.h"
#include "soap/longpoll.h"

#include <KDSoapClient/KDSoapValue.h>
#include <optional>

namespace OccSoap {
class TNS__Enrol;
class TNS__EnrolResponse;
class TNS__RenewCertificate;
class TNS__RenewCertificateResponse;
class TNS__SubmitBatch;
class TNS__SubmitBatchResponse;
class TNS__ReportState;
class TNS__ReportStateResponse;
class TNS__PollCommands;
class TNS__PollCommandsResponse;
class TNS__CompleteCommand;
class TNS__CompleteCommandResponse;
class TNS__ListConnectors;
class TNS__ListConnectorsResponse;
class TNS__GetRevocations;
class TNS__GetRevocationsResponse;
} // namespace OccSoap

namespace occ::cloud {

// The cloud API of ARCHITECTURE §8 on the front door: POST /soap read with the
// strict reader, dispatched to the operations with the types generated from the
// WSDL, answered with a SOAP envelope or a SOAP 1.1 fault (faultcode a QName,
// soap:Client.* or soap:Server.*). Every call carries its own state (Call): the
// caller authenticated from the certificate of the connection the request came on,
// and that connection's responder. One instance per front-door thread (its long
// polls and access cache belong there).
class SoapService
{
public:
    explicit SoapService(CloudContext &context);

    void handle(const http::HttpRequest &request, const http::HttpResponder &responder);

    // A SOAP 1.1 fault as an HTTP response (also for the front door's own
    // refusals of /soap requests: too large, no Content-Length, too slow).
    static http::HttpResponse faultResponse(int httpStatus, const QString &code, const QString &message);

private:
    struct Call
    {
        const http::HttpRequest &request;
        http::HttpResponder responder;
        QString operation;
        std::optional<Error> fault;
        bool delayed = false; // answered later (long poll)
    };

    void dispatch(Call &call, const KDSoapValue &request);
    template <typename Params, typename Response>
    void run(Call &call, const KDSoapValue &request,
             Response (SoapService::*operation)(Call &, const Params &), const char *responseName);
    void answerFault(Call &call, const Error &error);

    std::optional<pki::Identity> caller(Call &call);
    bool check(Call &call, const Result<void> &result);

    OccSoap::TNS__EnrolResponse enrol(Call &call, const OccSoap::TNS__Enrol &p);
    OccSoap::TNS__RenewCertificateResponse renewCertificate(Call &call,
                                                            const OccSoap::TNS__RenewCertificate &p);
    OccSoap::TNS__SubmitBatchResponse submitBatch(Call &call, const OccSoap::TNS__SubmitBatch &p);
    OccSoap::TNS__ReportStateResponse reportState(Call &call, const OccSoap::TNS__ReportState &p);
    OccSoap::TNS__PollCommandsResponse pollCommands(Call &call, const OccSoap::TNS__PollCommands &p);
    OccSoap::TNS__CompleteCommandResponse completeCommand(Call &call, const OccSoap::TNS__CompleteCommand &p);
    OccSoap::TNS__ListConnectorsResponse listConnectors(Call &call, const OccSoap::TNS__ListConnectors &p);
    OccSoap::TNS__GetRevocationsResponse getRevocations(Call &call, const OccSoap::TNS__GetRevocations &p);

    CloudContext &m_context;
    AccessPolicy m_access;
    LongPolls m_polls;
};

// faultcode for an error category (SOAP 1.1 4.4.1: a QName; Client.* for what the
// caller must change, Server.* for what may work later).
QString soapFaultCode(ErrorCategory category);

} // namespace occ::cloud
