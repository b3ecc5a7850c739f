"""A full disk, a read-only archive or a lock held by another program: a clear error, and the
archive exactly as it was."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.archive import Archive, StorageError
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from tests.conftest import NOW

STORY = Article(
    title="Chipmaker raises forecast",
    body="The chipmaker raised its forecast to $40 billion. " * 40,
    url="https://faults.example/1",
)


def many(count: int) -> list[Article]:
    return [
        replace(STORY, url=f"https://faults.example/{n}", title=f"Story {n}") for n in range(count)
    ]


async def article_count(archive: Archive) -> int:
    return await archive.articles.count()


async def test_full_disk_rolls_back_the_batch_with_a_clear_error(archive: Archive) -> None:
    await ingest_articles(archive, many(3), now=NOW)
    async with archive.db.writer.execute("PRAGMA page_count") as cursor:
        (pages,) = await cursor.fetchone()
    # SQLite's page cap is how a test fills "the disk" without filling the machine's.
    await archive.db.writer.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StorageError, match="disk holding the archive is full"):
        await ingest_articles(archive, many(200), now=NOW)
    assert await article_count(archive) == 3
    async with archive.db.reader.execute("PRAGMA integrity_check") as cursor:
        assert (await cursor.fetchone())[0] == "ok"


async def test_read_only_archive_gives_a_clear_error(archive: Archive) -> None:
    await ingest_articles(archive, many(2), now=NOW)
    await archive.db.writer.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageError, match="read-only"):
        await ingest_articles(archive, many(5), now=NOW)
    assert await article_count(archive) == 2


async def test_lock_held_by_another_program_gives_a_clear_error(tmp_path: Path) -> None:
    archive = await Archive.open(tmp_path / "locked.db")
    try:
        await archive.db.writer.execute("PRAGMA busy_timeout = 100")
        other = sqlite3.connect(tmp_path / "locked.db")
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageError, match="locked by another program"):
                await ingest_articles(archive, many(1), now=NOW)
        finally:
            other.rollback()
            other.close()
        report = await ingest_articles(archive, many(1), now=NOW)  # and it recovers
        assert report.added == 1
    finally:
        await archive.close()
