"""Archives of any size from the source articles, deterministic for a seed.

Up to the source's size, a seeded sample of the real articles. Beyond it, every real article plus
variants: each variant takes an article and a second one from the same period (neighbours in date
order), keeps the first one's lede, mixes and shuffles paragraphs of both, is dated up to ten days
after the later of the two (a story is retold after it is told, never before), varies the title the
way outlets do, and gets a URL of its own. The text stays real sentences; only their combination is
new. With ``kind="copies"`` a variant is an edited copy instead (the lede and most paragraphs of
its own article, in their order), as outlets republish a wire story: a measure of what repeated
texts cost the engine, apart from what mixing two stories in one article costs it.

Either way the records come in publication order, as a server that ingests every day would have
stored a year of them (and as ``newsbot ingest`` stores a file). The engine reads the index
newest stored first, so the order decides what a search reads: stored as the source and then
every variant, "newest stored" would mean nothing about dates.
"""

from __future__ import annotations

import heapq
import random
import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from benchmarks.corpus import Record

PERIOD = 40  # a variant's second article is at most this many places away in date order
MAX_SHIFT_DAYS = 10
KINDS = ("recombined", "copies")  # what a variant's text is (see the module docstring)
# Extra articles for the phases that ingest while measuring come from a separate index range.
EXTRA_START = 10_000_000
_TRUNCATION = re.compile(
    r"\s*(?:\.\.\.|…)\s*$|\s+[-|]\s+(?:USA Today|CNN[\w ]*|The Week[\w ]*)\s*$", re.I
)
_SLUG = re.compile(r"[^a-z0-9]+")
PREFIXES = ("Update: ", "Analysis: ", "Explainer: ", "What to know: ", "Live updates: ")
SUFFIXES = (" — what we know", " (updated)", ", report says", ": 5 takeaways")


class Scaler:
    """Makes the article records of an archive of a given size from the source records."""

    def __init__(self, articles: Sequence[Record], *, seed: int, kind: str = "recombined"):
        if kind not in KINDS:
            raise ValueError(f"unknown kind of variant {kind!r}; known: {', '.join(KINDS)}")
        self.articles = articles
        self.seed = seed
        self.kind = kind
        # In publication order, as ``newsbot ingest`` stores a file (ties in file order).
        self._by_date = sorted(
            range(len(articles)), key=lambda i: _day(articles[i]["published_at"])
        )

    def records(self, size: int) -> Iterator[Record]:
        """The ``size`` records of an archive: a sample, or everything plus variants, in
        publication order (as a server that ingests every day stores them)."""
        if size <= len(self.articles):
            order = list(range(len(self.articles)))
            random.Random(f"sample:{self.seed}").shuffle(order)
            sample = set(order[:size])
            yield from (self.articles[i] for i in self._by_date if i in sample)
            return
        count = size - len(self.articles)
        # Only the variants' dates are drawn up front; each text is made when its turn comes.
        variants = sorted(range(count), key=lambda n: _day(self._draw(n)[3]))
        yield from heapq.merge(
            (self.articles[i] for i in self._by_date),
            (self.variant(n) for n in variants),
            key=lambda record: _day(record["published_at"]),
        )

    def variants(self, start: int, count: int) -> Iterator[Record]:
        """``count`` variants numbered from ``start`` (the same number, the same variant)."""
        for number in range(start, start + count):
            yield self.variant(number)

    def _draw(self, number: int) -> tuple[random.Random, Record, Record, str | None]:
        """Variant ``number``'s random source, its two articles and its date."""
        rng = random.Random(f"variant:{self.seed}:{number}")
        at = rng.randrange(len(self._by_date))
        near = min(max(at + rng.randint(-PERIOD, PERIOD), 0), len(self._by_date) - 1)
        if near == at:
            near = (at + 1) % len(self._by_date)
        first, second = self.articles[self._by_date[at]], self.articles[self._by_date[near]]
        # A copy is made of the first article alone; a mix is no older than its newer half.
        sources = (first,) if self.kind == "copies" else (first, second)
        return rng, first, second, _later(sources, rng)

    def variant(self, number: int) -> Record:
        """Variant ``number``: two same-period articles mixed into a new one (or, for copies,
        the first one edited)."""
        rng, first, second, published = self._draw(number)
        title = _title(first["title"], rng)
        if self.kind == "copies":
            paragraphs = _edited(first["text"], rng)
        else:
            paragraphs = _mixed(first["text"], second["text"], rng)
        source = first["source"] or "example.com"
        day = published or "undated"
        slug = _SLUG.sub("-", title.lower()).strip("-")[:60]
        return {
            "id": f"v{number}",
            "url": f"https://www.{source}/bench/{day.replace('-', '/')}/{slug}-{number}",
            "title": title,
            "source": first["source"],
            "published_at": published,
            "text": "\n\n".join(paragraphs),
        }


def _day(published: str | None) -> tuple[bool, str]:
    """Publication order: dated records by date, then undated ones."""
    return (not published, published or "")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _mixed(first: str, second: str, rng: random.Random) -> list[str]:
    """The first text's lede, then a shuffled mix of both texts' paragraphs, of about the
    first text's length."""
    own, other = _paragraphs(first), _paragraphs(second)
    if len(own) < 2:
        return own + other[: max(1, len(other) // 2)]
    lede, rest = own[0], own[1:]
    kept = [rest[i] for i in _kept(len(rest), rng)]
    borrowed = rng.sample(other, k=min(len(other), max(1, len(rest) - len(kept))))
    body = kept + borrowed
    rng.shuffle(body)
    return [lede, *body]


def _edited(text: str, rng: random.Random) -> list[str]:
    """The text's lede and half to four fifths of its other paragraphs, in their order."""
    lede, *rest = _paragraphs(text) or [""]
    if not rest:
        return [lede]
    return [lede, *(rest[i] for i in sorted(_kept(len(rest), rng)))]


def _kept(paragraphs: int, rng: random.Random) -> list[int]:
    """Which of an article's ``paragraphs`` (after the lede) a variant keeps: half to four
    fifths of them, at least one, in random order."""
    return rng.sample(range(paragraphs), k=max(1, round(paragraphs * rng.uniform(0.5, 0.8))))


def _later(sources: Sequence[Record], rng: random.Random) -> str | None:
    """A variant's date: up to ``MAX_SHIFT_DAYS`` after the newest of the articles it is made
    from, never before it (a variant out before its own text would hold news from the future:
    a quiz article quoting next week's question, an answer before the news broke). The first
    article's date is kept as it is when it is not a date, or missing."""
    days = [_date(record["published_at"]) for record in sources]
    if days[0] is None:
        return sources[0]["published_at"] or None
    newest = max(day for day in days if day is not None)
    return (newest + timedelta(days=rng.randint(0, MAX_SHIFT_DAYS))).isoformat()


def _date(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None


def _title(title: str, rng: random.Random) -> str:
    """The title as another edition might run it: untruncated, prefixed or suffixed."""
    plain = _TRUNCATION.sub("", title).strip() or title
    roll = rng.random()
    if roll < 0.3:
        return plain
    if roll < 0.6:
        return rng.choice(PREFIXES) + plain
    if roll < 0.9:
        return plain + rng.choice(SUFFIXES)
    words = plain.split()
    if len(words) > 4:  # a shortened headline
        return " ".join(words[: len(words) - rng.randint(1, 2)])
    return plain
