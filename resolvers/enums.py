"""The domain enums, registered with the schema under their own names.

The store's enums stay plain Python; what each value means to an API client is
written here, once, and attached to the registered GraphQL enum.
"""

from typing import TypeAlias

import strawberry
from strawberry.types.enum import has_enum_definition

from store import model
from store.catalogue import OBJECT_NAME_OF
from store.limits import SETTLE_MS


def _describe(enum: type, description: str, values: dict[str, str]) -> None:
    """Give a registered enum its description and each value its own; a value left
    undescribed is a KeyError at import, so a new value cannot slip in without one."""
    assert has_enum_definition(enum), enum
    definition = enum.__strawberry_definition__
    definition.description = description
    for value in definition.values:
        value.description = values[value.name]


_SETTLE_MINUTES = SETTLE_MS // 60_000


def _with_object_names(labels: dict[str, str]) -> dict[str, str]:
    """Each built-in type's label followed by its ObjectName, from the one catalogue."""
    return {
        name: f"{label} ({OBJECT_NAME_OF[model.BuiltinMessageType(name)]})."
        for name, label in labels.items()
    }


Platform: TypeAlias = model.Platform
strawberry.enum(Platform)
_describe(
    Platform,
    "The operating system family of the client SDK that opened a connection.",
    {
        "ANDROID": "The Android SDK.",
        "IOS": "The iOS SDK (iPhone and iPad).",
        "HARMONYOS": "The HarmonyOS (NEXT) SDK.",
        "WEB": "The JavaScript SDK in a browser or a mini program.",
        "DESKTOP": "A desktop SDK (Windows, macOS, Linux, Electron).",
    },
)

DisconnectReason: TypeAlias = model.DisconnectReason
strawberry.enum(DisconnectReason)
_describe(
    DisconnectReason,
    "Why a connection closed, as the Nexconn server recorded it.",
    {
        "LOGOUT": "The app logged the user out (or disconnected on purpose).",
        "NETWORK_ERROR": "The network between the device and Nexconn failed.",
        "KICKED_BY_OTHER_DEVICE": "The same user signed in on another device, which took "
        "the connection over.",
        "TOKEN_EXPIRED": "The user's access token expired; the app must get a new one.",
        "HEARTBEAT_TIMEOUT": "The server heard no heartbeat from the client in time "
        "(the app was suspended, or the network silently dropped).",
        "SERVER_CLOSED": "The Nexconn server closed the connection (deployment, "
        "banned user, app-level kick).",
        "UNKNOWN": "The server recorded no reason.",
    },
)

ChannelType: TypeAlias = model.ChannelType
strawberry.enum(ChannelType)
_describe(
    ChannelType,
    "The kind of conversation a message was sent in; it sets what targetId names.",
    {
        "DIRECT": "One-to-one chat: targetId is the recipient's user id; one receipt.",
        "GROUP": "Group chat: targetId is the group id; one receipt per member who was "
        "sent the message.",
        "OPEN": "Open channel (chat room): targetId is the channel id; no per-recipient "
        "receipts are tracked.",
        "SYSTEM": "System conversation (notifications from the app's server): targetId is "
        "the recipient's user id; no per-recipient receipts are tracked.",
    },
)

MessageSource: TypeAlias = model.MessageSource
strawberry.enum(MessageSource)
_describe(
    MessageSource,
    "Where a message was sent from: a client SDK, or the app's server.",
    {
        "ANDROID": "The Android SDK.",
        "IOS": "The iOS SDK.",
        "HARMONYOS": "The HarmonyOS SDK.",
        "WEB": "The JavaScript SDK.",
        "DESKTOP": "A desktop SDK.",
        "SERVER_API": "The app's server, through Nexconn's server API (no client connection).",
    },
)

SendResult: TypeAlias = model.SendResult
strawberry.enum(SendResult)
_describe(
    SendResult,
    "What the Nexconn server did with a message when it was sent: accepted it, or a "
    "filter stopped it. Only SENT and SENT_PROFANITY_REPLACED messages have a msgUid "
    "and receipts.",
    {
        "SENT": "Accepted and passed on to its recipients.",
        "SENT_PROFANITY_REPLACED": "Accepted after the profanity filter replaced words in it.",
        "BLOCKED_BY_BLOCKLIST": "Not sent: the sender is on the target user's blocklist.",
        "BLOCKED_BY_ALLOWLIST": "Not sent: the target user's allowlist is on and the sender "
        "is not on it.",
        "MUTED": "Not sent: the sender may not speak there (muteScope says why).",
        "PROFANITY_BLOCKED": "Not sent: it contains sensitive words and failed moderation.",
    },
)

MuteScope: TypeAlias = model.MuteScope
strawberry.enum(MuteScope)
_describe(
    MuteScope,
    "Which mute stopped a MUTED message.",
    {
        "GROUP_FROZEN": "The group is frozen: no member can send messages.",
        "GROUP_MEMBER_MUTED": "The sender is muted in this group.",
        "OPEN_CHANNEL_PARTICIPANT_MUTED": "The sender is muted in this open channel.",
    },
)

PushSkipReason: TypeAlias = model.PushSkipReason
strawberry.enum(PushSkipReason)
_describe(
    PushSkipReason,
    "Why an OFFLINE recipient was sent no push notification.",
    {
        "NO_PUSH_TOKEN": "The recipient's device has registered no push token with Nexconn.",
        "PUSH_DISABLED": "Push is turned off for the app, the conversation or the user.",
        "DO_NOT_DISTURB": "The recipient set do-not-disturb for the conversation or this time.",
        "NOT_PUSHABLE_TYPE": "The message type is never pushed (for example a command or a "
        "typing status).",
    },
)

PushProvider: TypeAlias = model.PushProvider
strawberry.enum(PushProvider)
_describe(
    PushProvider,
    "The push service a notification was handed to.",
    {
        "APNS": "Apple Push Notification service (iOS).",
        "FCM": "Firebase Cloud Messaging (Android outside mainland China, and the web).",
        "HUAWEI": "Huawei Push Kit.",
        "HONOR": "Honor Push.",
        "XIAOMI": "Xiaomi (Mi) Push.",
        "OPPO": "OPPO Push (also OnePlus and realme devices).",
        "VIVO": "vivo Push.",
    },
)

BuiltinMessageType: TypeAlias = model.BuiltinMessageType
strawberry.enum(BuiltinMessageType)
_describe(
    BuiltinMessageType,
    "Nexconn's built-in message types; SentMessage.messageType carries the ObjectName "
    "written after each value.",
    _with_object_names(
        {
            "TEXT": "Text",
            "IMAGE": "Image",
            "GIF": "Animated GIF",
            "VOICE": "High-quality voice clip",
            "FILE": "File",
            "VIDEO": "Short video",
            "LOCATION": "Location",
            "COMBINED": "Several messages forwarded as one",
            "REFERENCE": "A reply quoting another message",
            "RICH_CONTENT": "Image and text card",
            "RECALL": "Recall of an earlier message",
            "COMMAND": "Command, not shown to the user",
            "COMMAND_NOTIFICATION": "Command notification",
            "INFO_NOTIFICATION": "Gray informational notice",
            "GROUP_NOTIFICATION": "Group event notice, such as a member joining",
            "CONTACT_NOTIFICATION": "Contact (friend) request notice",
            "READ_RECEIPT": "Read receipt",
            "TYPING_STATUS": "Typing status",
        }
    ),
)

ConnectionStatus: TypeAlias = model.ConnectionStatus
strawberry.enum(ConnectionStatus)
_describe(
    ConnectionStatus,
    "The state of a connection log entry.",
    {
        "ONLINE": "Open: no close has been recorded yet.",
        "CLOSED": "Closed: disconnectedAt and disconnectReason say when and why.",
        "REJECTED": "A connect attempt the server refused: rejectCode and rejectDescription "
        "say why; it never opened.",
    },
)

ReceiptStatus: TypeAlias = model.ReceiptStatus
strawberry.enum(ReceiptStatus)
_describe(
    ReceiptStatus,
    "What happened to a message for one recipient: the status of the latest status "
    "event (on a tie DELIVERED wins over NOT_DELIVERED, which wins over OFFLINE). "
    f"Events may still arrive until {_SETTLE_MINUTES} minutes after the message was sent.",
    {
        "DELIVERED": "The recipient was online and received the message.",
        "NOT_DELIVERED": "The recipient was online and notified of new messages, but "
        "disconnected or logged out before fetching them; it fetches them at its next "
        "login (a later DELIVERED may follow). No push is sent for it.",
        "OFFLINE": "The recipient was offline: the message is stored for it and turned into "
        "a push notification where push is configured (see pushAttempts and pushSkipped).",
        "PENDING": "No status event has arrived for this recipient yet.",
    },
)

PushErrorAction: TypeAlias = model.PushErrorAction
strawberry.enum(PushErrorAction)
_describe(
    PushErrorAction,
    "What a push provider's error asks of the developer.",
    {
        "RETRY_LATER": "Transient on the provider's side: retry with backoff.",
        "THROTTLED": "A quota or rate limit: slow down, or wait for the quota to reset.",
        "REMOVE_TOKEN": "The token is dead (app uninstalled, unregistered, expired): "
        "stop using it.",
        "FIX_CONFIGURATION": "Credentials, certificate, topic or bundle id, sender id or "
        "environment are wrong.",
        "FIX_PAYLOAD": "The request itself is wrong: its size, fields or values.",
        "SUPPRESSED_ON_DEVICE": "The user or the device's operating system did not let "
        "the notification show.",
        "UNKNOWN": "The code is not in the catalogue.",
    },
)
