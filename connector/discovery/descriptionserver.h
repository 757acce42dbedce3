#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QTcpServer>

namespace occ::connector {

// The plain-HTTP server of the UPnP device description (UPnP requires HTTP here;
// the document holds nothing secret). Answers GET /description.xml and nothing
// else; slow or oversized requests are cut off.
class DescriptionServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit DescriptionServer(QByteArray description, QObject *parent = nullptr);
    Result<void> start(quint16 port);
    static constexpr const char *kPath = "/description.xml";

private:
    void serve();

    QByteArray m_description;
};

} // namespace occ::connector
