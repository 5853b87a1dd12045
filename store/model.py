"""The enumerations of the tracking domain: the one place their values live.

The GraphQL schema exposes these same classes; ingest validates against them.
"""

from enum import Enum


class Platform(str, Enum):
    ANDROID = "ANDROID"
    IOS = "IOS"
    HARMONYOS = "HARMONYOS"
    WEB = "WEB"
    DESKTOP = "DESKTOP"


class DisconnectReason(str, Enum):
    LOGOUT = "LOGOUT"
    NETWORK_ERROR = "NETWORK_ERROR"
    KICKED_BY_OTHER_DEVICE = "KICKED_BY_OTHER_DEVICE"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    HEARTBEAT_TIMEOUT = "HEARTBEAT_TIMEOUT"
    SERVER_CLOSED = "SERVER_CLOSED"
    UNKNOWN = "UNKNOWN"


class ChannelType(str, Enum):
    DIRECT = "DIRECT"
    GROUP = "GROUP"
    OPEN = "OPEN"
    SYSTEM = "SYSTEM"


class MessageSource(str, Enum):
    ANDROID = "ANDROID"
    IOS = "IOS"
    HARMONYOS = "HARMONYOS"
    WEB = "WEB"
    DESKTOP = "DESKTOP"
    SERVER_API = "SERVER_API"


class SendResult(str, Enum):
    SENT = "SENT"
    SENT_PROFANITY_REPLACED = "SENT_PROFANITY_REPLACED"
    BLOCKED_BY_BLOCKLIST = "BLOCKED_BY_BLOCKLIST"
    BLOCKED_BY_ALLOWLIST = "BLOCKED_BY_ALLOWLIST"
    MUTED = "MUTED"
    PROFANITY_BLOCKED = "PROFANITY_BLOCKED"


class MuteScope(str, Enum):
    GROUP_FROZEN = "GROUP_FROZEN"
    GROUP_MEMBER_MUTED = "GROUP_MEMBER_MUTED"
    OPEN_CHANNEL_PARTICIPANT_MUTED = "OPEN_CHANNEL_PARTICIPANT_MUTED"


class PushSkipReason(str, Enum):
    NO_PUSH_TOKEN = "NO_PUSH_TOKEN"
    PUSH_DISABLED = "PUSH_DISABLED"
    DO_NOT_DISTURB = "DO_NOT_DISTURB"
    NOT_PUSHABLE_TYPE = "NOT_PUSHABLE_TYPE"


class PushProvider(str, Enum):
    APNS = "APNS"
    FCM = "FCM"
    HUAWEI = "HUAWEI"
    HONOR = "HONOR"
    XIAOMI = "XIAOMI"
    OPPO = "OPPO"
    VIVO = "VIVO"


class BuiltinMessageType(str, Enum):
    TEXT = "TEXT"
    IMAGE = "IMAGE"
    GIF = "GIF"
    VOICE = "VOICE"
    FILE = "FILE"
    VIDEO = "VIDEO"
    LOCATION = "LOCATION"
    COMBINED = "COMBINED"
    REFERENCE = "REFERENCE"
    RICH_CONTENT = "RICH_CONTENT"
    RECALL = "RECALL"
    COMMAND = "COMMAND"
    COMMAND_NOTIFICATION = "COMMAND_NOTIFICATION"
    INFO_NOTIFICATION = "INFO_NOTIFICATION"
    GROUP_NOTIFICATION = "GROUP_NOTIFICATION"
    CONTACT_NOTIFICATION = "CONTACT_NOTIFICATION"
    READ_RECEIPT = "READ_RECEIPT"
    TYPING_STATUS = "TYPING_STATUS"


class ConnectionStatus(str, Enum):
    ONLINE = "ONLINE"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"


class ReceiptStatus(str, Enum):
    DELIVERED = "DELIVERED"
    NOT_DELIVERED = "NOT_DELIVERED"
    OFFLINE = "OFFLINE"
    PENDING = "PENDING"


class KeyRole(str, Enum):
    READ = "read"
    INGEST = "ingest"
