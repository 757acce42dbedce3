#pragma once

#include "core/result.h"

#include <QHash>
#include <QMutex>
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
    // Runs one statement on the calling thread's connection.
    Result<QSqlQuery> query(const QString &sql, const QVariantList &bindings = {});
    // Creates or upgrades the schema; safe when several instances start at once.
    Result<void> migrate();

    bool isPostgres() const { return m_config.driver == DatabaseConfig::Driver::Postgres; }
    // SQL for the larger of two values (MAX in SQLite, GREATEST in PostgreSQL).
    QString greatest() const { return isPostgres() ? QStringLiteral("GREATEST") : QStringLiteral("MAX"); }
    const DatabaseConfig &config() const { return m_config; }

private:
    Result<QSqlDatabase> open(const QString &name);

    DatabaseConfig m_config;
    QString m_prefix;
    QMutex m_mutex;
    QHash<Qt::HANDLE, QString> m_names; // thread -> connection name
};

// Runs one statement with positional bindings; the error names the statement.
// Strings bind as text (a null QString as ''); SQL NULL is bound as QVariant().
Result<QSqlQuery> execute(QSqlDatabase &db, const QString &sql, const QVariantList &bindings = {});

Error sqlError(const QString &what, const QSqlError &error);

// Rolls back unless committed.
class Transaction
{
public:
    explicit Transaction(QSqlDatabase &db);
    ~Transaction();
    Result<void> commit();
    bool started() const { return m_started; }

private:
    QSqlDatabase &m_db;
    bool m_started = false;
    bool m_done = false;
};

} // namespace occ::cloud
