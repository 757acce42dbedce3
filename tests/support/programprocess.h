#pragma once

#include <memory>
#include <QByteArray>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

class QTemporaryDir;

namespace occ::test {

// One of the real OCC programs as a child process of a test. It waits for a line on
// stdout that says the program is ready and keeps stdout and stderr.
//
// It also holds the program to the rules every OCC program keeps (ARCHITECTURE
// §16), and fails the running test when one is broken:
// - stop() sends SIGTERM and expects exit code 0 within the grace time (scaled by
//   the time factor; the stacks of a program that hangs are printed with gdb);
// - no sanitizer report: ASan/UBSan/LSan write to files in a folder of this object
//   (log_path), read after every end of the program, so a report is never lost to
//   a closed pipe or a SIGKILL;
// - no Qt lifecycle warning on stderr (timers or objects used from another
//   thread, a connect to nothing, a mutex or thread destroyed while in use).
class ProgramProcess
{
public:
    // A tool (gssdp-discover, tinyproxy, a test's own helper) is held only to the
    // sanitizer rule: how it ends on SIGTERM is its own business.
    enum class Kind
    {
        OccProgram,
        Tool,
    };
    explicit ProgramProcess(QString binary, Kind kind = Kind::OccProgram);
    ~ProgramProcess();

    // Starts the program and waits until a stdout line matches ready (capture 1 is
    // returned through *captured). An empty pattern: returns once it runs.
    bool start(const QStringList &arguments, const QRegularExpression &ready, QString *captured = nullptr,
               int timeoutMs = 30000,
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    // Waits until stdout matches ready (for a program started with an empty pattern).
    bool waitForReady(const QRegularExpression &ready, QString *captured = nullptr, int timeoutMs = 30000);
    // SIGTERM, then waits for a clean exit (SIGKILL and a failure after timeoutMs,
    // scaled). A program that had already ended is only checked for reports.
    void stop(int timeoutMs = 20000);
    void kill(); // SIGKILL (a crash on purpose): no exit code is expected
    bool running() const { return m_process.state() == QProcess::Running; }
    qint64 pid() const { return m_process.processId(); }

    QByteArray output(); // stdout so far
    QByteArray errors(); // stderr so far
    // Waits until stdout or stderr contains text.
    bool waitForOutput(const QByteArray &text, int timeoutMs);
    // Sanitizer reports of this run so far (files and stderr), empty when clean.
    QByteArray sanitizerReport();
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }

private:
    void drain();
    QString sanitizerPrefix(const char *which) const;
    QByteArray sanitizerFiles(bool remove);
    QByteArray sanitizerOnStderr() const;
    QByteArray lifecycleWarnings() const;
    void checkEnded(bool expectCleanExit);
    static void fail(const QByteArray &message);

    QString m_binary;
    Kind m_kind;
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    std::unique_ptr<QTemporaryDir> m_reports;
    qint64 m_lastPid = 0;
    bool m_checked = true; // the current run was checked after it ended
};

} // namespace occ::test
