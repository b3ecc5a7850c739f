"""The archive's articles as the engine needs them at search time, held in memory as columns.

Maps a snippet id to its article and keeps each article's date, outlet and size, so that a
search reads only snippet ids from the full-text index and never joins, and so that choosing
articles is a few array operations however many postings a question matches. Loaded once,
then topped up with what was added since (an article's snippets take consecutive ids, so the
load reads one span per article, not one row per snippet).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np

from bot.archive import Archive
from bot.archive.index import Spans
from bot.search.outlets import Outlets
from bot.search.text import content_words


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What ranking needs to know about an article without reading it."""

    article_id: int
    title_id: int  # the id of its title snippet (the first of its snippets)
    snippets: int
    timestamp: float  # when it counts as published (POSIX seconds)
    source: str | None


def _grown(column: np.ndarray, size: int) -> np.ndarray:
    """``column`` with room for ``size`` entries (doubling, so that top-ups copy rarely)."""
    if size <= len(column):
        return column
    grown = np.zeros(max(size, 2 * len(column)), dtype=column.dtype)
    grown[: len(column)] = column
    return grown


# Headlines whose words are kept (``headline_words``), about 17 MB at 100,000: the engine's
# warm-up loads the newest ones, and later questions add the older ones they need. Read one
# question at a time instead, they took about a tenth of an answer at 100,000 articles (p50
# 1 to 2 ms), although half of a question's candidates had been another question's before.
HEADLINES_KEPT = 150_000

# The columns indexed by article id.
_ARTICLE_COLUMNS = ("timestamps", "sizes", "title_ids", "last_ids", "source_codes")


class Catalogue:
    """Snippet id -> article, and every article's facts as columns indexed by article id;
    refreshed as the archive grows."""

    def __init__(self, archive: Archive):
        self._archive = archive
        # Snippet id -> article id (0 = none), 4 bytes a snippet: 30 MB for 7.5 million.
        self._owner_of = np.zeros(0, dtype=np.uint32)
        # Article id -> its facts (unused ids stay 0).
        self.timestamps = np.zeros(0, dtype=np.float64)
        self.sizes = np.zeros(0, dtype=np.int32)  # snippets
        self.title_ids = np.zeros(0, dtype=np.int64)
        self.last_ids = np.zeros(0, dtype=np.int64)  # its newest snippet id
        self.source_codes = np.zeros(0, dtype=np.int32)  # index into ``source_names``
        self.source_names: list[str | None] = [None]  # code 0: no outlet known
        self._source_code: dict[str | None, int] = {None: 0}
        self._outlets: Outlets | None = None  # built when first needed after a new outlet
        # Headline words by title snippet id: a re-ingested article's new title has a new id.
        self._headlines: dict[int, tuple[str, ...]] = {}
        self.mean_snippets = 1.0
        self._loaded_to = 0  # the newest snippet id loaded
        self._lock = asyncio.Lock()

    @property
    def sources(self) -> list[str]:
        """Every outlet the archive has articles from."""
        return [name for name in self.source_names if name]

    @property
    def outlets(self) -> Outlets:
        """The archive's outlets, to find the ones a question names."""
        if self._outlets is None:
            self._outlets = Outlets(self.sources)
        return self._outlets

    async def refresh(self, newest_snippet: int) -> None:
        """Load the spans of snippets added since the last load (up to ``newest_snippet``)."""
        if newest_snippet <= self._loaded_to:
            return
        async with self._lock:
            if newest_snippet <= self._loaded_to:
                return
            spans = await self._archive.index.spans(after_id=self._loaded_to)
            top = int(spans.last_ids.max(initial=newest_snippet))
            articles = int(spans.article_ids.max(initial=0)) + 1
            if top >= len(self._owner_of) or articles > len(self.timestamps):
                # Growing copies the columns (at 7 million snippets, 30 MB of owners and about
                # 0.1 s): in a thread, so that the event loop goes on meanwhile (questions past
                # their refresh are answered from the old columns; new ones wait for the lock).
                # The copies replace them here, on the loop, so that a cancelled refresh leaves
                # the old ones in place.
                grown = await asyncio.to_thread(self._grown_columns, top + 1, articles)
                for name, column in grown.items():
                    setattr(self, name, column)
            self._add(spans, top)

    def _grown_columns(self, snippets: int, articles: int) -> dict[str, np.ndarray]:
        """The columns with room for snippet ids below ``snippets`` and article ids below
        ``articles``, by attribute name."""
        return {"_owner_of": _grown(self._owner_of, snippets)} | {
            name: _grown(getattr(self, name), articles) for name in _ARTICLE_COLUMNS
        }

    def _add(self, spans: Spans, top: int) -> None:
        if len(spans):
            firsts, lasts, ids = spans.first_ids, spans.last_ids, spans.article_ids
            start = int(firsts[0])
            # The ids from the first span's start to the last's end, as alternating runs of
            # "no article" (gaps) and an article's span: one repeat, no loop per snippet.
            gaps = firsts - np.concatenate(([start], lasts[:-1] + 1))
            owners = np.zeros(2 * len(spans), dtype=np.uint32)
            owners[1::2] = ids
            runs = np.column_stack((gaps, lasts - firsts + 1)).ravel()
            self._owner_of[start : int(lasts[-1]) + 1] = np.repeat(owners, runs)
            self._add_articles(spans)
        self._loaded_to = top

    def _add_articles(self, spans: Spans) -> None:
        ids, firsts = spans.article_ids, spans.first_ids
        # Spans come in id order. A new or re-ingested article has all its snippets (title
        # first) among them, so its first span here starts with its title. (Assigned in
        # reverse so that, of an article's several spans, the first is written last.)
        known = self.title_ids[ids]
        fresh = (known == 0) | (known <= self._loaded_to)
        self.title_ids[ids[fresh][::-1]] = firsts[fresh][::-1]
        self.sizes[ids] = spans.snippets
        np.maximum.at(self.last_ids, ids, spans.last_ids)
        self.timestamps[ids] = spans.timestamps
        for source in dict.fromkeys(spans.sources):  # new outlets coded in order of appearance
            self._add_outlet(source)
        self.source_codes[ids] = [self._source_code[source] for source in spans.sources]
        articles = int(np.count_nonzero(self.title_ids))
        self.mean_snippets = float(self.sizes.sum()) / articles if articles else 1.0

    def _add_outlet(self, source: str | None) -> None:
        if source not in self._source_code:
            self._source_code[source] = len(self.source_names)
            self.source_names.append(source)
            self._outlets = None

    def last_snippet_until(self, moment: float) -> int:
        """The newest snippet id of any article dated up to ``moment`` (POSIX seconds): the
        index holds nothing dated then above it."""
        return int(self.last_ids[self.timestamps <= moment].max(initial=0))

    def owners(self, snippet_ids: np.ndarray | Sequence[int]) -> np.ndarray:
        """The article of each snippet id, 0 for an id the catalogue does not know yet."""
        ids = np.asarray(snippet_ids, dtype=np.int64)
        known = ids < len(self._owner_of)
        if known.all():
            return self._owner_of[ids]
        return np.where(known, self._owner_of[np.where(known, ids, 0)], 0).astype(np.uint32)

    def facts(self, article_ids: Sequence[int]) -> list[ArticleFacts]:
        """These articles' facts, in the order given."""
        ids = np.asarray(article_ids, dtype=np.int64)
        columns = zip(
            ids.tolist(),
            self.title_ids[ids].tolist(),
            self.sizes[ids].tolist(),
            self.timestamps[ids].tolist(),
            self.source_codes[ids].tolist(),
            strict=True,
        )
        return [
            ArticleFacts(article_id, title_id, snippets, timestamp, self.source_names[code])
            for article_id, title_id, snippets, timestamp, code in columns
        ]

    async def headline_words(self, article_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The content words of these articles' headlines (each once), by article id: read
        from the archive once, then kept (the ``HEADLINES_KEPT`` latest read)."""
        keys = dict(zip(article_ids, self.title_ids[list(article_ids)].tolist(), strict=True))
        words = {a: self._headlines[key] for a, key in keys.items() if key in self._headlines}
        missing = [article for article in keys if article not in words]
        if missing:
            heads = await self._archive.index.heads(missing)
            for article in missing:
                title = heads[article].title if article in heads else ""
                words[article] = self._headlines[keys[article]] = _headline_words(title)
            self._forget_oldest_headlines()
        return words

    async def load_headlines(self) -> None:
        """Read the words of the newest ``HEADLINES_KEPT`` headlines now, so that questions
        about them need not (the engine's warm-up; under a second at 100,000 articles)."""
        titles = await self._archive.index.titles(HEADLINES_KEPT)
        # Known articles only: one stored since the last refresh has no title id yet.
        titles = [(a, title) for a, title in titles if a < len(self.title_ids)]
        words = await asyncio.to_thread(lambda: [_headline_words(t) for _, t in titles])
        title_ids = self.title_ids[[a for a, _ in titles]].tolist()
        # Oldest first, so that they are the first forgotten.
        for key, kept in zip(reversed(title_ids), reversed(words), strict=True):
            if key and key not in self._headlines:
                self._headlines[key] = kept
        self._forget_oldest_headlines()

    def _forget_oldest_headlines(self) -> None:
        overflow = len(self._headlines) - HEADLINES_KEPT
        for key in list(islice(self._headlines, max(overflow, 0))):
            del self._headlines[key]


def _headline_words(title: str) -> tuple[str, ...]:
    """A headline's content words, each once. One string per distinct word, shared by every
    headline that has it; a tuple, not a frozenset: the garbage collector stops tracking a
    tuple of strings, and tens of thousands of tracked sets doubled its full collections (which
    pause the event loop) and took five times the memory."""
    return tuple(dict.fromkeys(map(sys.intern, content_words(title))))
