#include "occsoapclient.h"
#include "testutil.h"

#include <KDSoapClient/KDSoapValue.h>
#include <QDomDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace OccSoap;

// The WSDL is the contract with every non-KDSoap client, so it is checked with
// libxml2's xmllint: well-formed, its schema compiles, and the messages our
// generated client produces validate against it.
class TestWsdl : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_wsdl;
    QString m_schema;

    QString write(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        if (!occ::test::writeFile(path, content))
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    void validate(const QString &name, const KDSoapValue &value)
    {
        const QByteArray xml =
            value.toXml(KDSoapValue::LiteralUse, QStringLiteral("urn:occ-project-org:cloud:1"));
        const QString path = write(name + QStringLiteral(".xml"), xml);
        QByteArray output;
        const int code =
            occ::test::run(QStringLiteral("xmllint"),
                           {QStringLiteral("--noout"), QStringLiteral("--schema"), m_schema, path}, &output);
        QVERIFY2(code == 0, (xml + "\n" + output).constData());
    }

    static TNS__Measurement measurement()
    {
        TNS__Measurement m;
        m.setSeq(42);
        m.setSensor(QStringLiteral("cpu"));
        m.setTs(1790000000000);
        m.setStatus(TNS__Status::Warn);
        TNS__Value v;
        v.setName(QStringLiteral("load1"));
        v.setNumber(0.5);
        m.setValue({v, v});
        m.setText(QStringLiteral("busy"));
        return m;
    }

    static TNS__ConnectorInfo connector()
    {
        TNS__ConnectorInfo c;
        c.setConnectorId(QStringLiteral("conn-1"));
        c.setHostname(QStringLiteral("gw.example.net"));
        c.setAddress({QStringLiteral("192.0.2.10")});
        c.setPort(11002);
        c.setFingerprint(QStringLiteral("ab"));
        return c;
    }

private slots:
    void initTestCase()
    {
        m_wsdl = occ::test::sourcePath(QStringLiteral("resources/wsdl/occ.wsdl"));
        QVERIFY(QFile::exists(m_wsdl));
    }

    void wellFormed()
    {
        QByteArray output;
        QCOMPARE(occ::test::run(QStringLiteral("xmllint"), {QStringLiteral("--noout"), m_wsdl}, &output), 0);
    }

    void operationsAreExactlyTheDesign()
    {
        QDomDocument doc;
        QVERIFY(doc.setContent(occ::test::readFile(m_wsdl), true));
        const QString wsdlNs = QStringLiteral("http://schemas.xmlsoap.org/wsdl/");
        const QString soapNs = QStringLiteral("http://schemas.xmlsoap.org/wsdl/soap/");
        QStringList portOps;
        const QDomElement portType = doc.documentElement().firstChildElement(QStringLiteral("portType"));
        for (QDomElement op = portType.firstChildElement(QStringLiteral("operation")); !op.isNull();
             op = op.nextSiblingElement(QStringLiteral("operation")))
            portOps << op.attribute(QStringLiteral("name"));
        const QStringList design{QStringLiteral("Enrol"),          QStringLiteral("RenewCertificate"),
                                 QStringLiteral("SubmitBatch"),    QStringLiteral("ReportState"),
                                 QStringLiteral("PollCommands"),   QStringLiteral("CompleteCommand"),
                                 QStringLiteral("ListConnectors"), QStringLiteral("GetRevocations")};
        QCOMPARE(portOps, design);
        const QDomElement binding = doc.documentElement().firstChildElement(QStringLiteral("binding"));
        QCOMPARE(binding.elementsByTagNameNS(soapNs, QStringLiteral("binding"))
                     .at(0)
                     .toElement()
                     .attribute(QStringLiteral("style")),
                 QStringLiteral("document"));
        const QDomNodeList bodies = binding.elementsByTagNameNS(soapNs, QStringLiteral("body"));
        QCOMPARE(bodies.size(), 2 * design.size());
        for (int i = 0; i < bodies.size(); ++i)
            QCOMPARE(bodies.at(i).toElement().attribute(QStringLiteral("use")), QStringLiteral("literal"));
        Q_UNUSED(wsdlNs);
    }

    void schemaCompilesAndMessagesValidate()
    {
        // Lift the embedded schema into its own file, carrying the namespace
        // declarations it inherits from <definitions>.
        QDomDocument wsdl;
        QVERIFY(wsdl.setContent(occ::test::readFile(m_wsdl), true));
        QDomElement schema = wsdl.elementsByTagNameNS(QStringLiteral("http://www.w3.org/2001/XMLSchema"),
                                                      QStringLiteral("schema"))
                                 .at(0)
                                 .toElement();
        QVERIFY(!schema.isNull());
        QDomDocument xsd;
        QDomNode copy = xsd.importNode(schema, true);
        xsd.appendChild(copy);
        copy.toElement().setAttribute(QStringLiteral("xmlns:tns"),
                                      QStringLiteral("urn:occ-project-org:cloud:1"));
        m_schema = write(QStringLiteral("occ.xsd"), xsd.toByteArray());

        TNS__Enrol enrol;
        enrol.setCustomerId(QStringLiteral("c"));
        enrol.setEnrolmentKey(QStringLiteral("k"));
        enrol.setRole(TNS__Role::Hub);
        enrol.setHostname(QStringLiteral("pc1"));
        enrol.setCsr(QStringLiteral("-----BEGIN CERTIFICATE REQUEST-----"));
        validate(QStringLiteral("Enrol"), enrol.serialize(QStringLiteral("Enrol")));

        TNS__EnrolResponse enrolResponse;
        enrolResponse.setId(QStringLiteral("hub-1"));
        enrolResponse.setCertificate(QStringLiteral("pem"));
        enrolResponse.setCaCertificate(QStringLiteral("pem"));
        validate(QStringLiteral("EnrolResponse"), enrolResponse.serialize(QStringLiteral("EnrolResponse")));

        TNS__HubBatch batch;
        batch.setHubId(QStringLiteral("hub-1"));
        batch.setMeasurement({measurement(), measurement()});
        TNS__SubmitBatch submit;
        submit.setBatch({batch});
        validate(QStringLiteral("SubmitBatch"), submit.serialize(QStringLiteral("SubmitBatch")));

        TNS__HubSeq seq;
        seq.setHubId(QStringLiteral("hub-1"));
        seq.setHighestSeq(42);
        seq.setStored(2);
        TNS__SubmitBatchResponse submitResponse;
        submitResponse.setResult({seq});
        validate(QStringLiteral("SubmitBatchResponse"),
                 submitResponse.serialize(QStringLiteral("SubmitBatchResponse")));

        TNS__HubState state;
        state.setHubId(QStringLiteral("hub-1"));
        state.setPath(TNS__Path::ConnectorVpn);
        state.setConnectorId(QStringLiteral("conn-1"));
        state.setQueueDepth(3);
        state.setDropped(0);
        TNS__ReportState report;
        report.setConnector(connector());
        report.setHub({state});
        validate(QStringLiteral("ReportState"), report.serialize(QStringLiteral("ReportState")));

        TNS__PollCommands poll;
        poll.setHubId({QStringLiteral("hub-1"), QStringLiteral("hub-2")});
        poll.setWaitSeconds(25);
        validate(QStringLiteral("PollCommands"), poll.serialize(QStringLiteral("PollCommands")));

        TNS__Command command;
        command.setId(QStringLiteral("cmd-1"));
        command.setHubId(QStringLiteral("hub-1"));
        command.setKind(QStringLiteral("runSensor"));
        command.setArg({QStringLiteral("cpu")});
        command.setExpires(1790000000000);
        TNS__PollCommandsResponse pollResponse;
        pollResponse.setCommand({command});
        validate(QStringLiteral("PollCommandsResponse"),
                 pollResponse.serialize(QStringLiteral("PollCommandsResponse")));

        TNS__CompleteCommand complete;
        complete.setId(QStringLiteral("cmd-1"));
        complete.setHubId(QStringLiteral("hub-1"));
        complete.setOk(true);
        complete.setDetail(QStringLiteral("done"));
        validate(QStringLiteral("CompleteCommand"), complete.serialize(QStringLiteral("CompleteCommand")));

        TNS__ListConnectorsResponse list;
        list.setConnector({connector()});
        validate(QStringLiteral("ListConnectorsResponse"),
                 list.serialize(QStringLiteral("ListConnectorsResponse")));

        TNS__GetRevocationsResponse revocations;
        revocations.setSerial({QStringLiteral("0a1b")});
        validate(QStringLiteral("GetRevocationsResponse"),
                 revocations.serialize(QStringLiteral("GetRevocationsResponse")));

        TNS__RenewCertificate renew;
        renew.setCsr(QStringLiteral("pem"));
        validate(QStringLiteral("RenewCertificate"), renew.serialize(QStringLiteral("RenewCertificate")));
    }

    void invalidMessageIsRejected()
    {
        // The schema is not a rubber stamp: a measurement without seq must fail.
        const QString path =
            write(QStringLiteral("bad.xml"),
                  "<SubmitBatch xmlns=\"urn:occ-project-org:cloud:1\"><batch><hubId>h</hubId>"
                  "<measurement><sensor>cpu</sensor><ts>1</ts><status>ok</status></measurement>"
                  "</batch></SubmitBatch>");
        QByteArray output;
        QVERIFY(occ::test::run(QStringLiteral("xmllint"),
                               {QStringLiteral("--noout"), QStringLiteral("--schema"), m_schema, path},
                               &output) != 0);
        QVERIFY2(output.contains("seq") || output.contains("sensor"), output.constData());
    }
};

QTEST_GUILESS_MAIN(TestWsdl)
#include "tst_wsdl.moc"
