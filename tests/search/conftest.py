"""Small hand-written archives for the search tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import pytest

from bot.archive import Archive
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from bot.search import Engine

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

Build = Callable[[Sequence[Article]], Awaitable[Engine]]


def article(title: str, *, days_ago: float = 1, **fields: object) -> Article:
    """An article published ``days_ago`` before NOW, with a URL made from its title."""
    slug = "-".join(title.lower().split())
    return Article(
        title=title,
        url=fields.pop("url", f"https://news.example/{slug}"),  # type: ignore[arg-type]
        published_at=NOW.replace(microsecond=0) - _days(days_ago),
        **fields,  # type: ignore[arg-type]
    )


def _days(days: float):
    from datetime import timedelta

    return timedelta(days=days)


# Articles about other things, so that word statistics look like a real archive's.
FILLER = [
    article(
        f"Weather report {i}",
        days_ago=10 + i,
        body=f"Rain is expected in the north on day {i}. Forecasters said the south stays dry. "
        "Temperatures will fall slightly over the weekend.",
    )
    for i in range(8)
]


@pytest.fixture
def build(archive: Archive) -> Build:
    """Store the given articles (plus filler) and return an engine over them."""

    async def make(articles: Sequence[Article]) -> Engine:
        report = await ingest_articles(archive, [*articles, *FILLER], now=NOW)
        assert not report.failed
        return Engine(archive)

    return make
