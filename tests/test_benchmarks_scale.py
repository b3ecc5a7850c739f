"""The benchmark's scaled archives: their size, their content and the order they are stored in."""

from __future__ import annotations

from benchmarks.corpus import Record
from benchmarks.scale import Scaler

SOURCE: list[Record] = [
    {
        "id": f"a{n}",
        "url": f"https://news.example/{n}",
        "title": f"Story {n}",
        "source": "news.example",
        # Listed newest first, as the RealTimeQA file roughly is; one undated.
        "published_at": None if n == 3 else f"2024-05-{30 - n:02d}",
        "text": "\n\n".join(f"Story {n}, paragraph {p}." for p in range(5)),
    }
    for n in range(12)
]


def _days(records: list[Record]) -> list[tuple[bool, str]]:
    return [(not r["published_at"], r["published_at"] or "") for r in records]


def test_a_larger_archive_holds_every_source_article_in_publication_order() -> None:
    records = list(Scaler(SOURCE, seed=1).records(40))
    assert len(records) == 40
    assert {r["id"] for r in SOURCE} <= {r["id"] for r in records}
    assert _days(records) == sorted(_days(records))
    assert records[-1]["published_at"] is None  # undated last, as `newsbot ingest` stores them


def test_a_smaller_archive_is_a_sample_in_publication_order() -> None:
    records = list(Scaler(SOURCE, seed=1).records(6))
    assert len(records) == 6
    assert {r["id"] for r in records} <= {r["id"] for r in SOURCE}
    assert _days(records) == sorted(_days(records))


def test_a_variant_is_the_same_whatever_the_order_it_is_stored_in() -> None:
    scaler = Scaler(SOURCE, seed=1)
    stored = {r["id"]: r for r in scaler.records(30)}
    assert stored["v7"] == scaler.variant(7)
    assert Scaler(SOURCE, seed=2).variant(7) != scaler.variant(7)


def _paragraphs(record: Record) -> list[tuple[str, int]]:
    """(story, paragraph number) of each paragraph of a record made from SOURCE."""
    parts = [p.removesuffix(".").split(", paragraph ") for p in record["text"].split("\n\n")]
    return [(story, int(number)) for story, number in parts]


def test_a_copy_is_its_own_article_edited_and_never_mixes_in_another_story() -> None:
    for number in range(20):
        copy = _paragraphs(Scaler(SOURCE, seed=1, kind="copies").variant(number))
        story = copy[0][0]
        assert copy[0] == (story, 0)  # the lede first
        assert all(s == story for s, _ in copy)
        assert [p for _, p in copy] == sorted({p for _, p in copy})  # in order, none twice
        assert 3 <= len(copy) < 5  # some of the four other paragraphs are cut
    recombined = [_paragraphs(Scaler(SOURCE, seed=1).variant(n)) for n in range(20)]
    assert any(len({s for s, _ in paragraphs}) == 2 for paragraphs in recombined)


def test_a_variant_never_comes_out_before_the_articles_it_is_made_from() -> None:
    dates = {f"Story {n}": r["published_at"] for n, r in enumerate(SOURCE)}
    for kind in ("recombined", "copies"):
        for number in range(60):
            variant = Scaler(SOURCE, seed=1, kind=kind).variant(number)
            made_from = {dates[story] for story, _ in _paragraphs(variant)}
            if None in made_from and not variant["published_at"]:
                continue  # an undated article's variant stays undated
            assert variant["published_at"] >= max(d for d in made_from if d), (kind, number)
