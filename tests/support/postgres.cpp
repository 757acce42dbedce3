#include "postgres.h"

#include "testutil.h"

#include <QDir>
#include <QProcess>
#include <QTcpServer>
#include <unistd.h>

namespace occ::test {
namespace {

// initdb refuses root; the cluster runs as Debian's postgres user.
int runAsPostgres(const QString &program, const QStringList &arguments, QByteArray *output)
{
    const bool root = ::geteuid() == 0;
    return run(
        root ? QStringLiteral("runuser") : program,
        root ? QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"), program} +
                   arguments
             : arguments,
        output, {}, 120000);
}

} // namespace

PostgresServer::PostgresServer()
{
    const QStringList versions =
        QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    if (!versions.isEmpty())
        m_bin = QStringLiteral("/usr/lib/postgresql/%1/bin").arg(versions.last());
}

PostgresServer::~PostgresServer()
{
    if (m_running) {
        QByteArray output;
        runAsPostgres(m_bin + QStringLiteral("/pg_ctl"),
                      {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-m"),
                       QStringLiteral("immediate"), QStringLiteral("stop")},
                      &output);
    }
}

bool PostgresServer::start(QString *error)
{
    if (m_bin.isEmpty() || !QFile::exists(m_bin + QStringLiteral("/initdb"))) {
        *error = QStringLiteral(
            "PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/setup installs them)");
        return false;
    }
    if (!m_dir.isValid()) {
        *error = QStringLiteral("no temporary folder");
        return false;
    }
    QByteArray output;
    if (::geteuid() == 0)
        run(QStringLiteral("chown"), {QStringLiteral("postgres:postgres"), m_dir.path()}, &output);
    QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                            QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                            QFileDevice::ExeOther);
    const QString data = m_dir.filePath(QStringLiteral("data"));
    if (runAsPostgres(m_bin + QStringLiteral("/initdb"),
                      {QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("occ"),
                       QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                       QStringLiteral("--no-sync")},
                      &output) != 0) {
        *error = QStringLiteral("initdb failed: ") + QString::fromLocal8Bit(output);
        return false;
    }
    QTcpServer probe; // a free loopback port
    probe.listen(QHostAddress::LocalHost, 0);
    m_port = probe.serverPort();
    probe.close();
    if (runAsPostgres(m_bin + QStringLiteral("/pg_ctl"),
                      {QStringLiteral("-D"), data, QStringLiteral("-l"),
                       m_dir.filePath(QStringLiteral("log")), QStringLiteral("-w"), QStringLiteral("-o"),
                       QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off")
                           .arg(m_port)
                           .arg(m_dir.path()),
                       QStringLiteral("start")},
                      &output) != 0) {
        *error = QStringLiteral("pg_ctl start failed: ") + QString::fromLocal8Bit(output) +
                 QString::fromLocal8Bit(readFile(m_dir.filePath(QStringLiteral("log"))));
        return false;
    }
    m_running = true;
    const QString db = createDatabase(QStringLiteral("occ"), error);
    return !db.isEmpty();
}

QString PostgresServer::url() const
{
    return QStringLiteral("postgresql://occ@127.0.0.1:%1/occ").arg(m_port);
}

QString PostgresServer::createDatabase(const QString &name, QString *error) const
{
    QByteArray output;
    if (run(m_bin + QStringLiteral("/createdb"),
            {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
             QStringLiteral("-U"), QStringLiteral("occ"), name},
            &output) != 0) {
        *error = QStringLiteral("createdb failed: ") + QString::fromLocal8Bit(output);
        return {};
    }
    return QStringLiteral("postgresql://occ@127.0.0.1:%1/%2").arg(m_port).arg(name);
}

} // namespace occ::test
