"""Measuring helpers: percentiles, resident memory, and the event-loop lag ticker."""

from __future__ import annotations

import asyncio
import contextlib
import math
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from benchmarks.blame import LagBlame
from bot.archive.database import sqlite_files

TICK_SECONDS = 0.010
PACE_LOOP_STEPS = 1_000_000  # about 35 ms at this machine's fastest pace


def read_through(path: Path) -> float:
    """Read a database file (and its write-ahead log) once, so that the operating system's page
    cache holds it as it would on a server answering all day; returns the megabytes read.

    Timings of a large archive otherwise depend on what the cache kept since the ingest: this
    machine's kernel pages out file pages left idle for about a minute, and the 100,000-article
    archive then answers about 3 ms slower at p50."""
    read = 0
    for part in sqlite_files(path)[:2]:
        if part.exists():
            with part.open("rb") as file:
                while chunk := file.read(8 << 20):
                    read += len(chunk)
    return round(read / 2**20, 1)


def cpu_pace_ms(repeats: int = 5) -> float:
    """The best of ``repeats`` timings of a fixed pure-Python loop, in milliseconds: the
    processor's pace at that moment, the same whatever the code under test.

    This machine's pace moves by a third and more between hours (shared cores), and the answer
    latency moves with it; timed just before and after the warm answers, it lets runs made at
    different paces be compared."""
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for step in range(PACE_LOOP_STEPS):
            total += step % 7
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 2)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1); 0 when there are no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def latency_figures(prefix: str, milliseconds: Sequence[float]) -> dict[str, float]:
    """``{prefix}_p50`` / ``_p99`` / ``_max`` of a list of latencies, rounded."""
    return {
        f"{prefix}_p50": round(percentile(milliseconds, 0.50), 3),
        f"{prefix}_p99": round(percentile(milliseconds, 0.99), 3),
        f"{prefix}_max": round(max(milliseconds, default=0.0), 3),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    """This process's resident memory now, in MiB (0 where /proc is unavailable)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * resource.getpagesize() / (1024 * 1024)


class Stopwatch:
    """Accumulates the wall time spent inside ``with watch:`` blocks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.seconds += time.perf_counter() - self._started


class LoopLag:
    """A 10 ms ticker on the running loop: each tick records how late it woke, in ms.

    Use ``async with LoopLag() as lag: ...``; afterwards ``lag.figures(prefix)`` gives p50, p99
    and max. A blocked event loop shows as one long late tick; ``LagBlame`` says where the
    loop thread was while it was blocked.
    """

    def __init__(self, interval: float = TICK_SECONDS) -> None:
        self.interval = interval
        self.lags_ms: list[float] = []
        self.blame = LagBlame()
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        expected = loop.time() + self.interval
        while True:
            await asyncio.sleep(self.interval)
            now = loop.time()
            self.lags_ms.append(max(now - expected, 0.0) * 1000)
            expected = now + self.interval

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._tick(), name="benchmark-loop-lag")
        self.blame.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.blame.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def figures(self, prefix: str) -> dict[str, Any]:
        """``{prefix}_p50`` / ``_p99`` / ``_max`` of the recorded lags in ms, the number of
        ticks, and ``{prefix}_blame``: where the loop was blocked most."""
        return {
            **latency_figures(prefix, self.lags_ms),
            f"{prefix}_ticks": len(self.lags_ms),
            f"{prefix}_blame": self.blame.top(),
        }
