#include "keyringsession.h"

#include <cstdio>
#include <cstdlib>
#include <QByteArray>
#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <sys/wait.h>
#include <unistd.h>

namespace occ::test {

int reexecInKeyringSession(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet("OCC_TEST_KEYRING_SESSION"))
        return -1;
    for (const char *tool : {"dbus-run-session", "gnome-keyring-daemon"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()) {
            std::fprintf(stderr, "FAIL: %s is not installed (scripts/setup installs it)\n", tool);
            return 1;
        }
    }
    QTemporaryDir home;
    QTemporaryDir runtime;
    if (!home.isValid() || !runtime.isValid())
        return 1;
    QFile::setPermissions(runtime.path(),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const pid_t child = fork();
    if (child == 0) {
        setenv("HOME", home.path().toLocal8Bit().constData(), 1);
        setenv("XDG_RUNTIME_DIR", runtime.path().toLocal8Bit().constData(), 1);
        setenv("OCC_TEST_KEYRING_SESSION", "1", 1);
        unsetenv("DBUS_SESSION_BUS_ADDRESS");
        std::vector<char *> args;
        args.push_back(const_cast<char *>("dbus-run-session"));
        args.push_back(const_cast<char *>("--"));
        args.push_back(const_cast<char *>("sh"));
        args.push_back(const_cast<char *>("-c"));
        args.push_back(const_cast<char *>(
            "printf %s occ-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
            "exec \"$0\" \"$@\""));
        for (int i = 0; i < argc; ++i)
            args.push_back(argv[i]);
        args.push_back(nullptr);
        execvp("dbus-run-session", args.data());
        std::perror("dbus-run-session");
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace occ::test
