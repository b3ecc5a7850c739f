"""The first answer in a fresh process: open the archive, build the engine, answer once.

Run as ``python -m benchmarks.cold DB QUESTION NOW SETTINGS`` (SETTINGS: the engine's, as
``benchmarks.child.settings_arg`` writes them); prints one JSON line with the time to
import newsbot, to open the archive, and to answer (which loads the engine's vocabulary and
article catalogue on first use, as ``newsbot ask`` does). The parent also times the whole
process, interpreter start-up included. The OS page cache is warm (the archive was just built).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.child import run_json, settings_arg, settings_from
from benchmarks.corpus import BenchQuestion
from bot.search.config import RankConfig


async def _first_answer(
    db: Path, question: str, now: datetime, config: RankConfig
) -> dict[str, float]:
    started = time.perf_counter()
    from bot.archive import Archive
    from bot.search import Engine, Filters

    imported = time.perf_counter()
    archive = await Archive.open(db)
    opened = time.perf_counter()
    engine = Engine(archive, config)
    try:
        await engine.answer(question, Filters(now=now))
    finally:
        answered = time.perf_counter()
        await engine.close()
        await archive.close()
    return {
        "import_ms": (imported - started) * 1000,
        "open_ms": (opened - imported) * 1000,
        "answer_ms": (answered - opened) * 1000,
    }


def measure(
    db: Path, questions: Sequence[BenchQuestion], runs: int, config: RankConfig
) -> dict[str, Any]:
    """Median (and worst) of ``runs`` fresh processes, each with a different question and an
    engine with these settings."""
    totals, opens, answers, processes = [], [], [], []
    for run in range(max(runs, 1)):
        question = questions[run % len(questions)]
        started = time.perf_counter()
        figures = run_json(
            "benchmarks.cold",
            str(db),
            question.text,
            question.now.isoformat(),
            settings_arg(config),
        )
        processes.append((time.perf_counter() - started) * 1000)
        opens.append(figures["open_ms"])
        answers.append(figures["answer_ms"])
        totals.append(figures["open_ms"] + figures["answer_ms"])
    return {
        "cold_first_answer_ms": round(statistics.median(totals), 1),
        "cold_first_answer_ms_max": round(max(totals), 1),
        "cold_open_ms": round(statistics.median(opens), 1),
        "cold_answer_ms": round(statistics.median(answers), 1),
        "cold_process_ms": round(statistics.median(processes), 1),
    }


def main(argv: Sequence[str]) -> None:
    """Entry point of the child process."""
    db, question, now, settings = argv
    figures = asyncio.run(
        _first_answer(Path(db), question, datetime.fromisoformat(now), settings_from(settings))
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
