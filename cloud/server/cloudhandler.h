#pragma once

#include "http/httphandler.h"
#include "server/cloudcontext.h"
#include "server/occpage.h"
#include "soap/soapservice.h"

namespace occ::cloud {

// What the cloud's front doors serve (ARCHITECTURE §11). The public door, which
// hubs and connectors reach from anywhere: the SOAP API at POST /soap and its WSDL
// at GET /soap?wsdl (with the address clients must call), nothing else. The
// operator door (page/listen, loopback by default): the OCC page at /, which shows
// every customer's hubs and so is never served where anyone may ask for it until
// sign-in exists (docs/decisions.md). One per front-door thread.
class CloudHandler : public http::HttpHandler
{
public:
    enum class Door
    {
        Public,
        Operator
    };
    CloudHandler(CloudContext &context, QByteArray wsdl, Door door);

    void handle(http::HttpRequest request, http::HttpResponder responder) override;

    // The front door's own refusals (too large, no Content-Length, too slow): SOAP
    // faults for /soap, so that SOAP clients get a fault they can read.
    static http::HttpResponse refusal(const QByteArray &path, int status, const QString &message);
    // The WSDL's soap:address: server/publicUrl, else https://HOST/soap from a
    // well-formed Host header, else the listen address.
    QString soapAddress(const http::HttpRequest &request) const;

private:
    http::HttpResponse page(const http::HttpRequest &request);

    void handlePublic(const http::HttpRequest &request, http::HttpResponse &response);
    void handleOperator(const http::HttpRequest &request, http::HttpResponse &response);

    CloudContext &m_context;
    QByteArray m_wsdl;
    Door m_door;
    SoapService m_soap;
    OccPage m_page;
};

} // namespace occ::cloud
