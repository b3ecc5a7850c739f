"""Fixtures shared by the whole suite: real archives in temporary SQLite files."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from bot.archive import Archive
from bot.ingest.pipeline import ingest_articles, ingest_paths
from bot.models import Article
from bot.settings import bundled_data_dir

# The fakes' fixtures (a fake Discord server, a local feed server) are available to every test.
pytest_plugins = ["tests.fakes.fixtures"]

# Property tests draw the same examples on every run (a clean clone passes or fails the same
# way every time) and assert no timings; `HYPOTHESIS_PROFILE=explore` draws new examples.
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
async def archive(tmp_path: Path) -> AsyncIterator[Archive]:
    """An empty archive in a fresh SQLite file."""
    opened = await Archive.open(tmp_path / "archive.db")
    yield opened
    await opened.close()


@pytest.fixture
async def bundled_archive(archive: Archive) -> Archive:
    """An archive holding the bundled articles of data/."""
    report = await ingest_paths(archive, [str(bundled_data_dir())], now=NOW)
    assert not report.failed
    return archive


def index_segments(path: Path) -> int:
    """How many segments the snippet index has. FTS5 numbers each page of its data table
    ``segment id << 37 | page``; ids below that are its own bookkeeping."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT count(DISTINCT id >> 37) FROM snippets_fts_data WHERE id >> 37 > 0"
        )
        return int(rows.fetchone()[0])


async def store_in_separate_batches(archive: Archive, count: int) -> None:
    """``count`` articles, one transaction each (as feed polls store them): each leaves an
    index segment of its own."""
    for number in range(count):
        article = Article(
            title=f"Chip shipments, week {number}",
            url=f"https://news.example/chips-{number}",
            body=f"Nvidia shipped more chips in week {number}.",
            published_at=NOW,
        )
        await ingest_articles(archive, [article], now=NOW)
