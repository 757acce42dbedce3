#include "occpage.h"

#include <QDateTime>
#include <QTranslator>

namespace occ::cloud {
namespace {

struct Text
{
    const QTranslator *german;
    QString operator()(const char *source) const
    {
        if (german) {
            const QString translated = german->translate("OccPage", source);
            if (!translated.isEmpty())
                return translated;
        }
        return QString::fromUtf8(source);
    }
};

QString pathLabel(const QString &path, const Text &text)
{
    if (path == QLatin1StringView("ConnectorLan"))
        return text(QT_TRANSLATE_NOOP("OccPage", "Connector (LAN)"));
    if (path == QLatin1StringView("ConnectorVpn"))
        return text(QT_TRANSLATE_NOOP("OccPage", "Connector over VPN"));
    if (path == QLatin1StringView("DirectCloud"))
        return text(QT_TRANSLATE_NOOP("OccPage", "Direct to cloud"));
    return text(QT_TRANSLATE_NOOP("OccPage", "Offline"));
}

QString ago(qint64 then, qint64 now, const Text &text)
{
    if (then <= 0)
        return text(QT_TRANSLATE_NOOP("OccPage", "never"));
    const qint64 seconds = qMax<qint64>(0, (now - then) / 1000);
    if (seconds < 120)
        return text(QT_TRANSLATE_NOOP("OccPage", "%1 s ago")).arg(seconds);
    if (seconds < 7200)
        return text(QT_TRANSLATE_NOOP("OccPage", "%1 min ago")).arg(seconds / 60);
    return QDateTime::fromMSecsSinceEpoch(then, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QString number(double value)
{
    return QString::number(value, 'g', 6);
}

const char kStyle[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}.path{padding:.1em .5em;border-radius:.8em;font-size:.9em}"
    ".ConnectorLan{background:#d6f5d6}.ConnectorVpn{background:#d6e6f5}"
    ".DirectCloud{background:#f5ecd6}.Offline{background:#eee;color:#777}"
    ".ok{color:#176b17}.warn{color:#9a6a00}.error{color:#b00020}.unknown{color:#777}"
    "small{color:#666}";

} // namespace

bool prefersGerman(const QByteArray &acceptLanguage)
{
    double bestQ = -1;
    QByteArray best;
    const QList<QByteArray> entries = acceptLanguage.split(',');
    for (const QByteArray &entry : entries) {
        const QList<QByteArray> parts = entry.trimmed().split(';');
        const QByteArray tag = parts.value(0).trimmed().toLower();
        if (tag.isEmpty())
            continue;
        double q = 1.0;
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray p = parts.at(i).trimmed();
            if (p.startsWith("q="))
                q = p.mid(2).toDouble();
        }
        if (q > bestQ) { // the first of equal weights wins
            bestQ = q;
            best = tag;
        }
    }
    return best == "de" || best.startsWith("de-");
}

OccPage::OccPage(Registry &registry, MeasurementStore &measurements, const Clock &clock,
                 qint64 offlineAfterMs)
    : m_registry(registry)
    , m_measurements(measurements)
    , m_clock(clock)
    , m_offlineAfterMs(offlineAfterMs)
{}

QString OccPage::effectivePath(const HubRecord &hub, qint64 now, qint64 offlineAfterMs)
{
    if (hub.path.isEmpty() || hub.lastSeen <= 0 || now - hub.lastSeen > offlineAfterMs)
        return QStringLiteral("Offline");
    return hub.path;
}

Result<QByteArray> OccPage::render(const QTranslator *german) const
{
    const Text text{german};
    const qint64 now = m_clock.epochMs();
    Result<QList<CustomerRecord>> customers = m_registry.customers();
    if (!customers)
        return customers.error();
    Result<QList<HubRecord>> hubs = m_measurements.hubs();
    if (!hubs)
        return hubs.error();

    QString html;
    html += QStringLiteral("<!DOCTYPE html>\n<html lang=\"%1\"><head><meta charset=\"utf-8\">"
                           "<meta http-equiv=\"refresh\" content=\"10\">"
                           "<meta name=\"viewport\" content=\"width=device-width\">")
                .arg(german ? QStringLiteral("de") : QStringLiteral("en"));
    html += QStringLiteral("<title>%1</title><style>%2</style></head><body>")
                .arg(text(QT_TRANSLATE_NOOP("OccPage", "OCC — Online Control Center")),
                     QLatin1StringView(kStyle));
    html +=
        QStringLiteral("<h1>%1</h1>").arg(text(QT_TRANSLATE_NOOP("OccPage", "OCC — Online Control Center")));

    QHash<QString, int> byPath;
    for (const HubRecord &hub : std::as_const(*hubs))
        ++byPath[effectivePath(hub, now, m_offlineAfterMs)];
    html += QStringLiteral("<p>%1: %2 &middot; ")
                .arg(text(QT_TRANSLATE_NOOP("OccPage", "Hubs")))
                .arg(hubs->size());
    for (const char *path : {"ConnectorLan", "ConnectorVpn", "DirectCloud", "Offline"})
        html += QStringLiteral("<span class=\"path %1\">%2: %3</span> ")
                    .arg(QLatin1StringView(path), pathLabel(QLatin1StringView(path), text))
                    .arg(byPath.value(QLatin1StringView(path)));
    html += QStringLiteral("<br><small>%1 %2</small></p>")
                .arg(text(QT_TRANSLATE_NOOP("OccPage", "Updated")),
                     QDateTime::fromMSecsSinceEpoch(now, Qt::UTC).toString(Qt::ISODate));

    for (const CustomerRecord &customer : std::as_const(*customers)) {
        html +=
            QStringLiteral("<h2>%1 <small>%2</small></h2>").arg(customer.name.toHtmlEscaped(), customer.id);
        html +=
            QStringLiteral("<table><tr><th>%1</th><th>%2</th><th>%3</th><th>%4</th><th>%5</th><th>%6</th>"
                           "<th>%7</th></tr>")
                .arg(text(QT_TRANSLATE_NOOP("OccPage", "Host")), text(QT_TRANSLATE_NOOP("OccPage", "Path")),
                     text(QT_TRANSLATE_NOOP("OccPage", "Connector")),
                     text(QT_TRANSLATE_NOOP("OccPage", "Last contact")),
                     text(QT_TRANSLATE_NOOP("OccPage", "Queue")),
                     text(QT_TRANSLATE_NOOP("OccPage", "Dropped")),
                     text(QT_TRANSLATE_NOOP("OccPage", "Sensors")));
        int rows = 0;
        for (const HubRecord &hub : std::as_const(*hubs)) {
            if (hub.customerId != customer.id)
                continue;
            ++rows;
            const QString path = effectivePath(hub, now, m_offlineAfterMs);
            Result<QList<protocol::Measurement>> latest = m_measurements.latest(hub.hubId);
            QString sensors;
            if (latest) {
                for (const protocol::Measurement &m : std::as_const(*latest)) {
                    QStringList values;
                    for (auto it = m.values.cbegin(); it != m.values.cend(); ++it)
                        values << QStringLiteral("%1=%2").arg(it.key().toHtmlEscaped(), number(it.value()));
                    sensors +=
                        QStringLiteral("<div><b>%1</b> <span class=\"%2\">%2</span> %3%4</div>")
                            .arg(m.sensor.toHtmlEscaped(), protocol::enumName(m.status),
                                 values.join(QLatin1Char(' ')),
                                 m.text.isEmpty()
                                     ? QString()
                                     : QStringLiteral(" <small>%1</small>").arg(m.text.toHtmlEscaped()));
                }
            }
            html += QStringLiteral(
                        "<tr><td>%1<br><small>%2</small></td><td><span class=\"path %3\">%4</span></td>"
                        "<td>%5</td><td>%6</td><td>%7</td><td>%8</td><td>%9</td></tr>")
                        .arg(hub.hostname.toHtmlEscaped(), hub.hubId, path, pathLabel(path, text),
                             hub.connectorId.isEmpty() || path == QLatin1StringView("DirectCloud")
                                 ? QStringLiteral("&mdash;")
                                 : hub.connectorId.toHtmlEscaped(),
                             ago(hub.lastSeen, now, text), QString::number(hub.queueDepth),
                             QString::number(hub.dropped), sensors);
        }
        if (rows == 0)
            html += QStringLiteral("<tr><td colspan=\"7\">%1</td></tr>")
                        .arg(text(QT_TRANSLATE_NOOP("OccPage", "No hubs enrolled yet.")));
        html += QStringLiteral("</table>");
    }
    if (customers->isEmpty())
        html += QStringLiteral("<p>%1</p>")
                    .arg(text(QT_TRANSLATE_NOOP("OccPage", "No customers yet: occ-cloud customer add NAME")));
    html += QStringLiteral("</body></html>\n");
    return html.toUtf8();
}

} // namespace occ::cloud
