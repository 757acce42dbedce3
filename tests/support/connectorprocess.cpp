#include "connectorprocess.h"

#include "testutil.h"

#include <QJsonDocument>
#include <QRegularExpression>

namespace occ::test {

QString ConnectorProcess::binary()
{
    return buildPath(QStringLiteral("connector/occ-connector"));
}

ConnectorProcess::ConnectorProcess(QString dataDir, QStringList settings, const NetNamespace *ns)
    : m_dataDir(std::move(dataDir))
    , m_settings(std::move(settings))
    , m_ns(ns)
    , m_program(ns ? QStringLiteral("ip") : binary())
{}

ConnectorProcess::~ConnectorProcess()
{
    m_program.stop();
}

QStringList ConnectorProcess::common() const
{
    QStringList arguments{QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--set"),
                          QStringLiteral("identity/keychain=file")};
    for (const QString &setting : m_settings)
        arguments << QStringLiteral("--set") << setting;
    return arguments;
}

bool ConnectorProcess::enrol(const CloudProcess &cloud, const CloudProcess::Customer &customer,
                             const QString &hostname)
{
    QByteArray output;
    const QStringList arguments = cloud.enrolArguments(customer, hostname) + common();
    // Inside its namespace, the way it will reach the cloud later.
    const int code = m_ns ? run(QStringLiteral("ip"), m_ns->wrap(binary(), arguments), &output)
                          : run(binary(), arguments, &output);
    if (code != 0)
        qWarning("occ-connector enrol failed: %s", output.constData());
    return code == 0;
}

bool ConnectorProcess::start(int timeoutMs)
{
    return launch() && waitUntilReady(timeoutMs);
}

bool ConnectorProcess::launch()
{
    const QStringList arguments = QStringList{QStringLiteral("run")} + common();
    return m_program.start(m_ns ? m_ns->wrap(binary(), arguments) : arguments, QRegularExpression());
}

bool ConnectorProcess::waitUntilReady(int timeoutMs)
{
    QString captured;
    const QRegularExpression ready(QStringLiteral("occ-connector (\\S+ listening on port \\d+)"));
    if (!m_program.waitForReady(ready, &captured, timeoutMs))
        return false;
    const QStringList words = captured.split(QLatin1Char(' '));
    m_id = words.value(0);
    m_port = quint16(words.value(4).toUInt());
    return m_port != 0;
}

QJsonObject ConnectorProcess::query(const QString &command) const
{
    QByteArray output;
    cli({command, QStringLiteral("--json")}, &output);
    return QJsonDocument::fromJson(output).object();
}

int ConnectorProcess::cli(const QStringList &arguments, QByteArray *output, const QByteArray &input) const
{
    const QStringList full = arguments + QStringList{QStringLiteral("--data-dir"), m_dataDir};
    if (m_ns)
        return run(QStringLiteral("ip"), m_ns->wrap(binary(), full), output, input);
    return run(binary(), full, output, input);
}

} // namespace occ::test
