#pragma once

#include "core/result.h"

#include <KDSoapClient/KDSoapValue.h>
#include <QByteArray>

namespace occ::cloud {

struct SoapReaderLimits
{
    int maxDepth = 32;
    int maxElements = 2'000'000;
};

// Reads a SOAP 1.1 request into the KDSoapValue tree that kdwsdl2cpp's
// deserialize() functions take: the one element inside <Body>, with its children.
// Stricter than KDSoap's own reader, and it always answers:
//  - not well-formed or truncated XML: an error naming line, column and cause;
//  - any DTD is refused, so no entity (external or expanding) is ever resolved;
//  - depth and element count are bounded;
//  - typed leaf elements (integers, numbers, booleans, enumerations of the WSDL)
//    must hold a valid value, instead of silently becoming 0 or the first
//    enumerator.
Result<KDSoapValue> readSoapRequest(const QByteArray &xml, const SoapReaderLimits &limits = {});

// The XML of a SOAP 1.1 envelope around one body element.
QByteArray soapEnvelope(const KDSoapValue &bodyElement, const QString &messageNamespace);
QByteArray soapFaultEnvelope(const QString &code, const QString &message);

} // namespace occ::cloud
