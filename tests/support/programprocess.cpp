#include "programprocess.h"

#include <QDeadlineTimer>

namespace occ::test {

ProgramProcess::ProgramProcess(QString binary)
    : m_binary(std::move(binary))
{}

ProgramProcess::~ProgramProcess()
{
    stop();
}

void ProgramProcess::drain()
{
    if (!m_process.isOpen())
        return; // never started
    m_stdout += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
}

bool ProgramProcess::start(const QStringList &arguments, const QRegularExpression &ready, QString *captured,
                           int timeoutMs, const QProcessEnvironment &environment)
{
    m_stdout.clear();
    m_stderr.clear();
    m_process.setProcessEnvironment(environment);
    m_process.start(m_binary, arguments);
    if (!m_process.waitForStarted(10000))
        return false;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        drain();
        const QRegularExpressionMatch match = ready.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch()) {
            if (captured)
                *captured = match.captured(1);
            return true;
        }
    }
    drain();
    qWarning("%s did not become ready:\n%s\n%s", qPrintable(m_binary), m_stdout.constData(),
             m_stderr.constData());
    return false;
}

void ProgramProcess::stop(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(timeoutMs)) {
        qWarning("%s did not stop on SIGTERM; killing it", qPrintable(m_binary));
        m_process.kill();
        m_process.waitForFinished();
    }
    drain();
}

void ProgramProcess::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished();
    drain();
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
    QDeadlineTimer deadline(timeoutMs);
    while (true) {
        drain();
        if (m_stdout.contains(text) || m_stderr.contains(text))
            return true;
        if (deadline.hasExpired() || m_process.state() != QProcess::Running)
            return false;
        m_process.waitForReadyRead(100);
    }
}

QByteArray ProgramProcess::sanitizerReport()
{
    drain();
    const qsizetype at = m_stderr.indexOf("Sanitizer");
    if (at < 0 && !m_stderr.contains("runtime error:"))
        return {};
    const qsizetype from = qMax<qsizetype>(0, (at < 0 ? m_stderr.indexOf("runtime error:") : at) - 200);
    return m_stderr.mid(from, 4000);
}

} // namespace occ::test
