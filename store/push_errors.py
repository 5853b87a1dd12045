"""The push error catalogue (SPEC §8): what a provider's error code means and what to do.

The entries are data, kept in ``push_errors.toml`` beside this module (shipped as package
data); this module holds the one lookup rule. A code is matched per provider, ignoring case
and surrounding whitespace; a leading HTTP status (APNs's ``410 Unregistered``, an FCM
``404 UNREGISTERED``) and documented aliases are accepted too. A code that is not in the
catalogue gets an entry of its own with ``known=False`` and ``action=UNKNOWN``.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from store.model import PushErrorAction, PushProvider

DATA_FILE = "push_errors.toml"

# "410 Unregistered", "410: Unregistered", "404 - UNREGISTERED": an HTTP status, then the code.
_STATUS_PREFIX = re.compile(r"[1-5]\d\d\b[\s:/-]*(?P<rest>\S.*)")


@dataclass(frozen=True, slots=True)
class PushErrorInfo:
    """One catalogue entry, or the entry made for a code the catalogue does not know."""

    provider: PushProvider
    code: str  # the catalogue's spelling of a known code; an unknown code as reported, stripped
    known: bool
    meaning: str
    action: PushErrorAction
    advice: str
    retryable: bool
    reference: str | None


@dataclass(frozen=True, slots=True)
class _Catalogue:
    entries: dict[PushProvider, tuple[PushErrorInfo, ...]]
    index: dict[PushProvider, dict[str, PushErrorInfo]]
    pages: dict[PushProvider, str]  # each provider's page of error codes
    names: dict[PushProvider, str]  # each provider's name as it spells it


def normalise(code: str) -> str:
    """The form codes are compared in: surrounding whitespace stripped, case folded."""
    return code.strip().casefold()


def _entry(provider: PushProvider, raw: dict[str, Any], page: str) -> PushErrorInfo:
    return PushErrorInfo(
        provider=provider,
        code=str(raw["code"]),
        known=True,
        meaning=raw["meaning"],
        action=PushErrorAction(raw["action"]),
        advice=raw["advice"],
        retryable=raw["retryable"],
        reference=raw.get("reference", page),
    )


def load_data() -> dict[str, Any]:
    """The data file as parsed TOML (the data test reads it raw)."""
    text = resources.files("store").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def _catalogue() -> _Catalogue:
    data = load_data()
    entries: dict[PushProvider, tuple[PushErrorInfo, ...]] = {}
    index: dict[PushProvider, dict[str, PushErrorInfo]] = {}
    pages: dict[PushProvider, str] = {}
    names: dict[PushProvider, str] = {}
    for provider in PushProvider:
        section = data.get(provider.value, {})
        pages[provider] = section.get("reference", "")
        names[provider] = section.get("name", provider.value)
        infos: list[PushErrorInfo] = []
        by_code: dict[str, PushErrorInfo] = {}
        for raw in section.get("codes", []):
            info = _entry(provider, raw, pages[provider])
            infos.append(info)
            for spelling in [info.code, *raw.get("aliases", [])]:
                by_code.setdefault(normalise(str(spelling)), info)
        entries[provider] = tuple(infos)
        index[provider] = by_code
    return _Catalogue(entries, index, pages, names)


def _find(provider: PushProvider, code: str) -> PushErrorInfo | None:
    by_code = _catalogue().index[provider]
    key = normalise(code)
    found = by_code.get(key)
    if found is None:
        prefixed = _STATUS_PREFIX.fullmatch(key)
        if prefixed:
            found = by_code.get(prefixed.group("rest"))
    return found


def _unknown(provider: PushProvider, code: str, description: str | None) -> PushErrorInfo:
    reported = code.strip()
    quoted = (description or "").strip()
    name = _catalogue().names[provider]
    said = f' {name} described it as "{quoted}".' if quoted else ""
    page = _catalogue().pages[provider] or None
    what = (
        f"The code '{reported}' is not in the catalogue of {name} error codes."
        if reported
        else f"The failed push was reported without an error code, so the catalogue of {name}"
        " error codes cannot explain it."
    )
    return PushErrorInfo(
        provider=provider,
        code=reported,
        known=False,
        meaning=f"{what}{said}",
        action=PushErrorAction.UNKNOWN,
        advice=(
            f"This code is not in the catalogue: look it up on {name}'s page of error"
            f" codes{f' ({page})' if page else ''} and in the provider's response body.{said}"
            if reported
            else "Have the push sender report the provider's error code with each failed"
            f" attempt (push.attempted's errorCode).{said}"
        ),
        retryable=False,
        reference=page,
    )


def lookup(provider: PushProvider, code: str, description: str | None = None) -> PushErrorInfo:
    """The catalogue entry for ``code`` from ``provider``; an unknown entry when it has none.

    ``description`` is the provider's own text (``errorDescription``), quoted in the
    meaning and advice of an unknown code.
    """
    return _find(provider, code) or _unknown(provider, code, description)


def catalogue(provider: PushProvider | None = None, code: str | None = None) -> list[PushErrorInfo]:
    """The entries, filtered by provider and code (both optional), in catalogue order.

    With a provider and a code the catalogue does not know, the one unknown entry; without a
    provider, the code's entries across every provider that knows it.
    """
    providers = [provider] if provider is not None else list(PushProvider)
    if code is None:
        return [info for p in providers for info in _catalogue().entries[p]]
    if provider is not None:
        return [lookup(provider, code)]
    return [info for p in providers if (info := _find(p, code)) is not None]
