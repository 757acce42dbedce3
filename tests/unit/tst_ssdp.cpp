#include "ssdp/devicedescription.h"
#include "ssdp/ssdpmessage.h"

#include <QTest>

using namespace occ::ssdp;

class TestSsdp : public QObject
{
    Q_OBJECT

    static ConnectorDescription sample()
    {
        return ConnectorDescription{QStringLiteral("4d3c2b1a-0000-4000-8000-000000000001"),
                                    QStringLiteral("OCC Connector gw1"),
                                    QStringLiteral("cust-1"),
                                    QStringLiteral("gw1.acme.example"),
                                    11002,
                                    1,
                                    QByteArray(64, 'a')};
    }

private slots:
    void parsesSearchWithBareLineFeeds()
    {
        const QByteArray datagram =
            "M-SEARCH * HTTP/1.1\nHOST: 239.255.255.250:1900\nMAN: \"ssdp:discover\"\nmx: 2\n"
            "ST: urn:occ-project-org:device:Connector:1\n\n";
        occ::Result<SsdpMessage> m = parseSsdp(datagram);
        QVERIFY(m.ok());
        QCOMPARE(m->kind, SsdpMessage::Kind::Search);
        QCOMPARE(m->header("MX"), QByteArray("2"));
        QCOMPARE(m->header("man"), QByteArray("\"ssdp:discover\""));
        QVERIFY(!m->hasHeader("USN"));
    }

    void builtMessagesParseBack()
    {
        Announcement a{"http://192.0.2.1:11003/description.xml",
                       "Linux/6 UPnP/2.0 occ-connector/0.1",
                       "uuid:abc::urn:occ-project-org:device:Connector:1",
                       kDeviceType,
                       1800,
                       7,
                       1};
        occ::Result<SsdpMessage> response = parseSsdp(buildResponse(a));
        QVERIFY(response.ok());
        QCOMPARE(response->kind, SsdpMessage::Kind::Response);
        for (const char *name :
             {"CACHE-CONTROL", "DATE", "EXT", "LOCATION", "SERVER", "ST", "USN", "BOOTID.UPNP.ORG"})
            QVERIFY2(response->hasHeader(name), name);
        QCOMPARE(response->header("CACHE-CONTROL"), QByteArray("max-age=1800"));
        QCOMPARE(response->header("BOOTID.UPNP.ORG"), QByteArray("7"));
        QVERIFY(response->header("DATE").endsWith(" GMT"));

        occ::Result<SsdpMessage> alive = parseSsdp(buildNotify("239.255.255.250:1900", a, true));
        QCOMPARE(alive->kind, SsdpMessage::Kind::Notify);
        QCOMPARE(alive->header("NTS"), QByteArray("ssdp:alive"));
        QCOMPARE(alive->header("NT"), QByteArray(kDeviceType));
        occ::Result<SsdpMessage> byebye = parseSsdp(buildNotify("239.255.255.250:1900", a, false));
        QCOMPARE(byebye->header("NTS"), QByteArray("ssdp:byebye"));
        QVERIFY(!byebye->hasHeader("LOCATION"));

        occ::Result<SsdpMessage> search =
            parseSsdp(buildSearch("239.255.255.250:1900", kDeviceType, 2, "occ/1"));
        QCOMPARE(search->kind, SsdpMessage::Kind::Search);
        QCOMPARE(search->header("MX"), QByteArray("2"));
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("datagram");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("http get") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        QTest::newRow("no colon") << QByteArray("NOTIFY * HTTP/1.1\r\nNT urn:x\r\n\r\n");
        QTest::newRow("empty name") << QByteArray("NOTIFY * HTTP/1.1\r\n: value\r\n\r\n");
        QTest::newRow("control char") << QByteArray("NOTIFY * HTTP/1.1\r\nN\x01T: x\r\n\r\n");
        QTest::newRow("too large") << QByteArray("NOTIFY * HTTP/1.1\r\nX: ") + QByteArray(9000, 'a');
        QByteArray many = "NOTIFY * HTTP/1.1\r\n";
        for (int i = 0; i < 70; ++i)
            many += "X" + QByteArray::number(i) + ": y\r\n";
        QTest::newRow("too many headers") << many;
    }

    void rejects()
    {
        QFETCH(QByteArray, datagram);
        QVERIFY(!parseSsdp(datagram).ok());
    }

    void searchTargets()
    {
        const QByteArray udn = "uuid:abc";
        QVERIFY(searchMatches("ssdp:all", udn, kDeviceType));
        QVERIFY(searchMatches("upnp:rootdevice", udn, kDeviceType));
        QVERIFY(searchMatches("uuid:abc", udn, kDeviceType));
        QVERIFY(searchMatches(kDeviceType, udn, kDeviceType));
        QVERIFY(!searchMatches("urn:schemas-upnp-org:device:MediaServer:1", udn, kDeviceType));
        QVERIFY(!searchMatches("uuid:abd", udn, kDeviceType));
    }

    void descriptionRoundTrip()
    {
        const QByteArray xml = buildDescription(sample(), QStringLiteral("0.1.0"));
        QVERIFY(xml.contains("<deviceType>urn:occ-project-org:device:Connector:1</deviceType>"));
        QVERIFY(xml.contains("<UDN>uuid:4d3c2b1a-0000-4000-8000-000000000001</UDN>"));
        occ::Result<ConnectorDescription> parsed = parseDescription(xml);
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error().message));
        QCOMPARE(*parsed, sample());
    }

    void descriptionRejects_data()
    {
        QTest::addColumn<QByteArray>("xml");
        const QByteArray good = buildDescription(sample(), QStringLiteral("0.1.0"));
        QTest::newRow("not xml") << QByteArray("<root><device>");
        QTest::newRow("dtd") << QByteArray("<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>") +
                                    good.mid(good.indexOf("<root"));
        QByteArray other = good;
        other.replace("urn:occ-project-org:device:Connector:1", "urn:schemas-upnp-org:device:MediaServer:1");
        QTest::newRow("other device") << other;
        QByteArray noExtension = good;
        noExtension.replace("<occ:tlsPort>11002</occ:tlsPort>", "");
        QTest::newRow("no port") << noExtension;
        QByteArray badPort = good;
        badPort.replace("<occ:tlsPort>11002</occ:tlsPort>", "<occ:tlsPort>99999</occ:tlsPort>");
        QTest::newRow("port out of range") << badPort;
        QTest::newRow("too large") << good + QByteArray(70000, ' ');
    }

    void descriptionRejects()
    {
        QFETCH(QByteArray, xml);
        QVERIFY(!parseDescription(xml).ok());
    }
};

QTEST_GUILESS_MAIN(TestSsdp)
#include "tst_ssdp.moc"
