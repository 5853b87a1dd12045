"""The real server in a child process: uvicorn on 127.0.0.1 and a free port.

The benchmarks run ``uvicorn server.app:served_app --factory`` quietly, the app
reading its store from ``TRACKING_STORE`` (and the collector tuned) exactly as
the workers of ``polaris-tracking serve`` do, talk to it over HTTP and read its
memory from ``/proc``; the end-to-end tests run ``serve`` itself through the
same class.
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
    """The app in a child process on 127.0.0.1 and a free port, until stopped:
    ``with Server(url) as server:`` (or ``start()`` … ``stop()``) serves on
    ``server.base_url``.

    By default ``polaris-tracking serve`` runs it, exactly as a user would (its
    store checks and uvicorn options), with ``workers`` worker processes when given
    (the Docker image's way); ``quiet`` (the benchmarks) runs uvicorn's app factory
    itself and keeps it to warnings. Output goes to ``log`` when given; ``python`` is the
    interpreter (another virtual environment's, say). Shared by the benchmarks and
    the end-to-end tests.
    """

    def __init__(
        self,
        store_url: str,
        *,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        cwd: Path = ROOT,
        workers: int = 0,
        quiet: bool = False,
        python: str = sys.executable,
    ) -> None:
        self.store_url = store_url
        self.port = free_port()
        self.base_url = self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._env = env or {}
        self._cwd = cwd
        self._workers = workers
        self._quiet = quiet
        self._python = python
        self._process: subprocess.Popen[bytes] | None = None

    def _command(self) -> list[str]:
        address = ["--host", "127.0.0.1", "--port", str(self.port)]
        quiet = ["--log-level", "warning", "--no-access-log"] if self._quiet else []
        if self._quiet:
            command = [self._python, "-m", "uvicorn", "server.app:served_app", "--factory"]
            workers = ["--workers", str(self._workers)] if self._workers else []
            return [*command, *address, *workers, *quiet]
        serve = [self._python, "-m", "server.cli", "serve", *address, "--store", self.store_url]
        return [*serve, "--workers", str(self._workers)] if self._workers else serve

    def start(self, timeout_s: float = 30.0) -> "Server":
        env = {**os.environ, "TRACKING_STORE": self.store_url, **self._env}
        if self._cwd == ROOT:
            env["PYTHONPATH"] = str(ROOT)
        out = self.log.open("ab") if self.log else None
        try:
            errors = subprocess.STDOUT if out else None
            self._process = subprocess.Popen(
                self._command(), env=env, cwd=self._cwd, stdout=out, stderr=errors
            )
        finally:
            if out:
                out.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self._process.returncode}:\n{self._log_text()}"
                )
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        message = f"the server was not ready within {timeout_s:.0f} s:\n{self._log_text()}"
        raise RuntimeError(message)

    def _log_text(self) -> str:
        return self.log.read_text() if self.log and self.log.exists() else "(output not captured)"

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """A graceful stop (SIGINT, as Ctrl-C), SIGKILL after 15 s."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, no goodbye."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        if process is not None:
            process.wait(timeout=10)

    @property
    def process(self) -> "subprocess.Popen[bytes]":
        assert self._process is not None, "the server was not started"
        return self._process

    @property
    def pid(self) -> int:
        return self.process.pid

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) of the server process in MiB."""
        fields: dict[str, float] = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
        return fields["VmRSS"], fields["VmHWM"]
