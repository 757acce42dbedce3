#include "programprocess.h"

#include "testutil.h"
#include "timing.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace occ::test {

namespace {

// What Qt prints when an object is used or destroyed in the wrong thread or state:
// each is a defect in how a program starts or stops.
const char *const kLifecycleWarnings[] = {
    "Timers cannot be stopped from another thread",
    "Timers cannot be started from another thread",
    "Timers can only be used with threads started with QThread",
    "Cannot create children for a parent that is in a different thread",
    "Socket notifiers cannot be enabled or disabled from another thread",
    "QObject::connect(",
    "QObject::connect: ",
    "destroying locked mutex",
    "Destroyed while thread is still running",
};

// Adds key=value to a sanitizer's option string (colon separated).
QString withOption(const QString &options, const QString &option)
{
    return options.isEmpty() ? option : options + QLatin1Char(':') + option;
}

} // namespace

ProgramProcess::ProgramProcess(QString binary, Kind kind)
    : m_binary(std::move(binary))
    , m_kind(kind)
{}

ProgramProcess::~ProgramProcess()
{
    stop();
}

void ProgramProcess::fail(const QByteArray &message)
{
    if (QTest::currentTestFunction()) {
        QTest::qFail(message.constData(), __FILE__, __LINE__);
        return;
    }
    // After the test functions (a member destroyed with the test object): a failure
    // here must still fail the run.
    qFatal("%s", message.constData());
}

void ProgramProcess::drain()
{
    if (!m_process.isOpen())
        return; // never started
    m_stdout += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
}

QString ProgramProcess::sanitizerPrefix(const char *which) const
{
    return m_reports->path() + QLatin1Char('/') + QLatin1StringView(which);
}

bool ProgramProcess::start(const QStringList &arguments, const QRegularExpression &ready, QString *captured,
                           int timeoutMs, const QProcessEnvironment &environment)
{
    if (running())
        stop();
    m_stdout.clear();
    m_stderr.clear();
    if (!m_reports) {
        m_reports = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/occ-reports-XXXXXX"));
        if (!m_reports->isValid()) {
            qWarning("cannot make a folder for sanitizer reports");
            return false;
        }
    }
    QProcessEnvironment env = environment;
    // Reports go to files: a pipe that is no longer read, or a SIGKILL after a
    // hang, cannot cut them off. ASan (with LSan) and UBSan are separate runtimes
    // with their own options.
    env.insert(QStringLiteral("ASAN_OPTIONS"),
               withOption(env.value(QStringLiteral("ASAN_OPTIONS")),
                          QStringLiteral("log_path=") + sanitizerPrefix("asan")));
    env.insert(QStringLiteral("UBSAN_OPTIONS"),
               withOption(env.value(QStringLiteral("UBSAN_OPTIONS")),
                          QStringLiteral("log_path=") + sanitizerPrefix("ubsan")));
    m_process.setProcessEnvironment(env);
    m_process.start(m_binary, arguments);
    if (!m_process.waitForStarted(scaled(10000)))
        return false;
    m_lastPid = m_process.processId();
    m_checked = false;
    if (ready.pattern().isEmpty())
        return true;
    return waitForReady(ready, captured, timeoutMs);
}

bool ProgramProcess::waitForReady(const QRegularExpression &ready, QString *captured, int timeoutMs)
{
    QDeadlineTimer deadline(scaled(timeoutMs));
    while (true) {
        drain();
        if (const QRegularExpressionMatch match = ready.match(QString::fromUtf8(m_stdout));
            match.hasMatch()) {
            if (captured)
                *captured = match.captured(1);
            return true;
        }
        if (deadline.hasExpired() || m_process.state() != QProcess::Running)
            break;
        m_process.waitForReadyRead(100);
    }
    qWarning("%s did not become ready:\n%s\n%s", qPrintable(m_binary), m_stdout.constData(),
             m_stderr.constData());
    if (m_process.state() == QProcess::NotRunning)
        checkEnded(false);
    return false;
}

void ProgramProcess::stop(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning) {
        checkEnded(false); // it ended by itself: the test judges its exit code
        return;
    }
    m_process.terminate();
    if (m_process.waitForFinished(scaled(timeoutMs))) {
        checkEnded(true);
        return;
    }
    QByteArray stacks;
    if (const QString gdb = QStandardPaths::findExecutable(QStringLiteral("gdb")); !gdb.isEmpty())
        run(gdb,
            {QStringLiteral("-p"), QString::number(m_process.processId()), QStringLiteral("-batch"),
             QStringLiteral("-ex"), QStringLiteral("thread apply all bt 40")},
            &stacks, {}, scaled(60000));
    m_process.kill();
    m_process.waitForFinished();
    drain();
    m_checked = true;
    fail(QStringLiteral("%1 (pid %2) did not stop within %3 ms of SIGTERM; its threads were:\n")
             .arg(m_binary)
             .arg(m_lastPid)
             .arg(scaled(timeoutMs))
             .toUtf8() +
         stacks.right(12000) + "\nlast lines on stderr:\n" + m_stderr.right(3000) + "\n" +
         sanitizerFiles(true));
}

void ProgramProcess::kill()
{
    if (m_process.state() == QProcess::NotRunning) {
        checkEnded(false);
        return;
    }
    m_process.kill();
    m_process.waitForFinished();
    checkEnded(false);
}

void ProgramProcess::checkEnded(bool expectCleanExit)
{
    drain();
    if (m_checked)
        return;
    m_checked = true;
    QByteArray problems;
    if (m_kind == Kind::OccProgram && expectCleanExit &&
        (m_process.exitStatus() != QProcess::NormalExit || m_process.exitCode() != 0))
        problems += QStringLiteral("%1 (pid %2) ended with %3 after SIGTERM, not with exit code 0\n")
                        .arg(m_binary)
                        .arg(m_lastPid)
                        .arg(m_process.exitStatus() == QProcess::CrashExit
                                 ? QStringLiteral("a crash")
                                 : QStringLiteral("exit code %1").arg(m_process.exitCode()))
                        .toUtf8();
    problems += sanitizerFiles(true);
    problems += sanitizerOnStderr(); // when its log file could not be opened
    if (m_kind == Kind::OccProgram)
        problems += lifecycleWarnings();
    if (!problems.isEmpty())
        fail(problems + "\nlast lines on stderr:\n" + m_stderr.right(3000));
}

QByteArray ProgramProcess::sanitizerFiles(bool remove)
{
    if (!m_reports || m_lastPid <= 0)
        return {};
    QByteArray reports;
    for (const char *which : {"asan", "ubsan"}) {
        QFile file(sanitizerPrefix(which) + QLatin1Char('.') + QString::number(m_lastPid));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = file.readAll();
        if (!text.trimmed().isEmpty())
            reports += "sanitizer report of " + m_binary.toUtf8() + " (pid " + QByteArray::number(m_lastPid) +
                       ", " + file.fileName().toUtf8() + "):\n" + text.left(16000) + "\n";
        if (remove)
            file.remove();
    }
    return reports;
}

QByteArray ProgramProcess::lifecycleWarnings() const
{
    QByteArray found;
    for (const QByteArray &line : m_stderr.split('\n')) {
        for (const char *warning : kLifecycleWarnings) {
            if (line.contains(warning)) {
                found += "Qt lifecycle warning of " + m_binary.toUtf8() + ": " + line + "\n";
                break;
            }
        }
    }
    return found;
}

QByteArray ProgramProcess::output()
{
    drain();
    return m_stdout;
}

QByteArray ProgramProcess::errors()
{
    drain();
    return m_stderr;
}

bool ProgramProcess::waitForOutput(const QByteArray &text, int timeoutMs)
{
    QDeadlineTimer deadline(scaled(timeoutMs));
    while (true) {
        drain();
        if (m_stdout.contains(text) || m_stderr.contains(text))
            return true;
        if (deadline.hasExpired() || m_process.state() != QProcess::Running)
            return false;
        m_process.waitForReadyRead(100);
    }
}

QByteArray ProgramProcess::sanitizerOnStderr() const
{
    const qsizetype at = m_stderr.indexOf("Sanitizer");
    if (at < 0 && !m_stderr.contains("runtime error:"))
        return {};
    const qsizetype from = qMax<qsizetype>(0, (at < 0 ? m_stderr.indexOf("runtime error:") : at) - 200);
    return "sanitizer report of " + m_binary.toUtf8() + " on stderr:\n" + m_stderr.mid(from, 8000) + "\n";
}

QByteArray ProgramProcess::sanitizerReport()
{
    drain();
    return sanitizerFiles(false) + sanitizerOnStderr();
}

} // namespace occ::test
