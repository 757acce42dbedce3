#pragma once

#include <QObject>
#include <QTimer>

namespace occ::connector {

class CloudLink;
class HubDirectory;
class RevocationList;

// Fetches the customer's revoked serials (GetRevocations) at start and periodically
// and closes the sessions of revoked hubs (ARCHITECTURE §3).
class RevocationWatcher : public QObject
{
    Q_OBJECT
public:
    RevocationWatcher(CloudLink &link, RevocationList &list, HubDirectory &directory, qint64 intervalMs,
                      QObject *parent = nullptr);
    void start();
    void fetch();

private:
    CloudLink &m_link;
    RevocationList &m_list;
    HubDirectory &m_directory;
    QTimer m_timer;
};

} // namespace occ::connector
