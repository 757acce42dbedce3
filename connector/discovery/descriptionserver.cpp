#include "descriptionserver.h"

#include <QNetworkProxy>
#include <QTcpSocket>
#include <QTimer>

namespace occ::connector {

DescriptionServer::DescriptionServer(QByteArray description, QObject *parent)
    : QTcpServer(parent)
    , m_description(std::move(description))
{
    setProxy(QNetworkProxy::NoProxy);
    connect(this, &QTcpServer::pendingConnectionAvailable, this, &DescriptionServer::serve);
}

Result<void> DescriptionServer::start(quint16 port)
{
    if (!listen(QHostAddress::AnyIPv4, port))
        return fail(ErrorCategory::Network,
                    QStringLiteral("cannot serve the device description on port %1: %2")
                        .arg(port)
                        .arg(errorString()));
    return {};
}

void DescriptionServer::serve()
{
    while (QTcpSocket *socket = nextPendingConnection()) {
        socket->setParent(this);
        // Five seconds and 8 KiB for a request line and headers: plenty for a
        // control point, nothing for a slowloris.
        QTimer::singleShot(5000, socket, [socket] { socket->abort(); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            if (socket->bytesAvailable() > 8192) {
                socket->abort();
                return;
            }
            if (!socket->peek(8192).contains("\r\n\r\n"))
                return;
            const QList<QByteArray> requestLine = socket->readLine(1024).trimmed().split(' ');
            QByteArray response;
            if (requestLine.size() == 3 && requestLine.at(0) == "GET" && requestLine.at(1) == kPath) {
                response =
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: " +
                    QByteArray::number(m_description.size()) + "\r\nConnection: close\r\n\r\n" +
                    m_description;
            } else if (requestLine.size() == 3 && requestLine.at(0) != "GET") {
                response = "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: "
                           "0\r\nConnection: close\r\n\r\n";
            } else {
                response = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            }
            socket->write(response);
            socket->disconnectFromHost();
        });
    }
}

} // namespace occ::connector
