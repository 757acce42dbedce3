#pragma once

#include "http/httpmessage.h"

#include <QString>

namespace occ::cloud::http {

// What the front door accepts before anything else runs (issue 9 item 17, issue 15
// items 2 and 3); every limit is a setting (server/*).
struct HttpLimits
{
    int maxHeaderBytes = 16 * 1024; // request line and headers together
    int maxHeaders = 64;
    qint64 maxBodyBytes = 8 * 1024 * 1024;    // with a client certificate
    qint64 maxAnonymousBodyBytes = 64 * 1024; // without one (Enrol, the OCC page's forms)
};

// Reads HTTP/1.0 and 1.1 requests from a byte buffer, incrementally, strictly:
// a head larger than the limit is refused with 431 without scanning further, a POST
// needs a Content-Length (411; Transfer-Encoding is refused too, so that a body is
// never taken for the next request's head), a body over its limit is refused with
// 413 before it is read, and anything malformed is a 400 with the reason. After an
// error the connection must close: the parser does not resynchronise.
class HttpParser
{
public:
    enum class State
    {
        Head,     // waiting for (more of) a request head
        Body,     // the head is in; waiting for the body
        Complete, // a request is ready: takeRequest()
        Error,    // status() and message() say why; close the connection
    };

    explicit HttpParser(HttpLimits limits)
        : m_limits(limits)
    {}
    void setAuthenticated(bool authenticated) { m_authenticated = authenticated; }

    // Consumes from buffer what belongs to the current request.
    State parse(QByteArray &buffer);
    State state() const { return m_state; }
    HttpRequest takeRequest();
    int status() const { return m_status; }
    // The path of the request being read (empty before its request line).
    const QByteArray &path() const { return m_request.path; }
    const QString &message() const { return m_message; }
    // The head asked for "100 Continue" before its body (and did not get it yet).
    bool wantsContinue();
    // After a 413: the size of the body the client announced and is sending now (0
    // when it waits for "100 Continue" and so sends none).
    qint64 refusedBodyBytes() const { return m_refusedBodyBytes; }
    bool authenticated() const { return m_authenticated; }

private:
    State parseHead(QByteArray &buffer);
    State error(int status, const QString &message);

    HttpLimits m_limits;
    bool m_authenticated = false;
    State m_state = State::Head;
    HttpRequest m_request;
    qint64 m_contentLength = 0;
    bool m_continue = false;
    qint64 m_refusedBodyBytes = 0;
    int m_status = 0;
    QString m_message;
};

} // namespace occ::cloud::http
