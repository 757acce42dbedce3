#include "acceptor.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <QLoggingCategory>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcAcceptor, "occ.net.acceptor")

namespace occ::net {

namespace {

QHostAddress addressOf(const sockaddr_storage &storage, quint16 *port)
{
    QHostAddress address(reinterpret_cast<const sockaddr *>(&storage));
    *port = storage.ss_family == AF_INET ? ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port)
                                         : ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    bool mapped = false;
    if (const quint32 v4 = address.toIPv4Address(&mapped); mapped)
        address = QHostAddress(v4);
    return address;
}

} // namespace

Acceptor::Acceptor(Accepted accepted, QObject *parent)
    : QObject(parent)
    , m_accepted(std::move(accepted))
{
    m_rest.setSingleShot(true);
    m_rest.setInterval(kRestMs);
    connect(&m_rest, &QTimer::timeout, this, &Acceptor::updateNotifier);
}

Acceptor::~Acceptor()
{
    close();
}

Result<void> Acceptor::listen(const QHostAddress &address, quint16 port, int backlog)
{
    close();
    const bool dual = address.protocol() == QAbstractSocket::AnyIPProtocol; // QHostAddress::Any
    const bool v6 = dual || address.protocol() == QAbstractSocket::IPv6Protocol;
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (v6) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = dual ? Q_IPV6ADDR{} : address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        in6->sin6_scope_id = address.scopeId().toUInt();
        length = sizeof(sockaddr_in6);
    } else {
        auto *in = reinterpret_cast<sockaddr_in *>(&storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const auto failed = [&](const char *step) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        return fail(ErrorCategory::Network, QStringLiteral("cannot listen on %1:%2 (%3): %4")
                                                .arg(address.toString())
                                                .arg(port)
                                                .arg(QLatin1StringView(step), why));
    };
    m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return failed("socket");
    const int one = 1;
    ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (dual) {
        const int zero = 0; // both families on one socket
        ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    if (::bind(m_fd, reinterpret_cast<const sockaddr *>(&storage), length) != 0)
        return failed("bind");
    if (::listen(m_fd, backlog) != 0)
        return failed("listen");
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof bound;
    ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&bound), &boundLength);
    m_address = addressOf(bound, &m_port);
    if (dual)
        m_address = QHostAddress::Any;
    m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &Acceptor::acceptSome);
    updateNotifier();
    return {};
}

void Acceptor::close()
{
    m_rest.stop();
    m_notifier.reset();
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

void Acceptor::pause()
{
    m_paused = true;
    updateNotifier();
}

void Acceptor::resume()
{
    m_paused = false;
    updateNotifier();
}

void Acceptor::updateNotifier()
{
    if (m_notifier)
        m_notifier->setEnabled(!m_paused && !m_rest.isActive());
}

void Acceptor::acceptSome()
{
    // A bounded number per wake-up, so the rest of this thread's work goes on.
    for (int i = 0; i < 128 && m_fd >= 0 && !m_paused; ++i) {
        sockaddr_storage storage{};
        socklen_t length = sizeof storage;
        const int fd =
            ::accept4(m_fd, reinterpret_cast<sockaddr *>(&storage), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK)
                return;
            if (error == EINTR || error == ECONNABORTED || error == EPROTO)
                continue; // that one connection is gone; the next may be fine
            // EMFILE, ENFILE, ENOBUFS, ENOMEM: rest instead of spinning.
            if (m_errors.fetch_add(1, std::memory_order_relaxed) % 20 == 0)
                qCWarning(lcAcceptor).noquote()
                    << "cannot accept connections:" << QString::fromLocal8Bit(std::strerror(error))
                    << "(resting" << kRestMs << "ms;" << m_errors.load() << "times so far)";
            m_rest.start();
            updateNotifier();
            emit acceptFailed();
            return;
        }
        quint16 peerPort = 0;
        const QHostAddress peer = addressOf(storage, &peerPort);
        m_accepted(fd, peer, peerPort);
    }
}

} // namespace occ::net
