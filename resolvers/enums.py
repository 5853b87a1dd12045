"""The domain enums, registered with the schema under their own names."""

import strawberry

from store import model

Platform = strawberry.enum(model.Platform)
DisconnectReason = strawberry.enum(model.DisconnectReason)
ChannelType = strawberry.enum(model.ChannelType)
MessageSource = strawberry.enum(model.MessageSource)
SendResult = strawberry.enum(model.SendResult)
MuteScope = strawberry.enum(model.MuteScope)
PushSkipReason = strawberry.enum(model.PushSkipReason)
PushProvider = strawberry.enum(model.PushProvider)
BuiltinMessageType = strawberry.enum(model.BuiltinMessageType)
ConnectionStatus = strawberry.enum(model.ConnectionStatus)
ReceiptStatus = strawberry.enum(model.ReceiptStatus)


def _describe(enum: type, description: str, values: dict[str, str]) -> None:
    """Give a registered enum its description and each value its own (the store's enums
    stay plain Python; their meaning for API clients is written here)."""
    definition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    definition.description = description
    for value in definition.values:
        value.description = values[value.name]


PushErrorAction = strawberry.enum(model.PushErrorAction)
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
