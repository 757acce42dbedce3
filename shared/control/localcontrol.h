#pragma once

#include "core/result.h"

#include <functional>
#include <QJsonObject>
#include <QLocalServer>

namespace occ::control {

// A program's local control socket (QLocalServer in its data folder, owner only):
// requests and answers are single lines of JSON; the handler answers each request.
// It also keeps a second instance from starting on the same data folder.
class LocalControlServer : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<QJsonObject(const QJsonObject &request)>;
    LocalControlServer(QString path, Handler handler, QObject *parent = nullptr);
    Result<void> start();

private:
    void accept();

    QString m_path;
    Handler m_handler;
    QLocalServer m_server;
};

// The client side: one request, one answer (`status`, `hubs`, `reconnect`...).
Result<QJsonObject> controlRequest(const QString &path, const QJsonObject &request, int timeoutMs = 10000);

} // namespace occ::control
