"""Reading the snippet index: the ids a search starts from."""

from __future__ import annotations

from datetime import timedelta

from bot.archive import Archive
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from tests.conftest import NOW


async def test_a_read_forwards_finds_the_same_newest_snippets_as_one_backwards(
    archive: Archive,
) -> None:
    # Twelve articles, each with a sentence about chips; every third names Nvidia in it.
    await ingest_articles(
        archive,
        [
            Article(
                title=f"Update {n}",
                body=("Nvidia chip" if n % 3 == 0 else "Chip") + f" sales rose {n} percent.",
                url=f"https://example.com/{n}",
                published_at=NOW - timedelta(days=12 - n),
            )
            for n in range(12)
        ],
        now=NOW,
    )
    expressions = ['"chip"', '("chip") AND ("nvidia")', '"nvidia"']
    newest = await archive.index.snippet_count()
    for up_to in (None, newest // 2):
        every = await archive.index.postings(expressions, limits=[100] * 3, up_to=up_to)
        forwards = await archive.index.postings(
            expressions, limits=[3] * 3, up_to=up_to, forwards=[True] * 3
        )
        assert [ids.tolist() for ids in forwards] == [ids.tolist()[:3] for ids in every]
        assert len(every[0]) > 3  # (so that the limit counts)
        for ids in every:
            assert len(ids) > 0
            assert ids.tolist() == sorted(ids.tolist(), reverse=True)  # newest first
            assert up_to is None or ids.max() <= up_to
    # Unlimited, a read forwards finds what one backwards does.
    wide = await archive.index.postings(expressions, limits=[100] * 3, forwards=[True] * 3)
    assert [ids.tolist() for ids in wide] == [
        ids.tolist() for ids in await archive.index.postings(expressions, limits=[100] * 3)
    ]


async def test_words_are_counted_in_the_snippets_added_after_an_id(archive: Archive) -> None:
    await ingest_articles(
        archive,
        [
            Article(title=f"Chips {n}", body="Nvidia chip sales rose.", url=f"https://e.com/{n}")
            for n in range(4)
        ],
        now=NOW,
    )
    newest = await archive.index.snippet_count()
    half = newest // 2
    (chip, nvidia) = await archive.index.postings(['"chip"', '"nvidia"'], limits=[100] * 2)
    added = await archive.index.added_frequencies(
        ["chip", "nvidia", "at&t", "zyxwv"], after_id=half, up_to=newest
    )
    # A name with symbols, which the index holds in parts, and a word it lacks are left out.
    assert added == {"chip": int((chip > half).sum()), "nvidia": int((nvidia > half).sum())}
    assert 0 < added["nvidia"] < len(nvidia)
