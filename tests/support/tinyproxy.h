#pragma once

#include "programprocess.h"

#include <QTemporaryDir>

namespace occ::test {

// A real HTTP proxy (Debian's tinyproxy) on a loopback port with its own config
// and log, optionally requiring basic authentication. CONNECT is allowed to any
// port. The log tells which CONNECTs went through it.
class TinyProxy
{
public:
    TinyProxy(const QString &user = {}, const QString &password = {});
    ~TinyProxy();
    bool start(QString *error);
    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    QByteArray log() const;
    // Lines of the log that record a CONNECT to host:port.
    int connectsTo(const QString &hostPort) const;

private:
    QTemporaryDir m_dir;
    QString m_user;
    QString m_password;
    quint16 m_port = 0;
    ProgramProcess m_process;
};

} // namespace occ::test
