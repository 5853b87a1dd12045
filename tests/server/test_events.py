"""Wire event validation (SPEC §4)."""

from typing import Any

import pytest

from server.events import EVENT_TYPES, EventError, parse_event
from store.limits import DAY_MS, MAX_FUTURE_MS
from store.model import (
    ChannelType,
    DisconnectReason,
    MessageSource,
    MuteScope,
    Platform,
    PushProvider,
    PushSkipReason,
    ReceiptStatus,
    SendResult,
)
from store.records import (
    ConnectionClosed,
    ConnectionOpened,
    ConnectionRejected,
    MessageSent,
    PushAttempted,
    ReceiptChanged,
)
from tests import events as wire_events

NOW = 1_750_000_000_000  # 2025-06-15T15:06:40Z
RETENTION = 7


def _base(kind: str, **fields: Any) -> dict[str, Any]:
    return wire_events.event(kind, app="app1", at=NOW - 1000, event_id="e1", **fields)


VALID: dict[str, dict[str, Any]] = {
    "connection.opened": _base(
        "connection.opened",
        userId="u1",
        connectionId="c1",
        sdkVersion="5.8.1",
        platform="ANDROID",
        deviceModel="Pixel 8",
        osVersion="34",
        ip="203.0.113.7",
    ),
    "connection.closed": _base(
        "connection.closed", userId="u1", connectionId="c1", reason="LOGOUT"
    ),
    "connection.rejected": _base(
        "connection.rejected",
        userId="u1",
        sdkVersion="5.8.1",
        platform="IOS",
        ip="2001:db8::1",
        code="TOKEN_INVALID",
        description="token signature mismatch",
    ),
    "message.sent": _base(
        "message.sent",
        senderId="u1",
        targetId="u2",
        channelType="DIRECT",
        messageType="NX:TxtMsg",
        source="ANDROID",
        connectionId="c1",
        result="SENT",
        msgUid="M1",
    ),
    "message.delivered": _base("message.delivered", msgUid="M1", recipientId="u2"),
    "message.not_delivered": _base("message.not_delivered", msgUid="M1", recipientId="u2"),
    "message.offline": _base(
        "message.offline", msgUid="M1", recipientId="u2", pushSkipped="DO_NOT_DISTURB"
    ),
    "push.attempted": _base(
        "push.attempted",
        msgUid="M1",
        recipientId="u2",
        provider="APNS",
        success=False,
        errorCode="BadDeviceToken",
        errorDescription="The specified device token is invalid.",
    ),
}


def parse(raw: object, **kwargs: Any):
    return parse_event(raw, now=NOW, retention_days=RETENTION, **kwargs)


def error_of(raw: object, **kwargs: Any) -> EventError:
    with pytest.raises(EventError) as info:
        parse(raw, **kwargs)
    return info.value


def test_every_type_has_a_valid_example():
    assert set(VALID) == set(EVENT_TYPES)


def test_connection_opened():
    event = parse(VALID["connection.opened"])
    assert event == ConnectionOpened(
        app="app1",
        event_id="e1",
        at=NOW - 1000,
        user_id="u1",
        connection_id="c1",
        sdk_version="5.8.1",
        platform=Platform.ANDROID,
        ip="203.0.113.7",
        device_model="Pixel 8",
        os_version="34",
    )


def test_connection_closed():
    event = parse(VALID["connection.closed"])
    assert isinstance(event, ConnectionClosed)
    assert event.reason is DisconnectReason.LOGOUT


def test_connection_rejected():
    event = parse(VALID["connection.rejected"])
    assert isinstance(event, ConnectionRejected)
    assert (event.code, event.description, event.platform) == (
        "TOKEN_INVALID",
        "token signature mismatch",
        Platform.IOS,
    )
    assert event.device_model is None and event.os_version is None


def test_message_sent():
    event = parse(VALID["message.sent"])
    assert event == MessageSent(
        app="app1",
        event_id="e1",
        at=NOW - 1000,
        sender_id="u1",
        target_id="u2",
        channel_type=ChannelType.DIRECT,
        message_type="NX:TxtMsg",
        source=MessageSource.ANDROID,
        result=SendResult.SENT,
        msg_uid="M1",
        connection_id="c1",
    )


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("message.delivered", ReceiptStatus.DELIVERED),
        ("message.not_delivered", ReceiptStatus.NOT_DELIVERED),
        ("message.offline", ReceiptStatus.OFFLINE),
    ],
)
def test_receipts(kind, status):
    event = parse(VALID[kind])
    assert isinstance(event, ReceiptChanged)
    assert (event.msg_uid, event.recipient_id, event.status) == ("M1", "u2", status)
    expected_skip = PushSkipReason.DO_NOT_DISTURB if kind == "message.offline" else None
    assert event.push_skipped is expected_skip


def test_push_skipped_is_not_a_field_of_other_receipts():
    raw = {**VALID["message.delivered"], "pushSkipped": "NO_PUSH_TOKEN"}
    assert parse(raw).push_skipped is None


def test_push_attempted():
    event = parse(VALID["push.attempted"])
    assert event == PushAttempted(
        app="app1",
        event_id="e1",
        at=NOW - 1000,
        msg_uid="M1",
        recipient_id="u2",
        provider=PushProvider.APNS,
        success=False,
        error_code="BadDeviceToken",
        error_description="The specified device token is invalid.",
    )


def test_push_success_without_error():
    raw = {**VALID["push.attempted"], "success": True}
    del raw["errorCode"], raw["errorDescription"]
    event = parse(raw)
    assert event.success is True and event.error_code is None


def test_unknown_fields_are_ignored():
    raw = {**VALID["connection.closed"], "extra": {"nested": [1, 2]}, "sdkVersion": 5}
    assert isinstance(parse(raw), ConnectionClosed)


def test_null_optional_fields_are_absent():
    raw = {**VALID["connection.opened"], "deviceModel": None, "osVersion": None}
    event = parse(raw)
    assert event.device_model is None and event.os_version is None


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2025-06-15T15:06:39Z", NOW - 1000),
        ("2025-06-15T15:06:39.5Z", NOW - 500),
        ("2025-06-15T15:06:39.123456789Z", NOW - 1000 + 123),
        ("2025-06-15t15:06:39.000z", NOW - 1000),
        ("2025-06-15T23:06:39+08:00", NOW - 1000),
        ("2025-06-15T10:06:39-05:00", NOW - 1000),
        ("2025-06-15 15:06:39Z", NOW - 1000),
        (NOW - 1000, NOW - 1000),
    ],
)
def test_at_formats(at, expected):
    assert parse({**VALID["message.delivered"], "at": at}).at == expected


@pytest.mark.parametrize(
    "at",
    [
        "2025-06-15T15:06:39",  # no offset
        "2025-06-15",
        "20250615T150639Z",
        "2025-13-15T15:06:39Z",
        "2025-06-15T25:06:39Z",
        "2025-06-15T15:06:39+25:00",
        "yesterday",
        "",
        True,
        float(NOW),
        [NOW],
    ],
)
def test_bad_at(at):
    error = error_of({**VALID["message.delivered"], "at": at})
    assert error.field == "at"


def test_time_window():
    horizon = NOW - RETENTION * DAY_MS
    assert parse({**VALID["message.delivered"], "at": horizon}).at == horizon
    assert error_of({**VALID["message.delivered"], "at": horizon - 1}).field == "at"
    assert (
        parse({**VALID["message.delivered"], "at": NOW + MAX_FUTURE_MS}).at == NOW + MAX_FUTURE_MS
    )
    error = error_of({**VALID["message.delivered"], "at": NOW + MAX_FUTURE_MS + 1})
    assert str(error) == "at: more than 5 minutes in the future"
    old = error_of({**VALID["message.delivered"], "at": horizon - 1})
    assert str(old) == "at: older than the retention window (7 days)"


def test_error_shape():
    error = error_of({**VALID["connection.opened"], "platform": "SYMBIAN"})
    assert isinstance(error, ValueError)
    assert error.field == "platform"
    assert error.reason == "must be one of ANDROID, IOS, HARMONYOS, WEB, DESKTOP"
    assert str(error) == f"platform: {error.reason}"


@pytest.mark.parametrize("raw", [None, [], "event", 3, ["eventId"]])
def test_not_an_object(raw):
    assert error_of(raw).field == "event"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("eventId", None, "required"),
        ("eventId", "", "must not be empty"),
        ("eventId", "x" * 129, "must be at most 128 characters"),
        ("eventId", 17, "must be a string"),
        ("appKey", None, "required"),
        ("appKey", "a" * 65, "must be at most 64 characters"),
        ("type", None, "required"),
        ("type", "message.read", None),
        ("type", 1, None),
        ("at", None, "required"),
    ],
)
def test_envelope(field, value, reason):
    raw = dict(VALID["message.sent"])
    if value is None:
        del raw[field]
    else:
        raw[field] = value
    error = error_of(raw)
    assert error.field == field
    if reason is not None:
        assert error.reason == reason


def test_envelope_limits_inclusive():
    event = parse({**VALID["message.delivered"], "eventId": "x" * 128, "appKey": "a" * 64})
    assert (len(event.event_id), len(event.app)) == (128, 64)


def _required_fields() -> list[tuple[str, str]]:
    optional = {
        "deviceModel",
        "osVersion",
        "description",
        "connectionId:message.sent",
        "pushSkipped",
        "errorCode",
        "errorDescription",
        "msgUid:message.sent",
    }
    cases = []
    for kind, raw in VALID.items():
        for field in raw:
            if field in {"eventId", "type", "appKey", "at"}:
                continue
            if field in optional or f"{field}:{kind}" in optional:
                continue
            cases.append((kind, field))
    return cases


@pytest.mark.parametrize(("kind", "field"), _required_fields())
def test_required_fields(kind, field):
    raw = dict(VALID[kind])
    del raw[field]
    assert str(error_of(raw)) == f"{field}: required"
    raw[field] = None
    assert str(error_of(raw)) == f"{field}: required"


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("connection.opened", "userId", ""),
        ("connection.opened", "userId", 42),
        ("connection.opened", "connectionId", "c" * 129),
        ("connection.opened", "sdkVersion", ["5"]),
        ("connection.opened", "platform", "android"),
        ("connection.opened", "platform", "SERVER_API"),
        ("connection.opened", "deviceModel", ""),
        ("connection.opened", "osVersion", 34),
        ("connection.opened", "ip", "300.1.1.1"),
        ("connection.opened", "ip", "example.com"),
        ("connection.opened", "ip", 3232235777),
        ("connection.closed", "reason", "BORED"),
        ("connection.rejected", "code", ""),
        ("connection.rejected", "description", False),
        ("message.sent", "channelType", "PRIVATE"),
        ("message.sent", "messageType", "TxtMsg"),
        ("message.sent", "messageType", "NX:Unknown"),
        ("message.sent", "messageType", "App:" + "x" * 33),
        ("message.sent", "source", "SERVER"),
        ("message.sent", "result", "OK"),
        ("message.sent", "connectionId", ""),
        ("message.offline", "pushSkipped", "NOPE"),
        ("push.attempted", "provider", "MEIZU"),
        ("push.attempted", "success", "false"),
        ("push.attempted", "success", 0),
        ("push.attempted", "errorCode", 401),
    ],
)
def test_bad_values(kind, field, value):
    assert error_of({**VALID[kind], field: value}).field == field


def test_ip_is_normalised():
    raw = {**VALID["connection.opened"], "ip": "2001:DB8:0:0:0:0:0:1"}
    assert parse(raw).ip == "2001:db8::1"


@pytest.mark.parametrize("name", ["App:Custom.Card-v2", "x_1:y", "NX:ImgTextMsg"])
def test_message_types(name):
    assert parse({**VALID["message.sent"], "messageType": name}).message_type == name


@pytest.mark.parametrize(
    "result",
    [r for r in SendResult if r not in (SendResult.SENT, SendResult.SENT_PROFANITY_REPLACED)],
)
def test_blocked_message_has_no_msg_uid(result):
    raw = {**VALID["message.sent"], "result": result.value}
    if result is SendResult.MUTED:
        raw["muteScope"] = "GROUP_FROZEN"
    error = error_of(raw)
    assert str(error) == f"msgUid: must be absent or null when result is {result.value}"
    raw["msgUid"] = None
    assert parse(raw).msg_uid is None
    del raw["msgUid"]
    assert parse(raw).result is result


@pytest.mark.parametrize("result", ["SENT", "SENT_PROFANITY_REPLACED"])
def test_sent_message_needs_msg_uid(result):
    raw = {**VALID["message.sent"], "result": result}
    del raw["msgUid"]
    assert str(error_of(raw)) == f"msgUid: required when result is {result}"


@pytest.mark.parametrize("scope", list(MuteScope))
def test_muted(scope):
    raw = {**VALID["message.sent"], "result": "MUTED", "muteScope": scope.value, "msgUid": None}
    assert parse(raw).mute_scope is scope


def test_mute_scope_consistency():
    muted = {**VALID["message.sent"], "result": "MUTED", "msgUid": None}
    assert str(error_of(muted)) == "muteScope: required when result is MUTED"
    sent = {**VALID["message.sent"], "muteScope": "GROUP_FROZEN"}
    assert str(error_of(sent)) == "muteScope: allowed only when result is MUTED"


def test_push_error_consistency():
    failed = {**VALID["push.attempted"]}
    del failed["errorCode"]
    assert str(error_of(failed)) == "errorCode: required when success is false"
    del failed["errorDescription"]
    assert str(error_of(failed)) == "errorCode: required when success is false"
    no_description = {**VALID["push.attempted"], "errorDescription": None}
    assert parse(no_description).error_description is None
    ok = {**VALID["push.attempted"], "success": True}
    assert error_of(ok).field == "errorCode"


def test_app_scope():
    raw = VALID["message.sent"]
    assert parse(raw, app_scope="app1").app == "app1"
    error = error_of(raw, app_scope="app2")
    assert error.field == "appKey"
    assert error.reason == "this key may write only app 'app2'"
