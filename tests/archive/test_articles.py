"""Storing articles: one transaction per batch, dedup by URL/content/title, reads for /latest."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.archive import Archive, PreparedArticle
from bot.ingest.pipeline import ingest_articles
from bot.ingest.prepare import prepare
from bot.models import Article
from tests.conftest import NOW

META = Article(
    title="Meta Enters Cloud Business",
    summary="Meta is building a cloud business.",
    key_points=("Meta is committing $600 billion to AI by 2028.",),
    body="Meta Compute runs the project. It competes with Amazon.",
    url="https://www.example.com/meta-cloud?utm_source=feed",
    source="Example News",
    published_at=datetime(2026, 5, 1, tzinfo=UTC),
    topics=("meta", "ai"),
)


async def indexed(archive: Archive, word: str) -> int:
    """How many snippets the full-text index finds for a word."""
    async with archive.db.reader.execute(
        "SELECT count(*) FROM snippets_fts WHERE snippets_fts MATCH ?", (f'"{word}"',)
    ) as cursor:
        return (await cursor.fetchone())[0]


async def _snippet_count(archive: Archive) -> int:
    async with archive.db.reader.execute("SELECT count(*) FROM snippets") as cursor:
        return (await cursor.fetchone())[0]


async def test_reingesting_the_same_article_changes_nothing(archive: Archive) -> None:
    first = await ingest_articles(archive, [META], now=NOW)
    snippets = await _snippet_count(archive)
    again = await ingest_articles(archive, [META], now=NOW + timedelta(hours=1))
    assert (first.added, again.added, again.unchanged) == (1, 0, 1)
    assert await archive.articles.count() == 1
    assert await _snippet_count(archive) == snippets


async def test_same_canonical_url_with_new_text_updates_in_place(archive: Archive) -> None:
    await ingest_articles(archive, [META], now=NOW)
    edited = replace(META, url="https://example.com/meta-cloud/", body="A corrected body.")
    report = await ingest_articles(archive, [edited], now=NOW)
    assert report.updated == 1
    assert await archive.articles.count() == 1
    async with archive.db.reader.execute("SELECT text FROM snippets WHERE kind='body'") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == ["A corrected body."]
    assert await indexed(archive, "competes") == 0  # the old sentence is gone from the index too


async def _texts(archive: Archive) -> list[tuple[str, str]]:
    async with archive.db.reader.execute(
        "SELECT kind, text FROM snippets ORDER BY article_id, position"
    ) as cursor:
        return [(kind, text) for kind, text in await cursor.fetchall()]


async def test_a_title_alone_renames_the_article_and_keeps_its_text(archive: Archive) -> None:
    await ingest_articles(archive, [META], now=NOW)
    before = await _texts(archive)
    renamed = Article(title="Meta Launches a Cloud Business", url=META.url)
    report = await ingest_articles(archive, [renamed], now=NOW)
    assert (report.updated, await archive.articles.count()) == (1, 1)
    assert await _texts(archive) == [("title", renamed.title), *before[1:]]
    assert await indexed(archive, "billion") == 1  # the key point is still found
    assert await indexed(archive, "competes") == 1  # and the body
    (stored,) = await archive.articles.latest()
    assert (stored.title, stored.summary) == (renamed.title, META.summary)
    # Said again, it says nothing new.
    assert (await ingest_articles(archive, [renamed], now=NOW)).unchanged == 1


async def test_a_new_summary_without_a_body_keeps_the_body_and_key_points(
    archive: Archive,
) -> None:
    # As a feed's one-line description of an article a file stored in full.
    await ingest_articles(archive, [META], now=NOW)
    summary = "Meta said on Tuesday it would sell cloud computing to outside customers."
    described = Article(title=META.title, summary=summary, url=META.url)
    assert (await ingest_articles(archive, [described], now=NOW)).updated == 1
    texts = await _texts(archive)
    assert ("key_point", META.key_points[0]) in texts  # the file's own key point
    assert ("body", "It competes with Amazon.") in texts
    assert any(summary == text for _, text in texts)  # the new summary, quotable
    assert await indexed(archive, "customers") == 1
    assert await indexed(archive, "building") == 0  # the old summary is replaced
    (stored,) = await archive.articles.latest()
    assert stored.summary == summary
    assert (await ingest_articles(archive, [described], now=NOW)).unchanged == 1


async def test_new_key_points_alone_keep_the_text_they_were_drawn_from(archive: Archive) -> None:
    full = Article(
        title="Acme recalls cars",
        url="https://cars.example/acme",
        body="Acme Motors said on Monday it is recalling 20,000 cars in the United States. The "
        "recall covers 2024 models sold by Acme Motors in Ohio and Texas. Dealers will replace "
        "the sensor free of charge. It expects costs of $50 million.",
    )
    await ingest_articles(archive, [full], now=NOW)
    # Every body sentence was drawn as a key point: the new key points replace those, not the text.
    pointed = Article(title=full.title, url=full.url, key_points=("Acme recalls 20,000 cars.",))
    assert (await ingest_articles(archive, [pointed], now=NOW)).updated == 1
    for word in ("monday", "ohio", "dealers", "costs"):
        assert await indexed(archive, word) == 1, word
    assert (await ingest_articles(archive, [pointed], now=NOW)).unchanged == 1


async def test_a_feed_correcting_its_own_summary_is_applied(archive: Archive) -> None:
    first = Article(
        title="Acme recalls cars",
        summary="Acme is recalling 20,000 cars over a faulty brake sensor.",
        url="https://cars.example/acme",
    )
    await ingest_articles(archive, [first], now=NOW)
    corrected = replace(first, summary="Acme is recalling 200,000 cars over a faulty brake sensor.")
    assert (await ingest_articles(archive, [corrected], now=NOW)).updated == 1
    texts = [text for _, text in await _texts(archive)]
    assert corrected.summary in texts and first.summary not in texts
    (stored,) = await archive.articles.latest()
    assert stored.summary == corrected.summary


async def test_a_new_body_without_a_summary_keeps_the_summary(archive: Archive) -> None:
    await ingest_articles(archive, [META], now=NOW)
    rewritten = Article(title=META.title, body="Meta rents out its data centres.", url=META.url)
    assert (await ingest_articles(archive, [rewritten], now=NOW)).updated == 1
    assert await indexed(archive, "building") == 1  # the summary, kept
    (stored,) = await archive.articles.latest()
    assert stored.summary == META.summary
    assert await indexed(archive, "rents") == 1  # (a key point taken out of the new body)
    assert await indexed(archive, "competes") == 0  # the old body is replaced


async def test_same_content_under_another_url_is_not_duplicated(archive: Archive) -> None:
    await ingest_articles(archive, [replace(META, url=None)], now=NOW)
    report = await ingest_articles(archive, [META], now=NOW)
    assert report.updated == 1  # the archive learns the article's URL
    assert await archive.articles.count() == 1
    (stored,) = await archive.articles.latest()
    assert stored.url == META.url
    # Neither record says anything new now; a tracking parameter is no correction.
    tracked = replace(META, url="https://www.example.com/meta-cloud?utm_source=mail")
    for again in (META, replace(META, url=None), tracked):
        assert (await ingest_articles(archive, [again], now=NOW)).unchanged == 1


async def test_a_link_corrected_by_its_outlet_moves_the_article_and_a_copy_stays_apart(
    archive: Archive,
) -> None:
    await ingest_articles(archive, [META], now=NOW)
    corrected = replace(META, url="https://www.example.com/2026/05/01/meta-cloud-business")
    assert (await ingest_articles(archive, [corrected], now=NOW)).updated == 1
    (stored,) = await archive.articles.latest()
    assert stored.url == corrected.url
    # The same text from another outlet, under its own link, is that outlet's article.
    copy = replace(META, url="https://wire.example/meta-cloud", source="Wire Service")
    assert (await ingest_articles(archive, [copy], now=NOW)).added == 1
    assert await archive.articles.count() == 2


async def test_corrected_date_outlet_and_topics_are_applied_and_missing_ones_kept(
    archive: Archive,
) -> None:
    await ingest_articles(archive, [META], now=NOW)
    corrected = replace(
        META, published_at=datetime(2026, 5, 2, tzinfo=UTC), source="Example", topics=("cloud",)
    )

    async def stored_facts() -> tuple[object, ...]:
        (stored,) = await archive.articles.latest()
        return stored.published_at, stored.source, stored.topics

    assert (await ingest_articles(archive, [corrected], now=NOW)).updated == 1
    assert await stored_facts() == (corrected.published_at, "Example", ("cloud",))
    # A record without a date, outlet or topics corrects nothing and erases nothing.
    bare = replace(META, published_at=None, source=None, topics=())
    assert (await ingest_articles(archive, [bare], now=NOW)).unchanged == 1
    assert await stored_facts() == (corrected.published_at, "Example", ("cloud",))


async def test_records_sharing_a_url_store_the_newest_once(archive: Archive) -> None:
    older = replace(META, title="Meta status: investigating", published_at=NOW - timedelta(hours=2))
    newer = replace(META, title="Meta status: resolved", published_at=NOW - timedelta(hours=1))
    first = await ingest_articles(archive, [newer, older], now=NOW)
    assert (first.added, first.updated, first.unchanged, first.duplicates) == (1, 0, 0, 1)
    (stored,) = await archive.articles.latest()
    assert stored.title == "Meta status: resolved"
    # Before, each record overwrote the other on every import: "updated 2" every time.
    again = await ingest_articles(archive, [older, newer], now=NOW)
    assert (again.added, again.updated, again.unchanged, again.duplicates) == (0, 0, 1, 1)


async def test_near_identical_title_from_another_outlet_is_the_same_story(archive: Archive) -> None:
    other = replace(
        META,
        title="Meta enters the cloud business",
        url="https://other.example/story",
        source="Other Outlet",
        body="Different wording entirely.",
    )
    await ingest_articles(archive, [META, other], now=NOW)
    async with archive.db.reader.execute("SELECT id, story_id FROM articles ORDER BY id") as cur:
        rows = [tuple(row) for row in await cur.fetchall()]
    assert rows == [(1, None), (2, 1)]
    latest = await archive.articles.latest(limit=5)
    assert [a.id for a in latest] == [1]  # one headline per story


async def test_same_story_is_found_in_earlier_batches_but_not_across_figures(
    archive: Archive,
) -> None:
    first = replace(META, title="Acme reports Q1 results", url="https://a.example/1", source="A")
    await ingest_articles(archive, [first], now=NOW)
    other_quarter = replace(
        first, title="Acme reports Q2 results", url="https://b.example/2", source="B", body="B."
    )
    retold = replace(
        first, title="Acme reports its Q1 results", url="https://c.example/3", source="C", body="C."
    )
    await ingest_articles(archive, [other_quarter, retold], now=NOW)
    async with archive.db.reader.execute("SELECT id, story_id FROM articles ORDER BY id") as cur:
        assert [tuple(row) for row in await cur.fetchall()] == [(1, None), (2, None), (3, 1)]


@pytest.mark.parametrize(
    ("second", "one_story"),
    [
        # The same outlet's article again under a link of its own (an edition updated under a
        # new slug): nothing tells the two apart, so they are one story, shown and alerted once.
        ({"url": "https://www.example.com/meta-cloud-updated"}, True),
        # A feed entry told apart from the others of its page: never another article's story.
        ({"entry_key": "id:2"}, False),
        # ... whatever its outlet (an aggregator's entry of a page it shares with others).
        ({"entry_key": "id:2", "source": "Status Digest"}, False),
    ],
    ids=["same-outlet-new-link", "entries-of-one-page", "an-aggregators-entry"],
)
async def test_near_identical_titles_on_one_day_are_one_story_unless_a_keyed_entry(
    archive: Archive, second: dict[str, str], one_story: bool
) -> None:
    first = replace(META, entry_key="id:1" if "entry_key" in second else None)
    retold = replace(
        first, title="Meta enters the cloud business", body="Different wording.", **second
    )
    await ingest_articles(archive, [first], now=NOW)
    await ingest_articles(archive, [retold], now=NOW)
    async with archive.db.reader.execute("SELECT id, story_id FROM articles ORDER BY id") as cur:
        rows = [tuple(row) for row in await cur.fetchall()]
    assert rows == [(1, None), (2, 1 if one_story else None)]


async def test_a_large_batch_stores_each_articles_snippets_in_order_and_indexed(
    archive: Archive,
) -> None:
    # Enough snippets that they are stored several hundred to a statement, and a remainder.
    articles = [
        replace(
            META,
            title=f"Story {n}",
            url=f"https://example.com/story-{n}",
            body=" ".join(f"Sentence {i} of story {n} is here." for i in range(120)),
        )
        for n in range(7)
    ]
    await ingest_articles(archive, articles, now=NOW)
    async with archive.db.reader.execute(
        "SELECT article_id, position, id FROM snippets ORDER BY id"
    ) as cursor:
        rows = [tuple(row) for row in await cursor.fetchall()]
    assert len(rows) == sum(len(prepare(a).snippets) for a in articles) > 800
    assert [row[2] for row in rows] == list(range(1, len(rows) + 1))
    assert [row[:2] for row in rows] == sorted(row[:2] for row in rows)  # article, position
    assert await indexed(archive, "story") == 7 * 121
    assert await indexed(archive, "sentence") == 7 * 120


async def test_a_failing_batch_leaves_the_archive_as_it_was(archive: Archive) -> None:
    await ingest_articles(archive, [META], now=NOW)
    good = prepare(replace(META, url="https://example.com/other", title="Another story"))
    broken = PreparedArticle(
        article=replace(META, url="https://example.com/broken", title="Broken"),
        url_key="https://example.com/broken",
        snippets=[("not-a-kind", "text")],  # type: ignore[list-item]
        content_hash="broken",
    )
    with pytest.raises(sqlite3.IntegrityError):
        await archive.articles.upsert([good, broken], now=NOW)
    assert await archive.articles.count() == 1
    assert await indexed(archive, "another") == 0


async def test_latest_filters_by_topic_and_source_newest_first(archive: Archive) -> None:
    older = replace(
        META,
        title="Nvidia ships chips",
        url="https://example.com/nvidia",
        source="Chip Daily",
        topics=("nvidia",),
        key_points=("Nvidia shipped Blackwell chips.",),
        published_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    await ingest_articles(archive, [META, older], now=NOW)
    assert [a.title for a in await archive.articles.latest()] == [META.title, older.title]
    assert [a.title for a in await archive.articles.latest(topic="nvidia")] == [older.title]
    assert [a.title for a in await archive.articles.latest(topic="blackwell")] == [older.title]
    # Words are matched one by one as the index splits them (it holds no phrases).
    assert [a.title for a in await archive.articles.latest(topic="Blackwell_chips")] == [
        older.title
    ]
    assert [a.title for a in await archive.articles.latest(source="chip daily")] == [older.title]
    assert await archive.articles.topics("n") == ["nvidia"]


async def test_a_topic_in_the_plural_finds_no_other_word(archive: Archive) -> None:
    phone = replace(
        META, title="Acme unveils a new phone", url="https://example.com/phone", key_points=()
    )
    await ingest_articles(archive, [phone], now=NOW)
    assert await archive.articles.latest(topic="news") == []  # "new" is another word
    assert [a.title for a in await archive.articles.latest(topic="phones")] == [phone.title]


@pytest.mark.parametrize(
    ("topic", "title"), [("cars", "Acme recalls a car"), ("reviews", "A review")]
)
async def test_a_short_plural_finds_its_singular(archive: Archive, topic: str, title: str) -> None:
    found = replace(META, title=title, url="https://example.com/found", key_points=())
    await ingest_articles(archive, [META, found], now=NOW)
    assert [a.title for a in await archive.articles.latest(topic=topic)] == [title]


@pytest.mark.parametrize("topic", ["layoff", "layoffs", "Layoffs", "job cut", "job cuts"])
async def test_latest_finds_a_topic_in_the_singular_or_the_plural(
    archive: Archive, topic: str
) -> None:
    cuts = replace(
        META,
        title="Acme trims staff",
        url="https://example.com/acme",
        topics=("layoffs",),
        key_points=("Acme announced job cuts of 5%.",),
    )
    await ingest_articles(archive, [META, cuts], now=NOW)
    assert [a.title for a in await archive.articles.latest(topic=topic)] == [cuts.title]


async def test_undated_article_counts_as_published_when_stored(archive: Archive) -> None:
    await ingest_articles(archive, [replace(META, published_at=None)], now=NOW)
    (article,) = await archive.articles.latest()
    assert article.published_at is None
    assert article.date == NOW
