"""The alert scan: new articles x active subscriptions -> delivery records in the outbox.

It runs wherever the articles came from (a feed poll, ``newsbot ingest`` in another process),
because it reads the archive past a watermark instead of listening to the ingest path.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.alerts.matching import ArticleIndex, ArticleText, Topic
from bot.archive import Archive
from bot.archive.alerts import Match, Resumed, Subscription

SCAN_BATCH = 1000
# Alerts are for news: an article dated longer ago than this (a backfill of an old archive)
# is stored and searchable but not announced.
MAX_ALERT_AGE = timedelta(days=7)


def match_articles(
    subscriptions: Sequence[Subscription],
    rows: Sequence[aiosqlite.Row],
    now: datetime,
    *,
    max_age: timedelta | None = MAX_ALERT_AGE,
) -> list[Match]:
    """Which rows each subscription matches. (Every article of a story is matched, as another
    outlet's may name the topic where the first did not; ``record_matches`` queues one alert
    per story and channel.)"""
    texts = [
        ArticleText(row["id"], row["title"], json.loads(row["key_points"]), json.loads(row["tags"]))
        for row in rows
        if max_age is None or datetime.fromisoformat(row["sort_at"]) >= now - max_age
    ]
    stories = {row["id"]: row["story_id"] for row in rows}
    if not texts:
        return []
    index = ArticleIndex(texts)
    topics: dict[tuple[str, str], dict[int, list[str]]] = {}
    matches = []
    for subscription in subscriptions:
        key = (subscription.topic, subscription.exclude)
        if key not in topics:
            topics[key] = index.matches(Topic.parse(*key))
        for article_id, words in sorted(topics[key].items()):
            if article_id > subscription.after_article_id:
                matches.append(Match(subscription, article_id, words, stories[article_id]))
    return matches


async def scan(archive: Archive, *, now: datetime) -> int:
    """Consider every article stored since the last scan; returns how many alerts were queued."""
    queued = 0
    while True:
        watermark = await archive.alerts.watermark()
        rows = await archive.alerts.articles_after(watermark, SCAN_BATCH)
        if not rows:
            return queued
        subscriptions = await archive.alerts.subscriptions(active=True)
        matches = await asyncio.to_thread(match_articles, subscriptions, rows, now)
        queued += await archive.alerts.record_matches(matches, now, watermark=rows[-1]["id"])


async def subscribe(
    archive: Archive, *, missed_cap: int, now: datetime, **options: Any
) -> tuple[Subscription, bool, Resumed]:
    """Subscribe a channel to a topic, or update its subscription (``AlertStore.subscribe``
    takes the ``options``). In a paused channel, every subscription resumes, and the newest
    ``missed_cap`` of the alerts the scan would have queued meanwhile are queued: the matches
    among the articles stored after the pause that were news when stored."""

    def rematch(missing: Sequence[Subscription], rows: Sequence[aiosqlite.Row]) -> list[Match]:
        # The scan judges an article's age as it comes in: one that was news when stored
        # while the channel was paused would have been alerted, however long the pause.
        news = [row for row in rows if _was_news_when_stored(row)]
        return match_articles(missing, news, now, max_age=None)

    return await archive.alerts.subscribe(
        **options, now=now, rematch=rematch, missed_cap=missed_cap
    )


def _was_news_when_stored(row: aiosqlite.Row) -> bool:
    stored = datetime.fromisoformat(row["ingested_at"])
    return datetime.fromisoformat(row["sort_at"]) >= stored - MAX_ALERT_AGE


async def unsubscribe(archive: Archive, channel_id: int, topic: str, now: datetime) -> bool:
    """Remove a channel's subscription; False when there was none. Its alerts not yet sent
    that another of the channel's subscriptions matches stay queued, under that one."""

    def rematch(others: Sequence[Subscription], rows: Sequence[aiosqlite.Row]) -> list[Match]:
        # These alerts were queued already: they passed the age limit and the start of the
        # subscription they were queued under, so only the topics decide.
        from_start = [replace(other, after_article_id=0) for other in others]
        return match_articles(from_start, rows, now, max_age=None)

    return await archive.alerts.unsubscribe(channel_id, topic, rematch)


async def backfill(
    archive: Archive, subscription: Subscription, count: int, now: datetime
) -> tuple[int, int]:
    """Queue the ``count`` newest already-stored matches of a new subscription; returns how many
    matches that was and how many were queued. The channel may already have been sent (or be
    about to be sent) some of them, by another topic or an earlier subscription: those are not
    queued again."""
    rows = await archive.alerts.articles_after(0, 500, newest_first=True)
    from_start = replace(subscription, after_article_id=0)
    matches = match_articles([from_start], rows, now, max_age=None)
    newest = sorted(matches, key=lambda m: m.article_id, reverse=True)[:count]
    return len(newest), await archive.alerts.record_matches(newest, now)
