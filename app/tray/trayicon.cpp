#include "trayicon.h"

#include "core/hubcore.h"
#include "tray/statepresenter.h"

#include <QApplication>
#include <QClipboard>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcTray, "occ.hub.tray")

namespace occ::hub {

namespace {
constexpr int kDetailLines = 4;
constexpr int kRefreshMs = 5000; // queue depth and last delivery move without state changes
} // namespace

TrayIcon::TrayIcon(HubCore &core, QObject *parent)
    : QObject(parent)
    , m_core(core)
{
    for (int i = 0; i < kDetailLines; ++i) {
        QAction *line = m_menu.addAction(QString());
        line->setEnabled(false);
        m_detailLines.append(line);
    }
    m_menu.addSeparator();
    m_reconnect = m_menu.addAction(tr("Reconnect now"));
    connect(m_reconnect, &QAction::triggered, this, [this] {
        qCInfo(lcTray) << "Reconnect now (tray menu)";
        m_core.reconnect();
        refresh();
    });
    m_copyStatus = m_menu.addAction(tr("Copy status"));
    connect(m_copyStatus, &QAction::triggered, this, [this] {
        QApplication::clipboard()->setText(
            QString::fromUtf8(QJsonDocument(m_core.status()).toJson(QJsonDocument::Indented)));
    });
    m_menu.addSeparator();
    m_quit = m_menu.addAction(tr("Quit OCC Sensorhub"));
    connect(m_quit, &QAction::triggered, qApp, &QCoreApplication::quit);
    m_icon.setContextMenu(&m_menu);
    connect(&m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger)
            m_icon.showMessage(QStringLiteral("OCC Sensorhub"),
                               StatePresenter::details(m_core.status()).join(QLatin1Char('\n')),
                               StatePresenter::icon(m_core.state()), 5000);
    });
    connect(&m_core, &HubCore::stateChanged, this, &TrayIcon::stateChanged);
    connect(&m_refresh, &QTimer::timeout, this, &TrayIcon::refresh);
    m_refresh.start(kRefreshMs);
    refresh();
    m_icon.show();
}

void TrayIcon::stateChanged(ConnectionState previous, ConnectionState current)
{
    refresh();
    // Worth a notification: losing every way out, and coming back from it.
    if (current == ConnectionState::Offline)
        m_icon.showMessage(tr("OCC Sensorhub is offline"),
                           tr("Neither the connector nor the cloud answers. Results are kept "
                              "and delivered later."),
                           QSystemTrayIcon::Warning, 10000);
    else if (previous == ConnectionState::Offline)
        m_icon.showMessage(QStringLiteral("OCC Sensorhub"), StatePresenter::title(current),
                           QSystemTrayIcon::Information, 5000);
}

void TrayIcon::refresh()
{
    const QJsonObject status = m_core.status();
    const ConnectionState state = m_core.state();
    if (state != m_shown || m_icon.icon().isNull()) {
        m_icon.setIcon(StatePresenter::icon(state));
        m_shown = state;
    }
    m_icon.setToolTip(StatePresenter::tooltip(status));
    const QStringList lines = StatePresenter::details(status);
    for (int i = 0; i < m_detailLines.size(); ++i) {
        m_detailLines.at(i)->setText(lines.value(i));
        m_detailLines.at(i)->setVisible(i < lines.size());
    }
    m_reconnect->setEnabled(state != ConnectionState::NotEnrolled);
}

} // namespace occ::hub
