#include "ssdpsearch.h"

#include "ssdp/ssdpmessage.h"

#include <QLoggingCategory>
#include <QNetworkProxy>
#include <QNetworkReply>

Q_LOGGING_CATEGORY(lcSearch, "occ.hub.ssdp")

namespace occ::hub {

namespace {
constexpr int kFetchTimeoutMs = 3000;
constexpr int kMaxCandidates = 16;
} // namespace

SsdpSearch::SsdpSearch(ssdp::SsdpEndpoint endpoint, int mx, QString customerId, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_mx(qBound(1, mx, 5))
    , m_customerId(std::move(customerId))
{
    m_http.setProxy(QNetworkProxy::NoProxy); // hub -> connector traffic never goes through a proxy
    m_collect.setSingleShot(true);
    connect(&m_collect, &QTimer::timeout, this, &SsdpSearch::collectDone);
    m_fetchDeadline.setSingleShot(true);
    connect(&m_fetchDeadline, &QTimer::timeout, this, &SsdpSearch::fetchDeadline);
}

void SsdpSearch::start()
{
    cancel();
    m_running = true;
    ++m_generation;
    m_locations.clear();
    m_senders.clear();
    m_found.clear();
    m_socket = std::make_unique<ssdp::SsdpSocket>(m_endpoint);
    connect(m_socket.get(), &ssdp::SsdpSocket::datagramReceived, this, &SsdpSearch::received);
    if (Result<void> opened = m_socket->openAsControlPoint(); !opened) {
        qCWarning(lcSearch) << "UPnP search impossible:" << opened.error().message;
        QTimer::singleShot(0, this, &SsdpSearch::finish);
        return;
    }
    const QByteArray search = ssdp::buildSearch(m_endpoint.hostHeader(), ssdp::kDeviceType, m_mx,
                                                "Linux UPnP/2.0 occ-sensorhub/" OCC_VERSION);
    const int sent = m_socket->sendToGroup(search);
    qCInfo(lcSearch) << "M-SEARCH for OCC connectors on" << sent << "interfaces, MX" << m_mx;
    m_collect.start((m_mx + 1) * 1000);
}

void SsdpSearch::cancel()
{
    if (!m_running)
        return;
    m_running = false;
    ++m_generation;
    m_collect.stop();
    m_fetchDeadline.stop();
    m_socket.reset();
    for (QNetworkReply *reply : std::exchange(m_replies, {}))
        reply->abort();
    m_fetching = 0;
}

void SsdpSearch::received(const QNetworkDatagram &datagram)
{
    Result<ssdp::SsdpMessage> message = ssdp::parseSsdp(datagram.data());
    if (!message || message->kind != ssdp::SsdpMessage::Kind::Response)
        return;
    if (message->header("ST") != ssdp::kDeviceType)
        return;
    const QUrl location(QString::fromLatin1(message->header("LOCATION")));
    if (location.scheme() != QLatin1StringView("http") || location.host().isEmpty() ||
        m_locations.contains(location) || m_locations.size() >= kMaxCandidates)
        return;
    m_locations.append(location);
    m_senders.append(datagram.senderAddress());
}

void SsdpSearch::collectDone()
{
    m_socket.reset();
    if (m_locations.isEmpty()) {
        finish();
        return;
    }
    m_found.resize(0);
    const quint64 generation = m_generation;
    for (int i = 0; i < m_locations.size(); ++i) {
        QNetworkRequest request(m_locations.at(i));
        request.setTransferTimeout(kFetchTimeoutMs);
        request.setMaximumRedirectsAllowed(0);
        QNetworkReply *reply = m_http.get(request);
        // Qt stops reading the socket when this much waits: a flood stays there.
        reply->setReadBufferSize(ssdp::kMaxDescription + 1);
        m_replies.append(reply);
        ++m_fetching;
        const QHostAddress from = m_senders.at(i);
        const QUrl location = m_locations.at(i);
        connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64 total) {
            if (received > ssdp::kMaxDescription || total > ssdp::kMaxDescription) {
                qCInfo(lcSearch) << "description" << reply->url() << "is larger than" << ssdp::kMaxDescription
                                 << "bytes: not read";
                reply->abort();
            }
        });
        connect(reply, &QNetworkReply::finished, this, [this, reply, location, from, generation] {
            reply->deleteLater();
            if (generation != m_generation)
                return;
            m_replies.removeOne(reply);
            fetched(reply, location, from);
        });
    }
    // One deadline for all of them (a trickle of bytes would keep resetting Qt's
    // transfer timeout).
    m_fetchDeadline.start(kFetchTimeoutMs);
}

void SsdpSearch::fetchDeadline()
{
    if (!m_running || m_replies.isEmpty())
        return;
    qCInfo(lcSearch) << m_replies.size() << "descriptions did not arrive within" << kFetchTimeoutMs
                     << "ms; going on without them";
    ++m_generation; // their aborts below report nothing
    for (QNetworkReply *reply : std::exchange(m_replies, {}))
        reply->abort();
    m_fetching = 0;
    finish();
}

void SsdpSearch::fetched(QNetworkReply *reply, const QUrl &location, const QHostAddress &from)
{
    --m_fetching;
    const QByteArray body = reply->read(ssdp::kMaxDescription + 1);
    if (reply->error() != QNetworkReply::NoError) {
        qCInfo(lcSearch) << "description" << reply->url() << "unavailable:" << reply->errorString();
    } else if (Result<ssdp::ConnectorDescription> description = ssdp::parseDescription(body); !description) {
        qCInfo(lcSearch) << "ignoring" << reply->url() << ":" << description.error().message;
    } else if (description->customerId != m_customerId) {
        qCInfo(lcSearch) << "ignoring connector" << description->connectorId << "of another customer";
    } else {
        m_found.append({*description,
                        QHostAddress(location.host()).isNull() ? from : QHostAddress(location.host()),
                        location});
    }
    if (m_fetching == 0) {
        m_fetchDeadline.stop();
        finish();
    }
}

void SsdpSearch::finish()
{
    if (!m_running)
        return;
    m_running = false;
    // In the order the M-SEARCH answers came.
    QList<DiscoveredConnector> ordered;
    for (const QUrl &location : std::as_const(m_locations)) {
        for (const DiscoveredConnector &found : std::as_const(m_found)) {
            if (found.location == location)
                ordered.append(found);
        }
    }
    for (const DiscoveredConnector &found : std::as_const(m_found)) {
        if (!std::any_of(ordered.cbegin(), ordered.cend(), [&](const DiscoveredConnector &o) {
                return o.description.connectorId == found.description.connectorId;
            }))
            ordered.append(found);
    }
    qCInfo(lcSearch) << "UPnP found" << ordered.size() << "connectors of this customer";
    emit finished(ordered);
}

} // namespace occ::hub
