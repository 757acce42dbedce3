// libFuzzer: the cloud's HTTP/1.1 request parser on arbitrary bytes, fed in the
// pieces a slow or hostile client would send. It must never crash, never accept a
// head or body over its limits, and always end in a defined state.
#include "http/httpparser.h"

#include <cstdint>
#include <cstdlib>

using namespace occ::cloud::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    HttpLimits limits;
    limits.maxHeaderBytes = 2048;
    limits.maxHeaders = 16;
    limits.maxBodyBytes = 4096;
    limits.maxAnonymousBodyBytes = 1024;
    HttpParser parser(limits);
    parser.setAuthenticated(size > 0 && data[0] & 1);
    QByteArray buffer;
    size_t at = 0;
    int requests = 0;
    while (at < size) {
        // The first byte of each piece picks its length.
        const size_t piece = qMin<size_t>(size - at, size_t(data[at] % 64) + 1);
        buffer.append(reinterpret_cast<const char *>(data + at), qsizetype(piece));
        at += piece;
        HttpParser::State state = parser.parse(buffer);
        while (state == HttpParser::State::Complete) {
            const HttpRequest request = parser.takeRequest();
            if (request.body.size() > limits.maxBodyBytes || request.method.isEmpty() ||
                !request.path.startsWith('/'))
                std::abort();
            ++requests;
            state = parser.parse(buffer);
        }
        if (state == HttpParser::State::Error) {
            if (parser.status() < 400 || parser.status() > 505 || parser.message().isEmpty())
                std::abort();
            break;
        }
        if (state == HttpParser::State::Head && buffer.size() > limits.maxHeaderBytes + 4 + 64)
            std::abort(); // a head over the limit must have been refused
    }
    return requests >= 0 ? 0 : 1;
}
