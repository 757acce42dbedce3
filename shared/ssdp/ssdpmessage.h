#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>

namespace occ::ssdp {

inline constexpr const char *kDeviceType = "urn:occ-project-org:device:Connector:1";
inline constexpr qsizetype kMaxDatagram = 8192;

// One SSDP datagram (HTTP over UDP, UPnP Device Architecture 2.0 §1).
struct SsdpMessage
{
    enum class Kind
    {
        Search,   // M-SEARCH * HTTP/1.1
        Notify,   // NOTIFY * HTTP/1.1
        Response, // HTTP/1.1 200 OK
    };
    Kind kind = Kind::Search;
    QList<QPair<QByteArray, QByteArray>> headers; // names upper-cased, in order

    // The value of a header (case-insensitive name), empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
};

// Strict parser for untrusted datagrams: bounded size and header count, a known
// start line, "Name: value" lines. Fuzzed (tests/fuzz/fuzz_ssdp.cpp).
Result<SsdpMessage> parseSsdp(QByteArrayView datagram);

// What a control point sends: M-SEARCH for st with MX seconds.
QByteArray buildSearch(const QByteArray &hostHeader, const QByteArray &st, int mx,
                       const QByteArray &userAgent);

// A device's unicast answer to an M-SEARCH.
struct Announcement
{
    QByteArray location; // URL of the description
    QByteArray server;   // "OS/version UPnP/1.1 product/version"
    QByteArray usn;      // uuid:ID or uuid:ID::TYPE
    QByteArray target;   // ST (response) or NT (notify)
    int maxAge = 1800;
    qint64 bootId = 1;
    qint64 configId = 1;
};
QByteArray buildResponse(const Announcement &announcement);
// NOTIFY ssdp:alive or ssdp:byebye (alive=false) to the multicast group.
QByteArray buildNotify(const QByteArray &hostHeader, const Announcement &announcement, bool alive);

// Does an M-SEARCH target (ST) select a device with this UDN and type?
bool searchMatches(const QByteArray &st, const QByteArray &udn, const QByteArray &deviceType);

} // namespace occ::ssdp
