#include "tinyproxy.h"

#include "testutil.h"

#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace occ::test {

TinyProxy::TinyProxy(const QString &user, const QString &password)
    : m_user(user)
    , m_password(password)
    , m_process(QStringLiteral("env"), ProgramProcess::Kind::Tool) // env: here or through ip netns exec
{}

TinyProxy::~TinyProxy()
{
    m_process.stop();
}

bool TinyProxy::start(QString *error)
{
    if (m_ns) {
        m_port = 8888; // a host of its own: the usual port
    } else {
        QTcpServer probe;
        probe.listen(QHostAddress(m_listen), 0);
        m_port = probe.serverPort();
        probe.close();
    }
    QByteArray config = "Port " + QByteArray::number(m_port) + "\nListen " + m_listen.toUtf8() +
                        "\nTimeout 600\nMaxClients 200\nAllow " + m_allow.toUtf8() +
                        "\n"
                        "LogLevel Connect\nLogFile \"" +
                        m_dir.filePath(QStringLiteral("tinyproxy.log")).toUtf8() + "\"\n";
    if (!m_user.isEmpty())
        config += "BasicAuth " + m_user.toUtf8() + " " + m_password.toUtf8() + "\n";
    const QString file = m_dir.filePath(QStringLiteral("tinyproxy.conf"));
    if (!writeFile(file, config)) {
        *error = QStringLiteral("cannot write the tinyproxy config");
        return false;
    }
    // -d: stay in the foreground; the log file says when it is ready.
    const QStringList arguments{QStringLiteral("-d"), QStringLiteral("-c"), file};
    const QStringList command =
        m_ns ? QStringList{QStringLiteral("ip")} + m_ns->wrap(QStringLiteral("tinyproxy"), arguments)
             : QStringList{QStringLiteral("tinyproxy")} + arguments;
    if (!m_process.start(command, QRegularExpression(QStringLiteral(".*")), nullptr, 5000)) {
        *error = QStringLiteral("tinyproxy did not start (scripts/setup installs it)");
        return false;
    }
    for (int i = 0; i < 100; ++i) {
        if (m_ns) {
            // Its address is only reachable inside its namespace.
            if (m_ns->run(QStringLiteral("curl"),
                          {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                           QStringLiteral("--max-time"), QStringLiteral("1"), url()}) != 7)
                return true;
        } else {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress(m_listen), m_port);
            if (socket.waitForConnected(100))
                return true;
        }
        QThread::msleep(50);
    }
    *error = QStringLiteral("tinyproxy does not listen on %1: %2")
                 .arg(m_port)
                 .arg(QString::fromUtf8(m_process.errors() + log()));
    return false;
}

QByteArray TinyProxy::log() const
{
    return readFile(m_dir.filePath(QStringLiteral("tinyproxy.log")));
}

int TinyProxy::connectsTo(const QString &hostPort) const
{
    const QList<QByteArray> lines = log().split('\n');
    int count = 0;
    for (const QByteArray &line : lines) {
        if (line.contains("CONNECT") && line.contains(hostPort.toUtf8()))
            ++count;
    }
    return count;
}

} // namespace occ::test
