#include "messages.h"

#include <array>

namespace occ::protocol {
namespace {

constexpr std::array<const char *, 4> kStatusNames = {"ok", "warn", "error", "unknown"};

template <std::size_t I = 0>
Result<Message> decodeAlternative(MessageType type, const QCborMap &map, FrameError *code)
{
    if constexpr (I < std::variant_size_v<Message>) {
        using M = std::variant_alternative_t<I, Message>;
        if (M::kType != type)
            return decodeAlternative<I + 1>(type, map, code);
        M message;
        QString problem;
        if (!decodeFields(map, message, &problem)) {
            if (code)
                *code = FrameError::BadField;
            return fail(
                ErrorCategory::Protocol,
                QStringLiteral("'%1' message: %2").arg(QLatin1StringView(messageInfo(type).name), problem));
        }
        return Message(std::move(message));
    } else {
        if (code)
            *code = FrameError::UnknownType;
        return fail(ErrorCategory::Internal, QStringLiteral("no struct for message type"));
    }
}

} // namespace

const MessageInfo &messageInfo(MessageType type)
{
    for (const MessageInfo &info : kMessages) {
        if (info.type == type)
            return info;
    }
    Q_UNREACHABLE();
}

QString enumName(Status status)
{
    return QLatin1StringView(kStatusNames[std::size_t(status)]);
}

bool enumFromName(QStringView name, Status *out)
{
    for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
        if (name == QLatin1StringView(kStatusNames[i])) {
            *out = Status(i);
            return true;
        }
    }
    return false;
}

MessageType typeOf(const Message &message)
{
    return std::visit([](const auto &m) { return std::remove_cvref_t<decltype(m)>::kType; }, message);
}

QCborMap toCbor(const Message &message)
{
    QCborMap map;
    map.insert(QLatin1StringView("t"), QLatin1StringView(messageInfo(typeOf(message)).name));
    std::visit([&map](const auto &m) { encodeFields(m, map); }, message);
    return map;
}

QByteArray encode(const Message &message)
{
    return encodeFrame(toCbor(message));
}

Result<Message> decode(const QCborMap &map, FrameError *code)
{
    const QCborValue t = map.value(QLatin1StringView("t"));
    if (!t.isString()) {
        if (code)
            *code = FrameError::MissingType;
        return fail(ErrorCategory::Protocol, QStringLiteral("frame has no text key 't'"));
    }
    const QString name = t.toString();
    for (const MessageInfo &info : kMessages) {
        if (name == QLatin1StringView(info.name))
            return decodeAlternative(info.type, map, code);
    }
    if (code)
        *code = FrameError::UnknownType;
    return fail(ErrorCategory::Protocol, QStringLiteral("unknown message type '%1'").arg(name.left(64)));
}

} // namespace occ::protocol
