"""Article storage: the one write path (upsert with dedup) and the reads that list articles."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite
from rapidfuzz import fuzz

from bot.archive.database import Database
from bot.models import Article, IngestReport, SnippetKind, StoredArticle

# Two titles from different outlets on the same day at least this similar are one story.
SAME_STORY_SIMILARITY = 90.0


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article with its canonical URL and the snippets to index, ready to store."""

    article: Article
    url_key: str | None
    snippets: Sequence[tuple[SnippetKind, str]]


def title_key(title: str) -> str:
    """A title reduced to lower-case words, for same-story comparison."""
    return " ".join(re.findall(r"\w+", title.casefold()))


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class ArticleStore:
    """Reads and writes of articles, their topics and snippets."""

    def __init__(self, db: Database):
        self._db = db

    async def upsert(self, items: Iterable[PreparedArticle], *, now: datetime) -> IngestReport:
        """Store a batch in one transaction: new articles are added, known ones updated.

        An article is known by its canonical URL, else by its content hash, else (without a URL)
        by the same title from the same outlet on the same day. A near-identical title from another
        outlet on the same day is stored as its own article, linked to the first as the same story.
        If anything fails, nothing of the batch is stored.
        """
        report = IngestReport()
        async with self._db.transaction() as conn:
            for item in items:
                outcome, article_id = await self._upsert_one(conn, item, now)
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.article_ids.append(article_id)
        return report

    async def _upsert_one(
        self, conn: aiosqlite.Connection, item: PreparedArticle, now: datetime
    ) -> tuple[str, int]:
        article = item.article
        existing = await self._find_same_article(conn, item, now)
        story_id = None
        if existing is not None:
            article_id, old_hash = existing
            if old_hash == article.content_hash:
                return "unchanged", article_id
            await conn.execute("DELETE FROM snippets WHERE article_id = ?", (article_id,))
            await conn.execute("DELETE FROM article_topics WHERE article_id = ?", (article_id,))
            await conn.execute(
                """UPDATE articles SET url = coalesce(?, url), url_key = coalesce(?, url_key),
                   title = ?, title_key = ?,
                   source = coalesce(?, source), published_at = coalesce(?, published_at),
                   sort_at = coalesce(?, sort_at), story_day = substr(coalesce(?, sort_at), 1, 10),
                   summary = ?, source_links = ?, content_hash = ? WHERE id = ?""",
                (
                    article.url,
                    item.url_key,
                    article.title,
                    title_key(article.title),
                    article.source,
                    _iso(article.published_at),
                    _iso(article.published_at),
                    _iso(article.published_at),
                    article.summary,
                    json.dumps(article.source_links),
                    article.content_hash,
                    article_id,
                ),
            )
            outcome = "updated"
        else:
            sort_at = _iso(article.published_at or now)
            story_id = await self._find_same_story(conn, article, sort_at[:10])
            cursor = await conn.execute(
                """INSERT INTO articles (url, url_key, title, title_key, source, published_at,
                   ingested_at, sort_at, story_day, story_id, summary, source_links, content_hash)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    article.url,
                    item.url_key,
                    article.title,
                    title_key(article.title),
                    article.source,
                    _iso(article.published_at),
                    _iso(now),
                    sort_at,
                    sort_at[:10],
                    story_id,
                    article.summary,
                    json.dumps(article.source_links),
                    article.content_hash,
                ),
            )
            article_id = cursor.lastrowid
            assert article_id is not None
            outcome = "added"
        await conn.executemany(
            "INSERT INTO article_topics (article_id, topic) VALUES (?, ?)",
            [(article_id, topic) for topic in dict.fromkeys(article.topics)],
        )
        await conn.executemany(
            "INSERT INTO snippets (article_id, position, kind, text) VALUES (?, ?, ?, ?)",
            [(article_id, i, kind, text) for i, (kind, text) in enumerate(item.snippets)],
        )
        return outcome, article_id

    async def _find_same_article(
        self, conn: aiosqlite.Connection, item: PreparedArticle, now: datetime
    ) -> tuple[int, str] | None:
        if item.url_key:
            row = await _one(
                conn, "SELECT id, content_hash FROM articles WHERE url_key = ?", item.url_key
            )
            if row:
                return row[0], row[1]
        row = await _one(
            conn,
            "SELECT id, content_hash, url_key FROM articles WHERE content_hash = ? LIMIT 1",
            item.article.content_hash,
        )
        if row and (row[2] is None or item.url_key is None or row[2] == item.url_key):
            return row[0], row[1]
        if item.url_key is None:
            day = _iso(item.article.published_at or now)[:10]  # type: ignore[index]
            row = await _one(
                conn,
                """SELECT id, content_hash FROM articles WHERE story_day = ? AND title_key = ?
                   AND url_key IS NULL AND coalesce(source, '') = coalesce(?, '') LIMIT 1""",
                day,
                title_key(item.article.title),
                item.article.source,
            )
            if row:
                return row[0], row[1]
        return None

    async def _find_same_story(
        self, conn: aiosqlite.Connection, article: Article, day: str
    ) -> int | None:
        key = title_key(article.title)
        numbers = _numbers(key)
        async with conn.execute(
            "SELECT id, story_id, title_key FROM articles WHERE story_day = ?", (day,)
        ) as cursor:
            async for article_id, story_id, other_key in cursor:
                # "Q1 results" and "Q2 results" are different stories however alike they read.
                if (
                    fuzz.token_sort_ratio(key, other_key) >= SAME_STORY_SIMILARITY
                    and _numbers(other_key) == numbers
                ):
                    return story_id or article_id
        return None

    async def get_many(self, ids: Iterable[int]) -> dict[int, StoredArticle]:
        """The stored articles with these ids (missing ids are left out)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        conn = self._db.reader
        async with conn.execute(f"SELECT * FROM articles WHERE id IN ({marks})", wanted) as cur:
            rows = await cur.fetchall()
        key_points: dict[int, list[str]] = {}
        async with conn.execute(
            f"""SELECT article_id, text FROM snippets WHERE kind = 'key_point'
                AND article_id IN ({marks}) ORDER BY article_id, position""",
            wanted,
        ) as cur:
            async for article_id, text in cur:
                key_points.setdefault(article_id, []).append(text)
        topics: dict[int, list[str]] = {}
        async with conn.execute(
            f"SELECT article_id, topic FROM article_topics WHERE article_id IN ({marks})", wanted
        ) as cur:
            async for article_id, topic in cur:
                topics.setdefault(article_id, []).append(topic)
        return {
            row["id"]: _stored(row, key_points.get(row["id"], []), topics.get(row["id"], []))
            for row in rows
        }

    async def latest(
        self,
        *,
        limit: int = 5,
        topic: str | None = None,
        source: str | None = None,
        until: datetime | None = None,
    ) -> list[StoredArticle]:
        """The newest articles (one per story), optionally about a topic or from one outlet."""
        clauses, params = ["story_id IS NULL"], []
        if until is not None:
            clauses.append("sort_at <= ?")
            params.append(_iso(until))
        if source:
            clauses.append("(source LIKE ? OR url LIKE ?)")
            params += [f"%{source.strip()}%", f"%{source.strip()}%"]
        if topic:
            words = re.findall(r"\w+", topic)
            clauses.append(
                """(id IN (SELECT article_id FROM article_topics WHERE topic = ?)
                   OR id IN (SELECT s.article_id FROM snippets_fts f JOIN snippets s
                             ON s.id = f.rowid WHERE snippets_fts MATCH ?
                             AND s.kind IN ('title', 'key_point')))"""
            )
            params += [" ".join(topic.lower().split()), " ".join(f'"{w}"' for w in words) or '""']
        sql = f"SELECT id FROM articles WHERE {' AND '.join(clauses)} ORDER BY sort_at DESC LIMIT ?"
        async with self._db.reader.execute(sql, [*params, limit]) as cursor:
            ids = [row[0] for row in await cursor.fetchall()]
        found = await self.get_many(ids)
        return [found[i] for i in ids if i in found]

    async def topics(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Topic tags in use, most common first, optionally starting with ``prefix``."""
        async with self._db.reader.execute(
            """SELECT topic FROM article_topics WHERE topic LIKE ? ESCAPE '\\'
               GROUP BY topic ORDER BY count(*) DESC, topic LIMIT ?""",
            (_like_prefix(prefix), limit),
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def sources(self) -> list[str]:
        """Every outlet the archive has articles from."""
        async with self._db.reader.execute(
            "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL"
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def count(self) -> int:
        """How many articles the archive holds."""
        return (await _one(self._db.reader, "SELECT count(*) FROM articles"))[0]

    async def stats(self) -> dict[str, object]:
        """Counts and dates that describe the archive."""
        conn = self._db.reader
        articles, newest, oldest = await _one(
            conn, "SELECT count(*), max(sort_at), min(sort_at) FROM articles"
        )
        kinds = {}
        async with conn.execute("SELECT kind, count(*) FROM snippets GROUP BY kind") as cursor:
            kinds = {kind: n for kind, n in await cursor.fetchall()}
        sources = await _one(conn, "SELECT count(DISTINCT source) FROM articles")
        return {
            "articles": articles,
            "snippets": sum(kinds.values()),
            "snippets_by_kind": kinds,
            "sources": sources[0],
            "newest": newest,
            "oldest": oldest,
        }


def _numbers(key: str) -> set[str]:
    return set(re.findall(r"\d+", key))


def _like_prefix(prefix: str) -> str:
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


async def _one(conn: aiosqlite.Connection, sql: str, *params: object) -> aiosqlite.Row:
    async with conn.execute(sql, params) as cursor:
        return await cursor.fetchone()


def _stored(row: aiosqlite.Row, key_points: list[str], topics: list[str]) -> StoredArticle:
    return StoredArticle(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        source=row["source"],
        published_at=_from_iso(row["published_at"]),
        ingested_at=_from_iso(row["ingested_at"]) or datetime.now(UTC),
        summary=row["summary"],
        key_points=tuple(key_points),
        topics=tuple(topics),
        source_links=tuple(json.loads(row["source_links"] or "[]")),
        content_hash=row["content_hash"],
    )
