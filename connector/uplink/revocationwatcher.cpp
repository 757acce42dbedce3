#include "revocationwatcher.h"

#include "core/hubdirectory.h"
#include "core/revocationlist.h"
#include "uplink/cloudlink.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcUplink)

namespace occ::connector {

RevocationWatcher::RevocationWatcher(CloudLink &link, RevocationList &list, HubDirectory &directory,
                                     qint64 intervalMs, QObject *parent)
    : QObject(parent)
    , m_link(link)
    , m_list(list)
    , m_directory(directory)
{
    m_timer.setInterval(int(intervalMs));
    connect(&m_timer, &QTimer::timeout, this, &RevocationWatcher::fetch);
}

void RevocationWatcher::start()
{
    m_timer.start();
    fetch();
}

void RevocationWatcher::fetch()
{
    m_link.client().getRevocations([this](Result<QStringList> serials) {
        if (!serials) {
            m_link.failed(serials.error());
            return;
        }
        m_link.succeeded();
        QSet<QByteArray> set;
        for (const QString &serial : std::as_const(*serials))
            set.insert(serial.toLatin1().toLower());
        m_list.replace(set);
        if (const int kicked = m_directory.kickSerials(set); kicked > 0)
            qCWarning(lcUplink) << "closed" << kicked << "sessions of revoked hubs";
    });
}

} // namespace occ::connector
