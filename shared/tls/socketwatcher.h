#pragma once

#include <functional>
#include <memory>
#include <QHash>
#include <QObject>

class QSocketNotifier;

namespace occ::tls {

// Readiness of many sockets for one thread through one epoll instance that sits in
// the thread's Qt event loop as a single notifier. Qt's own loop polls every
// registered descriptor on every wake-up (ARCHITECTURE §15); with thousands of
// hub sessions per worker that scan dominated a reconnect storm. Here a wake-up
// costs in proportion to the sockets that are ready. Level-triggered, like
// QSocketNotifier. Create it in the thread that uses it.
class SocketWatcher : public QObject
{
    Q_OBJECT
public:
    // hungUp: the peer closed its side or the socket failed (EPOLLRDHUP, EPOLLHUP,
    // EPOLLERR); reported even while read interest is off. readable is then set too.
    using Callback = std::function<void(bool readable, bool writable, bool hungUp)>;

    explicit SocketWatcher(QObject *parent = nullptr);
    ~SocketWatcher() override;

    bool ok() const { return m_epoll >= 0; }
    // Read interest is always on; write interest on demand.
    bool watch(int fd, Callback callback);
    void setWriteInterest(int fd, bool on);
    // Read interest off: only hang-ups (the peer closed its side) and errors are
    // reported for fd, as readable: reading then finds the end.
    void setReadInterest(int fd, bool on);
    void unwatch(int fd);
    int watched() const { return int(m_entries.size()); }

private:
    struct Entry;
    void dispatch();
    void update(int fd, Entry &entry);

    struct Entry
    {
        Callback callback;
        bool write = false;
        bool read = true;
    };
    int m_epoll = -1;
    QSocketNotifier *m_notifier = nullptr;
    QHash<int, std::shared_ptr<Entry>> m_entries;
};

} // namespace occ::tls
