"""The real server in a child process: uvicorn on 127.0.0.1 and a free port.

The child runs ``uvicorn server.app:create_app --factory``, the app reading its
store from ``TRACKING_STORE`` exactly as ``polaris-tracking serve`` does; the
benchmark talks to it over HTTP and reads its memory from ``/proc``.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from server.auth import create_key
from store.factory import open_store
from store.model import KeyRole

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _make_keys(url: str, app: str) -> tuple[str, str]:
    store = open_store(url)
    await store.open()
    try:
        _, read = await create_key(store, app, KeyRole.READ)
        _, ingest = await create_key(store, app, KeyRole.INGEST)
        return read, ingest
    finally:
        await store.close()


def make_keys(url: str, app: str) -> tuple[str, str]:
    """A (read key, ingest key) of ``app`` in the store at ``url``."""
    return asyncio.run(_make_keys(url, app))


class Server:
    """``with Server(url) as server:`` runs the app on ``server.base_url``."""

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        env = {
            **os.environ,
            "TRACKING_STORE": self.store_url,
            "PYTHONPATH": str(ROOT),
        }
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "server.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self._process = subprocess.Popen(command, env=env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the server exited with {self._process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError("the server did not become ready within 30 s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) of the server process in MiB."""
        fields: dict[str, float] = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
        return fields["VmRSS"], fields["VmHWM"]
