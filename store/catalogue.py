"""Message-type catalogue, send-result prompts and the rules tied to them."""

import re

from store.model import BuiltinMessageType, ChannelType, MuteScope, ReceiptStatus, SendResult

BUILTIN_OBJECT_NAMES: dict[str, BuiltinMessageType] = {
    "NX:TxtMsg": BuiltinMessageType.TEXT,
    "NX:ImgMsg": BuiltinMessageType.IMAGE,
    "NX:GIFMsg": BuiltinMessageType.GIF,
    "NX:HQVCMsg": BuiltinMessageType.VOICE,
    "NX:FileMsg": BuiltinMessageType.FILE,
    "NX:SightMsg": BuiltinMessageType.VIDEO,
    "NX:LBSMsg": BuiltinMessageType.LOCATION,
    "NX:CombineMsg": BuiltinMessageType.COMBINED,
    "NX:ReferenceMsg": BuiltinMessageType.REFERENCE,
    "NX:ImgTextMsg": BuiltinMessageType.RICH_CONTENT,
    "NX:RcCmd": BuiltinMessageType.RECALL,
    "NX:CmdMsg": BuiltinMessageType.COMMAND,
    "NX:CmdNtf": BuiltinMessageType.COMMAND_NOTIFICATION,
    "NX:InfoNtf": BuiltinMessageType.INFO_NOTIFICATION,
    "NX:GrpNtf": BuiltinMessageType.GROUP_NOTIFICATION,
    "NX:ContactNtf": BuiltinMessageType.CONTACT_NOTIFICATION,
    "NX:ReadNtf": BuiltinMessageType.READ_RECEIPT,
    "NX:TypSts": BuiltinMessageType.TYPING_STATUS,
}
OBJECT_NAME_OF: dict[BuiltinMessageType, str] = {v: k for k, v in BUILTIN_OBJECT_NAMES.items()}

RESERVED_NAMESPACE = "NX:"
_OBJECT_NAME = re.compile(r"[A-Za-z0-9_]{1,16}:[A-Za-z0-9_.\-]{1,32}")


def object_name_error(name: str) -> str | None:
    """Why ``name`` is not a valid ObjectName (built-in or custom), or None when it is."""
    if name in BUILTIN_OBJECT_NAMES:
        return None
    if not _OBJECT_NAME.fullmatch(name):
        return "must match ^[A-Za-z0-9_]{1,16}:[A-Za-z0-9_.\\-]{1,32}$"
    if name.startswith(RESERVED_NAMESPACE):
        return f"'{name}' is in the reserved NX: namespace but is not a built-in type"
    return None


def custom_type_error(name: str) -> str | None:
    """Why ``name`` cannot be used as a custom message type, or None when it can."""
    if name in BUILTIN_OBJECT_NAMES:
        return f"'{name}' is a built-in type: filter it with `builtin`"
    return object_name_error(name)


ACCEPTED_RESULTS = frozenset({SendResult.SENT, SendResult.SENT_PROFANITY_REPLACED})

_PROMPTS: dict[tuple[SendResult, MuteScope | None], str] = {
    (SendResult.SENT_PROFANITY_REPLACED, None): (
        "Contains replaceable profanity words, replacement operation completed."
    ),
    (SendResult.BLOCKED_BY_BLOCKLIST, None): (
        "The sender is on the target user's blocklist; the message was not sent."
    ),
    (SendResult.BLOCKED_BY_ALLOWLIST, None): (
        "The allowlist is on and the sender is not on the target user's allowlist; "
        "the message was not sent."
    ),
    (SendResult.MUTED, MuteScope.GROUP_FROZEN): (
        "The group is frozen: no member can send messages; the message was not sent."
    ),
    (SendResult.MUTED, MuteScope.GROUP_MEMBER_MUTED): (
        "The sender is muted in this group; the message was not sent."
    ),
    (SendResult.MUTED, MuteScope.OPEN_CHANNEL_PARTICIPANT_MUTED): (
        "The sender is muted in this open channel; the message was not sent."
    ),
    (SendResult.PROFANITY_BLOCKED, None): (
        "The message contains sensitive words and failed moderation; "
        "it was blocked by the Nexconn server."
    ),
}


def prompt_for(result: SendResult, mute_scope: MuteScope | None) -> str | None:
    """The prompt the API shows for a send result; None for SENT."""
    if result is SendResult.MUTED:
        return _PROMPTS.get((result, mute_scope))
    return _PROMPTS.get((result, None))


RECEIPT_CHANNELS = frozenset({ChannelType.DIRECT, ChannelType.GROUP})

# On a tie of event times, the higher rank wins.
STATUS_RANK: dict[ReceiptStatus, int] = {
    ReceiptStatus.OFFLINE: 1,
    ReceiptStatus.NOT_DELIVERED: 2,
    ReceiptStatus.DELIVERED: 3,
}
