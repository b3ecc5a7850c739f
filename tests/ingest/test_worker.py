"""The worker process that cuts articles into snippets for large ingests."""

from __future__ import annotations

import asyncio
import io
import os
import pickle
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.archive import Archive
from bot.ingest.pipeline import ingest_articles
from bot.ingest.prepare import prepare_batch
from bot.ingest.worker import SnippetWorker, WorkerError, serve
from bot.models import Article
from tests.conftest import NOW

ARTICLES = [
    Article(
        title=f"Chip maker {n} ships",
        body=f"Chip maker {n} shipped 1.5 million chips. Mr. Smith said so! Sales rose 4%.",
        url=f"https://example.com/{n}",
        source="Example News",
    )
    for n in range(5)
]


async def test_the_worker_prepares_as_this_process_would() -> None:
    async with await SnippetWorker.start() as worker:
        assert await worker.prepare(ARTICLES[:3]) == prepare_batch(ARTICLES[:3])
        assert await worker.prepare(ARTICLES[3:]) == prepare_batch(ARTICLES[3:])


async def test_a_batch_larger_than_a_piece_comes_back_whole_and_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A batch crosses the pipes a few articles at a time (pickling holds the event loop).
    monkeypatch.setattr("bot.ingest.worker.PIECE", 2)
    async with await SnippetWorker.start() as worker:
        assert await worker.prepare(ARTICLES) == prepare_batch(ARTICLES)
        with pytest.raises(AttributeError):  # a bad article in the last piece fails the batch
            await worker.prepare([*ARTICLES, "not an article"])  # type: ignore[list-item]
        assert await worker.prepare(ARTICLES[:1]) == prepare_batch(ARTICLES[:1])


async def test_an_error_in_the_worker_is_raised_here_and_the_worker_goes_on() -> None:
    async with await SnippetWorker.start() as worker:
        with pytest.raises(AttributeError):
            await worker.prepare(["not an article"])  # type: ignore[list-item]
        assert await worker.prepare(ARTICLES[:1]) == prepare_batch(ARTICLES[:1])


async def test_batches_cut_at_once_come_back_each_to_its_caller() -> None:
    batches = [ARTICLES[n : n + 1] for n in range(len(ARTICLES))]
    async with await SnippetWorker.start() as worker:
        cut = await asyncio.gather(*(worker.prepare(batch) for batch in batches))
    assert cut == [prepare_batch(batch) for batch in batches]


def test_a_worker_whose_parent_left_while_sending_stops_quietly() -> None:
    request = pickle.dumps(ARTICLES)
    cut_short = io.BytesIO(len(request).to_bytes(8, "big") + request[: len(request) // 2])
    answers = io.BytesIO()
    serve(cut_short, answers)  # returns: no error for a parent that is gone
    assert answers.getvalue() == b""


async def test_a_worker_that_died_is_reported() -> None:
    worker = await SnippetWorker.start()
    for process in worker._processes:
        process.kill()
    with pytest.raises(WorkerError):
        await worker.prepare(ARTICLES)
    await worker.close()


async def test_a_worker_that_cannot_start_leaves_none_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The second process fails to start, as it would with no file handles left.
    real_start = asyncio.create_subprocess_exec
    started: list[asyncio.subprocess.Process] = []
    calls = 0

    async def second_fails(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        nonlocal calls
        calls += 1
        if calls == 2:
            for _ in range(500):  # fails once the first one has started (bounded wait)
                if started:
                    break
                await asyncio.sleep(0.01)
            raise OSError(24, "Too many open files")
        process = await real_start(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(asyncio, "create_subprocess_exec", second_fails)
    try:
        with pytest.raises(OSError, match="Too many open files"):
            await SnippetWorker.start(processes=2)
        assert len(started) == 1
        assert started[0].returncode is not None  # the one that started has ended
    finally:
        for process in started:  # (left running, it would hold up the test run's exit)
            if process.returncode is None:
                process.kill()
                await process.wait()


async def test_an_ingest_of_several_batches_stores_the_same_as_one_batch(
    archive: Archive, tmp_path: Path
) -> None:
    report = await ingest_articles(archive, ARTICLES, now=NOW, batch_size=2)  # in a worker
    assert report.added == len(ARTICLES)
    async with await Archive.open(tmp_path / "one.db") as single:
        await ingest_articles(single, ARTICLES, now=NOW)  # in a thread
        query = "SELECT article_id, position, kind, text FROM snippets ORDER BY id"
        async with archive.db.reader.execute(query) as a, single.db.reader.execute(query) as b:
            assert [tuple(r) for r in await a.fetchall()] == [tuple(r) for r in await b.fetchall()]
    again = await ingest_articles(
        archive, [replace(a, body=a.body + " More.") for a in ARTICLES], now=NOW, batch_size=2
    )
    assert again.updated == len(ARTICLES)


async def test_the_worker_runs_at_a_lower_priority_than_the_bot() -> None:
    # Cutting takes what CPU is left: a bot answering during an import gets a core first.
    async with await SnippetWorker.start() as worker:
        batches = [ARTICLES[:1]] * len(worker._processes)
        await asyncio.gather(*(worker.prepare(b) for b in batches))  # (all have set priority)
        for process in worker._processes:
            assert os.getpriority(os.PRIO_PROCESS, process.process.pid) > os.getpriority(
                os.PRIO_PROCESS, 0
            )


async def test_an_ingest_that_fails_midway_keeps_the_batches_written_before(
    archive: Archive,
) -> None:
    # (What the pipeline reads before cutting; all are undated: it stays in its place.)
    not_an_article = SimpleNamespace(published_at=None, url=None, entry_key=None)
    later = [replace(a, url=f"{a.url}/later") for a in ARTICLES]
    articles = [*ARTICLES, not_an_article, *later]
    with pytest.raises(AttributeError):
        await ingest_articles(archive, articles, now=NOW, batch_size=2)  # type: ignore[arg-type]
    assert await archive.articles.count() == 4  # the two whole batches before the bad one
