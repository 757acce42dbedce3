// The systemd units in resources/systemd are valid for systemd itself
// (systemd-analyze verify), run the real binaries, and keep their promises: an own
// user, a state directory, restart on failure.
#include "testutil.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

class TestSystemdUnits : public QObject
{
    Q_OBJECT

private slots:
    void verify_data()
    {
        QTest::addColumn<QString>("unit");
        QTest::addColumn<QString>("binary");
        QTest::newRow("connector") << QStringLiteral("occ-connector.service")
                                   << QStringLiteral("connector/occ-connector");
        QTest::newRow("cloud") << QStringLiteral("occ-cloud.service") << QStringLiteral("cloud/occ-cloud");
        QTest::newRow("sensorhub") << QStringLiteral("occ-sensorhub.service")
                                   << QStringLiteral("app/occ-sensorhub");
    }

    void verify()
    {
        QFETCH(QString, unit);
        QFETCH(QString, binary);
        QByteArray text =
            occ::test::readFile(occ::test::sourcePath(QStringLiteral("resources/systemd/") + unit));
        QVERIFY(!text.isEmpty());
        for (const char *must : {"DynamicUser=yes", "StateDirectory=", "Restart=on-failure",
                                 "${STATE_DIRECTORY}", "NoNewPrivileges=yes", "WantedBy=multi-user.target"})
            QVERIFY2(text.contains(must), must);
        // systemd checks that ExecStart's program exists: point it at the build.
        const QString installed = QStringLiteral("/usr/bin/") + QFileInfo(binary).fileName();
        QVERIFY(text.contains(installed.toUtf8()));
        text.replace(installed.toUtf8(), occ::test::buildPath(binary).toUtf8());
        QTemporaryDir dir;
        const QString path = dir.filePath(unit);
        QVERIFY(occ::test::writeFile(path, text));
        QByteArray output;
        const int code =
            occ::test::run(QStringLiteral("systemd-analyze"), {QStringLiteral("verify"), path}, &output);
        QVERIFY2(code == 0 && output.trimmed().isEmpty(), output.constData());
    }
};

QTEST_GUILESS_MAIN(TestSystemdUnits)
#include "tst_systemdunits.moc"
