#include "settings/commandline.h"
#include "settings/defaults.h"
#include "settings/settings.h"
#include "testutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::settings;

class TestSettings : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void defaultsTableIsConsistent()
    {
        QSet<QString> keys;
        for (const SettingInfo &info : kSettings) {
            const QString key = QString::fromUtf8(info.key);
            QVERIFY2(!keys.contains(key), qPrintable(key));
            keys.insert(key);
            QVERIFY2(key.count(QLatin1Char('/')) == 1, qPrintable(key));
            QVERIFY2(qstrlen(info.help) > 10, qPrintable(key));
        }
        // The settings ARCHITECTURE §14 names, with their documented defaults.
        const Settings defaults;
        QCOMPARE(defaults.integer(QStringLiteral("connection/fallbackAfter")), 300);
        QCOMPARE(defaults.integer(QStringLiteral("connection/failbackProbe")), 60);
        QCOMPARE(defaults.integer(QStringLiteral("connection/heartbeat")), 10);
        QCOMPARE(defaults.integer(QStringLiteral("connection/connectTimeout")), 3);
        QCOMPARE(defaults.string(QStringLiteral("ssdp/group")), QStringLiteral("239.255.255.250"));
        QCOMPARE(defaults.integer(QStringLiteral("ssdp/port")), 1900);
        QCOMPARE(defaults.integer(QStringLiteral("ssdp/mx")), 2);
        QCOMPARE(defaults.string(QStringLiteral("identity/keychain")), QStringLiteral("system"));
        QCOMPARE(defaults.string(QStringLiteral("connector/listen")), QStringLiteral("0.0.0.0:11002"));
        QCOMPARE(defaults.integer(QStringLiteral("outbox/maxBytes")), 100 * 1024 * 1024);
        QVERIFY(defaults.validate().ok());
    }

    // The README's configuration reference lists every setting with its default.
    void readmeDocumentsEverySetting()
    {
        const QByteArray readme = occ::test::readFile(occ::test::sourcePath(QStringLiteral("README.md")));
        QVERIFY(!readme.isEmpty());
        for (const occ::settings::SettingInfo &info : occ::settings::kSettings) {
            auto number = [](qint64 n) {
                return n >= (qint64(1) << 20) && (n & (n - 1)) == 0
                           ? "2^" + QByteArray::number(qCountTrailingZeroBits(quint64(n)))
                           : QByteArray::number(n);
            };
            const QByteArray range =
                info.isInteger() ? number(info.min) + "\xe2\x80\x93" + number(info.max) : QByteArray();
            const QByteArray row =
                "| `" + QByteArray(info.key) + "` | " +
                (*info.defaultValue ? "`" + QByteArray(info.defaultValue) + "`" : QByteArray("*(empty)*")) +
                " | " + range + " |";
            QVERIFY2(readme.contains(row), row.constData());
        }
    }

    void overrideParsing()
    {
        Result<std::pair<QString, QString>> parsed =
            Settings::parseOverride(QStringLiteral("ssdp/port=19000"));
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->first, QStringLiteral("ssdp/port"));
        QCOMPARE(parsed->second, QStringLiteral("19000"));
        parsed = Settings::parseOverride(QStringLiteral("proxy/url=http://u@h:3128/?a=b"));
        QCOMPARE(parsed->second, QStringLiteral("http://u@h:3128/?a=b"));
        QVERIFY(!Settings::parseOverride(QStringLiteral("ssdp/prot=1")).ok());
        QVERIFY(!Settings::parseOverride(QStringLiteral("novalue")).ok());
        QVERIFY(!Settings::parseOverride(QStringLiteral("=1")).ok());
    }

    void precedence()
    {
        const QString ini = m_dir.filePath(QStringLiteral("p.ini"));
        QVERIFY(test::writeFile(ini, "[connection]\nfallbackAfter=120\nheartbeat=5\nvpnInterfaces=tun*, wg*\n"
                                     "[bogus]\nkey=1\n"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("unknown setting.*bogus/key")));
        Settings settings(ini, {{QStringLiteral("connection/heartbeat"), QStringLiteral("2")}});
        QCOMPARE(settings.integer(QStringLiteral("connection/fallbackAfter")), 120); // file
        QCOMPARE(settings.integer(QStringLiteral("connection/heartbeat")), 2);       // override
        QCOMPARE(settings.integer(QStringLiteral("connection/failbackProbe")), 60);  // default
        QCOMPARE(settings.list(QStringLiteral("connection/vpnInterfaces")),
                 (QStringList{QStringLiteral("tun*"), QStringLiteral("wg*")}));
        QCOMPARE(settings.millis(QStringLiteral("connection/heartbeat")), 2000);
    }

    void validation()
    {
        Settings bad(QString(), {{QStringLiteral("connection/heartbeat"), QStringLiteral("ten")}});
        Result<void> r = bad.validate();
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("connection/heartbeat")));
        QCOMPARE(r.error().category, ErrorCategory::Config);
        Settings negative(QString(), {{QStringLiteral("ssdp/mx"), QStringLiteral("-1")}});
        QVERIFY(!negative.validate().ok());
        Settings badBool(QString(), {{QStringLiteral("spool/fullSync"), QStringLiteral("maybe")}});
        QVERIFY(!badBool.validate().ok());
        Settings goodBool(QString(), {{QStringLiteral("spool/fullSync"), QStringLiteral("off")}});
        QVERIFY(goodBool.validate().ok());
        QVERIFY(!goodBool.boolean(QStringLiteral("spool/fullSync")));
    }

    // Issue 9 item 12: values that would break timers or overflow are refused with
    // the range in the message; every whole-number setting has a range that holds
    // its default.
    void rangesRefuseValuesThatBreakTimers_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("revocationInterval 0")
            << QStringLiteral("connector/revocationInterval") << QStringLiteral("0");
        QTest::newRow("reportInterval 0")
            << QStringLiteral("connection/reportInterval") << QStringLiteral("0");
        QTest::newRow("heartbeat 0") << QStringLiteral("connection/heartbeat") << QStringLiteral("0");
        QTest::newRow("connectTimeout overflows int ms")
            << QStringLiteral("connection/connectTimeout") << QStringLiteral("3000000");
        QTest::newRow("fallbackAfter a century")
            << QStringLiteral("connection/fallbackAfter") << QStringLiteral("3153600000");
        QTest::newRow("interval beyond qint64")
            << QStringLiteral("sensors/interval") << QStringLiteral("99999999999999999999");
        QTest::newRow("mx 50") << QStringLiteral("ssdp/mx") << QStringLiteral("50");
        QTest::newRow("window 0") << QStringLiteral("connector/window") << QStringLiteral("0");
        QTest::newRow("batchSize 0") << QStringLiteral("hub/batchSize") << QStringLiteral("0");
        QTest::newRow("threads 0") << QStringLiteral("server/threads") << QStringLiteral("0");
        QTest::newRow("cpuWarn 1500") << QStringLiteral("sensors/cpuWarn") << QStringLiteral("1500");
        QTest::newRow("backoffMin above backoffMax")
            << QStringLiteral("connection/backoffMin") << QStringLiteral("60");
    }
    void rangesRefuseValuesThatBreakTimers()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        Settings bad(QString(), {{key, value}});
        Result<void> r = bad.validate();
        QVERIFY2(!r.ok(), qPrintable(key + QLatin1Char('=') + value));
        QVERIFY2(r.error().message.contains(key), qPrintable(r.error().message));
        QCOMPARE(r.error().category, ErrorCategory::Config);
    }
    void everyWholeNumberSettingHasARange()
    {
        for (const SettingInfo &info : kSettings) {
            bool number = false;
            const qint64 fallback = QByteArray(info.defaultValue).toLongLong(&number);
            QCOMPARE(info.isInteger(), number);
            if (number)
                QVERIFY2(fallback >= info.min && fallback <= info.max, info.key);
        }
    }

    void storeAndReload()
    {
        const QString ini = m_dir.filePath(QStringLiteral("s.ini"));
        Settings settings(ini, {});
        QVERIFY(
            settings.store(QStringLiteral("cloud/url"), QStringLiteral("https://cloud.example:8443")).ok());
        QVERIFY(!settings.store(QStringLiteral("cloud/uri"), QStringLiteral("x")).ok());
        Settings again(ini, {});
        QCOMPARE(again.string(QStringLiteral("cloud/url")), QStringLiteral("https://cloud.example:8443"));
        QVERIFY(test::writeFile(ini, "[cloud]\nurl=https://other:1\n"));
        again.reload();
        QCOMPARE(again.string(QStringLiteral("cloud/url")), QStringLiteral("https://other:1"));
    }

    void commandLine()
    {
        QCommandLineParser parser;
        addCommonOptions(parser);
        QVERIFY(parser.parse({QStringLiteral("prog"), QStringLiteral("--data-dir"),
                              m_dir.filePath(QStringLiteral("d")), QStringLiteral("--set"),
                              QStringLiteral("ssdp/port=1901"), QStringLiteral("--set"),
                              QStringLiteral("ssdp/mx=1")}));
        Result<CommonOptions> options = readCommonOptions(parser, QStringLiteral("occ-test"));
        QVERIFY(options.ok());
        QCOMPARE(options->dataDir, m_dir.filePath(QStringLiteral("d")));
        QCOMPARE(options->configFile, m_dir.filePath(QStringLiteral("d/occ-test.ini")));
        QCOMPARE(options->overrides.size(), 2);
        Result<Settings> settings = loadSettings(*options);
        QVERIFY(settings.ok());
        QCOMPARE(settings->integer(QStringLiteral("ssdp/port")), 1901);

        QCommandLineParser bad;
        addCommonOptions(bad);
        QVERIFY(bad.parse({QStringLiteral("prog"), QStringLiteral("--set"), QStringLiteral("nope/key=1")}));
        QVERIFY(!readCommonOptions(bad, QStringLiteral("occ-test")).ok());
    }
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
