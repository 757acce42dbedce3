#pragma once

#include "netns.h"
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
    // Listens on address (default 127.0.0.1) and admits clients from allowed (a
    // host or CIDR network; default 127.0.0.1).
    void setListen(const QString &address, const QString &allowed)
    {
        m_listen = address;
        m_allow = allowed;
    }
    ~TinyProxy();
    // Runs it inside ns (an end-to-end host) instead of here.
    void setNamespace(const NetNamespace *ns) { m_ns = ns; }
    bool start(QString *error);
    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("http://%1:%2").arg(m_listen).arg(m_port); }
    QByteArray log() const;
    // Lines of the log that record a CONNECT to host:port.
    int connectsTo(const QString &hostPort) const;

private:
    QTemporaryDir m_dir;
    QString m_user;
    QString m_password;
    QString m_listen = QStringLiteral("127.0.0.1");
    QString m_allow = QStringLiteral("127.0.0.1");
    quint16 m_port = 0;
    const NetNamespace *m_ns = nullptr;
    ProgramProcess m_process;
};

} // namespace occ::test
