"""The archive's articles as the engine needs them at search time, held in memory.

Maps a snippet id to its article and keeps each article's date, outlet and size, so that a
search reads only snippet ids from the full-text index and never joins. Loaded once, then
topped up with what was added since (an article's snippets take consecutive ids, so the load
reads one span per article, not one row per snippet).
"""

from __future__ import annotations

import asyncio
import gc
from array import array
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
        # Snippet id -> article id, 4 bytes a snippet (32 MB for 8 million snippets): mapping
        # the postings of a search is then a C-level lookup per id.
        self._owner_of = array("I")
        self.articles: dict[int, ArticleFacts] = {}
        self.sources: set[str] = set()  # every outlet the archive has articles from
        self.mean_snippets = 1.0
        self._loaded_to = 0
        self._lock = asyncio.Lock()

    async def refresh(self, newest_snippet: int) -> None:
        """Load the spans of snippets added since the last load (up to ``newest_snippet``)."""
        if newest_snippet <= self._loaded_to:
            return
        async with self._lock:
            if newest_snippet <= self._loaded_to:
                return
            spans = await self._archive.index.spans(after_id=self._loaded_to)
            top = max([newest_snippet, *(span.last_id for span in spans)])
            self._owner_of.extend(array("I", [0]) * (top + 1 - len(self._owner_of)))
            # Spans come in id order. A new or re-ingested article has all its snippets (title
            # first) among them, so its first span here starts with its title.
            for span in spans:
                run = array("I", [span.article_id]) * (span.last_id - span.first_id + 1)
                self._owner_of[span.first_id : span.last_id + 1] = run
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
            first_load = self._loaded_to == 0
            self._loaded_to = top
            sizes = [facts.snippets for facts in self.articles.values()]
            self.mean_snippets = sum(sizes) / len(sizes) if sizes else 1.0
            if first_load:
                # The facts of every article stay for the life of the process, one object each.
                # Left to the garbage collector, every full collection would walk them all (27 ms
                # at 100,000 articles, the event loop stalled meanwhile); frozen, collections skip
                # them. (They hold no reference cycles, so replaced facts are still freed.)
                gc.freeze()

    def owners(self, snippet_ids: list[int]) -> list[int]:
        """The article of each snippet id, 0 for an id the catalogue does not know yet."""
        owner_of = self._owner_of
        if snippet_ids and max(snippet_ids) >= len(owner_of):  # added since the last refresh
            return [owner_of[i] if i < len(owner_of) else 0 for i in snippet_ids]
        return list(map(owner_of.__getitem__, snippet_ids))
