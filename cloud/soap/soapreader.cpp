#include "soapreader.h"

#include <cmath>
#include <QHash>
#include <QRegularExpression>
#include <QXmlStreamReader>

namespace occ::cloud {
namespace {

const QString kSoapEnvelope = QStringLiteral("http://schemas.xmlsoap.org/soap/envelope/");

enum class Lexical
{
    Integer,
    Number,
    Boolean,
    Status,
    Path,
    Role,
};

// Leaf elements of the WSDL whose text has a type; names mean the same thing
// wherever they occur in a request.
const QHash<QString, Lexical> &typedElements()
{
    static const QHash<QString, Lexical> table{
        {QStringLiteral("seq"), Lexical::Integer},        {QStringLiteral("ts"), Lexical::Integer},
        {QStringLiteral("queueDepth"), Lexical::Integer}, {QStringLiteral("dropped"), Lexical::Integer},
        {QStringLiteral("port"), Lexical::Integer},       {QStringLiteral("waitSeconds"), Lexical::Integer},
        {QStringLiteral("expires"), Lexical::Integer},    {QStringLiteral("number"), Lexical::Number},
        {QStringLiteral("ok"), Lexical::Boolean},         {QStringLiteral("status"), Lexical::Status},
        {QStringLiteral("path"), Lexical::Path},          {QStringLiteral("role"), Lexical::Role},
    };
    return table;
}

Result<void> checkLexical(const QString &name, const QString &text)
{
    const auto it = typedElements().constFind(name);
    if (it == typedElements().cend())
        return {};
    const QString value = text.trimmed();
    bool ok = false;
    QStringList allowed;
    switch (it.value()) {
    case Lexical::Integer:
        value.toLongLong(&ok);
        break;
    case Lexical::Number:
        ok = std::isfinite(value.toDouble(&ok)) && ok;
        break;
    case Lexical::Boolean:
        allowed = {QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("1"), QStringLiteral("0")};
        break;
    case Lexical::Status:
        allowed = {QStringLiteral("ok"), QStringLiteral("warn"), QStringLiteral("error"),
                   QStringLiteral("unknown")};
        break;
    case Lexical::Path:
        allowed = {QStringLiteral("ConnectorLan"), QStringLiteral("ConnectorVpn"),
                   QStringLiteral("DirectCloud")};
        break;
    case Lexical::Role:
        allowed = {QStringLiteral("hub"), QStringLiteral("connector")};
        break;
    }
    if (!allowed.isEmpty())
        ok = allowed.contains(value);
    if (ok)
        return {};
    const QString expected = it.value() == Lexical::Integer ? QStringLiteral("an integer")
                             : it.value() == Lexical::Number
                                 ? QStringLiteral("a finite number")
                                 : QStringLiteral("one of ") + allowed.join(QStringLiteral(", "));
    return fail(ErrorCategory::Input,
                QStringLiteral("element '%1' must be %2, got '%3'").arg(name, expected, value.left(40)));
}

class Reader
{
public:
    Reader(const QByteArray &xml, const SoapReaderLimits &limits)
        : m_xml(xml)
        , m_limits(limits)
    {}

    Result<KDSoapValue> read()
    {
        if (!nextElement())
            return error(QStringLiteral("no root element"));
        if (m_xml.name() != QLatin1StringView("Envelope") || m_xml.namespaceUri() != kSoapEnvelope)
            return fail(
                ErrorCategory::Input,
                QStringLiteral("the root element must be a SOAP 1.1 Envelope (%1)").arg(kSoapEnvelope));
        std::optional<KDSoapValue> body;
        while (nextElement()) {
            if (m_xml.namespaceUri() != kSoapEnvelope)
                return fail(ErrorCategory::Input, QStringLiteral("unexpected element '%1' in the Envelope")
                                                      .arg(m_xml.name().toString().left(64)));
            if (m_xml.name() == QLatin1StringView("Header")) {
                m_xml.skipCurrentElement();
                continue;
            }
            if (m_xml.name() != QLatin1StringView("Body"))
                return fail(ErrorCategory::Input, QStringLiteral("unexpected element '%1' in the Envelope")
                                                      .arg(m_xml.name().toString().left(64)));
            if (!nextElement())
                return m_xml.hasError() ? error(QString())
                                        : fail(ErrorCategory::Input, QStringLiteral("the Body is empty"));
            Result<KDSoapValue> operation = element(1);
            if (!operation)
                return operation;
            body = *operation;
            if (nextElement())
                return fail(ErrorCategory::Input, QStringLiteral("the Body must hold exactly one element"));
            break;
        }
        while (!m_xml.atEnd())
            advance();
        if (m_xml.hasError())
            return error(QString());
        if (!body)
            return fail(ErrorCategory::Input, QStringLiteral("the Envelope has no Body"));
        return *body;
    }

private:
    // Moves to the next start element of the current level; false at its end.
    bool nextElement()
    {
        while (!m_xml.atEnd()) {
            switch (advance()) {
            case QXmlStreamReader::StartElement:
                return true;
            case QXmlStreamReader::EndElement:
                return false;
            default:
                break;
            }
        }
        return false;
    }

    QXmlStreamReader::TokenType advance()
    {
        const QXmlStreamReader::TokenType token = m_xml.readNext();
        if (token == QXmlStreamReader::DTD)
            m_xml.raiseError(QStringLiteral("DTDs are not accepted"));
        else if (token == QXmlStreamReader::EntityReference)
            m_xml.raiseError(QStringLiteral("entity references are not accepted"));
        return m_xml.hasError() ? QXmlStreamReader::Invalid : token;
    }

    Result<KDSoapValue> element(int depth)
    {
        if (depth > m_limits.maxDepth)
            return fail(ErrorCategory::Input,
                        QStringLiteral("elements nested deeper than %1").arg(m_limits.maxDepth));
        if (++m_elements > m_limits.maxElements)
            return fail(ErrorCategory::Input,
                        QStringLiteral("more than %1 elements").arg(m_limits.maxElements));
        const QString name = m_xml.name().toString();
        const QString ns = m_xml.namespaceUri().toString();
        KDSoapValueList children;
        QString text;
        while (!m_xml.atEnd()) {
            const QXmlStreamReader::TokenType token = advance();
            if (token == QXmlStreamReader::StartElement) {
                Result<KDSoapValue> child = element(depth + 1);
                if (!child)
                    return child;
                children.append(*child);
            } else if (token == QXmlStreamReader::Characters) {
                text += m_xml.text();
            } else if (token == QXmlStreamReader::EndElement) {
                KDSoapValue value =
                    children.isEmpty() ? KDSoapValue(name, QVariant(text)) : KDSoapValue(name, children);
                value.setNamespaceUri(ns);
                if (children.isEmpty()) {
                    if (Result<void> lexical = checkLexical(name, text); !lexical)
                        return lexical.error();
                }
                return value;
            } else if (token == QXmlStreamReader::Invalid) {
                break;
            }
        }
        return error(QString());
    }

    Error error(const QString &fallback) const
    {
        if (m_xml.error() == QXmlStreamReader::PrematureEndOfDocumentError)
            return fail(ErrorCategory::Input,
                        QStringLiteral("malformed XML: the document ends early (truncated body?)"));
        if (m_xml.hasError())
            return fail(ErrorCategory::Input, QStringLiteral("malformed XML at line %1, column %2: %3")
                                                  .arg(m_xml.lineNumber())
                                                  .arg(m_xml.columnNumber())
                                                  .arg(m_xml.errorString()));
        return fail(ErrorCategory::Input, QStringLiteral("malformed SOAP request: %1").arg(fallback));
    }

    QXmlStreamReader m_xml;
    SoapReaderLimits m_limits;
    int m_elements = 0;
};

} // namespace

Result<KDSoapValue> readSoapRequest(const QByteArray &xml, const SoapReaderLimits &limits)
{
    if (xml.trimmed().isEmpty())
        return fail(ErrorCategory::Input, QStringLiteral("empty request body"));
    return Reader(xml, limits).read();
}

QByteArray soapEnvelope(const KDSoapValue &bodyElement, const QString &messageNamespace)
{
    QByteArray element = bodyElement.toXml(KDSoapValue::LiteralUse, messageNamespace);
    if (element.startsWith("<?xml")) // toXml() writes a whole document
        element.remove(0, element.indexOf("?>") + 2);
    return QByteArrayLiteral(
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
               "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>") +
           element.trimmed() + QByteArrayLiteral("</soap:Body></soap:Envelope>");
}

QByteArray soapFaultEnvelope(const QString &code, const QString &message)
{
    return QByteArrayLiteral(
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
               "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
               "<soap:Fault><faultcode>") +
           code.toHtmlEscaped().toUtf8() + QByteArrayLiteral("</faultcode><faultstring>") +
           message.toHtmlEscaped().toUtf8() +
           QByteArrayLiteral("</faultstring></soap:Fault></soap:Body></soap:Envelope>");
}

} // namespace occ::cloud
