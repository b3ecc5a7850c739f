"""The records the engine passes around: articles as parsed, and snippets as stored and cited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

SnippetKind = Literal["title", "key_point", "summary", "body"]


@dataclass(frozen=True, slots=True)
class Article:
    """One news article, as a parser or a feed produced it (before it has an id in the archive)."""

    title: str
    body: str = ""
    summary: str = ""
    key_points: tuple[str, ...] = ()
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    topics: tuple[str, ...] = ()
    source_links: tuple[str, ...] = ()
    # Set only on a feed entry whose link is not its own (a changelog's "/changelog#v1-3", a
    # status page's home page, which other entries link to as well): what tells it apart from
    # those entries, its link's fragment or a digest of its id (see bot.feeds.parse). It becomes
    # part of the article's identity (see bot.ingest.urls.article_key).
    entry_key: str | None = None
    # Set only on a stored article given back as a record (see bot.archive.partial): its key
    # points were drawn from its text, so they stay part of that text when new ones replace them.
    key_points_extracted: bool = False


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article with its identity (see :func:`bot.ingest.urls.article_key`) and the snippets
    to index, ready to store."""

    article: Article
    url_key: str | None
    snippets: Sequence[tuple[SnippetKind, str]]
    content_hash: str  # the article's, computed once: dedup compares it several times

    @property
    def key_points_extracted(self) -> bool:
        """Whether the key points indexed were drawn from the text rather than given by the
        record (an article without key points gets extracted ones)."""
        return self.article.key_points_extracted or not self.article.key_points


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the archive holds it."""

    id: int
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None
    ingested_at: datetime
    summary: str
    key_points: tuple[str, ...]
    topics: tuple[str, ...]
    source_links: tuple[str, ...] = ()
    content_hash: str = ""

    @property
    def date(self) -> datetime:
        """When the article counts as published: its own date, else when it was stored."""
        return self.published_at or self.ingested_at

    @property
    def date_label(self) -> str:
        """The date to show with it: ``2026-07-06``, or ``added 2026-11-27`` for an undated
        article (listed by when it was stored, which is not when it was published)."""
        if self.published_at is None:
            return f"added {self.ingested_at.date().isoformat()}"
        return self.published_at.date().isoformat()


@dataclass(slots=True)
class IngestReport:
    """What one ingest call did, counted per article, with a reason for each failure."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    # Records left out for a newer record of the same URL in the same import, their text merged
    # into it: not "unchanged", which says the archive already held what a record says.
    duplicates: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)
    # Files a folder or pattern held that are not article files: passed over, but said, so that
    # a folder of other files is not taken for one with nothing new.
    skipped: list[str] = field(default_factory=list)

    def merge(self, other: IngestReport) -> None:
        """Add another report's counts to this one."""
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.duplicates += other.duplicates
        self.failed.extend(other.failed)
        self.article_ids.extend(other.article_ids)
        self.skipped.extend(other.skipped)
