#include "descriptionserver.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDescription, "occ.connector.description")

namespace occ::connector {

DescriptionServer::DescriptionServer(QByteArray description, QObject *parent)
    : QObject(parent)
    , m_description(std::move(description))
    , m_acceptor([this](int fd, const QHostAddress &peer, quint16) { accepted(fd, peer); })
{}

DescriptionServer::~DescriptionServer()
{
    m_acceptor.close();
    // While the counts they update on destruction still exist.
    qDeleteAll(findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly));
}

Result<void> DescriptionServer::start(quint16 port)
{
    if (Result<void> r = m_acceptor.listen(QHostAddress::AnyIPv4, port, 128); !r)
        return fail(r.error().category, QStringLiteral("cannot serve the device description on port %1: %2")
                                            .arg(port)
                                            .arg(r.error().message));
    return {};
}

void DescriptionServer::accepted(int fd, const QHostAddress &peer)
{
    int &fromPeer = m_perAddress[peer];
    if (fromPeer >= kMaxPerAddress || m_open >= kMaxConnections) {
        ::close(fd);
        if (m_refused++ % 100 == 0)
            qCInfo(lcDescription).noquote()
                << "closing a description request from" << peer.toString() << "at once:"
                << (m_open >= kMaxConnections ? "too many connections" : "too many from that address") << "("
                << m_refused << "so far)";
        if (fromPeer == 0)
            m_perAddress.remove(peer);
        return;
    }
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(fd)) {
        ::close(fd);
        delete socket;
        if (fromPeer == 0)
            m_perAddress.remove(peer);
        return;
    }
    ++fromPeer;
    ++m_open;
    socket->setReadBufferSize(kMaxRequestBytes + 1);
    // Counted until the socket is gone, whichever way it goes.
    connect(socket, &QObject::destroyed, this, [this, peer] {
        --m_open;
        if (--m_perAddress[peer] <= 0)
            m_perAddress.remove(peer);
    });
    QTimer::singleShot(kTimeoutMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::errorOccurred, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
        const QByteArray head = socket->peek(kMaxRequestBytes + 1);
        const qsizetype end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (head.size() > kMaxRequestBytes) {
                socket->abort();
                socket->deleteLater();
            }
            return;
        }
        socket->setReadBufferSize(0);
        disconnect(socket, &QTcpSocket::readyRead, socket, nullptr);
        socket->write(answer(head.left(end)));
        socket->disconnectFromHost(); // after the answer is written
    });
}

QByteArray DescriptionServer::answer(const QByteArray &head) const
{
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    if (requestLine.size() == 3 && requestLine.at(0) == "GET" && requestLine.at(1) == kPath)
        return "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: " +
               QByteArray::number(m_description.size()) + "\r\nConnection: close\r\n\r\n" + m_description;
    if (requestLine.size() == 3 && requestLine.at(0) != "GET")
        return "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: "
               "close\r\n\r\n";
    return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

} // namespace occ::connector
