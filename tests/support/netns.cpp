#include "netns.h"

#include "testutil.h"

#include <QCoreApplication>

#include <unistd.h>

namespace occ::test {

NetNamespace::NetNamespace(const QString &label)
    : m_name(QStringLiteral("occt-%1-%2").arg(label).arg(::getpid()))
{
    QByteArray output;
    occ::test::run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("del"), m_name}, &output); // a leftover
    if (occ::test::run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("add"), m_name}, &output) != 0) {
        m_error = QStringLiteral("ip netns add failed (needs root and iproute2): ") + QString::fromLocal8Bit(output);
        return;
    }
    const QList<QStringList> setup{
        {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")},
        {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("multicast"), QStringLiteral("on")},
        {QStringLiteral("route"), QStringLiteral("add"), QStringLiteral("224.0.0.0/4"), QStringLiteral("dev"), QStringLiteral("lo")},
    };
    for (const QStringList &command : setup) {
        if (run(QStringLiteral("ip"), command, &output) != 0) {
            m_error = QStringLiteral("ip %1 failed: %2").arg(command.join(QLatin1Char(' ')), QString::fromLocal8Bit(output));
            return;
        }
    }
    m_ok = true;
}

NetNamespace::~NetNamespace()
{
    QByteArray output;
    // Every process still inside goes first, then the namespace.
    occ::test::run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("pids"), m_name}, &output);
    const QList<QByteArray> pids = output.split('\n');
    for (const QByteArray &pid : pids) {
        if (!pid.trimmed().isEmpty())
            occ::test::run(QStringLiteral("kill"), {QStringLiteral("-9"), QString::fromLatin1(pid.trimmed())});
    }
    occ::test::run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("del"), m_name}, &output);
}

QStringList NetNamespace::wrap(const QString &program, const QStringList &arguments) const
{
    return QStringList{QStringLiteral("netns"), QStringLiteral("exec"), m_name, program} + arguments;
}

int NetNamespace::run(const QString &program, const QStringList &arguments, QByteArray *output, int timeoutMs) const
{
    return occ::test::run(QStringLiteral("ip"), wrap(program, arguments), output, {}, timeoutMs);
}

} // namespace occ::test
