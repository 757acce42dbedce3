#pragma once

#include "core/result.h"

#include <memory>
#include <QHash>
#include <QMutex>
#include <QRecursiveMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

namespace occ::cloud {

// Where the cloud keeps its data (ARCHITECTURE §11): an embedded SQLite file in the
// data folder, or PostgreSQL through Qt's QPSQL driver.
struct DatabaseConfig
{
    enum class Driver
    {
        Sqlite,
        Postgres,
    };
    Driver driver = Driver::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString name;

    // "" -> SQLite DATA/cloud.db; "sqlite:///path"; "postgresql://user:pw@host:port/db".
    static Result<DatabaseConfig> fromUrl(const QString &url, const QString &dataDir);
    QString describe() const; // without the password
};

// Owns the connections of one database: one Qt SQL connection per thread (Qt
// requires it), opened on first use in that thread. Thread-safe.
class Database
{
public:
    explicit Database(DatabaseConfig config);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // The calling thread's connection.
    Result<QSqlDatabase> connection();
    // Runs one statement on the calling thread's connection (writes to SQLite take
    // the write lock, see below).
    Result<QSqlQuery> query(const QString &sql, const QVariantList &bindings = {});
    // A statement prepared once per thread and kept (for hot loops); bind and exec
    // it with execute(QSqlQuery&, ...).
    Result<QSqlQuery *> prepared(const QString &sql);
    // SQLite has one writer at a time; its busy handler sleeps in steps of up to
    // 100 ms. Writers of this process therefore queue on a mutex instead (other
    // processes, e.g. the CLI, still meet the busy timeout). A no-op for PostgreSQL.
    QRecursiveMutex *writeLock() { return isPostgres() ? nullptr : &m_writeLock; }
    // Creates or upgrades the schema; safe when several instances start at once.
    Result<void> migrate();

    bool isPostgres() const { return m_config.driver == DatabaseConfig::Driver::Postgres; }
    // SQL for the larger of two values (MAX in SQLite, GREATEST in PostgreSQL).
    QString greatest() const { return isPostgres() ? QStringLiteral("GREATEST") : QStringLiteral("MAX"); }
    const DatabaseConfig &config() const { return m_config; }

private:
    Result<QSqlDatabase> open(const QString &name);

    // What one thread owns; only that thread touches the contents.
    struct PerThread
    {
        QString connectionName;
        QHash<QString, std::shared_ptr<QSqlQuery>> prepared;
    };
    PerThread &perThread();

    DatabaseConfig m_config;
    QString m_prefix;
    QMutex m_mutex; // guards m_threads (the map, not the entries)
    QHash<Qt::HANDLE, std::shared_ptr<PerThread>> m_threads;
    QRecursiveMutex m_writeLock;
};

// Runs one statement with positional bindings; the error names the statement.
// Strings bind as text (a null QString as ''); SQL NULL is bound as QVariant().
Result<QSqlQuery> execute(QSqlDatabase &db, const QString &sql, const QVariantList &bindings = {});

// Binds and runs an already prepared statement.
Result<void> execute(QSqlQuery &query, const QVariantList &bindings);

Error sqlError(const QString &what, const QSqlError &error);

// Rolls back unless committed. Holds the database's write lock while open.
class Transaction
{
public:
    Transaction(Database &database, QSqlDatabase &db);
    ~Transaction();
    Result<void> commit();
    bool started() const { return m_started; }

private:
    QMutexLocker<QRecursiveMutex> m_lock;
    QSqlDatabase &m_db;
    bool m_started = false;
    bool m_done = false;
};

} // namespace occ::cloud
