#pragma once

#include "core/result.h"

#include <functional>
#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>

namespace occ::hub {

// collectDiagnostics (ARCHITECTURE §10): a tar.gz in DATA/diagnostics with the
// logs, the effective settings, the connector cache, the status, the network
// interfaces and the public certificates — never the private key, the secret
// store or a password (passwords are not in settings; a user:password in a URL is
// blanked). The archive stays on the machine; the result names it.
class Diagnostics : public QObject
{
    Q_OBJECT
public:
    explicit Diagnostics(QString dataDir, QObject *parent = nullptr)
        : QObject(parent)
        , m_dataDir(std::move(dataDir))
    {}

    // extra: generated files (name, content) such as status.json and settings.ini.
    void collect(const QString &hubId, const QList<QPair<QString, QByteArray>> &extra,
                 std::function<void(Result<QString> archive)> done);
    // The files of the data folder that go in (relative paths), secrets excluded.
    QStringList dataFiles() const;
    static QString blankUrlPassword(QString text);

private:
    QString m_dataDir;
};

} // namespace occ::hub
