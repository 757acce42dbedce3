// translations/occ_de.ts must be complete and up to date with the sources:
// lupdate (Qt Linguist) finds no source text that the file lacks.
#include "testutil.h"

#include <QDomDocument>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

class TestTranslations : public QObject
{
    Q_OBJECT

    static QSet<QString> sources(const QString &tsFile, QStringList *untranslated = nullptr)
    {
        QDomDocument doc;
        if (!doc.setContent(occ::test::readFile(tsFile)))
            return {};
        QSet<QString> texts;
        const QDomNodeList messages = doc.elementsByTagName(QStringLiteral("message"));
        for (int i = 0; i < messages.size(); ++i) {
            const QDomElement message = messages.at(i).toElement();
            const QString source = message.firstChildElement(QStringLiteral("source")).text();
            texts.insert(source);
            const QDomElement translation = message.firstChildElement(QStringLiteral("translation"));
            if (untranslated &&
                (translation.text().isEmpty() ||
                 translation.attribute(QStringLiteral("type")) == QLatin1StringView("unfinished")))
                untranslated->append(source);
        }
        return texts;
    }

private slots:
    void germanIsComplete()
    {
        QStringList untranslated;
        const QSet<QString> texts =
            sources(occ::test::sourcePath(QStringLiteral("translations/occ_de.ts")), &untranslated);
        QVERIFY(texts.size() > 10);
        QVERIFY2(untranslated.isEmpty(),
                 qPrintable(QStringLiteral("no German for: ") + untranslated.join(QStringLiteral(" | "))));
    }

    void tsFilesAreUpToDate()
    {
        QTemporaryDir dir;
        const QString fresh = dir.filePath(QStringLiteral("fresh.ts"));
        QStringList arguments{QStringLiteral("-no-obsolete"), QStringLiteral("-locations"),
                              QStringLiteral("none")};
        for (const char *folder : {"app", "connector", "cloud", "shared"})
            arguments << occ::test::sourcePath(QString::fromLatin1(folder));
        arguments << QStringLiteral("-ts") << fresh;
        QByteArray output;
        QCOMPARE(occ::test::run(QStringLiteral("/usr/lib/qt6/bin/lupdate"), arguments, &output), 0);
        const QSet<QString> inSources = sources(fresh);
        for (const char *ts : {"translations/occ_de.ts", "translations/occ_en.ts"}) {
            const QSet<QString> inFile = sources(occ::test::sourcePath(QString::fromLatin1(ts)));
            const QSet<QString> missing = inSources - inFile;
            QVERIFY2(missing.isEmpty(),
                     qPrintable(QString::fromLatin1(ts) + QStringLiteral(" lacks (run lupdate): ") +
                                QStringList(missing.cbegin(), missing.cend()).join(QStringLiteral(" | "))));
        }
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
