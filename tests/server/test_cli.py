"""polaris-tracking: keys create/list/revoke and serve --demo."""

import asyncio
import re
import socket
import sqlite3
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from server.app import create_app
from server.cli import main
from server.config import Settings

QUERY = {"query": '{ message(msgUid: "x") { msgUid } }'}


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


async def arun(capsys, *argv: str) -> tuple[int, list[str], str]:
    """The CLI next to a running app: in a thread, since it runs its own event loop."""
    return await asyncio.to_thread(run, capsys, *argv)


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_keys_lifecycle_on_a_running_app(capsys, store_url: str):
    create = ("keys", "create", "--app", "app-a", "--role", "read", "--store", store_url)
    create += ("--create-store",)
    code, lines, _ = await arun(capsys, *create)
    assert code == 0
    key = lines[-1]
    assert re.fullmatch(r"ptk_[0-9a-f]+_[A-Za-z0-9_\-]+", key)
    key_id = key.split("_")[1]

    async with running(create_app(Settings(store_url=store_url))) as client:
        assert (await client.post("/graphql", json=QUERY, headers=bearer(key))).status_code == 200

        code, lines, _ = await arun(capsys, "keys", "list", "--store", store_url)
        assert code == 0
        assert lines[0].split() == ["KEY", "ID", "APP", "ROLE", "CREATED", "REVOKED"]
        row = lines[1].split()
        assert row[:3] == [key_id, "app-a", "read"] and row[-1] == "-"
        listing = "\n".join(lines)
        assert key not in listing and key.split("_", 2)[2] not in listing

        assert (await arun(capsys, "keys", "revoke", key_id, "--store", store_url))[0] == 0
        assert (await client.post("/graphql", json=QUERY, headers=bearer(key))).status_code == 401

    _, lines, _ = await arun(capsys, "keys", "list", "--store", store_url)
    assert lines[1].split()[-1] != "-"
    code, _, err = await arun(capsys, "keys", "revoke", key_id, "--store", store_url)
    assert code == 1 and "no active key" in err


def test_ingest_key_for_every_app(capsys, store_url: str):
    code, lines, _ = run(
        capsys,
        "keys",
        "create",
        "--app",
        "*",
        "--role",
        "ingest",
        "--store",
        store_url,
        "--create-store",
    )
    assert code == 0 and lines[-1].startswith("ptk_") and "every app" in lines[0]


def test_read_key_for_every_app_is_refused(capsys, store_url: str):
    with pytest.raises(SystemExit) as exit_info:
        main(["keys", "create", "--app", "*", "--role", "read", "--store", store_url])
    assert exit_info.value.code == 2
    assert "ingest keys only" in capsys.readouterr().err


def test_store_from_environment(capsys, store_url: str, monkeypatch):
    monkeypatch.setenv("TRACKING_STORE", store_url)
    assert run(capsys, "keys", "create", "--app", "a", "--role", "ingest", "--create-store")[0] == 0
    assert len(run(capsys, "keys", "list", "--store", store_url)[1]) == 2


def test_bad_store_url(capsys):
    code, _, err = run(capsys, "keys", "list", "--store", "postgres://x")
    assert code == 2 and "unsupported store URL" in err


async def test_serve_demo(capsys, store_url: str, monkeypatch):
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append((app, kw)))
    code, lines, _ = await arun(capsys, "serve", "--demo", "--store", store_url, "--port", "8123")
    assert code == 0
    [(app, options)] = served
    assert (options["host"], options["port"]) == ("127.0.0.1", 8123)
    assert (options["limit_concurrency"], options["timeout_keep_alive"]) == (1000, 5)
    assert options["forwarded_allow_ips"] == "127.0.0.1" and options["proxy_headers"]
    read = next(line for line in lines if line.startswith("Read key")).split()[-1]
    ingest = next(line for line in lines if line.startswith("Ingest key")).split()[-1]
    assert any("Loaded" in line and "(0 rejected)" in line for line in lines)
    assert f"Console:  http://127.0.0.1:8123/console#key={read}" in "\n".join(lines)
    assert f"http://127.0.0.1:8123/graphql#key={read}" in "\n".join(lines)

    async with running(app) as client:
        page = (await client.get("/graphql", headers={"Accept": "text/html"})).text
        assert read not in page and ingest not in page  # keys come only through the fragment
        console = (await client.get("/console")).text
        assert read not in console and 'type="module"' in console
        query = {"query": '{ user(id: "alice") { connections { totalCount } } }'}
        user = await client.post("/graphql", json=query, headers=bearer(read))
        assert user.json()["data"]["user"]["connections"]["totalCount"] > 20
        events = await client.post("/v1/events", content=b"", headers=bearer(ingest))
        assert events.json()["accepted"] == 0

    _, lines, _ = await arun(capsys, "serve", "--demo", "--store", store_url, "--port", "8123")
    assert any("already" in line for line in lines)
    assert "Revoked 2 earlier keys of app 'demo'." in lines
    async with running(app) as client:
        old = await client.post("/graphql", json=QUERY, headers=bearer(read))
        assert old.status_code == 401, "the previous demo start's read key no longer works"
    _, lines, _ = await arun(capsys, "keys", "list", "--store", store_url)
    assert sum(line.endswith(" -") for line in lines[1:]) == 2, "two active demo keys, not four"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.org"])
def test_demo_on_a_public_host_is_refused_unless_asked(capsys, store_url, host, monkeypatch):
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("served"))
    code, out, err = run(capsys, "serve", "--demo", "--host", host, "--store", store_url)
    assert code == 2 and not out
    assert "--public-demo" in err and host in err


def test_a_busy_port_is_reported_before_anything_is_prepared(capsys, store_url, monkeypatch):
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("served"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        code, out, err = run(capsys, "serve", "--demo", "--port", port, "--store", store_url)
    assert code == 2 and not out, "no demo data loaded, no key minted"
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err


@pytest.mark.parametrize("command", [("keys", "list"), ("serve",)])
def test_a_store_of_a_newer_release_is_refused_in_words(capsys, tmp_path, command):
    path = tmp_path / "tracking.db"
    create = ("keys", "create", "--app", "a", "--role", "read", "--create-store")
    assert run(capsys, *create, "--store", f"sqlite:///{path}")[0] == 0
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")

    code, out, err = run(capsys, *command, "--store", f"sqlite:///{path}")
    assert code == 1
    assert err.startswith("polaris-tracking: error: the SQLite store at ")
    assert "schema version 99, newer than this release knows" in err
    assert "Traceback" not in err and not out


@pytest.mark.parametrize(
    "command",
    [
        ("keys", "list"),
        ("keys", "revoke", "abc"),
        ("keys", "create", "--app", "a", "--role", "read"),
    ],
)
def test_keys_commands_refuse_a_store_that_does_not_exist(capsys, tmp_path, command):
    path = tmp_path / "elsewhere" / "tracking.db"
    code, out, err = run(capsys, *command, "--store", f"sqlite:///{path}")
    assert code == 2 and not out
    assert f"no store at {path}" in err and "--create-store" in err
    assert not path.parent.exists()


def test_a_new_store_is_readable_by_its_owner_only(capsys, tmp_path):
    path = tmp_path / "new" / "tracking.db"
    create = ("keys", "create", "--app", "a", "--role", "read", "--create-store")
    assert run(capsys, *create, "--store", f"sqlite:///{path}")[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("workers", ["0", "-2", "two"])
def test_a_bad_worker_count_is_refused_before_anything_runs(
    workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["serve", "--workers", workers])
    assert exit.value.code == 2
    assert "--workers" in capsys.readouterr().err
