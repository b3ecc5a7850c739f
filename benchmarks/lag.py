"""Event-loop lag while the engine answers and an ingest runs at the same time, in one loop
(as in the bot: questions answered while a feed poll or an import stores articles)."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.build import NOW
from benchmarks.corpus import BenchQuestion
from benchmarks.timing import LoopLag, latency_figures
from bot.archive import Archive
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from bot.search import Engine, Filters


async def measure(
    archive: Archive, engine: Engine, questions: Sequence[BenchQuestion], extra: list[Article]
) -> dict[str, Any]:
    """Ingest ``extra`` while asking ``questions`` one after another (cycling) until the ingest
    ends; the 10 ms ticker records the loop's lag throughout."""
    latencies: list[float] = []
    # As the bot does once started (NewsBot.setup_hook): what is loaded by now is left out of
    # the garbage collector's full collections.
    gc.collect()
    gc.freeze()
    try:
        async with LoopLag() as lag:
            started = time.perf_counter()
            ingest = asyncio.create_task(ingest_articles(archive, extra, now=NOW))
            asked = 0
            while not ingest.done() and questions:
                question = questions[asked % len(questions)]
                asked += 1
                began = time.perf_counter()
                await engine.respond(question.text, Filters(now=question.now))
                latencies.append((time.perf_counter() - began) * 1000)
            await ingest
            seconds = time.perf_counter() - started
    finally:
        gc.unfreeze()
    figures = lag.figures("loop_lag_ms")
    figures.update(
        {
            "lag_ingest_articles": len(extra),
            "lag_ingest_articles_per_s": round(len(extra) / max(seconds, 1e-9), 1),
            "lag_answers": len(latencies),
        }
    )
    during = latency_figures("answer_ms", latencies)
    figures["answer_ms_p50_during_ingest"] = during["answer_ms_p50"]
    figures["answer_ms_p99_during_ingest"] = during["answer_ms_p99"]
    return figures
