#include "hubprocess.h"

#include "await.h"
#include "control/localcontrol.h"
#include "testutil.h"

#include <QRegularExpression>

namespace occ::test {

QString HubProcess::binary()
{
    return buildPath(QStringLiteral("app/occ-sensorhub"));
}

HubProcess::HubProcess(QString dataDir, QStringList settings, const NetNamespace *ns, QString program)
    : m_dataDir(std::move(dataDir))
    , m_settings(std::move(settings))
    , m_ns(ns)
    , m_binary(program.isEmpty() ? binary() : std::move(program))
    , m_program(ns ? QStringLiteral("ip") : m_binary)
{}

HubProcess::~HubProcess()
{
    m_program.stop();
}

QStringList HubProcess::common() const
{
    QStringList arguments{QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--set"),
                          QStringLiteral("identity/keychain=") + m_keychain};
    for (const QString &setting : m_settings)
        arguments << QStringLiteral("--set") << setting;
    return arguments;
}

bool HubProcess::enrol(const CloudProcess &cloud, const CloudProcess::Customer &customer,
                       const QString &hostname, const QString &keychain)
{
    m_keychain = keychain;
    QByteArray output;
    const QStringList arguments = cloud.enrolArguments(customer, hostname) + common();
    // Inside its namespace, the way it will reach the cloud later (proxy included).
    const int code = m_ns ? run(QStringLiteral("ip"), m_ns->wrap(binary(), arguments), &output)
                          : run(binary(), arguments, &output);
    if (code != 0)
        qWarning("occ-sensorhub enrol failed: %s", output.constData());
    const QRegularExpressionMatch id =
        QRegularExpression(QStringLiteral("enrolled hub (\\S+)")).match(QString::fromUtf8(output));
    m_id = id.captured(1);
    return code == 0 && !m_id.isEmpty();
}

bool HubProcess::start(int timeoutMs)
{
    return launch() && waitUntilReady(timeoutMs);
}

bool HubProcess::launch()
{
    const QStringList arguments = QStringList{QStringLiteral("run"), QStringLiteral("--headless")} + common();
    return m_program.start(m_ns ? m_ns->wrap(m_binary, arguments) : arguments, QRegularExpression(), nullptr,
                           30000, m_environment);
}

bool HubProcess::waitUntilReady(int timeoutMs)
{
    QString captured;
    if (!m_program.waitForReady(QRegularExpression(QStringLiteral("occ-sensorhub (\\S+) running")), &captured,
                                timeoutMs))
        return false;
    m_id = captured;
    return true;
}

QJsonObject HubProcess::status() const
{
    Result<QJsonObject> answer =
        control::controlRequest(m_dataDir + QStringLiteral("/occ-sensorhub.sock"),
                                {{QStringLiteral("command"), QStringLiteral("status")}}, 5000);
    return answer ? *answer : QJsonObject();
}

bool HubProcess::waitForState(const QString &state, int timeoutMs) const
{
    return waitFor([&] { return this->state() == state; }, timeoutMs);
}

bool HubProcess::waitForDeliveries(int count, int timeoutMs) const
{
    const auto delivered = [this]() -> qint64 {
        const QJsonObject s = status();
        if (s.isEmpty())
            return -1;
        return s[QStringLiteral("highestSeq")].toInteger() - s[QStringLiteral("queueDepth")].toInteger();
    };
    const qint64 before = delivered();
    return before >= 0 && waitFor([&] { return delivered() >= before + count; }, timeoutMs);
}

QList<HubProcess::Change> HubProcess::changes()
{
    static const QRegularExpression line(
        QStringLiteral("^(\\S+) state (\\w+) -> (\\w+)(?: connector (\\S+))?$"),
        QRegularExpression::MultilineOption);
    QList<Change> list;
    QRegularExpressionMatchIterator it = line.globalMatch(QString::fromUtf8(m_program.output()));
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        list.append({QDateTime::fromString(m.captured(1), Qt::ISODateWithMs), m.captured(2), m.captured(3),
                     m.captured(4)});
    }
    return list;
}

std::optional<HubProcess::Change> HubProcess::changeTo(const QString &to, const QDateTime &after)
{
    for (const Change &change : changes()) {
        if (change.to == to && (!after.isValid() || change.at >= after))
            return change;
    }
    return std::nullopt;
}

int HubProcess::cli(const QStringList &arguments, QByteArray *output) const
{
    const QStringList full = arguments + QStringList{QStringLiteral("--data-dir"), m_dataDir};
    if (m_ns)
        return run(QStringLiteral("ip"), m_ns->wrap(binary(), full), output);
    return run(binary(), full, output);
}

} // namespace occ::test
