"""``polaris-tracking``: serve the API, manage API keys, export a window."""

import argparse
import asyncio
import ipaddress
import os
import shutil
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from server import export_cli
from server.auth import ALL_APPS, create_key
from server.config import ConfigError, Settings
from server.metrics import MULTIPROCESS_ENV, prepare_metrics_dir
from store.factory import open_store, sqlite_path
from store.interface import Store, StoreError
from store.model import KeyRole

PROG = "polaris-tracking"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Nexconn Data Tracking")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    store_help = "store URL (env TRACKING_STORE; default sqlite:///./data/tracking.db)"

    serve = commands.add_parser("serve", help="run the HTTP API (ingest, GraphQL, GraphiQL)")
    serve.add_argument("--host", help="interface to bind (env TRACKING_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (env TRACKING_PORT; default 8000)")
    serve.add_argument("--store", help=store_help)
    serve.add_argument(
        "--workers", type=_positive, help="worker processes (env TRACKING_WORKERS; default 1)"
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="fill the store with demo traffic for app 'demo' (once), create a read and an "
        "ingest key (revoking the earlier demo keys), and print console and GraphiQL links that"
        " carry the read key",
    )
    serve.add_argument(
        "--public-demo",
        action="store_true",
        help="allow --demo on a host other than loopback (anyone who reaches it reads the demo)",
    )

    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = key_commands.add_parser(
        "create", help="create a key; prints it once, on the last line"
    )
    create.add_argument(
        "--app", required=True, help=f"the app ('{ALL_APPS}': every app, ingest only)"
    )
    create.add_argument("--role", required=True, choices=[r.value for r in KeyRole])
    create.add_argument("--store", help=store_help)
    create.add_argument(
        "--create-store",
        action="store_true",
        help="create the store when it does not exist yet (a new deployment's first key)",
    )
    listing = key_commands.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--store", help=store_help)
    revoke = key_commands.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id", metavar="KEY_ID")
    revoke.add_argument("--store", help=store_help)
    export_cli.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env().with_overrides(
            store_url=getattr(args, "store", None),
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
            workers=getattr(args, "workers", None),
        )
        if args.command == "serve":
            return _serve(settings, demo=args.demo, public_demo=args.public_demo)
        if args.command == "export":
            return export_cli.run(args)
        if args.keys_command == "create":
            role = KeyRole(args.role)
            if args.app == ALL_APPS and role is not KeyRole.INGEST:
                parser.error(
                    f"--app '{ALL_APPS}' is allowed for ingest keys only: "
                    "a read key sees exactly one app"
                )
            _check_exists(settings, may_create=args.create_store)
            return _with_store(settings, lambda store: _create(store, args.app, role))
        _check_exists(settings, may_create=False)
        if args.keys_command == "list":
            return _with_store(settings, _list)
        return _with_store(settings, lambda store: _revoke(store, args.key_id))
    except (ConfigError, ValueError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except StoreError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1


def _check_exists(settings: Settings, *, may_create: bool) -> None:
    """Keys commands work on an existing store: a typo in --store (or a command run
    from another folder) must not create an empty one."""
    path = sqlite_path(settings.store_url)
    if path is None or may_create or Path(path).exists():
        return
    raise ConfigError(
        f"no store at {Path(path).resolve()} (store URL {settings.store_url}): pass --store"
        f" with the URL of your store, or create a new one with"
        f" '{PROG} keys create --create-store ...'"
    )


def _with_store(settings: Settings, action: Callable[[Store], Awaitable[int]]) -> int:
    async def run() -> int:
        store = open_store(settings.store_url, settings.retention_days)
        await store.open()
        try:
            return await action(store)
        finally:
            await store.close()

    return asyncio.run(run())


async def _create(store: Store, app: str, role: KeyRole) -> int:
    record, clear = await create_key(store, app, role)
    scope = "every app" if app == ALL_APPS else f"app '{app}'"
    print(f"Created {role.value} key {record.key_id} for {scope}.")
    print("Copy it now: it is shown only once and stored hashed.")
    print(clear)
    return 0


async def _list(store: Store) -> int:
    rows = [("KEY ID", "APP", "ROLE", "CREATED", "REVOKED")]
    for key in await store.list_keys():
        revoked = _when(key.revoked_at) if key.revoked_at is not None else "-"
        rows.append((key.key_id, key.app, key.role.value, _when(key.created_at), revoked))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


async def _revoke(store: Store, key_id: str) -> int:
    if await store.revoke_key(key_id):
        print(f"Revoked key {key_id}.")
        return 0
    print(f"{PROG}: error: no active key with id {key_id!r}", file=sys.stderr)
    return 1


def _when(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def _serve(settings: Settings, *, demo: bool, public_demo: bool = False) -> int:
    import uvicorn

    from server.app import create_app, tune_gc

    if demo and not public_demo and not _is_loopback(settings.host):
        raise ConfigError(
            f"--demo serves a read key's data to anyone who can reach {settings.host}:"
            f"{settings.port}; bind 127.0.0.1, or add --public-demo if that is what you want"
        )
    _check_port_free(settings.host, settings.port)
    if demo:
        asyncio.run(prepare_demo(settings))
    else:  # migrate, or refuse a newer store, before the server starts
        asyncio.run(_open_once(settings))

    def one_process() -> int:
        app = create_app(settings)
        tune_gc()
        uvicorn.run(app, **uvicorn_options(settings))
        return 0

    made = MULTIPROCESS_ENV not in os.environ
    if settings.workers == 1 and made:
        return one_process()
    folder = prepare_metrics_dir()  # an earlier run's series are not this one's
    try:
        if settings.workers == 1:
            return one_process()
        # Each worker builds its app from the environment: hand this command's settings on.
        os.environ.update(
            TRACKING_STORE=settings.store_url, TRACKING_HOST=settings.host,
            TRACKING_PORT=str(settings.port), TRACKING_WORKERS=str(settings.workers),
        )  # fmt: skip
        uvicorn.run(
            "server.app:served_app", factory=True, workers=settings.workers,
            **uvicorn_options(settings),
        )  # fmt: skip
        return 0
    finally:
        if made:  # the folder is this command's own
            shutil.rmtree(folder, ignore_errors=True)


class UvicornOptions(TypedDict):
    """The keyword arguments ``serve`` gives ``uvicorn.run``."""

    host: str
    port: int
    log_level: str
    proxy_headers: bool
    forwarded_allow_ips: str
    limit_concurrency: int
    timeout_keep_alive: int
    h11_max_incomplete_event_size: int


def uvicorn_options(settings: Settings) -> UvicornOptions:
    """How ``serve`` runs uvicorn: its limits come from the settings (see README)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "limit_concurrency": settings.limit_concurrency,
        "timeout_keep_alive": settings.keep_alive_s,
        "h11_max_incomplete_event_size": 16 * 1024,
    }


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port_free(host: str, port: int) -> None:
    """Fail before anything is prepared (demo keys, migrations) when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            raise ConfigError(
                f"cannot listen on {host}:{port} ({e.strerror}): another server is probably"
                f" running there; stop it, or pass --port with a free port"
            ) from None


async def _open_once(settings: Settings) -> None:
    store = open_store(settings.store_url, settings.retention_days)
    await store.open()
    await store.close()


async def prepare_demo(settings: Settings) -> str:
    """Load the demo traffic unless present, revoke the earlier demo keys, create and
    print new ones (each start would otherwise leave two more working keys behind).

    Returns the read key."""
    from server.demo import DEMO_APP, SHOWCASE_USER, create_demo_keys, has_demo_data, load_demo

    store = open_store(settings.store_url, settings.retention_days)
    await store.open()
    try:
        if await has_demo_data(store):
            print(f"Demo data for app '{DEMO_APP}' is already in {settings.store_url}.")
        else:
            print(f"Loading demo traffic for app '{DEMO_APP}' into {settings.store_url} ...")
            accepted, rejected = await load_demo(store)
            print(f"Loaded {accepted} events ({rejected} rejected).")
        revoked = 0
        for key in await store.list_keys():
            if key.app == DEMO_APP and key.revoked_at is None:
                revoked += await store.revoke_key(key.key_id)
        read, ingest = await create_demo_keys(store)
    finally:
        await store.close()
    if revoked:
        print(f"Revoked {revoked} earlier keys of app '{DEMO_APP}'.")
    base = f"http://{_display_host(settings.host)}:{settings.port}"
    print(f"Read key   (app '{DEMO_APP}'): {read}")
    print(f"Ingest key (app '{DEMO_APP}'): {ingest}")
    # The key rides in the fragment, which browsers never send to the server.
    print(f"Console:  {base}/console#key={read} (signed in; try user '{SHOWCASE_USER}')")
    print(f"GraphiQL: {base}/graphql#key={read} (the read key is filled in)")
    return read


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


if __name__ == "__main__":
    sys.exit(main())
