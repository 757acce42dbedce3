#include "database.h"

#include "storage/schema.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QThread>
#include <QUrl>
#include <QUuid>

Q_LOGGING_CATEGORY(lcStorage, "occ.cloud.storage")

namespace occ::cloud {

Result<DatabaseConfig> DatabaseConfig::fromUrl(const QString &url, const QString &dataDir)
{
    DatabaseConfig config;
    if (url.isEmpty()) {
        config.sqlitePath = dataDir + QStringLiteral("/cloud.db");
        return config;
    }
    const QUrl parsed(url, QUrl::StrictMode);
    if (parsed.scheme() == QLatin1StringView("sqlite")) {
        config.sqlitePath = parsed.path();
        if (config.sqlitePath.isEmpty())
            return fail(ErrorCategory::Config,
                        QStringLiteral("sqlite URL needs a path: sqlite:///var/lib/x.db"));
        return config;
    }
    if (parsed.scheme() == QLatin1StringView("postgresql") ||
        parsed.scheme() == QLatin1StringView("postgres")) {
        config.driver = Driver::Postgres;
        config.host = parsed.host().isEmpty() ? QStringLiteral("localhost") : parsed.host();
        config.port = parsed.port(5432);
        config.user = parsed.userName();
        config.password = parsed.password();
        config.name = parsed.path().mid(1);
        if (config.name.isEmpty())
            return fail(
                ErrorCategory::Config,
                QStringLiteral("PostgreSQL URL needs a database name: postgresql://user@host:port/occ"));
        return config;
    }
    return fail(
        ErrorCategory::Config,
        QStringLiteral("--db must be empty, sqlite:///PATH or postgresql://USER:PW@HOST:PORT/DB, not '%1'")
            .arg(parsed.toString(QUrl::RemovePassword)));
}

QString DatabaseConfig::describe() const
{
    if (driver == Driver::Sqlite)
        return QStringLiteral("SQLite %1").arg(sqlitePath);
    return QStringLiteral("PostgreSQL %1@%2:%3/%4").arg(user, host).arg(port).arg(name);
}

Error sqlError(const QString &what, const QSqlError &error)
{
    return fail(ErrorCategory::Storage, QStringLiteral("%1: %2").arg(what, error.text()));
}

Result<QSqlQuery> execute(QSqlDatabase &db, const QString &sql, const QVariantList &bindings)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (bindings.isEmpty()) {
        // PostgreSQL cannot PREPARE DDL; statements without parameters run directly.
        if (!query.exec(sql))
            return sqlError(QStringLiteral("running '%1'").arg(sql.left(60)), query.lastError());
        return query;
    }
    if (!query.prepare(sql))
        return sqlError(QStringLiteral("preparing '%1'").arg(sql.left(60)), query.lastError());
    if (Result<void> r = execute(query, bindings); !r)
        return r.error();
    return query;
}

namespace {

void bind(QSqlQuery &query, const QVariantList &bindings)
{
    for (qsizetype i = 0; i < bindings.size(); ++i) {
        const QVariant &value = bindings.at(i);
        // A null QString would be bound as SQL NULL; NULL is written as QVariant().
        if (value.typeId() == QMetaType::QString && value.toString().isNull())
            query.bindValue(int(i), QString::fromLatin1(""));
        else
            query.bindValue(int(i), value);
    }
}

} // namespace

Result<void> execute(QSqlQuery &query, const QVariantList &bindings)
{
    bind(query, bindings);
    if (!query.exec())
        return sqlError(QStringLiteral("running '%1'").arg(query.lastQuery().left(60)), query.lastError());
    return {};
}

Database::PerThread &Database::perThread()
{
    const Qt::HANDLE thread = QThread::currentThreadId();
    QMutexLocker lock(&m_mutex);
    std::shared_ptr<PerThread> &entry = m_threads[thread];
    if (!entry) {
        entry = std::make_shared<PerThread>();
        entry->connectionName = m_prefix + QLatin1Char('-') + QString::number(quintptr(thread), 16);
    }
    return *entry;
}

Result<QSqlQuery *> Database::prepared(const QString &sql)
{
    Result<QSqlDatabase> db = connection();
    if (!db)
        return db.error();
    PerThread &mine = perThread();
    auto it = mine.prepared.find(sql);
    if (it == mine.prepared.end()) {
        auto query = std::make_shared<QSqlQuery>(*db);
        if (!query->prepare(sql))
            return sqlError(QStringLiteral("preparing '%1'").arg(sql.left(60)), query->lastError());
        it = mine.prepared.insert(sql, query);
    }
    return it->get();
}

Database::Database(DatabaseConfig config)
    : m_config(std::move(config))
    , m_prefix(QStringLiteral("occ-") + QUuid::createUuid().toString(QUuid::Id128))
{}

Database::~Database()
{
    // Statements go before their connections. Connections belong to their threads:
    // the calling thread closes its own; those of the server's worker threads went
    // with the threads, which end before the database object.
    QString name;
    {
        QMutexLocker lock(&m_mutex);
        for (const std::shared_ptr<PerThread> &entry : std::as_const(m_threads))
            entry->prepared.clear();
        if (auto it = m_threads.constFind(QThread::currentThreadId()); it != m_threads.cend())
            name = it->get()->connectionName;
    }
    if (!name.isEmpty() && QSqlDatabase::contains(name)) {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
}

Result<QSqlDatabase> Database::open(const QString &name)
{
    const bool postgres = isPostgres();
    const QString driver = postgres ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE");
    if (!QSqlDatabase::isDriverAvailable(driver))
        return fail(ErrorCategory::Storage, QStringLiteral("the Qt SQL driver %1 is not installed (%2)")
                                                .arg(driver, postgres ? QStringLiteral("libqt6sql6-psql")
                                                                      : QStringLiteral("libqt6sql6-sqlite")));
    QSqlDatabase db = QSqlDatabase::addDatabase(driver, name);
    if (postgres) {
        db.setHostName(m_config.host);
        db.setPort(m_config.port);
        db.setUserName(m_config.user);
        db.setPassword(m_config.password);
        db.setDatabaseName(m_config.name);
        db.setConnectOptions(QStringLiteral("connect_timeout=10"));
    } else {
        QDir().mkpath(QFileInfo(m_config.sqlitePath).absolutePath());
        db.setDatabaseName(m_config.sqlitePath);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    }
    if (!db.open())
        return sqlError(QStringLiteral("cannot open %1").arg(m_config.describe()), db.lastError());
    if (!postgres) {
        for (const char *pragma :
             {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
            if (Result<QSqlQuery> r = execute(db, QString::fromLatin1(pragma)); !r)
                return r.error();
        }
    }
    return db;
}

Result<QSqlDatabase> Database::connection()
{
    PerThread &mine = perThread();
    if (QSqlDatabase::contains(mine.connectionName)) {
        QSqlDatabase db = QSqlDatabase::database(mine.connectionName, false);
        if (db.isOpen())
            return db;
        // Closed, or left behind by an ended thread with the same id.
        mine.prepared.clear();
        QSqlDatabase::removeDatabase(mine.connectionName);
    }
    Result<QSqlDatabase> db = open(mine.connectionName);
    if (!db)
        QSqlDatabase::removeDatabase(mine.connectionName);
    return db;
}

Result<QSqlQuery> Database::query(const QString &sql, const QVariantList &bindings)
{
    Result<QSqlDatabase> db = connection();
    if (!db)
        return db.error();
    const bool write = !sql.startsWith(QLatin1StringView("SELECT"), Qt::CaseInsensitive);
    QMutexLocker<QRecursiveMutex> lock(write ? writeLock() : nullptr);
    return execute(*db, sql, bindings);
}

Result<void> Database::migrate()
{
    Result<QSqlDatabase> connection = this->connection();
    if (!connection)
        return connection.error();
    QSqlDatabase &db = *connection;
    Transaction transaction(*this, db);
    if (isPostgres()) {
        // Several cloud instances may start together against one database.
        if (Result<QSqlQuery> r = execute(db, QStringLiteral("SELECT pg_advisory_xact_lock(4207)")); !r)
            return r.error();
    }
    if (Result<QSqlQuery> r = execute(
            db, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
        !r)
        return r.error();
    Result<QSqlQuery> current = execute(db, QStringLiteral("SELECT MAX(version) FROM schema_version"));
    if (!current)
        return current.error();
    const int version = current->next() ? current->value(0).toInt() : 0;
    const QList<QStringList> &steps = schemaMigrations();
    if (version > steps.size())
        return fail(ErrorCategory::Storage,
                    QStringLiteral("database schema version %1 is newer than this occ-cloud (%2)")
                        .arg(version)
                        .arg(steps.size()));
    for (int step = version; step < steps.size(); ++step) {
        for (const QString &sql : steps.at(step)) {
            if (Result<QSqlQuery> r = execute(db, sql); !r)
                return r.error();
        }
        if (Result<QSqlQuery> r =
                execute(db, QStringLiteral("INSERT INTO schema_version (version) VALUES (?)"), {step + 1});
            !r)
            return r.error();
        qCInfo(lcStorage) << "schema migrated to version" << step + 1;
    }
    return transaction.commit();
}

Transaction::Transaction(Database &database, QSqlDatabase &db)
    : m_lock(database.writeLock())
    , m_db(db)
{
    m_started = m_db.transaction();
}

Transaction::~Transaction()
{
    if (m_started && !m_done)
        m_db.rollback();
}

Result<void> Transaction::commit()
{
    m_done = true;
    if (!m_started)
        return sqlError(QStringLiteral("cannot start a transaction"), m_db.lastError());
    if (!m_db.commit())
        return sqlError(QStringLiteral("commit failed"), m_db.lastError());
    return {};
}

} // namespace occ::cloud
