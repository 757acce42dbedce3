#include "socketwatcher.h"

#include <QLoggingCategory>
#include <QSocketNotifier>
#include <sys/epoll.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcWatcher, "occ.tls")

namespace occ::tls {

SocketWatcher::SocketWatcher(QObject *parent)
    : QObject(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        qCCritical(lcWatcher) << "epoll_create1 failed";
        return;
    }
    m_notifier = new QSocketNotifier(m_epoll, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SocketWatcher::dispatch);
}

SocketWatcher::~SocketWatcher()
{
    delete m_notifier;
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool SocketWatcher::watch(int fd, Callback callback)
{
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = fd;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0)
        return false;
    m_entries.insert(fd, std::make_shared<Entry>(Entry{std::move(callback), false}));
    return true;
}

void SocketWatcher::update(int fd, Entry &entry)
{
    epoll_event event{};
    // The peer's hang-up (EPOLLRDHUP: it closed its side, or its process ended) is
    // reported even while reading is off: a server that holds a request (a long
    // poll) must learn that nobody waits for the answer any more. epoll reports
    // EPOLLHUP and EPOLLERR anyway.
    event.events = EPOLLRDHUP | (entry.read ? EPOLLIN : 0u) | (entry.write ? EPOLLOUT : 0u);
    event.data.fd = fd;
    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event);
}

void SocketWatcher::setWriteInterest(int fd, bool on)
{
    auto it = m_entries.find(fd);
    if (it == m_entries.end() || it->get()->write == on)
        return;
    it->get()->write = on;
    update(fd, *it->get());
}

void SocketWatcher::setReadInterest(int fd, bool on)
{
    auto it = m_entries.find(fd);
    if (it == m_entries.end() || it->get()->read == on)
        return;
    it->get()->read = on;
    update(fd, *it->get());
}

void SocketWatcher::unwatch(int fd)
{
    if (m_entries.remove(fd))
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
}

void SocketWatcher::dispatch()
{
    constexpr int kBatch = 256;
    epoll_event events[kBatch];
    int ready = 0;
    do {
        ready = ::epoll_wait(m_epoll, events, kBatch, 0);
        for (int i = 0; i < ready; ++i) {
            // A callback may unwatch other descriptors (or its own): look each up
            // again and keep the entry alive while it runs.
            auto it = m_entries.constFind(events[i].data.fd);
            if (it == m_entries.cend())
                continue;
            const std::shared_ptr<Entry> entry = it.value();
            const bool readable = events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
            const bool writable = events[i].events & (EPOLLOUT | EPOLLERR);
            const bool hungUp = events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
            entry->callback(readable, writable, hungUp);
        }
    } while (ready == kBatch);
}

} // namespace occ::tls
