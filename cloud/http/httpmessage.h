#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QSslCertificate>

namespace occ::cloud::http {

// One HTTP/1.1 request as the cloud's front door read it: method, target split
// into path and query, lower-case header names, the body, and where it came from
// (the TLS connection's peer address and client certificate, if any). Everything a
// handler needs travels with the request; nothing is kept per thread or per
// server object (ARCHITECTURE §11 request isolation).
struct HttpRequest
{
    QByteArray method;
    QByteArray target;
    QByteArray path;
    QByteArray query;
    int minorVersion = 1; // HTTP/1.x
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    QSslCertificate peerCertificate; // null without a client certificate
    quint64 connectionId = 0;

    QByteArray header(QByteArrayView lowerCaseName) const;
    bool keepAlive() const;
    QString peer() const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "text/plain; charset=utf-8";
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool close = false;    // Connection: close, then the connection ends
    bool headOnly = false; // the answer to HEAD: headers without the body

    static HttpResponse text(int status, const QString &message, bool close = false);
    void addHeader(QByteArray name, QByteArray value)
    {
        headers.append(qMakePair(std::move(name), std::move(value)));
    }
    QByteArray serialize(bool keepAlive) const;
};

QByteArray reasonPhrase(int status);

} // namespace occ::cloud::http
