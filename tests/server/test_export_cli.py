"""``polaris-tracking export``: against a real server on 127.0.0.1 (``live_server``:
uvicorn in a thread over a SQLite file), the file it writes and its progress line."""

import io
from pathlib import Path

import orjson
import pytest

from server.cli import main
from server.export_cli import Progress, copy


def test_export_writes_the_file_and_nothing_else_when_piped(
    live_server: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, key = live_server
    out = tmp_path / "messages.ndjson"
    code = main(["export", "sent-messages", "--out", str(out), "--url", url, "--key", key])
    assert code == 0
    assert capsys.readouterr() == ("", "")  # stderr is not a terminal here: no progress
    [line] = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert line["msgUid"] == "M1" and line["receipts"][0]["recipientId"] == "u2"
    table = tmp_path / "connections.csv"
    argv = ["export", "connections", "--user-id", "u1", "--format", "csv", "--out", str(table)]
    assert main([*argv, "--url", url, "--key", key]) == 0
    assert table.read_text().splitlines()[0].startswith("id,connectionId,userId,status")
    assert len(table.read_text().splitlines()) == 3


def test_export_reports_bad_parameters_and_keys(
    live_server: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, key = live_server
    out = str(tmp_path / "x")
    argv = ["export", "sent-messages", "--channel-type", "FOO", "--out", out, "--url", url]
    assert main([*argv, "--key", key]) == 1
    assert "channelType" in capsys.readouterr().err
    assert main(["export", "sent-messages", "--out", out, "--url", url, "--key", "ptk_x_y"]) == 1
    assert "401" in capsys.readouterr().err
    assert main(["export", "connections", "--out", out, "--url", url, "--key", key]) == 1
    assert "userId" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_shows_rows_and_rate() -> None:
    ticks = iter([0.0, 0.5, 1.0, 2.0])
    terminal = _Terminal()
    progress = Progress(terminal, clock=lambda: next(ticks))
    sink = io.BytesIO()
    copy([b"id,x\r\n1,a\r\n", b"2,b\r\n3,c\r\n"], sink, progress, header_lines=1)
    assert sink.getvalue().count(b"\n") == 4
    shown = terminal.getvalue()
    assert shown.endswith("\r3 rows  2 rows/s\n") and "\r1 rows" in shown
    piped = io.StringIO()
    quiet = Progress(piped)
    copy([b"{}\n"], io.BytesIO(), quiet, header_lines=0)
    assert piped.getvalue() == "" and quiet.rows == 1
