"""``resolvers.fastpath.later``: loaded results are used at once, pending ones awaited."""

import asyncio
import gc
import inspect

import pytest

from resolvers.fastpath.later import all_then, loaded, then


async def test_finished_futures_answer_at_once() -> None:
    loop = asyncio.get_running_loop()
    futures = [loop.create_future(), loop.create_future()]
    futures[0].set_result(1)
    futures[1].set_result(2)
    assert all_then(futures, sum) == 3
    assert then(futures[0], lambda v: v + 1) == 2
    assert then(5, lambda v: v * 2) == 10


async def test_a_pending_future_makes_it_an_awaitable_of_the_same_answer() -> None:
    loop = asyncio.get_running_loop()
    done, pending = loop.create_future(), loop.create_future()
    done.set_result(1)
    later = all_then([done, pending], sum)
    assert inspect.isawaitable(later)
    loop.call_soon(pending.set_result, 41)
    assert await later == 42


async def test_a_failed_future_raises_as_awaiting_it_would() -> None:
    failed = asyncio.get_running_loop().create_future()
    failed.set_exception(LookupError("gone"))
    with pytest.raises(LookupError, match="gone"):
        all_then([failed], sum)
    with pytest.raises(LookupError, match="gone"):
        then(failed, lambda v: v)


async def test_loaded_waits_for_every_future_and_raises_the_first_failure() -> None:
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in range(4)]
    loop.call_soon(futures[3].set_result, 3)
    loop.call_soon(futures[2].set_exception, KeyError("third"))
    loop.call_soon(futures[1].set_exception, LookupError("second"))
    loop.call_soon(futures[0].set_result, 0)
    with pytest.raises(LookupError, match="second"):
        await loaded(futures)
    assert all(f.done() for f in futures)
    # the third's failure was retrieved too: nothing is reported when it is collected
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        del futures
        gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert reported == []


async def test_loaded_starts_a_coroutine_beside_the_others() -> None:
    loop = asyncio.get_running_loop()
    started: list[str] = []
    gate = loop.create_future()

    async def first() -> None:
        started.append("first")
        await gate

    async def second() -> None:
        started.append("second")
        gate.set_result(None)

    await asyncio.wait_for(loaded([first(), second()]), timeout=5)
    assert started == ["first", "second"]


async def test_loaded_raises_a_cancellation_in_its_place() -> None:
    """A future cancelled after one that failed: the failure, as it comes first."""
    loop = asyncio.get_running_loop()
    failed, cancelled = loop.create_future(), loop.create_future()
    loop.call_soon(failed.set_exception, LookupError("first"))
    loop.call_soon(cancelled.cancel)
    with pytest.raises(LookupError, match="first"):
        await loaded([failed, cancelled])
    with pytest.raises(asyncio.CancelledError):
        await loaded([cancelled, failed])


async def test_loaded_stops_when_its_task_is_cancelled() -> None:
    """Its own cancellation is not taken for a loader's failure: it propagates at
    once, whatever the futures still to come."""
    loop = asyncio.get_running_loop()
    failed, never = loop.create_future(), loop.create_future()
    failed.set_exception(KeyError("not this"))
    waiting = asyncio.ensure_future(loaded([never, failed]))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(waiting, timeout=5)
    assert never.cancelled()  # as gather cancels what it waits for
    failed.exception()


async def test_loaded_cancels_the_coroutines_it_started_when_its_task_is() -> None:
    loop = asyncio.get_running_loop()
    gates = {name: loop.create_future() for name in ("awaited", "next")}
    finished: list[str] = []

    async def slow(name: str) -> None:
        await gates[name]
        finished.append(name)

    waiting = asyncio.ensure_future(loaded([slow("awaited"), slow("next")]))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    for gate in gates.values():
        if not gate.done():
            gate.set_result(None)
    await asyncio.sleep(0)
    assert finished == []
