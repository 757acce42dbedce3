#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QLocalServer>

#include <functional>

namespace occ::connector {

// Serves the admin socket; the handler (the connector core) answers each request.
class AdminServer : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<QJsonObject(const QJsonObject &request)>;
    AdminServer(QString path, Handler handler, QObject *parent = nullptr);
    Result<void> start();

private:
    void accept();

    QString m_path;
    Handler m_handler;
    QLocalServer m_server;
};

// The client side, for `occ-connector status|hubs|console`.
Result<QJsonObject> adminRequest(const QString &path, const QJsonObject &request, int timeoutMs = 10000);

} // namespace occ::connector
