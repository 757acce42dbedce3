// Fuzzes OCCP/1 frame decoding and message decoding together: the input is fed to
// the incremental decoder in chunks whose sizes come from the input itself, every
// frame is decoded as a message, and a decoded message must survive re-encoding.
#include "protocol/frame.h"
#include "protocol/messages.h"

#include <cstdint>
#include <cstdlib>

using namespace occ::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    // The first byte picks the chunk size (1..256); the rest is the stream.
    const size_t chunk = size_t(data[0]) + 1;
    const char *stream = reinterpret_cast<const char *>(data + 1);
    const size_t length = size - 1;

    FrameDecoder decoder;
    for (size_t offset = 0; offset < length; offset += chunk) {
        decoder.feed(QByteArrayView(stream + offset, qsizetype(std::min(chunk, length - offset))));
        while (std::optional<QCborMap> map = decoder.next()) {
            FrameError code = FrameError::BadCbor;
            occ::Result<Message> message = decode(*map, &code);
            if (!message)
                continue;
            // Round trip: what we accept we must be able to send back unchanged.
            const QByteArray again = encode(*message);
            if (again.isEmpty())
                continue; // larger than a frame once re-encoded (e.g. float widening)
            FrameDecoder second;
            second.feed(again);
            std::optional<QCborMap> reparsed = second.next();
            if (!reparsed)
                abort();
            occ::Result<Message> decodedAgain = decode(*reparsed);
            if (!decodedAgain || !(*decodedAgain == *message))
                abort();
        }
        if (decoder.failure())
            break;
    }
    return 0;
}
