"""The machine a run happened on, and the table of figures."""

import os
import platform
import sys
from dataclasses import dataclass, field


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"
        f" on {platform.system()} {platform.release()}"
    )


@dataclass
class Table:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def add(self, figure: str, value: str, target: str = "", verdict: str = "") -> None:
        self.rows.append((figure, value, target, verdict))

    def check(self, figure: str, value: str, target: str, met: bool | None) -> None:
        verdict = "" if met is None else ("met" if met else "MISSED")
        self.add(figure, value, target, verdict)

    def render(self) -> str:
        header = ("figure", "value", "target", "")
        rows = [header, *self.rows]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = []
        for n, row in enumerate(rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def si(count: int) -> str:
    """1000000 -> 1M, 10000000 -> 10M, 3000 -> 3k."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if count >= size and count % size == 0:
            return f"{count // size}{unit}"
    return f"{count:,}"
