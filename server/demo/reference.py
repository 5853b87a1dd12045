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

# Why a provider refused a push: (errorCode, errorDescription, weight), as the provider
# reports it; every code is in the push error catalogue (store/push_errors.toml), spread the
# way failures are commonly spread: dead tokens first, then quotas, configuration, payloads.
PUSH_ERRORS: dict[PushProvider, list[tuple[str, str, int]]] = {
    PushProvider.APNS: [
        ("Unregistered", "The device token is inactive for the specified topic.", 40),
        ("BadDeviceToken", "The specified device token is invalid.", 25),
        ("DeviceTokenNotForTopic", "The device token doesn't match the specified topic.", 8),
        ("TooManyRequests", "Too many requests to the same device token.", 8),
        ("ExpiredProviderToken", "The provider token is stale.", 5),
        ("PayloadTooLarge", "The message payload is too large.", 4),
        ("ServiceUnavailable", "The service is unavailable.", 4),
        ("InternalServerError", "An internal server error occurred.", 3),
        ("BadEnvironmentKeyInToken", "The key is for the wrong environment.", 3),
    ],
    PushProvider.FCM: [
        ("UNREGISTERED", "Requested entity was not found.", 45),
        ("INVALID_ARGUMENT", "The registration token is not a valid FCM registration token.", 15),
        ("QUOTA_EXCEEDED", "Sending limit exceeded for the message target.", 10),
        ("UNAVAILABLE", "The service is currently unavailable.", 10),
        ("SENDER_ID_MISMATCH", "SenderId mismatch.", 8),
        ("THIRD_PARTY_AUTH_ERROR", "Auth error from APNS or Web Push Service.", 7),
        ("INTERNAL", "Internal error encountered.", 5),
    ],
    PushProvider.HUAWEI: [
        ("80300007", "All the tokens are invalid.", 30),
        ("2", "The app is not installed.", 10),
        ("6", "Notification messages are not displayed.", 10),
        ("80100000", "Some tokens are right, the others are illegal.", 10),
        ("80200003", "OAuth token expired.", 10),
        ("80100003", "Incorrect message structure.", 8),
        ("503", "Traffic control.", 8),
        ("80300008", "The message body size exceeds the default value.", 5),
        ("102", "Message dropped by frequency control.", 5),
        ("81000001", "System inner error.", 4),
    ],
    PushProvider.HONOR: [
        ("8001004", "No push token: the app has not obtained one.", 35),
        ("8003001", "Push server error.", 25),
        ("10214", "Operation too frequent.", 20),
        ("8003002", "Unknown error.", 10),
        ("8002007", "Push service disabled on the device.", 10),
    ],
    PushProvider.XIAOMI: [
        ("65003", "No device found, the device is usually offline.", 30),
        ("10034", "The app has sent too many messages today.", 15),
        ("10027", "The app calls the API too frequently.", 15),
        ("20301", "Failed to send the message.", 10),
        ("27001", "Channel information does not match.", 10),
        ("22022", "Invalid package name.", 8),
        ("21301", "Authentication failed.", 7),
        ("65009", "The message content is too long.", 5),
    ],
    PushProvider.OPPO: [
        ("33", "The number of messages exceeds the daily limit.", 25),
        ("-2", "Service in Flow Control.", 15),
        ("13", "App Call Limited.", 15),
        ("11", "Invalid AuthToken.", 15),
        ("41", "Invalid Arguments.", 10),
        ("67", "Category error.", 10),
        ("-1", "Service Currently Unavailable.", 10),
    ],
    PushProvider.VIVO: [
        ("10302", "regId is invalid.", 35),
        ("10070", "Total number of messages sent exceeds the limit.", 20),
        ("10071", "Sent outside the allowed time.", 15),
        ("10073", "Total number of system messages exceeds the limit.", 10),
        ("10085", "The title or content is not allowed.", 10),
        ("10094", "The appId does not match the authentication.", 10),
    ],
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
