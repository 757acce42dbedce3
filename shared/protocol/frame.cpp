#include "frame.h"

#include <QCborStreamReader>
#include <QCborValue>
#include <QtEndian>

namespace occ::protocol {

QString frameErrorCode(FrameError error)
{
    switch (error) {
    case FrameError::TooLarge:
        return QStringLiteral("frame-too-large");
    case FrameError::Empty:
        return QStringLiteral("frame-empty");
    case FrameError::BadCbor:
        return QStringLiteral("bad-cbor");
    case FrameError::NotAMap:
        return QStringLiteral("not-a-map");
    case FrameError::MissingType:
        return QStringLiteral("missing-type");
    case FrameError::UnknownType:
        return QStringLiteral("unknown-type");
    case FrameError::BadField:
        return QStringLiteral("bad-field");
    }
    return QStringLiteral("bad-frame");
}

QByteArray encodeFrame(const QCborMap &map)
{
    const QByteArray payload = map.toCborValue().toCbor();
    if (payload.isEmpty() || payload.size() > kMaxFramePayload)
        return {};
    QByteArray frame(kFrameHeaderSize, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(payload.size()), frame.data());
    frame += payload;
    return frame;
}

Result<QCborMap> decodePayload(QByteArrayView payload, FrameError *code)
{
    auto failWith = [code](FrameError c, QString message) {
        if (code)
            *code = c;
        return fail(ErrorCategory::Protocol, std::move(message));
    };
    const QByteArray bytes = QByteArray::fromRawData(payload.data(), payload.size());
    QCborStreamReader reader(bytes);
    const QCborValue value = QCborValue::fromCbor(reader);
    if (reader.lastError() != QCborError::NoError)
        return failWith(FrameError::BadCbor, QStringLiteral("invalid CBOR at offset %1: %2")
                                                 .arg(reader.currentOffset())
                                                 .arg(reader.lastError().toString()));
    if (reader.currentOffset() != bytes.size())
        return failWith(FrameError::BadCbor, QStringLiteral("%1 trailing bytes after the CBOR item")
                                                 .arg(bytes.size() - reader.currentOffset()));
    if (!value.isMap())
        return failWith(FrameError::NotAMap, QStringLiteral("frame payload is not a CBOR map"));
    return value.toMap();
}

void FrameDecoder::feed(QByteArrayView bytes)
{
    if (m_failure || bytes.isEmpty())
        return;
    // Compact lazily: drop consumed bytes once they are the larger part.
    if (m_offset > 0 && m_offset * 2 >= m_buffer.size()) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes.data(), bytes.size());
}

void FrameDecoder::setFailure(FrameError code, QString message)
{
    m_failure = FrameFailure{code, std::move(message)};
    m_buffer.clear();
    m_offset = 0;
}

std::optional<QCborMap> FrameDecoder::next()
{
    if (m_failure || buffered() < kFrameHeaderSize)
        return std::nullopt;
    const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + m_offset);
    if (length == 0) {
        setFailure(FrameError::Empty, QStringLiteral("empty frame (length 0)"));
        return std::nullopt;
    }
    if (length > kMaxFramePayload) {
        setFailure(FrameError::TooLarge, QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes")
                                             .arg(length)
                                             .arg(kMaxFramePayload));
        return std::nullopt;
    }
    if (buffered() < kFrameHeaderSize + qint64(length))
        return std::nullopt;
    const QByteArrayView payload(m_buffer.constData() + m_offset + kFrameHeaderSize, qsizetype(length));
    FrameError code = FrameError::BadCbor;
    Result<QCborMap> map = decodePayload(payload, &code);
    if (!map) {
        setFailure(code, map.error().message);
        return std::nullopt;
    }
    m_offset += kFrameHeaderSize + length;
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    }
    return std::move(map).value();
}

} // namespace occ::protocol
