"""What a diagnosis says about each disconnect reason, push-skip reason and send
filter: what happened and what the app can change (``store.diagnosis`` uses them)."""

from store.model import DisconnectReason, MuteScope, PushSkipReason, SendResult

REASONS: dict[DisconnectReason, str] = {
    DisconnectReason.LOGOUT: "the user logged out",
    DisconnectReason.NETWORK_ERROR: "a network error cut the connection",
    DisconnectReason.KICKED_BY_OTHER_DEVICE: "another device signed in as the same user",
    DisconnectReason.TOKEN_EXPIRED: "the user's token expired (the app must get a new one)",
    DisconnectReason.HEARTBEAT_TIMEOUT: "heartbeats stopped (app suspended or network lost)",
    DisconnectReason.SERVER_CLOSED: "the server closed the connection",
    DisconnectReason.UNKNOWN: "reason unknown",
}
SKIPS: dict[PushSkipReason, str] = {
    PushSkipReason.NO_PUSH_TOKEN: "the recipient's device has no push token registered: make "
    "sure the app registers with its push provider and reports the token after login",
    PushSkipReason.PUSH_DISABLED: "push is turned off for this recipient or app: enable it in "
    "the app's push settings if notifications are wanted",
    PushSkipReason.DO_NOT_DISTURB: "the recipient's do-not-disturb setting held the push back: "
    "working as configured, the message waits for the next login",
    PushSkipReason.NOT_PUSHABLE_TYPE: "this message type is not turned into a push (commands, "
    "status and other silent types): send a stored, counted type if a push is wanted",
}
BLOCKED: dict[tuple[SendResult, MuteScope | None], str] = {
    (SendResult.BLOCKED_BY_BLOCKLIST, None): "only the target user (or the app server through "
    "the blocklist API) can take the sender off the blocklist",
    (SendResult.BLOCKED_BY_ALLOWLIST, None): "add the sender to the target's allowlist, or turn "
    "the target's allowlist off",
    (SendResult.MUTED, MuteScope.GROUP_FROZEN): "unfreeze the group to let members send again",
    (SendResult.MUTED, MuteScope.GROUP_MEMBER_MUTED): "lift the sender's mute in the group, or "
    "wait until it expires",
    (SendResult.MUTED, MuteScope.OPEN_CHANNEL_PARTICIPANT_MUTED): "lift the sender's mute in "
    "the open channel, or wait until it expires",
    (SendResult.PROFANITY_BLOCKED, None): "the sender must rephrase; if the words are "
    "harmless, review the app's sensitive-word list",
}
