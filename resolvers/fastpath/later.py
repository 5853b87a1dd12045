"""Results that may not be loaded yet: use them at once when they are.

An async resolver costs graphql-core a coroutine and, for each object of a
list, a task to gather. The receipt-level resolvers below a page of messages
read dataloader results that the page's resolver has usually loaded already
(see ``resolvers.connection_log``); with :func:`then` they answer synchronously
then, and an awaitable only when the data is still to come.
"""

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
from typing import Any, Generic, TypeAlias, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MaybeLater: TypeAlias = T | Awaitable[T]


class Later(Generic[R]):
    """What :func:`then` and :func:`all_then` give when a result is still to come:
    an awaitable of ``fn`` of the result, made without starting anything, so that it
    can also be dropped unawaited (the inline execution path does, when it leaves a
    field to graphql-core): :func:`drop` closes what it would have awaited, so no
    coroutine inside is left never awaited."""

    __slots__ = ("_fn", "_parts", "_start")

    def __init__(
        self,
        start: Callable[[], Awaitable[Any]],
        fn: Callable[[Any], MaybeLater[R]],
        parts: Sequence[object],
    ) -> None:
        self._start, self._fn, self._parts = start, fn, parts

    def __await__(self) -> Generator[Any, None, R]:
        result = self._fn((yield from self._start().__await__()))
        if inspect.isawaitable(result):
            return (yield from result.__await__())
        return result


def drop(value: object) -> None:
    """Close an awaitable that will never be awaited: a coroutine, or a :class:`Later`
    and every coroutine or :class:`Later` it holds (futures need nothing)."""
    if isinstance(value, Later):
        for part in value._parts:
            drop(part)
    elif inspect.iscoroutine(value):
        value.close()


def then(value: MaybeLater[T], fn: Callable[[T], MaybeLater[R]]) -> MaybeLater[R]:
    """``fn`` applied to ``value``: now when it is a value or a finished future
    (whose exception, if any, is raised as awaiting it would), else once awaited."""
    if isinstance(value, asyncio.Future):
        if value.done():
            return fn(value.result())
    elif not inspect.isawaitable(value):
        return fn(value)
    pending: Awaitable[T] = value
    return Later(lambda: pending, fn, (pending,))


def all_then(values: Sequence[Awaitable[T]], fn: Callable[[list[T]], R]) -> MaybeLater[R]:
    """``fn`` of every result: now when all are finished futures, else once awaited."""
    done = [v for v in values if isinstance(v, asyncio.Future) and v.done()]
    if len(done) == len(values):
        return fn([f.result() for f in done])
    return Later(lambda: asyncio.gather(*values), lambda found: fn(list(found)), values)


async def loaded(awaitables: Iterable[Awaitable[Any]]) -> None:
    """Wait until every one of ``awaitables`` is done, then raise the first failure
    in their order (an exception, or CancelledError for one cancelled), as
    ``asyncio.gather`` would; every failure counts as retrieved.

    They are the loaders' futures of a level (hundreds of them), which their
    dispatch resolves together: waiting for them one by one waits about once,
    without the callback, the entry in a result list and the wake-up that gather
    spends on each. Anything else is started first (as gather would), so that none
    waits for another. When the waiting task itself is cancelled, it cancels what
    it waits for and stops at once, as gather does."""
    futures = [asyncio.ensure_future(a) for a in awaitables]
    for future in futures:
        if future.done():
            continue
        try:
            await future
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():  # as gather, cancel the rest
                for other in futures:
                    other.cancel()
                _first_failure(futures)
                raise
        except Exception:  # raised below, in order
            pass
    failure = _first_failure(futures)
    if failure is not None:
        raise failure


def _first_failure(futures: Sequence["asyncio.Future[Any]"]) -> BaseException | None:
    """The first failure of the done ``futures``, each failure retrieved on the way."""
    first: BaseException | None = None
    for future in futures:
        if not future.done():
            continue
        error = asyncio.CancelledError() if future.cancelled() else future.exception()
        if first is None:
            first = error
    return first
