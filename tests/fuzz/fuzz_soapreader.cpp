// Fuzzes the cloud's SOAP request reader: any bytes must produce either a request
// tree or an error, never a crash, hang or unbounded recursion.
#include "soap/soapreader.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray xml(reinterpret_cast<const char *>(data), qsizetype(size));
    occ::cloud::SoapReaderLimits limits;
    limits.maxElements = 20000;
    occ::Result<KDSoapValue> request = occ::cloud::readSoapRequest(xml, limits);
    if (request) {
        // Whatever is accepted must serialise again.
        const QByteArray again =
            occ::cloud::soapEnvelope(*request, QStringLiteral("urn:occ-project-org:cloud:1"));
        if (again.isEmpty())
            __builtin_trap();
    }
    return 0;
}
