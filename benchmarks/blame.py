"""Who blocks the event loop: a watchdog thread that, while the loop is late, samples the loop
thread's stack every few milliseconds and counts the product code it finds there.

The loop bumps a heartbeat every ``period``; when the heartbeat is older than ``threshold``,
the loop thread is busy (or waiting for the GIL) in whatever its stack shows. Each sample
stands for ``period`` of blocked time.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any

PRODUCT = ("/bot/",)
DEPTH = 3  # product frames kept per sample, innermost first


def where(frame: Any) -> str:
    """The innermost product frames of a stack, as ``bot/x.py:12 name <- ...``."""
    stack = traceback.extract_stack(frame)
    ours = [f for f in stack if any(part in f.filename for part in PRODUCT)]
    chosen = list(reversed(ours[-DEPTH:])) or stack[-1:]
    return " <- ".join(
        f"{f.filename[f.filename.rfind('/bot/') + 1 :] if ours else f.filename}:{f.lineno} {f.name}"
        for f in chosen
    )


class LagBlame:
    """Samples the loop thread's stack while the loop is late; see the module docstring."""

    def __init__(self, threshold: float = 0.030, period: float = 0.005) -> None:
        self.threshold = threshold
        self.period = period
        self.samples: Counter[str] = Counter()
        self._beat = time.perf_counter()
        self._running = False
        self._loop_thread = threading.get_ident()
        self._timer: asyncio.TimerHandle | None = None

    def _heartbeat(self) -> None:
        self._beat = time.perf_counter()
        if self._running:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.period, self._heartbeat)

    def _watch(self) -> None:
        while self._running:
            time.sleep(self.period)
            if time.perf_counter() - self._beat > self.threshold:
                frame = sys._current_frames().get(self._loop_thread)
                if frame is not None:
                    self.samples[where(frame)] += 1

    def start(self) -> None:
        """Start watching the running loop (call from the loop's thread)."""
        self._running = True
        self._loop_thread = threading.get_ident()
        self._heartbeat()
        threading.Thread(target=self._watch, name="benchmark-lag-blame", daemon=True).start()

    def stop(self) -> None:
        """Stop watching."""
        self._running = False
        if self._timer is not None:
            self._timer.cancel()

    def top(self, count: int = 5) -> list[dict[str, Any]]:
        """The places the loop was most often blocked in, with the blocked milliseconds."""
        return [
            {"where": place, "blocked_ms": round(n * self.period * 1000)}
            for place, n in self.samples.most_common(count)
        ]
