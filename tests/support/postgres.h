#pragma once

#include <QString>
#include <QTemporaryDir>

namespace occ::test {

// A real PostgreSQL from Debian's packages, in a temporary folder on a loopback
// port, for the lifetime of this object. start() reports why it could not start;
// tests fail on that, they never skip.
class PostgresServer
{
public:
    PostgresServer();
    ~PostgresServer();

    bool start(QString *error);
    // postgresql://occ@127.0.0.1:PORT/occ (trust authentication on loopback)
    QString url() const;
    // A fresh, empty database; returns its URL.
    QString createDatabase(const QString &name, QString *error) const;

private:
    QString m_bin;
    QTemporaryDir m_dir;
    int m_port = 0;
    bool m_running = false;
};

} // namespace occ::test
