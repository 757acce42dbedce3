#pragma once

#include "ssdp/devicedescription.h"
#include "ssdp/ssdpsocket.h"

#include <QHostAddress>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>

namespace occ::hub {

struct DiscoveredConnector
{
    ssdp::ConnectorDescription description;
    QHostAddress address; // where the answer came from (the LOCATION host)
    QUrl location;        // the description's URL
};

// UPnP discovery of connectors (ARCHITECTURE §4): M-SEARCH (MX from settings) for
// the OCC connector device type on every multicast interface, answers collected for
// MX + 1 s, descriptions fetched over HTTP side by side (never through a proxy)
// within one deadline and a size limit, so that a slow or endless rogue answer
// cannot hold up the others, and only the connectors of our own customer kept, in
// the order they answered.
class SsdpSearch : public QObject
{
    Q_OBJECT
public:
    SsdpSearch(ssdp::SsdpEndpoint endpoint, int mx, QString customerId, QObject *parent = nullptr);

    void start();
    void cancel();
    bool running() const { return m_running; }

signals:
    void finished(const QList<occ::hub::DiscoveredConnector> &connectors);

private:
    void received(const QNetworkDatagram &datagram);
    void collectDone();
    void fetched(QNetworkReply *reply, const QUrl &location, const QHostAddress &from);
    void fetchDeadline();
    void finish();

    ssdp::SsdpEndpoint m_endpoint;
    int m_mx;
    QString m_customerId;
    std::unique_ptr<ssdp::SsdpSocket> m_socket;
    QNetworkAccessManager m_http;
    QTimer m_collect;
    QTimer m_fetchDeadline;
    QList<QNetworkReply *> m_replies; // descriptions still coming
    QList<QUrl> m_locations;
    QList<QHostAddress> m_senders;
    QList<DiscoveredConnector> m_found;
    int m_fetching = 0;
    bool m_running = false;
    quint64 m_generation = 0;
};

} // namespace occ::hub
