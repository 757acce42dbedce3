#include "statepresenter.h"

#include <QDateTime>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace occ::hub {

QString StatePresenter::title(ConnectionState state)
{
    switch (state) {
    case ConnectionState::NotEnrolled:
        return tr("Not enrolled");
    case ConnectionState::Searching:
        return tr("Searching for the connector");
    case ConnectionState::ConnectorLan:
        return tr("Connected to the connector (LAN)");
    case ConnectionState::ConnectorVpn:
        return tr("Connected to the connector over VPN");
    case ConnectionState::DirectCloud:
        return tr("Connected directly to the cloud");
    case ConnectionState::Offline:
        return tr("Offline: results are kept");
    }
    return {};
}

QColor StatePresenter::color(ConnectionState state)
{
    switch (state) {
    case ConnectionState::NotEnrolled:
        return QColor(0x80, 0x80, 0x80);
    case ConnectionState::Searching:
        return QColor(0xe0, 0xa0, 0x00);
    case ConnectionState::ConnectorLan:
    case ConnectionState::ConnectorVpn:
        return QColor(0x2e, 0x9e, 0x44);
    case ConnectionState::DirectCloud:
        return QColor(0x1f, 0x6f, 0xd0);
    case ConnectionState::Offline:
        return QColor(0xc6, 0x28, 0x28);
    }
    return Qt::black;
}

QIcon StatePresenter::icon(ConnectionState state)
{
    QIcon icon;
    for (int size : {16, 22, 24, 32, 48, 64}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const qreal margin = size / 16.0;
        p.setPen(QPen(color(state).darker(140), qMax(1.0, size / 16.0)));
        p.setBrush(color(state));
        p.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin));
        if (state == ConnectionState::ConnectorVpn) {
            // A padlock in the lower right corner.
            const qreal s = size * 0.45;
            const QRectF body(size - s - margin, size - s * 0.7 - margin, s, s * 0.7);
            p.setPen(QPen(Qt::white, qMax(1.0, size / 24.0)));
            p.setBrush(QColor(0x20, 0x20, 0x20));
            p.drawRect(body);
            p.setBrush(Qt::NoBrush);
            p.drawArc(QRectF(body.left() + s * 0.2, body.top() - s * 0.45, s * 0.6, s * 0.9), 0, 180 * 16);
        } else if (state == ConnectionState::Searching || state == ConnectionState::NotEnrolled) {
            p.setPen(QPen(Qt::white, qMax(1.0, size / 10.0), Qt::SolidLine, Qt::RoundCap));
            p.drawPoint(QPointF(size * 0.3, size * 0.5));
            p.drawPoint(QPointF(size * 0.5, size * 0.5));
            p.drawPoint(QPointF(size * 0.7, size * 0.5));
        }
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QStringList StatePresenter::details(const QJsonObject &status)
{
    ConnectionState state = ConnectionState::NotEnrolled;
    stateFromName(status.value(QStringLiteral("state")).toString(), &state);
    QStringList lines{title(state)};
    const QString connector = status.value(QStringLiteral("connectorId")).toString();
    if (!connector.isEmpty()) {
        const QJsonObject session = status.value(QStringLiteral("connector")).toObject();
        lines << tr("Connector %1 at %2 (%3)")
                     .arg(connector.left(8), session.value(QStringLiteral("address")).toString(),
                          session.value(QStringLiteral("interface")).toString());
    }
    if (status.contains(QStringLiteral("queueDepth"))) {
        lines << tr("%n result(s) waiting", nullptr, status.value(QStringLiteral("queueDepth")).toInt());
        const qint64 dropped = status.value(QStringLiteral("dropped")).toInteger();
        if (dropped > 0)
            lines << tr("%n result(s) dropped: the outbox was full", nullptr, int(dropped));
        const QString last = status.value(QStringLiteral("lastDelivery")).toString();
        lines << (last.isEmpty() ? tr("Nothing delivered yet")
                                 : tr("Last delivery %1")
                                       .arg(QDateTime::fromString(last, Qt::ISODateWithMs)
                                                .toLocalTime()
                                                .toString(QStringLiteral("HH:mm:ss"))));
    }
    return lines;
}

QString StatePresenter::tooltip(const QJsonObject &status)
{
    return QStringLiteral("OCC Sensorhub\n") + details(status).join(QLatin1Char('\n'));
}

} // namespace occ::hub
