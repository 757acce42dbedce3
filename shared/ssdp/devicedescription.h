#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

namespace occ::ssdp {

inline constexpr const char *kExtensionNamespace = "urn:occ-project-org:connector:1";
inline constexpr qsizetype kMaxDescription = 64 * 1024;

// What a hub learns from a connector's UPnP device description: the standard
// fields plus the OCC extension element (ARCHITECTURE §4). Nothing secret: the
// fingerprint only lets a hub recognise the connector; TLS proves it.
struct ConnectorDescription
{
    QString connectorId; // from UDN uuid:ID
    QString friendlyName;
    QString customerId;
    QString hostname;
    quint16 tlsPort = 0;
    int protocolVersion = 1;
    QByteArray fingerprint; // SHA-256 hex
    bool operator==(const ConnectorDescription &) const = default;
};

QByteArray buildDescription(const ConnectorDescription &description, const QString &version);
// Parses an untrusted description (size-bounded, no DTDs); fuzzed.
Result<ConnectorDescription> parseDescription(QByteArrayView xml);

} // namespace occ::ssdp
