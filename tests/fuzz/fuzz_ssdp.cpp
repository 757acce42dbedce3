// Fuzzes the SSDP datagram parser (connector: M-SEARCH from anyone on the LAN;
// hub: answers from anyone on the LAN).
#include "ssdp/ssdpmessage.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    occ::Result<occ::ssdp::SsdpMessage> message =
        occ::ssdp::parseSsdp(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (message) {
        (void)message->header("ST");
        (void)occ::ssdp::searchMatches(message->header("ST"), "uuid:x", occ::ssdp::kDeviceType);
    }
    return 0;
}
