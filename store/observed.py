"""A store that reports every call it forwards, with its duration: the server's
metrics time the calls, the benchmarks and tests count them."""

import time
from collections import Counter
from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any, cast

from store.interface import Store

Observer = Callable[[str, float], None]
"""Called after each call with the interface method's name and the seconds it took."""


class ObservedStore:
    """Passes every attribute of ``store`` through, looked up at each access (so the
    store's own method as it is now, patched or not); its coroutine methods report
    to ``observe`` once they have finished, raised or not."""

    def __init__(self, store: Store, observe: Observer) -> None:
        self._store = store
        self._observe = observe

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name.startswith("_") or not iscoroutinefunction(attr):
            return attr
        observe = self._observe

        async def observed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await attr(*args, **kwargs)
            finally:
                observe(name, time.perf_counter() - started)

        return observed


def observed(store: Store, observe: Observer) -> Store:
    """``store`` behind an :class:`ObservedStore`, typed as the store it stands for."""
    return cast(Store, ObservedStore(store, observe))


class CountingStore(ObservedStore):
    """Counts the calls of each method (``calls``): the benchmarks and tests check
    that a query asks the store once per level, whatever its page sizes."""

    def __init__(self, store: Store) -> None:
        self.calls: Counter[str] = Counter()
        super().__init__(store, lambda name, _seconds: self.calls.update((name,)))
