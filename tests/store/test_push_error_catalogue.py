"""The push error catalogue (SPEC §8): the data file's completeness and the lookup rule.

The catalogue is the same for every backend: these tests read ``store.push_errors``
directly, without a store."""

from typing import Any
from urllib.parse import urlparse

import pytest

from store.model import PushErrorAction, PushProvider
from store.push_errors import catalogue, load_data, lookup, normalise

DOMAINS = {
    PushProvider.APNS: "developer.apple.com",
    PushProvider.FCM: "firebase.google.com",
    PushProvider.HUAWEI: "developer.huawei.com",
    PushProvider.HONOR: "developer.honor.com",
    PushProvider.XIAOMI: "dev.mi.com",
    PushProvider.OPPO: "open.oppomobile.com",
    PushProvider.VIVO: "dev.vivo.com.cn",
}
ENTRY_KEYS = {"code", "aliases", "status", "meaning", "action", "advice", "retryable", "reference"}
REQUIRED_KEYS = {"code", "meaning", "action", "advice", "retryable"}
MUST_RETRY = {PushErrorAction.RETRY_LATER, PushErrorAction.THROTTLED}
NEVER_RETRY = {PushErrorAction.REMOVE_TOKEN, PushErrorAction.FIX_PAYLOAD}


def _entries(provider: PushProvider) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = load_data()[provider.value]["codes"]
    return entries


def _on_provider_domain(url: str, provider: PushProvider) -> bool:
    parts = urlparse(url)
    return (
        parts.scheme == "https"
        and parts.hostname == DOMAINS[provider]
        and " " not in url
        and parts.path not in ("", "/")
    )


def test_every_provider_has_a_section_with_a_name_a_page_and_codes() -> None:
    data = load_data()
    assert set(data) == {p.value for p in PushProvider}
    for provider in PushProvider:
        section = data[provider.value]
        assert section["name"].strip()
        assert _on_provider_domain(section["reference"], provider), section["reference"]
        assert len(section["codes"]) >= 10, provider


@pytest.mark.parametrize("provider", list(PushProvider))
def test_every_entry_is_complete(provider: PushProvider) -> None:
    for raw in _entries(provider):
        assert set(raw) <= ENTRY_KEYS, raw
        assert set(raw) >= REQUIRED_KEYS, raw
        assert isinstance(raw["code"], str) and raw["code"] == raw["code"].strip() != ""
        assert isinstance(raw["retryable"], bool)
        action = PushErrorAction(raw["action"])
        assert action is not PushErrorAction.UNKNOWN, raw["code"]
        for text in ("meaning", "advice"):
            assert isinstance(raw[text], str) and len(raw[text].strip()) >= 10, raw["code"]
        assert raw["meaning"] != raw["advice"]
        if "reference" in raw:
            assert _on_provider_domain(raw["reference"], provider), raw["reference"]
        if "status" in raw:
            assert isinstance(raw["status"], int) and 400 <= raw["status"] <= 599
        assert all(isinstance(a, str) and a.strip() for a in raw.get("aliases", []))


@pytest.mark.parametrize("provider", list(PushProvider))
def test_codes_and_aliases_are_unique_per_provider_after_normalisation(
    provider: PushProvider,
) -> None:
    owner: dict[str, str] = {}
    for raw in _entries(provider):
        for spelling in [raw["code"], *raw.get("aliases", [])]:
            key = normalise(spelling)
            assert owner.setdefault(key, raw["code"]) == raw["code"], (
                f"{provider}: {spelling!r} is both {owner[key]!r} and {raw['code']!r}"
            )


@pytest.mark.parametrize("provider", list(PushProvider))
def test_retryable_agrees_with_the_action(provider: PushProvider) -> None:
    for raw in _entries(provider):
        action = PushErrorAction(raw["action"])
        if action in MUST_RETRY:
            assert raw["retryable"] is True, raw["code"]
        if action in NEVER_RETRY:
            assert raw["retryable"] is False, raw["code"]


def test_every_code_and_alias_looks_up_its_own_entry() -> None:
    for provider in PushProvider:
        for raw in _entries(provider):
            for spelling in [raw["code"], *raw.get("aliases", [])]:
                found = lookup(provider, spelling)
                assert found.known and found.code == raw["code"], (provider, spelling)
                assert found.reference is not None
                assert found.reference == raw.get(
                    "reference", load_data()[provider.value]["reference"]
                )


def test_the_catalogue_lists_every_entry_in_file_order() -> None:
    listed = catalogue()
    expected = [(p, raw["code"]) for p in PushProvider for raw in _entries(p)]
    assert [(e.provider, e.code) for e in listed] == expected
    assert all(e.known for e in listed)


def test_apns_410_advice_keeps_tokens_registered_after_apples_timestamp() -> None:
    for code in ("Unregistered", "ExpiredToken"):
        entry = lookup(PushProvider.APNS, code)
        assert entry.action is PushErrorAction.REMOVE_TOKEN
        assert "timestamp" in entry.advice and "registered again after" in entry.advice


def test_the_official_tables_are_covered() -> None:
    fcm = {e.code for e in catalogue(PushProvider.FCM)}
    assert {
        "UNSPECIFIED_ERROR",
        "INVALID_ARGUMENT",
        "UNREGISTERED",
        "SENDER_ID_MISMATCH",
        "QUOTA_EXCEEDED",
        "UNAVAILABLE",
        "INTERNAL",
        "THIRD_PARTY_AUTH_ERROR",
    } <= fcm
    huawei = {e.code for e in catalogue(PushProvider.HUAWEI)}
    receipts = {"2", "5", "6", "10", "15", "27", "102", "201"}
    assert receipts <= huawei and {"80300007", "80200003", "81000001", "503"} <= huawei
    assert len(catalogue(PushProvider.APNS)) >= 30


# --- the lookup rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "reported", "code"),
    [
        (PushProvider.APNS, "BadDeviceToken", "BadDeviceToken"),
        (PushProvider.APNS, "  baddevicetoken\n", "BadDeviceToken"),
        (PushProvider.APNS, "410 Unregistered", "Unregistered"),
        (PushProvider.APNS, " 410: unregistered ", "Unregistered"),
        (PushProvider.APNS, "403 - ExpiredProviderToken", "ExpiredProviderToken"),
        (PushProvider.APNS, "BadEnvironmentKeyIdInToken", "BadEnvironmentKeyInToken"),
        (PushProvider.FCM, "unregistered", "UNREGISTERED"),
        (PushProvider.FCM, "404 UNREGISTERED", "UNREGISTERED"),
        (PushProvider.FCM, "messaging/registration-token-not-registered", "UNREGISTERED"),
        (PushProvider.FCM, "MismatchSenderId", "SENDER_ID_MISMATCH"),
        (PushProvider.HUAWEI, " 80300007 ", "80300007"),
        (PushProvider.HUAWEI, "503", "503"),
        (PushProvider.HUAWEI, "6", "6"),
        (PushProvider.HONOR, "error_no_token", "8001004"),
        (PushProvider.OPPO, "-2", "-2"),
        (PushProvider.XIAOMI, "10034", "10034"),
        (PushProvider.VIVO, "10302", "10302"),
    ],
)
def test_codes_match_ignoring_case_whitespace_and_a_status_prefix(
    provider: PushProvider, reported: str, code: str
) -> None:
    found = lookup(provider, reported)
    assert found.known and found.provider is provider and found.code == code


def test_a_code_is_matched_within_its_own_provider_only() -> None:
    assert not lookup(PushProvider.FCM, "BadDeviceToken").known
    assert not lookup(PushProvider.APNS, "SENDER_ID_MISMATCH").known
    assert not lookup(PushProvider.HUAWEI, "10034").known


def test_a_status_prefix_alone_does_not_match_another_code() -> None:
    assert not lookup(PushProvider.APNS, "410").known
    assert not lookup(PushProvider.APNS, "410 NoSuchReason").known
    assert lookup(PushProvider.HUAWEI, "80300008").code == "80300008"


def test_an_unknown_code_says_so_and_quotes_the_providers_description() -> None:
    found = lookup(PushProvider.FCM, "  NEW_FANGLED_ERROR ", "  Something new went wrong ")
    assert found.known is False and found.action is PushErrorAction.UNKNOWN
    assert found.code == "NEW_FANGLED_ERROR" and found.retryable is False
    assert "not in the catalogue" in found.meaning and "not in the catalogue" in found.advice
    assert '"Something new went wrong"' in found.meaning
    assert '"Something new went wrong"' in found.advice
    assert found.reference == load_data()["FCM"]["reference"]


def test_an_unknown_code_without_a_description_quotes_nothing() -> None:
    found = lookup(PushProvider.XIAOMI, "99999")
    assert not found.known and "99999" in found.meaning and '"' not in found.meaning


def test_a_failure_without_a_code_asks_for_the_code() -> None:
    found = lookup(PushProvider.OPPO, "  ", "flow control")
    assert not found.known and found.code == ""
    assert "without an error code" in found.meaning and "errorCode" in found.advice
    assert '"flow control"' in found.meaning


def test_catalogue_filters_by_provider_and_code() -> None:
    apns = catalogue(PushProvider.APNS)
    assert apns and {e.provider for e in apns} == {PushProvider.APNS}
    [one] = catalogue(PushProvider.APNS, " shutdown ")
    assert one.code == "Shutdown" and one.known
    [unknown] = catalogue(PushProvider.APNS, "NoSuchReason")
    assert not unknown.known and unknown.code == "NoSuchReason"
    across = catalogue(code="InternalServerError")
    assert [(e.provider, e.code) for e in across] == [
        (PushProvider.APNS, "InternalServerError"),
        (PushProvider.FCM, "INTERNAL"),
    ]
    assert catalogue(code="NoSuchReason") == []
