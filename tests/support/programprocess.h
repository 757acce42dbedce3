#pragma once

#include <QByteArray>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace occ::test {

// One of the real OCC programs as a child process of a test. It waits for a line on
// stdout that says the program is ready, keeps stdout and stderr, and after the
// program ends tells whether a sanitizer complained (ASan/UBSan/LSan builds), so
// that errors inside child processes fail the test that started them.
class ProgramProcess
{
public:
    explicit ProgramProcess(QString binary);
    ~ProgramProcess();

    // Starts the program and waits until a stdout line matches ready (capture 1 is
    // returned through *captured).
    bool start(const QStringList &arguments, const QRegularExpression &ready, QString *captured = nullptr,
               int timeoutMs = 30000,
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    void stop(int timeoutMs = 15000); // SIGTERM, then wait (SIGKILL after timeoutMs)
    void kill();                      // SIGKILL
    bool running() const { return m_process.state() == QProcess::Running; }
    qint64 pid() const { return m_process.processId(); }

    QByteArray output(); // stdout so far
    QByteArray errors(); // stderr so far
    // Waits until stdout or stderr contains text.
    bool waitForOutput(const QByteArray &text, int timeoutMs);
    // Sanitizer reports found in stderr, empty when clean.
    QByteArray sanitizerReport();
    int exitCode() const { return m_process.exitCode(); }

private:
    void drain();

    QString m_binary;
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
};

} // namespace occ::test
