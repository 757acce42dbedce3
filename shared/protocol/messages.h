#pragma once

// OCCP/1 — the one list of every message between a Sensorhub and its Connector
// (ARCHITECTURE.md §7). Each message is a plain struct that names its fields once;
// cborfields.h turns that description into CBOR and back.

#include "core/result.h"
#include "protocol/cborfields.h"
#include "protocol/frame.h"

#include <QByteArray>
#include <QCborMap>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <variant>

namespace occ::protocol {

inline constexpr qint64 kProtocolVersion = 1;
inline constexpr quint16 kDefaultPort = 11002;

enum class MessageType
{
    Hello,
    Batch,
    Result,
    State,
    Ping,
    Pong,
    Welcome,
    Ack,
    Cmd,
    Error,
};

enum class Direction
{
    HubToConnector,
    ConnectorToHub,
    Both,
};

struct MessageInfo
{
    MessageType type;
    const char *name; // the value of key "t"
    Direction direction;
};

inline constexpr MessageInfo kMessages[] = {
    {MessageType::Hello, "hello", Direction::HubToConnector},
    {MessageType::Batch, "batch", Direction::HubToConnector},
    {MessageType::Result, "result", Direction::HubToConnector},
    {MessageType::State, "state", Direction::HubToConnector},
    {MessageType::Ping, "ping", Direction::Both},
    {MessageType::Pong, "pong", Direction::Both},
    {MessageType::Welcome, "welcome", Direction::ConnectorToHub},
    {MessageType::Ack, "ack", Direction::ConnectorToHub},
    {MessageType::Cmd, "cmd", Direction::ConnectorToHub},
    {MessageType::Error, "error", Direction::ConnectorToHub},
};

const MessageInfo &messageInfo(MessageType type);

// Measurement status (ARCHITECTURE §7): ok | warn | error | unknown.
enum class Status
{
    Ok,
    Warn,
    Error,
    Unknown,
};
QString enumName(Status status);
bool enumFromName(QStringView name, Status *out);

struct Measurement
{
    qint64 seq = 0; // per hub, strictly increasing, survives restarts
    QString sensor; // sensor id
    qint64 ts = 0;  // ms since the epoch, UTC
    Status status = Status::Unknown;
    QMap<QString, double> values;
    QString text;

    static constexpr auto fields()
    {
        return std::tuple{req("seq", &Measurement::seq),       req("sensor", &Measurement::sensor),
                          req("ts", &Measurement::ts),         req("status", &Measurement::status),
                          opt("values", &Measurement::values), opt("text", &Measurement::text)};
    }
    bool operator==(const Measurement &) const = default;
};

// ---- hub -> connector -------------------------------------------------------------

struct Hello
{
    static constexpr MessageType kType = MessageType::Hello;
    qint64 v = kProtocolVersion;
    QString hubId;
    QString hostname;
    QString os;
    QString agentVersion;

    static constexpr auto fields()
    {
        return std::tuple{req("v", &Hello::v), req("hubId", &Hello::hubId), opt("hostname", &Hello::hostname),
                          opt("os", &Hello::os), opt("agentVersion", &Hello::agentVersion)};
    }
    bool operator==(const Hello &) const = default;
};

struct Batch
{
    static constexpr MessageType kType = MessageType::Batch;
    QList<Measurement> items;

    static constexpr auto fields() { return std::tuple{req("items", &Batch::items)}; }
    bool operator==(const Batch &) const = default;
};

struct CommandResult
{
    static constexpr MessageType kType = MessageType::Result;
    QString cmdId;
    bool ok = false;
    QString detail;

    static constexpr auto fields()
    {
        return std::tuple{req("cmdId", &CommandResult::cmdId), req("ok", &CommandResult::ok),
                          opt("detail", &CommandResult::detail)};
    }
    bool operator==(const CommandResult &) const = default;
};

// What the hub tells its connector about itself, forwarded to the cloud's ReportState.
struct StateReport
{
    static constexpr MessageType kType = MessageType::State;
    QString path; // ConnectorLan | ConnectorVpn
    qint64 queueDepth = 0;
    qint64 dropped = 0;
    qint64 lastDelivery = 0; // ms since the epoch

    static constexpr auto fields()
    {
        return std::tuple{req("path", &StateReport::path), opt("queueDepth", &StateReport::queueDepth),
                          opt("dropped", &StateReport::dropped),
                          opt("lastDelivery", &StateReport::lastDelivery)};
    }
    bool operator==(const StateReport &) const = default;
};

// ---- both directions ---------------------------------------------------------------

template <MessageType Type> struct Heartbeat
{
    static constexpr MessageType kType = Type;
    qint64 n = 0;

    static constexpr auto fields() { return std::tuple{req("n", &Heartbeat::n)}; }
    bool operator==(const Heartbeat &) const = default;
};
using Ping = Heartbeat<MessageType::Ping>;
using Pong = Heartbeat<MessageType::Pong>;

// ---- connector -> hub --------------------------------------------------------------

struct Welcome
{
    static constexpr MessageType kType = MessageType::Welcome;
    qint64 v = kProtocolVersion;
    QString connectorId;
    qint64 heartbeat = 10; // seconds
    qint64 maxBatch = 500; // measurements per batch
    qint64 window = 8;     // unacknowledged batches in flight
    qint64 lastSeq = 0;    // the highest seq of this hub the connector (or, through it, the cloud) has seen

    static constexpr auto fields()
    {
        return std::tuple{req("v", &Welcome::v),
                          req("connectorId", &Welcome::connectorId),
                          req("heartbeat", &Welcome::heartbeat),
                          req("maxBatch", &Welcome::maxBatch),
                          req("window", &Welcome::window),
                          opt("lastSeq", &Welcome::lastSeq)};
    }
    bool operator==(const Welcome &) const = default;
};

struct Ack
{
    static constexpr MessageType kType = MessageType::Ack;
    qint64 upTo = 0; // every seq <= upTo is committed

    static constexpr auto fields() { return std::tuple{req("upTo", &Ack::upTo)}; }
    bool operator==(const Ack &) const = default;
};

struct Command
{
    static constexpr MessageType kType = MessageType::Cmd;
    QString id;
    QString kind; // reconnect | runSensor | reloadConfig | collectDiagnostics
    QList<QString> args;
    qint64 expires = 0; // ms since the epoch

    static constexpr auto fields()
    {
        return std::tuple{req("id", &Command::id), req("kind", &Command::kind), opt("args", &Command::args),
                          opt("expires", &Command::expires)};
    }
    bool operator==(const Command &) const = default;
};

struct ErrorReport
{
    static constexpr MessageType kType = MessageType::Error;
    QString code;
    QString message;

    static constexpr auto fields()
    {
        return std::tuple{req("code", &ErrorReport::code), opt("message", &ErrorReport::message)};
    }
    bool operator==(const ErrorReport &) const = default;
};

using Message =
    std::variant<Hello, Batch, CommandResult, StateReport, Ping, Pong, Welcome, Ack, Command, ErrorReport>;

MessageType typeOf(const Message &message);

// Map with "t" plus the message's fields.
QCborMap toCbor(const Message &message);
// A frame ready for the socket (empty if it would exceed the frame limit).
QByteArray encode(const Message &message);
// Checks "t" and every field. *code tells which FrameError applies on failure.
Result<Message> decode(const QCborMap &map, FrameError *code = nullptr);

} // namespace occ::protocol
