#include "devicedescription.h"

#include "ssdp/ssdpmessage.h"

#include <QXmlStreamReader>
#include <QXmlStreamWriter>

namespace occ::ssdp {

namespace {
const QString kDeviceNamespace = QStringLiteral("urn:schemas-upnp-org:device-1-0");
} // namespace

QByteArray buildDescription(const ConnectorDescription &d, const QString &version)
{
    QByteArray xml;
    QXmlStreamWriter w(&xml);
    w.setAutoFormatting(true);
    w.writeStartDocument();
    w.writeDefaultNamespace(kDeviceNamespace);
    w.writeNamespace(QLatin1StringView(kExtensionNamespace), QStringLiteral("occ"));
    w.writeStartElement(kDeviceNamespace, QStringLiteral("root"));
    w.writeAttribute(QStringLiteral("configId"), QStringLiteral("1"));
    w.writeStartElement(kDeviceNamespace, QStringLiteral("specVersion"));
    w.writeTextElement(kDeviceNamespace, QStringLiteral("major"), QStringLiteral("2"));
    w.writeTextElement(kDeviceNamespace, QStringLiteral("minor"), QStringLiteral("0"));
    w.writeEndElement();
    w.writeStartElement(kDeviceNamespace, QStringLiteral("device"));
    w.writeTextElement(kDeviceNamespace, QStringLiteral("deviceType"), QLatin1StringView(kDeviceType));
    w.writeTextElement(kDeviceNamespace, QStringLiteral("friendlyName"), d.friendlyName);
    w.writeTextElement(kDeviceNamespace, QStringLiteral("manufacturer"), QStringLiteral("OCC project"));
    w.writeTextElement(kDeviceNamespace, QStringLiteral("modelName"), QStringLiteral("OCC Connector"));
    w.writeTextElement(kDeviceNamespace, QStringLiteral("modelNumber"), version);
    w.writeTextElement(kDeviceNamespace, QStringLiteral("UDN"), QStringLiteral("uuid:") + d.connectorId);
    const QString ext = QLatin1StringView(kExtensionNamespace);
    w.writeStartElement(ext, QStringLiteral("connector"));
    w.writeTextElement(ext, QStringLiteral("customerId"), d.customerId);
    w.writeTextElement(ext, QStringLiteral("hostname"), d.hostname);
    w.writeTextElement(ext, QStringLiteral("tlsPort"), QString::number(d.tlsPort));
    w.writeTextElement(ext, QStringLiteral("protocolVersion"), QString::number(d.protocolVersion));
    w.writeTextElement(ext, QStringLiteral("fingerprint"), QString::fromLatin1(d.fingerprint));
    w.writeEndElement(); // occ:connector
    w.writeEndElement(); // device
    w.writeEndElement(); // root
    w.writeEndDocument();
    return xml;
}

Result<ConnectorDescription> parseDescription(QByteArrayView xml)
{
    if (xml.size() > kMaxDescription)
        return fail(ErrorCategory::Input,
                    QStringLiteral("device description larger than %1 bytes").arg(kMaxDescription));
    QXmlStreamReader reader(xml.toByteArray());
    ConnectorDescription d;
    QString deviceType;
    QString udn;
    bool haveExtension = false;
    bool portOk = false;
    bool versionOk = false;
    int depth = 0;
    while (!reader.atEnd()) {
        const QXmlStreamReader::TokenType token = reader.readNext();
        if (token == QXmlStreamReader::DTD || token == QXmlStreamReader::EntityReference) {
            reader.raiseError(QStringLiteral("DTDs and entities are not accepted"));
            break;
        }
        if (token == QXmlStreamReader::EndElement) {
            --depth;
            continue;
        }
        if (token != QXmlStreamReader::StartElement)
            continue;
        if (++depth > 16) {
            reader.raiseError(QStringLiteral("nested too deeply"));
            break;
        }
        const QStringView ns = reader.namespaceUri();
        const QStringView name = reader.name();
        if (ns == kDeviceNamespace) {
            if (name == QLatin1StringView("deviceType")) {
                deviceType = reader.readElementText().trimmed();
                --depth;
            } else if (name == QLatin1StringView("UDN") &&
                       udn.isEmpty()) { // the root device's, not embedded ones
                udn = reader.readElementText().trimmed();
                --depth;
            } else if (name == QLatin1StringView("friendlyName") && d.friendlyName.isEmpty()) {
                d.friendlyName = reader.readElementText().trimmed().left(128);
                --depth;
            }
        } else if (ns == QLatin1StringView(kExtensionNamespace)) {
            if (name == QLatin1StringView("connector")) {
                haveExtension = true;
            } else {
                const QString value = reader.readElementText().trimmed();
                --depth;
                if (name == QLatin1StringView("customerId"))
                    d.customerId = value.left(128);
                else if (name == QLatin1StringView("hostname"))
                    d.hostname = value.left(255);
                else if (name == QLatin1StringView("tlsPort")) {
                    const uint port = value.toUInt(&portOk);
                    portOk = portOk && port <= 65535;
                    d.tlsPort = portOk ? quint16(port) : 0;
                } else if (name == QLatin1StringView("protocolVersion"))
                    d.protocolVersion = value.toInt(&versionOk);
                else if (name == QLatin1StringView("fingerprint"))
                    d.fingerprint = value.toLatin1().toLower().left(64);
            }
        }
    }
    if (reader.hasError())
        return fail(ErrorCategory::Input, QStringLiteral("malformed device description at line %1: %2")
                                              .arg(reader.lineNumber())
                                              .arg(reader.errorString()));
    if (deviceType != QLatin1StringView(kDeviceType))
        return fail(ErrorCategory::Input,
                    QStringLiteral("device type '%1' is not an OCC connector").arg(deviceType.left(80)));
    if (!udn.startsWith(QLatin1StringView("uuid:")) || udn.size() < 6)
        return fail(ErrorCategory::Input, QStringLiteral("the description has no UDN"));
    d.connectorId = udn.mid(5).left(64);
    if (!haveExtension || d.customerId.isEmpty() || !portOk || d.tlsPort == 0 || !versionOk)
        return fail(ErrorCategory::Input, QStringLiteral("the description lacks the OCC connector element"));
    return d;
}

} // namespace occ::ssdp
