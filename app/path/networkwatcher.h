#pragma once

#include <QObject>
#include <QTimer>

namespace occ::hub {

// Rule 6 of ARCHITECTURE §6: tells when the network changed. Qt's
// QNetworkInformation where a backend exists (NetworkManager, GLib), plus a cheap
// periodic comparison of the interface list (name, state, addresses), which also
// works where no backend runs (servers, containers, network namespaces).
class NetworkWatcher : public QObject
{
    Q_OBJECT
public:
    explicit NetworkWatcher(qint64 checkIntervalMs, QObject *parent = nullptr);
    void start();
    // The current interface fingerprint (for tests and logs).
    static QString fingerprint();

signals:
    void changed();

private:
    void check();

    QTimer m_poll;
    QTimer m_debounce;
    QString m_last;
};

} // namespace occ::hub
