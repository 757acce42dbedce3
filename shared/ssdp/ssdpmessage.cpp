#include "ssdpmessage.h"

#include <QDateTime>
#include <QLocale>

namespace occ::ssdp {

namespace {
constexpr int kMaxHeaders = 64;
} // namespace

QByteArray SsdpMessage::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool SsdpMessage::hasHeader(QByteArrayView name) const
{
    for (const auto &entry : headers) {
        if (entry.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

Result<SsdpMessage> parseSsdp(QByteArrayView datagram)
{
    if (datagram.size() > kMaxDatagram)
        return fail(ErrorCategory::Input,
                    QStringLiteral("SSDP datagram of %1 bytes is too large").arg(datagram.size()));
    const QByteArray text = datagram.toByteArray();
    const qsizetype headerEnd = text.indexOf("\r\n\r\n");
    QList<QByteArray> lines = (headerEnd >= 0 ? text.left(headerEnd) : text).split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return fail(ErrorCategory::Input, QStringLiteral("empty SSDP datagram"));
    SsdpMessage message;
    const QByteArray start = lines.takeFirst().trimmed();
    if (start == "M-SEARCH * HTTP/1.1")
        message.kind = SsdpMessage::Kind::Search;
    else if (start == "NOTIFY * HTTP/1.1")
        message.kind = SsdpMessage::Kind::Notify;
    else if (start.startsWith("HTTP/1.1 200") || start.startsWith("HTTP/1.0 200"))
        message.kind = SsdpMessage::Kind::Response;
    else
        return fail(ErrorCategory::Input, QStringLiteral("not an SSDP start line: '%1'")
                                              .arg(QString::fromLatin1(start.left(40)).toHtmlEscaped()));
    if (lines.size() > kMaxHeaders)
        return fail(ErrorCategory::Input, QStringLiteral("more than %1 SSDP headers").arg(kMaxHeaders));
    for (const QByteArray &line : std::as_const(lines)) {
        if (line.isEmpty())
            break;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(ErrorCategory::Input, QStringLiteral("malformed SSDP header line"));
        const QByteArray name = line.left(colon).trimmed().toUpper();
        for (char c : name) {
            if (c <= ' ' || c >= 127)
                return fail(ErrorCategory::Input, QStringLiteral("malformed SSDP header name"));
        }
        message.headers.append({name, line.mid(colon + 1).trimmed()});
    }
    return message;
}

QByteArray buildSearch(const QByteArray &hostHeader, const QByteArray &st, int mx,
                       const QByteArray &userAgent)
{
    return "M-SEARCH * HTTP/1.1\r\n"
           "HOST: " +
           hostHeader +
           "\r\n"
           "MAN: \"ssdp:discover\"\r\n"
           "MX: " +
           QByteArray::number(mx) +
           "\r\n"
           "ST: " +
           st +
           "\r\n"
           "USER-AGENT: " +
           userAgent + "\r\n\r\n";
}

namespace {

QByteArray httpDate()
{
    return QLocale::c()
        .toString(QDateTime::currentDateTimeUtc(), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
        .toLatin1();
}

QByteArray commonHeaders(const Announcement &a)
{
    return "LOCATION: " + a.location +
           "\r\n"
           "SERVER: " +
           a.server +
           "\r\n"
           "USN: " +
           a.usn +
           "\r\n"
           "BOOTID.UPNP.ORG: " +
           QByteArray::number(a.bootId) +
           "\r\n"
           "CONFIGID.UPNP.ORG: " +
           QByteArray::number(a.configId) + "\r\n";
}

} // namespace

QByteArray buildResponse(const Announcement &a)
{
    return "HTTP/1.1 200 OK\r\n"
           "CACHE-CONTROL: max-age=" +
           QByteArray::number(a.maxAge) +
           "\r\n"
           "DATE: " +
           httpDate() +
           "\r\n"
           "EXT:\r\n" +
           commonHeaders(a) + "ST: " + a.target + "\r\n\r\n";
}

QByteArray buildNotify(const QByteArray &hostHeader, const Announcement &a, bool alive)
{
    QByteArray message = "NOTIFY * HTTP/1.1\r\n"
                         "HOST: " +
                         hostHeader +
                         "\r\n"
                         "NT: " +
                         a.target +
                         "\r\n"
                         "NTS: " +
                         (alive ? QByteArray("ssdp:alive") : QByteArray("ssdp:byebye")) +
                         "\r\n"
                         "USN: " +
                         a.usn +
                         "\r\n"
                         "BOOTID.UPNP.ORG: " +
                         QByteArray::number(a.bootId) +
                         "\r\n"
                         "CONFIGID.UPNP.ORG: " +
                         QByteArray::number(a.configId) + "\r\n";
    if (alive)
        message += "CACHE-CONTROL: max-age=" + QByteArray::number(a.maxAge) +
                   "\r\n"
                   "LOCATION: " +
                   a.location +
                   "\r\n"
                   "SERVER: " +
                   a.server + "\r\n";
    return message + "\r\n";
}

bool searchMatches(const QByteArray &st, const QByteArray &udn, const QByteArray &deviceType)
{
    return st == "ssdp:all" || st == "upnp:rootdevice" || st == udn || st == deviceType;
}

} // namespace occ::ssdp
