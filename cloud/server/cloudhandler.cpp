#include "cloudhandler.h"

#include <QRegularExpression>

namespace occ::cloud {

namespace {

void secure(http::HttpResponse &response)
{
    response.addHeader("Cache-Control", "no-store");
    response.addHeader("X-Content-Type-Options", "nosniff");
    response.addHeader("X-Frame-Options", "DENY");
    response.addHeader("Referrer-Policy", "no-referrer");
    response.addHeader("Strict-Transport-Security", "max-age=31536000");
}

http::HttpResponse methodNotAllowed(const QByteArray &method, const QByteArray &allow)
{
    http::HttpResponse response = http::HttpResponse::text(
        405, QStringLiteral("method %1 not allowed here").arg(QString::fromLatin1(method.left(16))));
    response.addHeader("Allow", allow);
    return response;
}

} // namespace

CloudHandler::CloudHandler(CloudContext &context, QByteArray wsdl, Door door)
    : m_context(context)
    , m_wsdl(std::move(wsdl))
    , m_door(door)
    , m_soap(context)
    , m_page(context.registry, context.measurements, context.clock, context.limits.offlineAfterMs)
{}

http::HttpResponse CloudHandler::refusal(const QByteArray &path, int status, const QString &message)
{
    if (path == "/soap") {
        const QString code = status == 413 || status == 431 ? QStringLiteral("soap:Client.TooLarge")
                             : status == 408                ? QStringLiteral("soap:Client.Timeout")
                                                            : QStringLiteral("soap:Client.Invalid");
        http::HttpResponse response = SoapService::faultResponse(status, code, message);
        response.close = true;
        return response;
    }
    return http::HttpResponse::text(status, message, true);
}

QString CloudHandler::soapAddress(const http::HttpRequest &request) const
{
    if (!m_context.publicUrl.isEmpty())
        return m_context.publicUrl;
    static const QRegularExpression hostPort(
        QStringLiteral("^([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?$"));
    const QString host = QString::fromLatin1(request.header("host"));
    if (hostPort.match(host).hasMatch())
        return QStringLiteral("https://%1/soap").arg(host);
    return m_context.listenUrl;
}

void CloudHandler::handle(http::HttpRequest request, http::HttpResponder responder)
{
    http::HttpResponse response;
    if (m_door == Door::Public) {
        if (request.path == "/soap" && request.method == "POST") {
            m_soap.handle(request, responder); // answers itself, perhaps later (long poll)
            return;
        }
        handlePublic(request, response);
    } else {
        handleOperator(request, response);
    }
    response.headOnly = request.method == "HEAD";
    secure(response);
    responder.respond(std::move(response));
}

void CloudHandler::handlePublic(const http::HttpRequest &request, http::HttpResponse &response)
{
    const bool get = request.method == "GET" || request.method == "HEAD";
    if (request.path == "/soap" && get && request.query.toLower() == "wsdl") {
        QByteArray wsdl = m_wsdl;
        wsdl.replace("https://localhost:8443/soap", soapAddress(request).toHtmlEscaped().toUtf8());
        response.contentType = "text/xml; charset=utf-8";
        response.body = wsdl;
    } else if (request.path == "/soap") {
        response = methodNotAllowed(request.method, "POST, GET");
    } else {
        // The page included: it is on the operator door only (page/listen).
        response = http::HttpResponse::text(404, QStringLiteral("not found"));
    }
}

void CloudHandler::handleOperator(const http::HttpRequest &request, http::HttpResponse &response)
{
    const bool get = request.method == "GET" || request.method == "HEAD";
    if ((request.path == "/" || request.path == "/index.html") && get) {
        response = page(request);
    } else if (request.path == "/" || request.path == "/index.html") {
        response = methodNotAllowed(request.method, "GET, HEAD");
    } else {
        response = http::HttpResponse::text(404, QStringLiteral("not found"));
    }
}

http::HttpResponse CloudHandler::page(const http::HttpRequest &request)
{
    http::HttpResponse response;
    Result<QByteArray> html =
        m_page.render(prefersGerman(request.header("accept-language")) ? m_context.german : nullptr);
    response.contentType = "text/html; charset=utf-8";
    if (!html) {
        response.status = 500;
        response.body = QByteArrayLiteral("<!DOCTYPE html><p>OCC page unavailable: ") +
                        html.error().message.toHtmlEscaped().toUtf8();
    } else {
        response.body = *html;
    }
    return response;
}

} // namespace occ::cloud
