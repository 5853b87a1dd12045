"""The real server as a subprocess (``python -m server.cli serve``) on 127.0.0.1,
over a SQLite file, with keys made straight in that file."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from server.auth import create_key
from store.factory import open_store
from store.interface import Store
from store.model import KeyRole

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, no goodbye."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    store_url: str,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    *,
    workers: int = 0,
) -> Server:
    """``serve`` on a free port; with ``workers``, uvicorn's app factory in that many
    worker processes instead (as the Docker image runs it)."""
    port = _free_port()
    if workers:
        command = [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory"]
        command += ["--workers", str(workers), "--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--store", store_url]
    environment = {
        **os.environ,
        "TRACKING_RATE_LIMIT_PER_S": "0",
        "TRACKING_STORE": store_url,
        **(env or {}),
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"server did not start in {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracking.db'}"


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """The same file the server uses, opened in the test process (WAL: both may read)."""
    store = open_store(store_url, 7)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def servers(store_url: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Starts servers on the test's store; stops every one it started."""
    started: list[Server] = []

    def start(**env: str) -> Server:
        server = start_server(store_url, tmp_path / "server.log", env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


async def make_key(store: Store, app: str, role: KeyRole) -> str:
    return (await create_key(store, app, role))[1]
