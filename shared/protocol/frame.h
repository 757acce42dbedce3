#pragma once

#include "core/result.h"

#include <optional>
#include <QByteArray>
#include <QCborMap>

namespace occ::protocol {

// OCCP/1 framing: a 4-byte big-endian length N (1 <= N <= 1 MiB) followed by N
// bytes of CBOR holding exactly one map.
inline constexpr qint64 kFrameHeaderSize = 4;
inline constexpr qint64 kMaxFramePayload = 1024 * 1024;

enum class FrameError
{
    TooLarge,    // announced length above kMaxFramePayload
    Empty,       // announced length 0
    BadCbor,     // payload is not one well-formed CBOR item
    NotAMap,     // payload is CBOR but not a map
    MissingType, // map without a text "t"
    UnknownType, // "t" names no OCCP/1 message
    BadField,    // a known message with a missing or mistyped field
};

// The stable wire name of an error ("frame-too-large", ...), used in error frames.
QString frameErrorCode(FrameError error);

struct FrameFailure
{
    FrameError code;
    QString message;
    Error toError() const { return fail(ErrorCategory::Protocol, message); }
};

// Serialises one map into a frame. Returns an empty array when the map would
// exceed the frame limit (callers split batches before that happens).
QByteArray encodeFrame(const QCborMap &map);

// Incremental decoder: accepts bytes in any chunking and yields complete frames.
// After the first error it stays failed; the session must end.
class FrameDecoder
{
public:
    void feed(QByteArrayView bytes);

    // The next complete frame's map, nothing when more bytes are needed or after an
    // error (check failure()).
    std::optional<QCborMap> next();

    const std::optional<FrameFailure> &failure() const { return m_failure; }
    // Bytes buffered but not yet returned as frames.
    qint64 buffered() const { return m_buffer.size() - m_offset; }

private:
    void setFailure(FrameError code, QString message);

    QByteArray m_buffer;
    qint64 m_offset = 0;
    std::optional<FrameFailure> m_failure;
};

// Decodes one payload (without the length prefix) into a map; used by the
// decoder and by the fuzzer.
Result<QCborMap> decodePayload(QByteArrayView payload, FrameError *code = nullptr);

} // namespace occ::protocol
