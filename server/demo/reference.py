"""Reference data of the demo traffic: devices, SDK versions, push providers and their errors."""

from store.model import BuiltinMessageType, Platform, PushProvider

# (deviceModel, osVersion, push provider); osVersion is the Android API level on Android.
DEVICES: dict[Platform, list[tuple[str | None, str | None, PushProvider | None]]] = {
    Platform.ANDROID: [
        ("Pixel 8", "34", PushProvider.FCM),
        ("Pixel 9 Pro", "35", PushProvider.FCM),
        ("Pixel 6a", "33", PushProvider.FCM),
        ("SM-S9210", "34", PushProvider.FCM),
        ("SM-A546E", "33", PushProvider.FCM),
        ("moto g54 5G", "33", PushProvider.FCM),
        ("23127PN0CC", "34", PushProvider.XIAOMI),
        ("22101316C", "33", PushProvider.XIAOMI),
        ("M2101K9AG", "31", PushProvider.XIAOMI),
        ("PHZ110", "34", PushProvider.OPPO),
        ("CPH2451", "33", PushProvider.OPPO),
        ("V2309A", "34", PushProvider.VIVO),
        ("V2227A", "33", PushProvider.VIVO),
        ("PGT-AN10", "33", PushProvider.HONOR),
        ("ANY-AN00", "31", PushProvider.HONOR),
        ("SM-G973F", "29", PushProvider.FCM),
        ("Redmi Note 9 Pro", "30", PushProvider.XIAOMI),
    ],
    Platform.IOS: [
        ("iPhone17,1", "18.2", PushProvider.APNS),
        ("iPhone16,2", "18.1.1", PushProvider.APNS),
        ("iPhone15,4", "17.6.1", PushProvider.APNS),
        ("iPhone15,2", "17.4", PushProvider.APNS),
        ("iPhone14,5", "16.7.10", PushProvider.APNS),
        ("iPhone12,8", "16.7.8", PushProvider.APNS),
        ("iPad14,3", "17.5.1", PushProvider.APNS),
    ],
    Platform.HARMONYOS: [
        ("ALN-AL00", "5.0.0", PushProvider.HUAWEI),
        ("BRA-AL00", "4.2.0", PushProvider.HUAWEI),
        ("HBN-AL00", "5.0.1", PushProvider.HUAWEI),
    ],
    Platform.WEB: [
        ("Chrome 131", "Windows 10", None),
        ("Safari 18.1", "macOS 15.1", None),
        ("Firefox 133", "Ubuntu 24.04", None),
        ("Edge 131", "Windows 11", None),
    ],
    Platform.DESKTOP: [
        ("MacBookPro18,3", "15.1.1", None),
        ("Mac14,2", "14.7", None),
        ("Windows PC x64", "10.0.22631", None),
        ("Windows PC x64", "10.0.19045", None),
    ],
}

SDK_VERSIONS: dict[Platform, list[str]] = {
    Platform.ANDROID: ["5.12.1", "5.10.4", "5.8.1", "5.6.9"],
    Platform.IOS: ["5.12.1", "5.10.3", "5.8.0", "5.6.10"],
    Platform.HARMONYOS: ["1.2.1", "1.1.0"],
    Platform.WEB: ["5.12.0", "5.10.2", "5.9.6"],
    Platform.DESKTOP: ["5.12.0", "5.8.3"],
}

PLATFORM_WEIGHTS = {
    Platform.ANDROID: 45,
    Platform.IOS: 30,
    Platform.HARMONYOS: 8,
    Platform.WEB: 10,
    Platform.DESKTOP: 7,
}

# Why a provider refused a push: (errorCode, errorDescription), as the provider reports it.
PUSH_ERRORS: dict[PushProvider, list[tuple[str, str]]] = {
    PushProvider.APNS: [
        ("BadDeviceToken", "The specified device token is invalid."),
        ("Unregistered", "The device token is inactive for the specified topic."),
        ("DeviceTokenNotForTopic", "The device token doesn't match the specified topic."),
        ("TooManyRequests", "Too many requests were made consecutively to the same device token."),
    ],
    PushProvider.FCM: [
        ("UNREGISTERED", "Requested entity was not found."),
        ("QUOTA_EXCEEDED", "Sending limit exceeded for the message target."),
        ("UNAVAILABLE", "The service is currently unavailable."),
        ("INVALID_ARGUMENT", "The registration token is not a valid FCM registration token."),
    ],
    PushProvider.HUAWEI: [
        ("80300007", "All the tokens are invalid."),
        ("80100003", "Incorrect message structure."),
        ("80300008", "The message body size exceeds the default value."),
    ],
    # Vendors below: transport failures recorded by the IM server itself.
    PushProvider.HONOR: [("HTTP_503", "Provider endpoint returned 503 Service Unavailable.")],
    PushProvider.XIAOMI: [("TIMEOUT", "No answer from the provider within 5000 ms.")],
    PushProvider.OPPO: [("HTTP_429", "Provider rate limit reached; retry later.")],
    PushProvider.VIVO: [("TIMEOUT", "No answer from the provider within 5000 ms.")],
}

REJECT_CODES: list[tuple[str, str | None]] = [
    ("TOKEN_INVALID", "The token is invalid or was issued for another app."),
    ("TOKEN_EXPIRED", "The token has expired; request a new one from the app server."),
    ("USER_BLOCKED", "The user is banned from connecting."),
    ("APP_BLOCKED_OR_DELETED", "The app is suspended or deleted."),
    ("CONCURRENT_LOGIN_LIMIT", None),
    ("PACKAGE_NAME_MISMATCH", "The client package name does not match the app's settings."),
]

BUILTIN_WEIGHTS: dict[BuiltinMessageType, float] = {
    BuiltinMessageType.TEXT: 50,
    BuiltinMessageType.IMAGE: 10,
    BuiltinMessageType.GIF: 3,
    BuiltinMessageType.VOICE: 6,
    BuiltinMessageType.FILE: 3,
    BuiltinMessageType.VIDEO: 3,
    BuiltinMessageType.LOCATION: 1,
    BuiltinMessageType.COMBINED: 1,
    BuiltinMessageType.REFERENCE: 3,
    BuiltinMessageType.RICH_CONTENT: 1,
    BuiltinMessageType.RECALL: 2,
    BuiltinMessageType.COMMAND: 1,
    BuiltinMessageType.COMMAND_NOTIFICATION: 1,
    BuiltinMessageType.INFO_NOTIFICATION: 1,
    BuiltinMessageType.GROUP_NOTIFICATION: 1,
    BuiltinMessageType.CONTACT_NOTIFICATION: 0.5,
    BuiltinMessageType.READ_RECEIPT: 3,
    BuiltinMessageType.TYPING_STATUS: 4,
}
CUSTOM_TYPES = ["App:OrderCard", "App:RedPacket", "Biz:Poll.v2", "Game:Invite"]
CUSTOM_WEIGHT = 4

NOT_PUSHABLE = frozenset(
    {
        BuiltinMessageType.COMMAND,
        BuiltinMessageType.COMMAND_NOTIFICATION,
        BuiltinMessageType.READ_RECEIPT,
        BuiltinMessageType.TYPING_STATUS,
    }
)
"""Status and command messages: stored for an offline recipient, never pushed."""

NAMED_USERS = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
    "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
]  # fmt: skip
OPEN_CHANNELS = ["chatroom-lobby", "chatroom-live-match", "chatroom-support"]
SYSTEM_SENDERS = ["system-notice", "system-billing"]
