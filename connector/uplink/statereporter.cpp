#include "statereporter.h"

#include "core/hubdirectory.h"
#include "uplink/cloudlink.h"

namespace occ::connector {

namespace {
constexpr int kHubsPerCall = 500;
} // namespace

StateReporter::StateReporter(CloudLink &link, HubDirectory &directory,
                             std::function<cloudapi::ConnectorInfo()> self, qint64 intervalMs,
                             QObject *parent)
    : QObject(parent)
    , m_link(link)
    , m_directory(directory)
    , m_self(std::move(self))
{
    m_periodic.setInterval(int(intervalMs));
    connect(&m_periodic, &QTimer::timeout, this, [this] { report(true); });
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(1000);
    connect(&m_debounce, &QTimer::timeout, this, [this] { report(false); });
}

void StateReporter::start()
{
    m_periodic.start();
    report(true);
}

void StateReporter::changed(const QString &hubId)
{
    m_dirty.insert(hubId);
    if (!m_debounce.isActive())
        m_debounce.start();
}

void StateReporter::report(bool full)
{
    if (m_busy) {
        if (!m_debounce.isActive())
            m_debounce.start();
        return;
    }
    const cloudapi::ConnectorInfo self = m_self();
    QList<cloudapi::HubState> states;
    const QList<HubEntry> hubs = m_directory.all();
    for (const HubEntry &hub : hubs) {
        if (full || m_dirty.contains(hub.hello.hubId))
            states.append({hub.hello.hubId, hub.path, self.connectorId, hub.hello.hostname, hub.hello.os,
                           hub.hello.agentVersion, hub.queueDepth, hub.dropped});
    }
    m_dirty.clear();
    // The connector's own entry goes with the first call; hubs in chunks.
    QList<QList<cloudapi::HubState>> chunks;
    for (qsizetype i = 0; i < states.size(); i += kHubsPerCall)
        chunks.append(states.mid(i, kHubsPerCall));
    if (chunks.isEmpty())
        chunks.append(QList<cloudapi::HubState>());
    m_busy = true;
    auto remaining = std::make_shared<int>(int(chunks.size()));
    for (int i = 0; i < chunks.size(); ++i) {
        m_link.client().reportState(i == 0 ? std::optional(self) : std::nullopt, chunks.at(i),
                                    [this, remaining](Result<cloudapi::StateAnswer> r) {
                                        if (r) {
                                            m_link.succeeded();
                                            if (!r->highestSeqs.isEmpty())
                                                emit cloudSeqs(r->highestSeqs);
                                        } else {
                                            m_link.failed(r.error());
                                        }
                                        if (--*remaining > 0)
                                            return;
                                        m_busy = false;
                                    });
    }
}

} // namespace occ::connector
