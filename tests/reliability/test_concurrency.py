"""50 questions at once while a 10,000-article ingest and a feed poll write to the same archive:
every question is answered, nothing is locked out, and no write is lost."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from bot.archive import Archive
from bot.feeds.poller import FeedPoller, PollLimits
from bot.ingest.pipeline import ingest_articles, ingest_paths
from bot.models import Article
from bot.search import Engine, Filters
from bot.settings import bundled_data_dir
from tests.conftest import NOW
from tests.fakes.feed_server import FeedServer

INGESTED = 10_000
WORDS = [
    "nvidia",
    "apple",
    "chips",
    "cloud",
    "revenue",
    "launch",
    "robot",
    "data",
    "center",
    "model",
    "users",
    "app",
]
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Quantum startup QubitCo raises $300 million</title>
<link>https://wire.example/qubitco</link>
<description>QubitCo raised $300 million in a round led by Sequoia.</description></item>
</channel></rss>"""
QUESTIONS = [
    "how much is Meta spending on AI?",
    "how much is meta spendng on ai",
    "how many jobs did Microsoft cut?",
    "what did nvidia report?",
    "who makes the NEO robot?",
]


def corpus(count: int) -> list[Article]:
    rng = random.Random(50)
    return [
        Article(
            title=f"Bulk {n}: " + " ".join(rng.choices(WORDS, k=5)),
            body=" ".join(" ".join(rng.choices(WORDS, k=10)).capitalize() + "." for _ in range(8)),
            url=f"https://bulk.example/{n}",
            published_at=NOW - timedelta(days=30 + n % 300),
        )
        for n in range(count)
    ]


async def test_questions_while_ingesting_and_polling(
    archive: Archive, feed_server: FeedServer
) -> None:
    await ingest_paths(archive, [str(bundled_data_dir())], now=NOW)
    bundled = await archive.articles.count()
    feed_server.serve("/rss", FEED)
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=600, now=NOW)
    engine = Engine(archive)
    poller = FeedPoller(archive, limits=PollLimits(timeout_seconds=10))

    ingest = asyncio.create_task(ingest_articles(archive, corpus(INGESTED), now=NOW))
    await asyncio.sleep(0.2)  # the ingest is under way
    poll = asyncio.create_task(poller.poll_due(NOW))
    answers = await asyncio.gather(
        *(engine.answer(QUESTIONS[n % len(QUESTIONS)], Filters(now=NOW)) for n in range(50))
    )
    report = await ingest
    (polled,) = await poll

    assert len(answers) == 50
    seed_answers = [a for a in answers if a.question.startswith("how much is")]
    assert all("$600 billion" in a.text for a in seed_answers)
    assert report.added == INGESTED and not report.failed
    assert polled.error is None and polled.added == 1
    assert await archive.articles.count() == bundled + INGESTED + 1
