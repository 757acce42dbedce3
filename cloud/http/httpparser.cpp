#include "httpparser.h"

namespace occ::cloud::http {

namespace {

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

bool isFieldValue(QByteArrayView text)
{
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

} // namespace

HttpParser::State HttpParser::error(int status, const QString &message)
{
    m_state = State::Error;
    m_status = status;
    m_message = message;
    return m_state;
}

HttpParser::State HttpParser::parse(QByteArray &buffer)
{
    if (m_state == State::Head)
        parseHead(buffer);
    if (m_state == State::Body) {
        const qint64 missing = m_contentLength - m_request.body.size();
        const qsizetype take = qsizetype(qMin<qint64>(missing, buffer.size()));
        m_request.body += QByteArrayView(buffer).first(take);
        buffer.remove(0, take);
        if (m_request.body.size() == m_contentLength)
            m_state = State::Complete;
    }
    return m_state;
}

HttpParser::State HttpParser::parseHead(QByteArray &buffer)
{
    // Leading empty lines before a request are allowed (RFC 9112 2.2).
    while (buffer.startsWith("\r\n"))
        buffer.remove(0, 2);
    const qsizetype end = QByteArrayView(buffer)
                              .first(qMin<qsizetype>(buffer.size(), m_limits.maxHeaderBytes + 4))
                              .indexOf("\r\n\r\n");
    if (end < 0) {
        if (buffer.size() > m_limits.maxHeaderBytes)
            return error(431,
                         QStringLiteral("request head larger than %1 bytes").arg(m_limits.maxHeaderBytes));
        return m_state;
    }
    const QByteArray head = buffer.left(end + 2); // every line with its CRLF
    buffer.remove(0, end + 4);
    QList<QByteArray> lines = head.split('\n');
    lines.removeLast(); // after the last CRLF
    m_request = HttpRequest();
    // Request line: METHOD SP target SP HTTP/1.x
    if (!lines.first().endsWith('\r'))
        return error(400, QStringLiteral("lines must end with CRLF"));
    const QByteArray requestLine = lines.first().chopped(1);
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty())
        return error(400, QStringLiteral("malformed request line"));
    if (parts.at(2) != "HTTP/1.1" && parts.at(2) != "HTTP/1.0")
        return error(505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are spoken here"));
    m_request.method = parts.at(0);
    m_request.target = parts.at(1);
    m_request.minorVersion = parts.at(2).endsWith('1') ? 1 : 0;
    if (!m_request.target.startsWith('/'))
        return error(400, QStringLiteral("the request target must be a path"));
    for (const char c : m_request.target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return error(400, QStringLiteral("malformed request target"));
    }
    const qsizetype question = m_request.target.indexOf('?');
    m_request.path = question < 0 ? m_request.target : m_request.target.left(question);
    m_request.query = question < 0 ? QByteArray() : m_request.target.mid(question + 1);
    if (lines.size() - 1 > m_limits.maxHeaders)
        return error(431, QStringLiteral("more than %1 header fields").arg(m_limits.maxHeaders));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (!line.endsWith('\r'))
            return error(400, QStringLiteral("header lines must end with CRLF"));
        line.chop(1);
        if (line.startsWith(' ') || line.startsWith('\t'))
            return error(400, QStringLiteral("folded header lines are not accepted"));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(QByteArrayView(line).first(colon)))
            return error(400, QStringLiteral("malformed header field"));
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (!isFieldValue(value))
            return error(400, QStringLiteral("control characters in a header field"));
        m_request.headers.append({line.left(colon).toLower(), value});
    }
    // Request smuggling shapes: two Host fields (RFC 9112 §3.2), any Transfer-Encoding
    // (even an empty one), differing Content-Length values (below).
    qsizetype hosts = 0;
    bool transferEncoding = false;
    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        hosts += name == "host" ? 1 : 0;
        transferEncoding = transferEncoding || name == "transfer-encoding";
    }
    if (hosts > 1)
        return error(400, QStringLiteral("more than one Host header"));
    if (m_request.minorVersion == 1 && m_request.header("host").isEmpty())
        return error(400, QStringLiteral("HTTP/1.1 requests need a Host header"));
    if (transferEncoding)
        return error(
            411, QStringLiteral("Transfer-Encoding is not accepted; send the body with a Content-Length"));
    // Content-Length: digits only, and one value.
    QByteArray length;
    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        if (name != "content-length")
            continue;
        if (!length.isNull() && length != value)
            return error(400, QStringLiteral("conflicting Content-Length headers"));
        length = value;
    }
    const bool hasBody = m_request.method == "POST" || m_request.method == "PUT";
    m_contentLength = 0;
    if (!length.isNull()) {
        bool ok = !length.isEmpty() && length.size() <= 18;
        for (const char c : std::as_const(length))
            ok = ok && c >= '0' && c <= '9';
        if (!ok)
            return error(400, QStringLiteral("Content-Length must be a number"));
        m_contentLength = length.toLongLong();
    } else if (hasBody) {
        return error(
            411,
            QStringLiteral("a %1 request needs a Content-Length").arg(QString::fromLatin1(m_request.method)));
    }
    const qint64 limit = m_authenticated ? m_limits.maxBodyBytes : m_limits.maxAnonymousBodyBytes;
    if (m_contentLength > limit) {
        if (m_request.header("expect").toLower() != "100-continue")
            m_refusedBodyBytes = m_contentLength;
        return error(413, QStringLiteral("request body of %1 bytes exceeds the limit of %2 bytes%3")
                              .arg(m_contentLength)
                              .arg(limit)
                              .arg(m_authenticated
                                       ? QString()
                                       : QStringLiteral(" for a caller without a client certificate")));
    }
    m_continue = m_request.header("expect").toLower() == "100-continue";
    m_request.body.reserve(qsizetype(m_contentLength));
    m_state = m_contentLength > 0 ? State::Body : State::Complete;
    return m_state;
}

bool HttpParser::wantsContinue()
{
    return m_state == State::Body && std::exchange(m_continue, false);
}

HttpRequest HttpParser::takeRequest()
{
    m_state = State::Head;
    m_contentLength = 0;
    m_continue = false;
    return std::exchange(m_request, HttpRequest());
}

} // namespace occ::cloud::http
