// The hub's connector cache (ARCHITECTURE §5): order of last success, what it
// remembers across restarts, what UPnP and the cloud's list add.
#include "link/connectorcache.h"

#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::hub;

class TestConnectorCache : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private slots:
    void orderOfLastSuccessAndPersistence()
    {
        {
            ConnectorCache cache(path("a.ini"));
            QVERIFY(cache.isEmpty());
            cache.learn(CachedConnector{
                QStringLiteral("never"), QStringLiteral("never.example"), {}, 11002, "ff", 0, 0});
            cache.recordSuccess({QStringLiteral("old"), QStringLiteral("old.example"), {}, 11002, {}, 0, 0},
                                QStringLiteral("10.0.0.1"), 1000);
            cache.recordSuccess({QStringLiteral("new"), QString(), {}, 11002, {}, 0, 0},
                                QStringLiteral("10.0.0.2"), 2000);
            cache.recordSuccess({QStringLiteral("new"), QString(), {}, 11002, {}, 0, 0},
                                QStringLiteral("10.0.0.3"), 3000);
        }
        ConnectorCache cache(path("a.ini")); // after a restart
        const QList<CachedConnector> list = cache.ordered();
        QCOMPARE(list.size(), 3);
        QCOMPARE(list.at(0).connectorId, QStringLiteral("new"));
        QCOMPARE(list.at(0).successCount, 2);
        QCOMPARE(list.at(0).lastSuccess, 3000);
        QCOMPARE(list.at(0).addresses,
                 (QStringList{QStringLiteral("10.0.0.3"), QStringLiteral("10.0.0.2")})); // newest first
        QCOMPARE(list.at(1).connectorId, QStringLiteral("old"));
        QCOMPARE(list.at(1).hostname, QStringLiteral("old.example"));
        QCOMPARE(list.at(2).connectorId, QStringLiteral("never"));
        QCOMPARE(list.at(2).fingerprint, QByteArray("ff"));
    }

    void learningNeverClaimsASuccess()
    {
        ConnectorCache cache(path("b.ini"));
        cache.recordSuccess({QStringLiteral("c1"), QStringLiteral("gw.example"), {}, 11002, {}, 0, 0},
                            QStringLiteral("10.0.0.1"), 5000);
        // UPnP saw it at another address and port; the cloud lists a second one.
        cache.learn(CachedConnector{
            QStringLiteral("c1"), QString(), {QStringLiteral("192.168.1.5")}, 12000, {}, 99, 99});
        cache.learn(QList<cloudapi::ConnectorInfo>{{QStringLiteral("c2"),
                                                    QStringLiteral("branch.example"),
                                                    {QStringLiteral("10.8.0.1")},
                                                    11002,
                                                    QStringLiteral("ab"),
                                                    QStringLiteral("0.1.0")}});
        const QList<CachedConnector> list = cache.ordered();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.at(0).connectorId, QStringLiteral("c1"));
        QCOMPARE(list.at(0).lastSuccess, 5000);
        QCOMPARE(list.at(0).successCount, 1);
        QCOMPARE(list.at(0).hostname, QStringLiteral("gw.example"));
        QCOMPARE(list.at(0).port, 12000);
        QCOMPARE(list.at(0).addresses,
                 (QStringList{QStringLiteral("10.0.0.1"), QStringLiteral("192.168.1.5")}));
        QCOMPARE(list.at(1).connectorId, QStringLiteral("c2"));
        QCOMPARE(list.at(1).lastSuccess, 0);
        // Nonsense is not remembered.
        cache.learn(CachedConnector{QString(), QStringLiteral("x"), {}, 1, {}, 0, 0});
        cache.learn(CachedConnector{QStringLiteral("noport"), QStringLiteral("x"), {}, 0, {}, 0, 0});
        QCOMPARE(cache.ordered().size(), 2);
    }

    void boundedInSize()
    {
        ConnectorCache cache(path("c.ini"));
        cache.recordSuccess({QStringLiteral("keeper"), QString(), {}, 1, {}, 0, 0},
                            QStringLiteral("10.0.0.1"), 1);
        for (int i = 0; i < 100; ++i)
            cache.learn(CachedConnector{QStringLiteral("c%1").arg(i),
                                        QString(),
                                        {QStringLiteral("10.1.0.%1").arg(i)},
                                        11002,
                                        {},
                                        0,
                                        0});
        const QList<CachedConnector> list = cache.ordered();
        QVERIFY(list.size() <= 32);
        QCOMPARE(list.first().connectorId, QStringLiteral("keeper")); // the one that worked stays
    }
};

QTEST_GUILESS_MAIN(TestConnectorCache)
#include "tst_connectorcache.moc"
