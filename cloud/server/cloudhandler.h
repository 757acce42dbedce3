#pragma once

#include "http/httphandler.h"
#include "server/cloudcontext.h"
#include "server/occpage.h"
#include "soap/soapservice.h"

namespace occ::cloud {

// What the cloud's front door serves (ARCHITECTURE §11): the SOAP API at POST
// /soap, its WSDL at GET /soap?wsdl (with the address clients must call), the
// OCC page at /. One per front-door thread.
class CloudHandler : public http::HttpHandler
{
public:
    CloudHandler(CloudContext &context, QByteArray wsdl);

    void handle(http::HttpRequest request, http::HttpResponder responder) override;

    // The front door's own refusals (too large, no Content-Length, too slow): SOAP
    // faults for /soap, so that SOAP clients get a fault they can read.
    static http::HttpResponse refusal(const QByteArray &path, int status, const QString &message);
    // The WSDL's soap:address: server/publicUrl, else https://HOST/soap from a
    // well-formed Host header, else the listen address.
    QString soapAddress(const http::HttpRequest &request) const;

private:
    http::HttpResponse page(const http::HttpRequest &request);

    CloudContext &m_context;
    QByteArray m_wsdl;
    SoapService m_soap;
    OccPage m_page;
};

} // namespace occ::cloud
