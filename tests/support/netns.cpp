#include "netns.h"

#include "testutil.h"

#include <cstdio>
#include <cstdlib>
#include <QCoreApplication>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace occ::test {

NetNamespace::NetNamespace(const QString &label, bool loopbackMulticast)
    : m_name(QStringLiteral("occt-%1-%2").arg(label).arg(::getpid()))
{
    QByteArray output;
    occ::test::run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("del"), m_name},
                   &output); // a leftover
    if (occ::test::run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("add"), m_name},
                       &output) != 0) {
        m_error = QStringLiteral("ip netns add failed (needs root and iproute2): ") +
                  QString::fromLocal8Bit(output);
        return;
    }
    QList<QStringList> setup{
        {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")}};
    if (loopbackMulticast) {
        setup.append({QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                      QStringLiteral("multicast"), QStringLiteral("on")});
        setup.append({QStringLiteral("route"), QStringLiteral("add"), QStringLiteral("224.0.0.0/4"),
                      QStringLiteral("dev"), QStringLiteral("lo")});
    }
    for (const QStringList &command : setup) {
        if (run(QStringLiteral("ip"), command, &output) != 0) {
            m_error = QStringLiteral("ip %1 failed: %2")
                          .arg(command.join(QLatin1Char(' ')), QString::fromLocal8Bit(output));
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
            occ::test::run(QStringLiteral("kill"),
                           {QStringLiteral("-9"), QString::fromLatin1(pid.trimmed())});
    }
    occ::test::run(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("del"), m_name}, &output);
}

QStringList NetNamespace::wrap(const QString &program, const QStringList &arguments) const
{
    return QStringList{QStringLiteral("netns"), QStringLiteral("exec"), m_name, program} + arguments;
}

int NetNamespace::run(const QString &program, const QStringList &arguments, QByteArray *output,
                      int timeoutMs) const
{
    return occ::test::run(QStringLiteral("ip"), wrap(program, arguments), output, {}, timeoutMs);
}

int reexecInNetNamespace(int argc, char **argv, const QString &label)
{
    if (qEnvironmentVariableIsSet("OCC_TEST_NETNS"))
        return -1;
    NetNamespace ns(label);
    if (!ns.ok()) {
        std::fprintf(stderr, "FAIL: %s\n", qPrintable(ns.error()));
        return 1;
    }
    const QByteArray name = ns.name().toLocal8Bit();
    const pid_t child = fork();
    if (child == 0) {
        setenv("OCC_TEST_NETNS", name.constData(), 1);
        std::vector<char *> args{const_cast<char *>("ip"), const_cast<char *>("netns"),
                                 const_cast<char *>("exec"), const_cast<char *>(name.constData())};
        for (int i = 0; i < argc; ++i)
            args.push_back(argv[i]);
        args.push_back(nullptr);
        execvp("ip", args.data());
        std::perror("ip netns exec");
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool linkNamespace(const NetNamespace &ns, const QString &hereName, const QString &hereAddress,
                   const QString &thereName, const QString &thereAddress, QString *error)
{
    const QList<QStringList> commands{
        {QStringLiteral("link"), QStringLiteral("add"), hereName, QStringLiteral("type"),
         QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), thereName,
         QStringLiteral("netns"), ns.name()},
        {QStringLiteral("addr"), QStringLiteral("add"), hereAddress + QStringLiteral("/24"),
         QStringLiteral("dev"), hereName},
        {QStringLiteral("link"), QStringLiteral("set"), hereName, QStringLiteral("up")},
        {QStringLiteral("-n"), ns.name(), QStringLiteral("addr"), QStringLiteral("add"),
         thereAddress + QStringLiteral("/24"), QStringLiteral("dev"), thereName},
        {QStringLiteral("-n"), ns.name(), QStringLiteral("link"), QStringLiteral("set"), thereName,
         QStringLiteral("up")},
    };
    for (const QStringList &command : commands) {
        QByteArray output;
        if (run(QStringLiteral("ip"), command, &output) != 0) {
            *error = QStringLiteral("ip %1: %2")
                         .arg(command.join(QLatin1Char(' ')), QString::fromLocal8Bit(output));
            return false;
        }
    }
    return true;
}

} // namespace occ::test
