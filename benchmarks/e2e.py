"""End to end through the fake Discord: concurrent ``/ask`` interactions to the real
``NewsBot`` (pointed at the built archive) while an ingest runs in the bot's process.

Each asker is a separate guild member (so the per-user cooldown is not what is measured); the
latency runs from sending the interaction to receiving the bot's follow-up. The fake keeps
Discord's 3 s deadline for the first response: a reply that misses it counts as a failure.
The same number of asks first runs with no ingest (``e2e_idle_*``), for comparison; the loop's
lag (and what blocked it) is recorded while the asks run during the ingest.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.build import NOW
from benchmarks.corpus import BenchQuestion
from benchmarks.timing import LoopLag, latency_figures
from bot.chat.bot import NewsBot
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from bot.search.config import RankConfig
from bot.settings import Settings
from tests.fakes import FakeDiscord, FakeUser

READY_TIMEOUT = 600.0  # start-up loads the whole vocabulary: allow for large archives
REPLY_TIMEOUT = 120.0


async def _ask(fake: FakeDiscord, user: FakeUser, question: str) -> float:
    started = time.perf_counter()
    sent = await fake.send_interaction("ask", {"question": question}, user=user)
    await fake.wait_for_followups(sent["id"], timeout=REPLY_TIMEOUT)
    return (time.perf_counter() - started) * 1000


async def _startup_scan(bot: NewsBot) -> float:
    """Seconds until the alert loop's first scan has passed every stored article (a first start
    scans the whole archive); the asks are measured after it."""
    started = time.perf_counter()
    rows = await bot.archive.alerts.articles_after(0, 1, newest_first=True)
    newest = rows[0]["id"] if rows else 0
    while await bot.archive.alerts.watermark() < newest:
        if time.perf_counter() - started > READY_TIMEOUT:
            break
        await asyncio.sleep(0.1)
    return time.perf_counter() - started


async def _round(
    fake: FakeDiscord, users: Sequence[FakeUser], texts: Sequence[str]
) -> list[float | BaseException]:
    """Every question at once, one per user; milliseconds or the exception, per question."""
    return await asyncio.gather(
        *(_ask(fake, u, q) for u, q in zip(users, texts, strict=True)), return_exceptions=True
    )


async def measure(
    db: Path,
    questions: Sequence[BenchQuestion],
    extra: list[Article],
    asks: int,
    config: RankConfig,
) -> dict[str, Any]:
    """``asks`` concurrent ``/ask`` while ``extra`` is ingested, the bot's engine set with
    ``config``; latency p50/p99, failures."""
    logging.getLogger("discord").setLevel(logging.ERROR)
    texts = [questions[i % len(questions)].text for i in range(asks)] if questions else []
    async with FakeDiscord() as fake:
        users = [fake.member_user]
        for number in range(1, 2 * len(texts)):
            user = fake.add_user(f"reader{number}")
            fake.add_member(user)
            users.append(user)
        started = time.perf_counter()
        bot = NewsBot(Settings(db_path=db, seed_bundled=False), guild_ready_timeout=0.05)
        async with fake.run_bot(bot, ready_timeout=READY_TIMEOUT) as running:
            ready = time.perf_counter() - started
            running.engine.config = config  # the bot makes its engine with the defaults
            scan = await _startup_scan(running)
            idle = await _round(fake, users[len(texts) :], texts)
            async with LoopLag() as lag:
                ingest = asyncio.create_task(ingest_articles(running.archive, extra, now=NOW))
                await asyncio.sleep(0.05)  # the ingest is under way
                results = await _round(fake, users[: len(texts)], texts)
                overlapped = not ingest.done()
                await ingest
    latencies = [r for r in results if isinstance(r, float)]
    idle_latencies = [r for r in idle if isinstance(r, float)]
    idle_figures = latency_figures("e2e_idle_ask_ms", idle_latencies)
    return {
        **latency_figures("e2e_ask_ms", latencies),
        "e2e_asks": len(texts),
        "e2e_failures": len(results) - len(latencies),
        "e2e_idle_ask_ms_p50": idle_figures["e2e_idle_ask_ms_p50"],
        "e2e_idle_ask_ms_p99": idle_figures["e2e_idle_ask_ms_p99"],
        "e2e_idle_failures": len(idle) - len(idle_latencies),
        **lag.figures("e2e_loop_lag_ms"),
        "e2e_ingest_overlapped": overlapped,
        "e2e_ingest_articles": len(extra),
        "e2e_bot_ready_s": round(ready, 3),
        "e2e_startup_scan_s": round(scan, 3),
    }
