"""The push error catalogue in the graph: ``PushError``, ``PushAttempt.error`` and
``Query.pushErrors`` (SPEC §8). The entries and the lookup rule live in ``store.push_errors``."""

import strawberry

from resolvers.enums import PushErrorAction, PushProvider
from resolvers.errors import BadUserInput
from store import model, records
from store.push_errors import PushErrorInfo, catalogue, lookup


@strawberry.type(
    name="PushError",
    description="What a push provider's error code means and what to do about it.",
)
class PushErrorType:
    provider: PushProvider = strawberry.field(description="The provider that reported the code.")
    code: str = strawberry.field(
        description="The code as push.attempted's errorCode carries it: the catalogue's "
        "spelling for a known code, the reported code (trimmed) for an unknown one."
    )
    known: bool = strawberry.field(
        description="False when the code is not in the catalogue; meaning and advice then "
        "say so and quote the provider's own description when there is one."
    )
    meaning: str = strawberry.field(description="What the provider means by the code.")
    action: PushErrorAction = strawberry.field(description="The kind of fix the code asks for.")
    advice: str = strawberry.field(description="What the developer should do.")
    retryable: bool = strawberry.field(
        description="Whether sending the same push again later can succeed."
    )
    reference: str | None = strawberry.field(
        description="The provider's documentation page for the code (for an unknown code, "
        "the provider's page of error codes); null when there is none."
    )


def attempt_error(attempt: records.PushAttempt) -> PushErrorType | None:
    """The catalogue entry of a failed attempt's error; None for a successful attempt."""
    if attempt.success:
        return None
    info = lookup(attempt.provider, attempt.error_code or "", attempt.error_description)
    return info  # type: ignore[return-value]  # PushErrorInfo has every PushError field


def push_errors(provider: model.PushProvider | None, code: str | None) -> list[PushErrorType]:
    """``Query.pushErrors``: the catalogue filtered by provider and code."""
    if code is not None and not code.strip():
        raise BadUserInput("code: must not be empty or blank; leave it out to list every code")
    found: list[PushErrorInfo] = catalogue(provider, code)
    return found  # type: ignore[return-value]  # PushErrorInfo has every PushError field
