"""Results that may not be loaded yet: use them at once when they are.

An async resolver costs graphql-core a coroutine and, for each object of a
list, a task to gather. The receipt-level resolvers below a page of messages
read dataloader results that the page's resolver has usually loaded already
(see ``resolvers.connection_log``); with :func:`then` they answer synchronously
then, and an awaitable only when the data is still to come.
"""

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeAlias, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MaybeLater: TypeAlias = T | Awaitable[T]


def then(value: MaybeLater[T], fn: Callable[[T], MaybeLater[R]]) -> MaybeLater[R]:
    """``fn`` applied to ``value``: now when it is a value or a finished future
    (whose exception, if any, is raised as awaiting it would), else once awaited."""
    if isinstance(value, asyncio.Future):
        if value.done():
            return fn(value.result())
    elif not inspect.isawaitable(value):
        return fn(value)
    pending: Awaitable[T] = value

    async def later() -> R:
        result = fn(await pending)
        if inspect.isawaitable(result):
            return await result
        return result

    return later()


def all_then(values: Sequence[Awaitable[T]], fn: Callable[[list[T]], R]) -> MaybeLater[R]:
    """``fn`` of every result: now when all are finished futures, else once awaited."""
    done = [v for v in values if isinstance(v, asyncio.Future) and v.done()]
    if len(done) == len(values):
        return fn([f.result() for f in done])

    async def later() -> R:
        return fn(list(await asyncio.gather(*values)))

    return later()
