// Fuzzes the UPnP device description parser: a hub fetches this XML from whatever
// answered its M-SEARCH.
#include "ssdp/devicedescription.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    occ::Result<occ::ssdp::ConnectorDescription> description =
        occ::ssdp::parseDescription(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (description && description->tlsPort == 0)
        __builtin_trap(); // accepted descriptions always carry a port
    return 0;
}
