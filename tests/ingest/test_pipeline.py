"""The end of a large import: the full-text index is compacted into one segment."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.archive import Archive
from bot.ingest import pipeline
from bot.models import Article
from tests.conftest import NOW


def segments(path: Path) -> int:
    """How many segments the snippet index has. FTS5 numbers each page of its data table
    ``segment id << 37 | page``; ids below that are its own bookkeeping."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT count(DISTINCT id >> 37) FROM snippets_fts_data WHERE id >> 37 > 0"
        )
        return int(rows.fetchone()[0])


async def store_in_separate_batches(archive: Archive, count: int) -> None:
    """``count`` articles, one transaction each: each leaves a segment of its own."""
    for number in range(count):
        article = Article(
            title=f"Chip shipments, week {number}",
            url=f"https://news.example/chips-{number}",
            body=f"Nvidia shipped more chips in week {number}.",
            published_at=NOW,
        )
        await pipeline.ingest_articles(archive, [article], now=NOW)


def jsonl(path: Path, count: int) -> Path:
    lines = [
        {"title": f"Import {i}", "url": f"https://news.example/import-{i}", "text": "Chips."}
        for i in range(count)
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    return path


async def test_compacting_keeps_every_match_in_one_segment(archive: Archive) -> None:
    await store_in_separate_batches(archive, 5)
    queries = ['"chips"', '"nvidia"', '"week"']
    before = await archive.index.postings(queries, limits=[100] * 3)
    assert segments(archive.path) > 1
    await archive.index.compact()
    assert segments(archive.path) == 1
    assert await archive.index.postings(queries, limits=[100] * 3) == before


@pytest.mark.parametrize(("threshold", "compacted"), [(3, True), (4, False)])
async def test_an_import_compacts_the_index_once_it_adds_enough_articles(
    archive: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    threshold: int,
    compacted: bool,
) -> None:
    await store_in_separate_batches(archive, 5)
    monkeypatch.setattr(pipeline, "COMPACT_AFTER", threshold)
    report = await pipeline.ingest_paths(archive, [str(jsonl(tmp_path / "a.jsonl", 3))], now=NOW)
    assert report.added == 3
    assert (segments(archive.path) == 1) is compacted
