#include "xsession.h"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace occ::test {

namespace {

qint64 spawn(const QStringList &command)
{
    std::vector<QByteArray> storage;
    for (const QString &part : command)
        storage.push_back(part.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &part : storage)
        argv.push_back(part.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const int rc = posix_spawnp(&pid, argv.front(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : 0;
}

int runQuietly(const QStringList &command)
{
    const qint64 pid = spawn(command);
    if (pid <= 0)
        return -1;
    int status = 0;
    waitpid(pid_t(pid), &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void stop(qint64 pid)
{
    if (pid <= 0)
        return;
    ::kill(pid_t(pid), SIGTERM);
    for (int i = 0; i < 50; ++i) {
        if (waitpid(pid_t(pid), nullptr, WNOHANG) == pid)
            return;
        QThread::msleep(50);
    }
    ::kill(pid_t(pid), SIGKILL);
    waitpid(pid_t(pid), nullptr, 0);
}

} // namespace

bool XSession::start(QString *error)
{
    int number = 90;
    while (QFile::exists(QStringLiteral("/tmp/.X%1-lock").arg(number)) ||
           QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(number)))
        ++number;
    m_display = QStringLiteral(":%1").arg(number);
    m_xvfb = spawn({QStringLiteral("Xvfb"), m_display, QStringLiteral("-screen"), QStringLiteral("0"),
                    QStringLiteral("1024x768x24"), QStringLiteral("-nolisten"), QStringLiteral("tcp")});
    if (m_xvfb <= 0) {
        *error = QStringLiteral("Xvfb is not installed (scripts/setup installs it)");
        return false;
    }
    ::setenv("DISPLAY", m_display.toLatin1().constData(), 1);
    ::setenv("QT_QPA_PLATFORM", "xcb", 1);
    m_runtimeDir = QDir::tempPath() + QStringLiteral("/occ-xsession-") + QString::number(::getpid());
    QDir().mkpath(m_runtimeDir);
    QFile::setPermissions(m_runtimeDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    ::setenv("XDG_RUNTIME_DIR", m_runtimeDir.toLocal8Bit().constData(), 1);
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {
        up = runQuietly({QStringLiteral("xdpyinfo"), QStringLiteral("-display"), m_display}) == 0;
        if (!up)
            QThread::msleep(100);
    }
    if (!up) {
        *error = QStringLiteral("Xvfb %1 did not come up").arg(m_display);
        return false;
    }
    m_trayer = spawn({QStringLiteral("trayer"), QStringLiteral("--edge"), QStringLiteral("top"),
                      QStringLiteral("--align"), QStringLiteral("right"), QStringLiteral("--widthtype"),
                      QStringLiteral("request"), QStringLiteral("--height"), QStringLiteral("32"),
                      QStringLiteral("--SetDockType"), QStringLiteral("true"),
                      QStringLiteral("--transparent"), QStringLiteral("false")});
    if (m_trayer <= 0) {
        *error = QStringLiteral("trayer is not installed (scripts/setup installs it)");
        return false;
    }
    return true; // whether trayer already owns the tray selection, QSystemTrayIcon tells (tests wait for it)
}

XSession::~XSession()
{
    stop(m_trayer);
    stop(m_xvfb);
    if (!m_runtimeDir.isEmpty())
        QDir(m_runtimeDir).removeRecursively();
}

} // namespace occ::test
