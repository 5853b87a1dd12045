"""The per-request context every resolver reads: the caller's app and its loaders."""

from dataclasses import dataclass, field

from strawberry.types import Info

from resolvers.loaders import Loaders
from resolvers.masking import new_request_id
from store.interface import TrackingReader
from store.limits import now_ms


@dataclass(slots=True)
class Context:
    store: TrackingReader
    app: str
    """Every read of this request is scoped to this app (the read key's)."""
    loaders: Loaders
    now: int = field(default_factory=now_ms)
    """One clock reading per request, so that every field sees the same "now"."""
    request_id: str = field(default_factory=new_request_id)
    """Quoted in the logs and in the error an internal failure answers."""
    introspection: bool = True
    """Whether ``__schema`` and ``__type`` may be queried (off in production)."""
    operation_name: str | None = None
    """The operation run (named by the request, or the document's only one), once
    validated; the server labels its metrics with it."""
    selections: dict[tuple[str | int, ...], frozenset[str]] = field(default_factory=dict)
    """Field names asked by each field of the document (``resolvers.fastpath.selection``):
    read once a request, not once for every object of a list."""

    @property
    def retention_days(self) -> int:
        """The store's: data older than this many days is never shown."""
        return self.store.retention_days


def build_context(
    store: TrackingReader,
    app: str,
    *,
    request_id: str | None = None,
    introspection: bool = True,
) -> Context:
    context = Context(
        store=store,
        app=app,
        loaders=Loaders.for_app(store, app),
        introspection=introspection,
    )
    if request_id:
        context.request_id = request_id
    return context


ContextInfo = Info[Context, None]
