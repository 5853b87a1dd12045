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
