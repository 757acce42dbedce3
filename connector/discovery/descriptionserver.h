#pragma once

#include "core/result.h"
#include "net/acceptor.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QObject>

namespace occ::connector {

// The plain-HTTP server of the UPnP device description (UPnP requires HTTP here;
// the document holds nothing secret). Answers GET /description.xml and nothing
// else. It faces the whole LAN, so it has the hub port's defences: its own accept
// loop that rests when descriptors run out (net::Acceptor), at most
// kMaxPerAddress connections from one address and kMaxConnections in all (more are
// closed at once), kMaxRequestBytes and kTimeoutMs for a request. Lives in one
// thread.
class DescriptionServer : public QObject
{
    Q_OBJECT
public:
    static constexpr const char *kPath = "/description.xml";
    static constexpr int kMaxPerAddress = 8;
    static constexpr int kMaxConnections = 128;
    static constexpr int kMaxRequestBytes = 8192;
    static constexpr int kTimeoutMs = 5000;

    explicit DescriptionServer(QByteArray description, QObject *parent = nullptr);
    ~DescriptionServer() override;

    Result<void> start(quint16 port);
    quint16 serverPort() const { return m_acceptor.port(); }
    int openConnections() const { return m_open; }
    qint64 refused() const { return m_refused; }

private:
    void accepted(int fd, const QHostAddress &peer);
    QByteArray answer(const QByteArray &head) const;

    QByteArray m_description;
    net::Acceptor m_acceptor;
    QHash<QHostAddress, int> m_perAddress;
    int m_open = 0;
    qint64 m_refused = 0;
};

} // namespace occ::connector
