"""Filling an archive through the product's ingest path, and what it costs: throughput and
size on disk."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.corpus import Record, record_bytes
from benchmarks.timing import Stopwatch
from bot.archive import Archive
from bot.archive.database import bytes_on_disk
from bot.ingest.parse import article_from_record
from bot.ingest.pipeline import compact_after_import, ingest_articles
from bot.ingest.worker import SnippetWorker
from bot.models import Article, IngestReport

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # "now" for the ingest path, fixed


def chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    """Consecutive lists of at most ``size`` records."""
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def articles_of(records: Iterable[Record]) -> list[Article]:
    """Records read by the product's JSON record parser (as ``newsbot ingest`` reads JSONL)."""
    return [article_from_record(record) for record in records]


@dataclass(slots=True)
class Built:
    """What building the archive stored, and the figures about it."""

    source_ids: set[str] = field(default_factory=set)  # ids of the records ingested
    figures: dict[str, Any] = field(default_factory=dict)


async def build(archive: Archive, records: Iterable[Record], *, chunk: int) -> Built:
    """Ingest ``records`` in chunks through the product's record parser and
    ``ingest_articles``; only those are timed.

    Records are generated chunk by chunk, so the benchmark's own data does not inflate the
    process's peak memory much beyond one chunk. No lag ticker runs here: its sampling would
    slow the ingest it measures (loop lag while ingesting is the ``lag`` phase's job). Snippets
    are cut in one set of worker processes for the whole build, as one ``newsbot ingest`` of
    every record would; they are started within the timed part, as that ingest starts them.
    The index is compacted at the end, also timed, as that ingest ends.
    """
    built = Built()
    report = IngestReport()
    watch = Stopwatch()
    raw_bytes = 0
    rates: list[float] = []
    worker: SnippetWorker | None = None
    try:
        for part in chunks(records, chunk):
            raw_bytes += sum(record_bytes(r) for r in part)
            built.source_ids.update(str(r["id"]) for r in part)
            before = watch.seconds
            with watch:
                articles = articles_of(part)
                worker = worker or await SnippetWorker.start()
                report.merge(await ingest_articles(archive, articles, now=NOW, worker=worker))
            rates.append(len(articles) / max(watch.seconds - before, 1e-9))
        with watch:  # as `newsbot ingest` ends a large import
            await compact_after_import(archive, report.added)
    finally:
        if worker is not None:
            await worker.close()
    stored = report.added + report.updated + report.unchanged + report.duplicates
    built.figures = {
        "ingest_seconds": round(watch.seconds, 3),
        "ingest_articles_per_s": round(stored / max(watch.seconds, 1e-9), 1),
        "ingest_first_chunk_per_s": round(rates[0], 1) if rates else 0.0,
        "ingest_last_chunk_per_s": round(rates[-1], 1) if rates else 0.0,
        "ingest_added": report.added,
        "ingest_unchanged": report.unchanged + report.updated + report.duplicates,
        "raw_text_bytes": raw_bytes,
    }
    return built


async def disk_usage(archive: Archive) -> dict[str, Any]:
    """The archive's size on disk (database plus WAL) after a checkpoint, and what it holds
    (articles, snippets). ``articles_stored`` may be below the run's size, which stays its
    ``articles``: records that are one article (the same text from one outlet under two links,
    26 of RealTimeQA's) are stored once."""
    await archive.db.writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = bytes_on_disk(Path(archive.path))
    # Not ArticleStore.stats(): its GROUP BY sorts every snippet in memory, which would make
    # this process's peak memory about the benchmark's own query.
    return {
        "db_bytes": size,
        "snippets": await archive.index.snippet_count(),
        "articles_stored": await archive.articles.count(),
    }
