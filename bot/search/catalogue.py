"""The archive's articles as the engine needs them at search time, held in memory.

Maps a snippet id to its article (by the runs of consecutive ids each article's snippets take)
and keeps each article's date, outlet and size, so that a search reads only snippet ids from the
full-text index and never joins. Loaded once, then topped up with what was added since.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

from bot.archive import Archive


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What ranking needs to know about an article without reading it."""

    article_id: int
    title_id: int  # the id of its title snippet (the first of its snippets)
    snippets: int
    timestamp: float  # when it counts as published (POSIX seconds)
    source: str | None


class Catalogue:
    """Snippet id -> article, and every article's facts; refreshed as the archive grows."""

    def __init__(self, archive: Archive):
        self._archive = archive
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._owners: list[int] = []
        self.articles: dict[int, ArticleFacts] = {}
        self.sources: set[str] = set()  # every outlet the archive has articles from
        self._loaded_to = 0
        self._lock = asyncio.Lock()
        self.mean_snippets = 1.0

    async def refresh(self, newest_snippet: int) -> None:
        """Load the spans of snippets added since the last load (up to ``newest_snippet``)."""
        if newest_snippet <= self._loaded_to:
            return
        async with self._lock:
            if newest_snippet <= self._loaded_to:
                return
            spans = await self._archive.index.spans(after_id=self._loaded_to)
            # Spans come in id order. A new or re-ingested article has all its snippets (title
            # first) among them, so its first span here starts with its title.
            for span in spans:
                self._starts.append(span.first_id)
                self._ends.append(span.last_id)
                self._owners.append(span.article_id)
                known = self.articles.get(span.article_id)
                fresh = known is None or known.title_id <= self._loaded_to
                self.articles[span.article_id] = ArticleFacts(
                    article_id=span.article_id,
                    title_id=span.first_id if fresh or known is None else known.title_id,
                    snippets=span.snippets,
                    timestamp=datetime.fromisoformat(span.sort_at).timestamp(),
                    source=span.source,
                )
                if span.source:
                    self.sources.add(span.source)
            self._loaded_to = max([newest_snippet, *self._ends[-1:]])
            sizes = [facts.snippets for facts in self.articles.values()]
            self.mean_snippets = sum(sizes) / len(sizes) if sizes else 1.0

    def owners(self, snippet_ids: list[int]) -> list[int]:
        """The article of each snippet id, 0 for an id the catalogue does not know yet."""
        starts, ends, owners, newest = self._starts, self._ends, self._owners, self._loaded_to
        found = []
        for snippet_id in snippet_ids:
            at = bisect_right(starts, snippet_id) - 1
            found.append(owners[at] if at >= 0 and snippet_id <= ends[at] <= newest else 0)
        return found

    def article_of(self, snippet_id: int) -> int | None:
        """The id of the article a snippet belongs to, or None if it is unknown."""
        at = bisect_right(self._starts, snippet_id) - 1
        if at < 0 or snippet_id > self._ends[at]:
            return None
        return self._owners[at]

