#include "localcontrol.h"

#include <QFile>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QLoggingCategory>

namespace occ::control {

namespace {
constexpr qint64 kMaxRequest = 64 * 1024;
} // namespace

LocalControlServer::LocalControlServer(QString path, Handler handler, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_handler(std::move(handler))
{
    // Only the user the connector runs as may talk to it.
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    connect(&m_server, &QLocalServer::newConnection, this, &LocalControlServer::accept);
}

Result<void> LocalControlServer::start()
{
    // A socket file left by a connector that was killed would block listen().
    QLocalSocket probe;
    probe.connectToServer(m_path);
    if (probe.waitForConnected(500))
        return fail(ErrorCategory::Config,
                    QStringLiteral("another instance already runs for this data folder (%1)").arg(m_path));
    QLocalServer::removeServer(m_path);
    if (!m_server.listen(m_path))
        return fail(
            ErrorCategory::Io,
            QStringLiteral("cannot open the control socket %1: %2").arg(m_path, m_server.errorString()));
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

void LocalControlServer::accept()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            while (socket->canReadLine()) {
                const QByteArray line = socket->readLine(kMaxRequest);
                QJsonParseError error;
                const QJsonDocument request = QJsonDocument::fromJson(line, &error);
                QJsonObject answer;
                if (!request.isObject())
                    answer = {{QStringLiteral("ok"), false},
                              {QStringLiteral("error"),
                               QStringLiteral("request is not a JSON object: ") + error.errorString()}};
                else
                    answer = m_handler(request.object());
                socket->write(QJsonDocument(answer).toJson(QJsonDocument::Compact) + '\n');
            }
            if (socket->bytesAvailable() > kMaxRequest)
                socket->abort();
        });
    }
}

Result<QJsonObject> controlRequest(const QString &path, const QJsonObject &request, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(timeoutMs))
        return fail(ErrorCategory::Network,
                    QStringLiteral("the program is not running for this data folder (%1: %2)")
                        .arg(path, socket.errorString()));
    socket.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    socket.flush();
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(timeoutMs))
            return fail(ErrorCategory::Network,
                        QStringLiteral("the program did not answer: %1").arg(socket.errorString()));
    }
    const QJsonDocument answer = QJsonDocument::fromJson(socket.readLine());
    if (!answer.isObject())
        return fail(ErrorCategory::Protocol,
                    QStringLiteral("the program answered something that is not JSON"));
    return answer.object();
}

} // namespace occ::control
