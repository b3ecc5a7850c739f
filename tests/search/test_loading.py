"""Loading the engine's vocabulary and catalogue without making answers wait on large archives."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import pytest

from bot.archive import Archive
from bot.archive.index import ArticleHead, Spans
from bot.ingest.pipeline import ingest_articles
from bot.search import Engine, Filters, vocabulary
from tests.search.conftest import NOW, Build, article

NVIDIA = article(
    "Nvidia results",
    key_points=("Nvidia reported record spending on data centers this quarter.",),
)


@pytest.fixture(autouse=True)
def quiet_archives(monkeypatch: pytest.MonkeyPatch) -> None:
    """A background reload checks at once whether the archive has stopped growing (it waits
    SETTLE_SECONDS between checks in the bot)."""
    monkeypatch.setattr(vocabulary, "SETTLE_SECONDS", 0.0)


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat every archive as large: the vocabulary loads in the background."""
    monkeypatch.setattr(vocabulary, "SYNC_LOAD_SNIPPETS", 0)


def hold_full_loads(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Make every full vocabulary load wait until the returned event is set."""
    release = asyncio.Event()
    full_load = engine.archive.index.vocabulary

    async def slow_vocabulary(min_documents: int = 1) -> list[tuple[str, int]]:
        await release.wait()
        return await full_load(min_documents)

    monkeypatch.setattr(engine.archive.index, "vocabulary", slow_vocabulary)
    return release


@pytest.mark.usefixtures("large")
async def test_large_archive_answers_while_the_vocabulary_loads(
    build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await build([NVIDIA])
    release = hold_full_loads(engine, monkeypatch)
    answer = await asyncio.wait_for(engine.answer("Nvidia spending", Filters(now=NOW)), 5)
    assert answer.answered  # from per-question word counts, not the (blocked) full load
    assert "Nvidia" in answer.citations[0].text
    assert not engine.vocabulary.loaded
    release.set()
    await engine.vocabulary.settled()
    assert engine.vocabulary.loaded
    # Typo correction needs the whole vocabulary: it works once the load is done.
    typo = await engine.answer("nvida spendng", Filters(now=NOW))
    assert typo.answered
    assert "Nvidia" in typo.citations[0].text


@pytest.mark.usefixtures("large")
@pytest.mark.parametrize("added_share", [vocabulary.ADDED_SHARE, 0.0])
async def test_large_archive_sees_new_words_before_the_throttled_reload(
    build: Build, archive: Archive, monkeypatch: pytest.MonkeyPatch, added_share: float
) -> None:
    # Between reloads a question counts its words in the snippets added since the last load;
    # past ADDED_SHARE of the archive (0.0: at once), it reads the index's totals instead.
    monkeypatch.setattr(vocabulary, "RELOAD_SECONDS", 3600.0)
    monkeypatch.setattr(vocabulary, "ADDED_SHARE", added_share)
    engine = await build([NVIDIA])
    await engine.answer("Nvidia spending", Filters(now=NOW))
    await engine.vocabulary.settled()
    loaded_at = engine.vocabulary.snippets
    toaster = article(
        "Zorblax unveils a quantum toaster",
        key_points=("Zorblax announced a toaster with Nvidia chips.",),
    )
    await ingest_articles(archive, [toaster], now=NOW)
    answer = await engine.answer("What did Zorblax announce?", Filters(now=NOW))
    assert answer.answered and "Zorblax" in answer.citations[0].text
    # The counts a question reads by are the archive's own, the words it held before included.
    words = ["zorblax", "toaster", "nvidia", "spending"]
    newest = await archive.index.snippet_count()
    seen = await engine.vocabulary.current(newest, words)
    totals = await archive.index.document_frequencies(words)
    assert {word: seen.frequency(word) for word in words} == totals
    assert totals["nvidia"] > engine.vocabulary.frequency("nvidia") > 0
    await engine.vocabulary.settled()
    assert engine.vocabulary.snippets == loaded_at  # not reloaded within RELOAD_SECONDS
    assert engine.vocabulary.frequency("zorblax") == 0


@pytest.mark.usefixtures("large")
async def test_a_background_reload_waits_until_an_import_has_stopped_growing_the_archive(
    build: Build, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vocabulary, "RELOAD_SECONDS", 0.0)
    engine = await build([NVIDIA])
    await engine.answer("Nvidia spending", Filters(now=NOW))
    await engine.vocabulary.settled()
    zorblax = article("Zorblax unveils a toaster", key_points=("Zorblax announced a toaster.",))
    await ingest_articles(archive, [zorblax], now=NOW)
    await engine.answer("What did Zorblax announce?", Filters(now=NOW))  # starts a reload
    # The import goes on: one more article is stored just after the reload first looks.
    newest_id = archive.index.snippet_count
    late = [article("Quillon ships a kettle", key_points=("Quillon shipped a kettle.",))]

    async def still_importing() -> int:
        newest = await newest_id()
        if late:
            await ingest_articles(archive, [late.pop()], now=NOW)
        return newest

    monkeypatch.setattr(archive.index, "snippet_count", still_importing)
    await engine.vocabulary.settled()
    # Loaded once the archive stopped growing: as of the late article, which it counts.
    assert engine.vocabulary.snippets == await newest_id()
    assert engine.vocabulary.frequency("quillon") > 0


async def test_small_archive_corrects_typos_on_the_first_question(build: Build) -> None:
    engine = await build([NVIDIA])  # a fresh engine, as in a new `newsbot ask` process
    answer = await engine.answer("nvida spendng", Filters(now=NOW))
    assert answer.answered and "Nvidia" in answer.citations[0].text
    assert engine.vocabulary.loaded


def runs(spans: Spans) -> list[tuple[int, int, int, int, int, str | None]]:
    """The spans as rows: article, first and last snippet id, size, date, outlet."""
    columns = [spans.article_ids, spans.first_ids, spans.last_ids, spans.snippets, spans.timestamps]
    return list(zip(*(c.tolist() for c in columns), spans.sources, strict=True))


async def test_incremental_spans_read_only_the_new_snippets(build: Build, archive: Archive) -> None:
    await build([NVIDIA])
    before = runs(await archive.index.spans(0))
    newest = await archive.index.snippet_count()
    acme = article("Acme launches", body="Acme launched a rocket. It flew.", source="Acme Wire")
    await ingest_articles(archive, [acme], now=NOW)
    every = runs(await archive.index.spans(0))
    added = runs(await archive.index.spans(newest))
    assert every[: len(before)] == before
    assert added == [span for span in every if span[1] > newest]
    (_, first, last, size, published, source) = added[0]
    assert size == last - first + 1 == 3  # the title and two body sentences
    assert (published, source) == (int(acme.published_at.timestamp()), "Acme Wire")


async def test_full_span_load_checks_its_layout_assumption(build: Build, archive: Archive) -> None:
    await build([NVIDIA])
    spans = runs(await archive.index.spans(0))
    assert runs(await archive.index._all_spans()) == spans
    # A gap inside an article (a deleted middle snippet) breaks the one-run-per-article
    # assumption of the fast read: it declines, and grouping gives the exact runs.
    longest = max(spans, key=lambda span: span[3])
    middle = longest[1] + 1
    async with archive.db.transaction() as conn:
        await conn.execute("DELETE FROM snippets WHERE id = ?", (middle,))
    assert await archive.index._all_spans() is None
    article_runs = [s for s in runs(await archive.index.spans(0)) if s[0] == longest[0]]
    assert [(s[1], s[2]) for s in article_runs] == [
        (longest[1], middle - 1),
        (middle + 1, longest[2]),
    ]


@pytest.mark.usefixtures("large")
async def test_closing_the_engine_stops_a_vocabulary_load_in_progress(
    build: Build, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await build([NVIDIA])
    started, stopped = asyncio.Event(), asyncio.Event()

    async def endless_vocabulary(min_documents: int = 1) -> list[tuple[str, int]]:
        started.set()
        try:
            await asyncio.Event().wait()  # never finishes on its own
        finally:
            stopped.set()
        return []

    monkeypatch.setattr(engine.archive.index, "vocabulary", endless_vocabulary)
    assert (await engine.answer("Nvidia spending", Filters(now=NOW))).answered
    await asyncio.wait_for(started.wait(), 5)  # the answer started the load
    await asyncio.wait_for(engine.close(), 5)
    assert stopped.is_set()
    assert not engine.vocabulary.loaded
    await archive.close()  # nothing is left running against the closed archive


async def test_small_archive_answers_new_articles_without_waiting_for_a_reload(
    build: Build, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await build([NVIDIA])
    await engine.answer("Nvidia spending", Filters(now=NOW))  # loads the vocabulary, at once
    assert engine.vocabulary.loaded
    release = hold_full_loads(engine, monkeypatch)
    zorblax = article("Zorblax unveils a toaster", key_points=("Zorblax announced a toaster.",))
    await ingest_articles(archive, [zorblax], now=NOW)
    answer = await asyncio.wait_for(
        engine.answer("What did Zorblax announce?", Filters(now=NOW)), 5
    )
    assert answer.answered and "Zorblax" in answer.citations[0].text
    release.set()
    await engine.vocabulary.settled()
    assert engine.vocabulary.frequency("zorblax") > 0  # the reload caught up afterwards


async def test_a_newest_article_re_ingested_shorter_gives_its_ids_to_no_other(
    build: Build, archive: Archive
) -> None:
    funding = article(
        "Quillbyte raises funding",
        days_ago=0.5,  # stored last: its snippets hold the highest ids
        key_points=("Quillbyte raised $300 million in a Series C round.",),
        body="The startup makes note-taking software. It employs 40 people in Oslo.",
    )
    engine = await build([NVIDIA, funding])
    first = await engine.answer("How much did Quillbyte raise?", Filters(now=NOW))
    assert "$300 million" in first.citations[0].text
    drone = article(
        "Marblefin launches a submarine drone",
        days_ago=0.2,
        key_points=("Marblefin's Pelagon drone costs $85,000.",),
    )
    shorter = replace(funding, body="The startup makes note-taking software.")
    report = await ingest_articles(archive, [shorter, drone], now=NOW)
    assert (report.added, report.updated) == (1, 1)
    answer = await engine.answer("How much does the Marblefin Pelagon cost?", Filters(now=NOW))
    assert answer.citations[0].title == drone.title
    assert "$85,000" in answer.citations[0].text


async def test_a_running_engine_knows_every_article_added_since_it_loaded(
    build: Build, archive: Archive
) -> None:
    # The columns double when outgrown: three of these rounds grow them (in a thread).
    engine = await build([NVIDIA])
    await engine.answer("Nvidia spending", Filters(now=NOW))
    names = ["Quorvex", "Brambleton", "Ostravia", "Pellucid", "Zintaro", "Marquell"]
    for at, name in enumerate(names):
        new = [
            article(
                f"{name} {product} launch",
                days_ago=0.1 * (len(names) - at),
                key_points=(f"{name} priced its {product} at ${at + 1}{n}0.",),
            )
            for n, product in enumerate(["tablet", "drone", "router"])
        ]
        await ingest_articles(archive, new, now=NOW)
        answer = await engine.answer(f"How much is the {name} drone?", Filters(now=NOW))
        assert answer.citations[0].title == f"{name} drone launch"
    first = await engine.answer("How much is the Quorvex router?", Filters(now=NOW))
    assert first.citations[0].title == "Quorvex router launch"
    assert "$120" in first.citations[0].text


async def test_a_refresh_cancelled_while_growing_loses_no_later_article(
    build: Build, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await build([NVIDIA])
    await engine.answer("Nvidia spending", Filters(now=NOW))
    catalogue = engine.catalogue
    entered, release, finished = threading.Event(), threading.Event(), threading.Event()
    grow = catalogue._grown_columns

    def first_grow_waits(snippets: int, articles: int) -> dict[str, np.ndarray]:
        grown = grow(snippets, articles)
        if not entered.is_set():  # the first copy is made, then held back
            entered.set()
            release.wait(5)
            finished.set()
        return grown

    monkeypatch.setattr(catalogue, "_grown_columns", first_grow_waits)
    drone = article("Marblefin drone launch", key_points=("Marblefin's drone costs $85,000.",))
    await ingest_articles(archive, [drone], now=NOW)
    newest = await archive.index.snippet_count()
    cancelled = asyncio.create_task(catalogue.refresh(newest))
    await asyncio.to_thread(entered.wait, 5)
    cancelled.cancel()  # (e.g. the bot shutting down mid-question)
    await asyncio.gather(cancelled, return_exceptions=True)
    answer = await engine.answer("How much does the Marblefin drone cost?", Filters(now=NOW))
    release.set()  # the cancelled refresh's copy, made before that answer's, comes back now
    await asyncio.to_thread(finished.wait, 5)
    await asyncio.sleep(0.2)  # (where a refresh that assigned in its thread would assign)
    again = await engine.answer("How much does the Marblefin drone cost?", Filters(now=NOW))
    assert [c.title for c in answer.citations[:1]] == [drone.title]
    assert [c.title for c in again.citations[:1]] == [drone.title]  # its owner still known


async def test_an_updated_headline_is_read_again(build: Build, archive: Archive) -> None:
    # The engine keeps headlines' words between questions (to tell stories apart); an article
    # re-ingested under a new headline must not keep its old words.
    engine = await build([NVIDIA])
    await engine.answer("Nvidia spending", Filters(now=NOW))
    (article_id,) = [
        a.id for a in await archive.articles.latest(limit=20) if a.title == NVIDIA.title
    ]
    before = await engine.catalogue.headline_words([article_id])
    # (A word the headline repeats is one word of it.)
    updated = replace(
        NVIDIA, title="Nvidia beats forecasts, Nvidia says", body="Nvidia beat forecasts again."
    )
    await ingest_articles(archive, [updated], now=NOW)
    await engine.answer("Nvidia forecasts", Filters(now=NOW))
    after = await engine.catalogue.headline_words([article_id])
    assert before == {article_id: ("nvidia", "results")}
    assert after == {article_id: ("nvidia", "beats", "forecasts")}


async def test_headlines_beyond_those_kept_are_still_read(
    build: Build, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.search.catalogue.HEADLINES_KEPT", 1)
    engine = await build([NVIDIA, article("Acme recalls e-bikes")])
    await engine.answer("Nvidia spending", Filters(now=NOW))
    titles = {a.id: a.title for a in await archive.articles.latest(limit=20)}
    ids = [i for i, title in titles.items() if title in ("Nvidia results", "Acme recalls e-bikes")]
    for _ in range(2):  # read, then partly kept
        words = await engine.catalogue.headline_words(ids)
        assert {titles[i]: sorted(w) for i, w in words.items()} == {
            "Nvidia results": ["nvidia", "results"],
            "Acme recalls e-bikes": ["acme", "bikes", "recalls"],
        }


async def test_the_warm_up_reads_every_headline_so_that_questions_need_not(
    build: Build, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await build([NVIDIA, article("Acme recalls e-bikes")])
    await engine.warm_up()
    read: list[list[int]] = []
    heads = archive.index.heads

    async def counted_heads(article_ids: Iterable[int]) -> dict[int, ArticleHead]:
        read.append(list(article_ids))
        return await heads(read[-1])

    monkeypatch.setattr(archive.index, "heads", counted_heads)
    titles = {a.id: a.title for a in await archive.articles.latest(limit=50)}
    words = await engine.catalogue.headline_words(list(titles))
    assert read == []
    by_title = {titles[i]: w for i, w in words.items()}
    assert by_title["Nvidia results"] == ("nvidia", "results")
    assert by_title["Acme recalls e-bikes"] == ("acme", "recalls", "bikes")
    # An article stored after the warm-up is read when a question first needs it.
    drone = article("Marblefin drone launch", key_points=("Marblefin's drone costs $85,000.",))
    await ingest_articles(archive, [drone], now=NOW)
    answer = await engine.answer("How much does the Marblefin drone cost?", Filters(now=NOW))
    assert [c.title for c in answer.citations[:1]] == [drone.title]
    (drone_id,) = [a.id for a in await archive.articles.latest(limit=50) if a.title == drone.title]
    assert drone_id in read[0]  # (its citation reads it again, for the link and date)
