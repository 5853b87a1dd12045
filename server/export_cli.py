"""``polaris-tracking export sent-messages|connections [filters] --out FILE``: a
client of the server's export endpoints (SPEC §10) that writes the stream to a
file as it arrives, with a progress line (rows, rows a second) on a terminal and
nothing extra when stderr is not one."""

import argparse
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import BinaryIO, TextIO

import orjson

PROG = "polaris-tracking"
CHUNK_BYTES = 256 * 1024
DEFAULT_URL = "http://127.0.0.1:8000"
FILTERS = {
    "sent-messages": [
        ("--sender-id", "senderId", "only this sender (default: every sender)"),
        ("--msg-uid", "msgUid", "only this message"),
        ("--target-id", "targetId", "only messages to this user, group or channel"),
        ("--channel-type", "channelType", "DIRECT, GROUP, OPEN or SYSTEM (default: every)"),
        ("--message-type", "messageType", "a built-in type (TEXT) or an ObjectName"),
        ("--source", "source", "ANDROID, IOS, HARMONYOS, WEB, DESKTOP or SERVER_API"),
        ("--since", "since", "start (ISO-8601; default: midnight today in --time-zone)"),
        ("--until", "until", "end, exclusive (ISO-8601; default: now)"),
        ("--time-zone", "timeZone", "IANA zone for the defaults and offset-less times"),
    ],
    "connections": [
        ("--user-id", "userId", "the user (required)"),
        ("--since", "since", "start (ISO-8601; default: the retention horizon)"),
        ("--until", "until", "end, exclusive (ISO-8601; default: now)"),
        ("--time-zone", "timeZone", "IANA zone for offset-less times"),
    ],
}


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    export = commands.add_parser("export", help="export a window as NDJSON or CSV to a file")
    kinds = export.add_subparsers(dest="export_kind", required=True, metavar="WHAT")
    for kind, filters in FILTERS.items():
        sub = kinds.add_parser(kind, help=f"export {kind.replace('-', ' ')}")
        for flag, param, text in filters:
            sub.add_argument(flag, dest=f"param_{param}", metavar=param.upper(), help=text)
        sub.add_argument("--format", choices=["ndjson", "csv"], default="ndjson")
        sub.add_argument("--out", required=True, help="file to write ('-': standard output)")
        sub.add_argument("--url", help=f"server URL (env TRACKING_URL; default {DEFAULT_URL})")
        sub.add_argument("--key", help="read key (env TRACKING_READ_KEY)")


class Progress:
    """``12,345 rows  48,210 rows/s`` rewritten in place on a terminal, at most ten
    times a second; silent when the stream is not a terminal."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self._clock = clock
        self.started = self._last = self._clock()
        self.rows = 0

    def add(self, rows: int) -> None:
        self.rows += rows
        now = self._clock()
        if self.enabled and now - self._last >= 0.1:
            self._last = now
            self._show(now, end="")

    def done(self) -> None:
        if self.enabled:
            self._show(self._clock(), end="\n")

    def _show(self, now: float, end: str) -> None:
        rate = self.rows / max(now - self.started, 1e-9)
        self.stream.write(f"\r{self.rows:,} rows  {rate:,.0f} rows/s{end}")
        self.stream.flush()


def copy(chunks: Iterable[bytes], out: BinaryIO, progress: Progress, header_lines: int) -> None:
    """Write ``chunks`` to ``out``, counting rows as lines (less the CSV header)."""
    skip = header_lines
    for chunk in chunks:
        out.write(chunk)
        lines = chunk.count(b"\n")
        taken = min(skip, lines)
        skip -= taken
        progress.add(lines - taken)
    progress.done()


def _chunks(response: BinaryIO) -> Iterable[bytes]:
    while chunk := response.read(CHUNK_BYTES):
        yield chunk


def run(args: argparse.Namespace, stderr: TextIO | None = None) -> int:
    stderr = stderr or sys.stderr
    url = (args.url or os.environ.get("TRACKING_URL") or DEFAULT_URL).rstrip("/")
    key = args.key or os.environ.get("TRACKING_READ_KEY")
    if not key:
        print(f"{PROG}: error: a read key is needed: --key or TRACKING_READ_KEY", file=stderr)
        return 2
    params = {
        name.removeprefix("param_"): value
        for name, value in vars(args).items()
        if name.startswith("param_") and value is not None
    }
    params["format"] = args.format
    query = urllib.parse.urlencode(params)
    request = urllib.request.Request(
        f"{url}/v1/export/{args.export_kind}?{query}",
        headers={"Authorization": f"Bearer {key}"},
    )
    try:
        response = urllib.request.urlopen(request)
    except urllib.error.HTTPError as e:
        print(f"{PROG}: error: {e.code} {_reason(e.read())}", file=stderr)
        return 1
    except urllib.error.URLError as e:
        print(f"{PROG}: error: cannot reach {url}: {e.reason}", file=stderr)
        return 1
    header = 1 if args.format == "csv" else 0
    with response:
        if args.out == "-":
            copy(_chunks(response), sys.stdout.buffer, Progress(stderr), header)
        else:
            with open(args.out, "wb") as out:
                copy(_chunks(response), out, Progress(stderr), header)
    return 0


def _reason(body: bytes) -> str:
    try:
        error = orjson.loads(body)["error"]
        return str(error["message"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return body.decode(errors="replace")[:200]
