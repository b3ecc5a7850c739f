"""Article storage: the one write path (upsert with dedup) and the reads that list articles."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite
from rapidfuzz import fuzz, process

from bot.archive import partial
from bot.archive.database import Database
from bot.archive.index import fts_word
from bot.models import Article, IngestReport, PreparedArticle, StoredArticle
from bot.words import has_symbols, split_words

# Two titles on the same day at least this similar are one story (another outlet's copy, or the
# same outlet's article under a new link), unless the later is a feed entry with an entry key.
SAME_STORY_SIMILARITY = 90.0
_DIGITS = re.compile(r"\d+")
# Snippets stored per INSERT statement. Run once per snippet, a statement's own overhead (the
# call into SQLite, opening its cursors, setting up the CHECK on kind) outweighs the row it
# stores; 250 rows a statement halve the cost of storing snippets.
_SNIPPETS_PER_INSERT = 250
_INSERT_SNIPPETS = "INSERT INTO snippets (id, article_id, position, kind, text) VALUES "


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

        An article is known by its canonical URL (with the entry key of a feed entry whose link
        is not its own: see :func:`bot.ingest.urls.article_key`), else by its content hash, else
        (without a URL) by the same title from the same outlet on the same day. A feed entry
        with an entry key is also known by its link alone with the same title and outlet. A
        near-identical title on the same day (another outlet's, or the same outlet's under another
        link) is stored as its own article, linked to the first as the same story, unless it is a
        feed entry with an entry key. If anything fails, nothing of the batch is stored.

        The batch is decided in memory against the rows it could collide with, then written with
        a handful of bulk statements: per-article round trips would dominate ingest time.
        """
        items = list(items)
        async with self._db.transaction() as conn:
            known = await _known_rows(conn, items, now)
            items = await _keep_stored_text(conn, items, known[0], now)
            first_id = await _next_id(conn)
            # Planning is pure Python: off the event loop, so the bot keeps answering meanwhile.
            report, rows = await asyncio.to_thread(_plan, known, first_id, now, items)
            await _write(conn, rows)
        return report

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
            clauses.append("(source LIKE ? ESCAPE '\\' OR url LIKE ? ESCAPE '\\')")
            params += [f"%{_like_escaped(source.strip())}%"] * 2
        if topic:
            # "layoff" finds the topic "layoffs" and the articles that mention layoffs.
            tag = " ".join(topic.lower().split())
            *first, last = tag.split(" ")
            tags = [" ".join([*first, form]) for form in _number_forms(last)]
            in_text, text_params = await self._saying(split_words(tag))
            clauses.append(
                f"""(id IN (SELECT article_id FROM article_topics
                            WHERE topic IN ({",".join("?" * len(tags))}))
                   OR id IN ({in_text}))"""
            )
            params += [*tags, *text_params]
        sql = f"SELECT id FROM articles WHERE {' AND '.join(clauses)} ORDER BY sort_at DESC LIMIT ?"
        async with self._db.reader.execute(sql, [*params, limit]) as cursor:
            ids = [row[0] for row in await cursor.fetchall()]
        found = await self.get_many(ids)
        return [found[i] for i in ids if i in found]

    async def _saying(self, words: list[str]) -> tuple[str, list[object]]:
        """A query of the articles a title or key point of which holds all these words (each
        in the singular or the plural), and its parameters: the full-text index finds them,
        but it reads a name with symbols by its letters ("c++" as the "c" of "Series C"), so
        for such a name the snippets it finds are read again to keep those that say it."""
        match = " AND ".join(
            "(" + " OR ".join(fts_word(form) for form in _number_forms(word)) + ")"
            for word in words
        )
        sql = """SELECT s.article_id{text} FROM snippets_fts f JOIN snippets s
                 ON s.id = f.rowid WHERE snippets_fts MATCH ?
                 AND s.kind IN ('title', 'key_point')"""
        names = {word for word in words if has_symbols(word)}
        if not names:
            return sql.format(text=""), [match or '""']
        found: set[int] = set()
        async with self._db.reader.execute(sql.format(text=", s.text"), (match,)) as cursor:
            async for article_id, text in cursor:
                if names <= set(split_words(text.lower())):
                    found.add(article_id)
        return "SELECT value FROM json_each(?)", [json.dumps(sorted(found))]

    async def topics(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Topic tags in use, most common first, optionally starting with ``prefix``."""
        async with self._db.reader.execute(
            """SELECT topic FROM article_topics WHERE topic LIKE ? ESCAPE '\\'
               GROUP BY topic ORDER BY count(*) DESC, topic LIMIT ?""",
            (_like_prefix(prefix), limit),
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def sources(self, part: str = "", limit: int = 25) -> list[str]:
        """Outlets the archive has articles from, most articles first, optionally only those
        whose name contains ``part`` (as ``latest(source=...)`` matches them)."""
        async with self._db.reader.execute(
            """SELECT source FROM articles WHERE source LIKE ? ESCAPE '\\'
               GROUP BY source ORDER BY count(*) DESC, source LIMIT ?""",
            (f"%{_like_escaped(part.strip())}%", limit),
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
        # Summed in one pass: a GROUP BY on the unindexed kind would sort every snippet.
        names = ("title", "key_point", "summary", "body")
        totals = await _one(
            conn,
            "SELECT "
            + ", ".join(f"coalesce(sum(kind = '{k}'), 0)" for k in names)
            + " FROM snippets",
        )
        kinds = {kind: n for kind, n in zip(names, totals, strict=True) if n}
        sources = await _one(conn, "SELECT count(DISTINCT source) FROM articles")
        return {
            "articles": articles,
            "snippets": sum(kinds.values()),
            "snippets_by_kind": kinds,
            "sources": sources[0],
            "newest": newest,
            "oldest": oldest,
        }


def _number_forms(word: str) -> list[str]:
    """A word in the singular and the plural, as far as an ``s`` makes them ("layoff",
    "layoffs"): enough for a topic filter, which also finds the topic's words in the text. (The
    index has no stemmer: an ``s`` that seldom makes a plural is kept: "news" is no "new"; nor
    has a name with symbols a plural: "c++s" would be "c" and "s".)"""
    if has_symbols(word):
        return [word]
    if not word.endswith("s"):
        return [word, word + "s"]
    if len(word) <= 3 or word.endswith(("ss", "us", "is")) or word == "news":
        return [word]
    return [word, word[:-1]]


def _numbers(key: str) -> frozenset[str]:
    return frozenset(_DIGITS.findall(key))


def _like_prefix(prefix: str) -> str:
    return _like_escaped(prefix.lower()) + "%"


def _like_escaped(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '\\' (no wildcards in it)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


@dataclass(frozen=True, slots=True)
class _Facts:
    """What an article's record says besides its text. An empty field says nothing: an update
    keeps the stored value of each field its record lacks. (URLs are compared canonical: a new
    tracking parameter is no correction.)"""

    url_key: str | None
    source: str | None
    published_at: str | None
    topics: frozenset[str]
    source_links: tuple[str, ...]

    @classmethod
    def of(cls, item: PreparedArticle) -> _Facts:
        """The facts of an article as parsed."""
        article = item.article
        return cls(
            item.url_key,
            article.source,
            _iso(article.published_at),
            frozenset(article.topics),
            article.source_links,
        )

    def merged(self, newer: _Facts) -> _Facts:
        """These facts once ``newer`` is applied: each field it has replaces this one's."""
        return _Facts(
            *(new or old for new, old in zip(newer._values(), self._values(), strict=True))
        )

    def _values(self) -> tuple[Any, ...]:
        return (self.url_key, self.source, self.published_at, self.topics, self.source_links)


@dataclass(slots=True)
class _Known:
    """What dedup needs to know of a stored (or just planned) article."""

    id: int
    content_hash: str
    title_key: str
    day: str
    story_id: int | None
    facts: _Facts

    @property
    def url_key(self) -> str | None:
        return self.facts.url_key

    @property
    def source(self) -> str | None:
        return self.facts.source


def _known(row: Sequence[Any]) -> _Known:
    """A row of ``_known_rows``: the columns it selects, then the article's topics."""
    (article_id, content_hash, url_key, title_key, source, day, story_id) = row[:7]
    published_at, source_links, topics = row[7:]
    links = tuple(json.loads(source_links or "[]"))
    facts = _Facts(url_key, source, published_at, topics, links)
    return _Known(article_id, content_hash, title_key, day, story_id, facts)


def _page_of_entry(item: PreparedArticle) -> str | None:
    """The canonical link of the page a feed entry with an entry key links to: the part of its
    identity before the key (see :func:`bot.ingest.urls.article_key`); None for other items."""
    if not (item.article.entry_key and item.url_key):
        return None
    return item.url_key.partition("#")[0]


def _other_entry_of_its_page(row: _Known, item: PreparedArticle) -> bool:
    """Whether ``row`` is another feed entry of the page that ``item``, a feed entry with an
    entry key, links to: their identities are the same link with different entry keys."""
    if not ((page := _page_of_entry(item)) and row.url_key):
        return False
    return row.url_key != item.url_key and row.url_key.partition("#")[0] == page


def _day(article: Article, now: datetime) -> str:
    return (_iso(article.published_at or now) or "")[:10]


async def _known_rows(
    conn: aiosqlite.Connection, items: Sequence[PreparedArticle], now: datetime
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Stored articles a batch could collide with (same URL, same content, or same day and no
    URL), and every article of the batch's days as (title key, id, story, day) for the
    same-story check.

    The second list is most of what is read (about 40 rows per article in a batch at 100,000
    articles), so it holds only what that check needs.
    """
    # (With the links alone of feed entries that have an entry key: see
    # _BatchPlan._stored_under_its_link.)
    links = {_page_of_entry(i) for i in items}
    urls = [key for key in {i.url_key for i in items} | links if key]
    hashes = list({i.content_hash for i in items})
    days = list({_day(i.article, now) for i in items})
    days_without_url = list({_day(i.article, now) for i in items if i.url_key is None})
    known = (
        "SELECT id, content_hash, url_key, title_key, source, story_day, story_id, "
        "published_at, source_links FROM articles WHERE"
    )
    articles = [
        *await _select_in(conn, f"{known} url_key IN", urls),
        *await _select_in(conn, f"{known} content_hash IN", hashes),
        *await _select_in(conn, f"{known} url_key IS NULL AND story_day IN", days_without_url),
    ]
    topics: dict[object, set[str]] = {}
    ids = list({row[0] for row in articles})
    for article_id, topic in await _select_in(
        conn, "SELECT article_id, topic FROM article_topics WHERE article_id IN", ids
    ):
        topics.setdefault(article_id, set()).add(str(topic))
    stories = await _select_in(
        conn,
        "SELECT title_key, id, coalesce(story_id, id), story_day FROM articles WHERE story_day IN",
        days,
    )
    return [(*row, frozenset(topics.get(row[0], ()))) for row in articles], stories


async def _keep_stored_text(
    conn: aiosqlite.Connection,
    items: list[PreparedArticle],
    known: Sequence[tuple[object, ...]],
    now: datetime,
) -> list[PreparedArticle]:
    """The batch, with each update from a record that lacks part of the text completed with the
    stored part (see :mod:`bot.archive.partial`): a title alone must not delete a text."""
    if not known:  # (a batch of new articles, as most are)
        return items
    # Matching is pure Python: off the event loop, as the plan is.
    updates = await asyncio.to_thread(_partial_updates, items, known, now)
    if not updates:
        return items
    ids = list(set(updates.values()))
    stored: dict[object, list[tuple[object, ...]]] = {}
    for row in await _select_in(
        conn, "SELECT article_id, position, kind, text FROM snippets WHERE article_id IN", ids
    ):
        stored.setdefault(row[0], []).append(row)
    heads = {
        row[0]: row[1:]
        for row in await _select_in(
            conn,
            "SELECT id, coalesce(summary, ''), content_hash, key_points_extracted FROM articles "
            "WHERE id IN",
            ids,
        )
    }
    texts = {
        article_id: partial.StoredText(
            str(summary),
            [(kind, text) for _, _, kind, text in sorted(stored.get(article_id, []))],
            str(content_hash),
            bool(extracted),
        )
        for article_id, (summary, content_hash, extracted) in heads.items()
    }

    def complete() -> list[PreparedArticle]:
        completed = list(items)
        for at, article_id in updates.items():
            completed[at] = partial.completed(items[at], texts[article_id])
        return completed

    # Cutting the completed articles again is CPU work: off the event loop.
    return await asyncio.to_thread(complete)


def _partial_updates(
    items: Sequence[PreparedArticle], known: Sequence[tuple[object, ...]], now: datetime
) -> dict[int, int]:
    """Which items of the batch update a stored article from a record that lacks part of the
    text: their positions in the batch, and the article each updates."""
    if not any(partial.lacks_text(item) for item in items):
        return {}
    lookup = _BatchPlan((_known(row) for row in known), (), 0, now)
    updates = {}
    for at, item in enumerate(items):
        if partial.lacks_text(item):
            day = _day(item.article, now)
            row = lookup._same_article(item, title_key(item.article.title), day)
            if row is not None and row.content_hash != item.content_hash:
                updates[at] = row.id
    return updates


async def _select_in(
    conn: aiosqlite.Connection, sql: str, values: Sequence[object]
) -> list[tuple[object, ...]]:
    """The rows of ``sql`` (ending in ``column IN``) for a list of values, 500 at a time.

    Rows come as plain tuples: the garbage collector stops tracking a tuple of plain values, so
    the thousands of rows a batch reads at 100,000 articles never reach the oldest generation,
    whose collections (30-60 ms at that size) would stall the event loop more often.
    """
    found: list[tuple[object, ...]] = []
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        async with conn.execute(f"{sql} ({','.join('?' * len(chunk))})", chunk) as cursor:
            cursor.row_factory = None
            found += await cursor.fetchall()
    return found


async def _next_id(conn: aiosqlite.Connection) -> int:
    async with conn.execute("SELECT coalesce(max(id), 0) + 1 FROM articles") as cursor:
        return (await cursor.fetchone())[0]


class _BatchPlan:
    """Decides, article by article, what a batch does: add, update or leave unchanged."""

    def __init__(
        self,
        known: Iterable[_Known],
        same_day: Iterable[tuple[str, int, int, str]],
        next_id: int,
        now: datetime,
    ):
        self.by_url: dict[str, _Known] = {}
        self.by_hash: dict[str, _Known] = {}
        self.without_url_by_day: dict[str, list[_Known]] = {}
        # day -> the title keys of that day's articles, their ids, and the story of each
        self.titles_by_day: dict[str, tuple[list[str], list[int], list[int]]] = {}
        for row in known:
            self._remember(row)
        for key, article_id, story, day in same_day:
            self._remember_story(key, article_id, story, day)
        self.next_id = next_id
        self.now = now
        self.inserts: dict[int, PreparedArticle] = {}
        self.updates: dict[int, PreparedArticle] = {}
        self.stories: dict[int, int | None] = {}
        self.report = IngestReport()

    def _remember(self, row: _Known) -> None:
        if row.url_key:
            self.by_url[row.url_key] = row
        elif row.url_key is None:
            self.without_url_by_day.setdefault(row.day, []).append(row)
        self.by_hash.setdefault(row.content_hash, row)

    def _remember_story(self, key: str, article_id: int, story: int, day: str) -> None:
        titles, ids, stories = self.titles_by_day.setdefault(day, ([], [], []))
        titles.append(key)
        ids.append(article_id)
        stories.append(story)

    def _same_article(self, item: PreparedArticle, key: str, day: str) -> _Known | None:
        if item.url_key and (row := self.by_url.get(item.url_key)):
            return row
        if item.article.entry_key and (row := self._stored_under_its_link(item, key)):
            return row
        row = self.by_hash.get(item.content_hash)
        # The same text under another link is the same article when nothing says otherwise: a
        # link given or taken away, or corrected by the same outlet. Another outlet's copy of it
        # (a wire story) is an article of its own, linked to the first as one story. So is
        # another entry of the same page (a recurring notice of a status page, word for word):
        # the feed told the two apart.
        if row and _other_entry_of_its_page(row, item):
            row = None
        if row and (
            row.url_key is None
            or item.url_key is None
            or row.url_key == item.url_key
            or (row.facts.source is not None and row.facts.source == item.article.source)
        ):
            return row
        if item.url_key is None:
            for row in self.without_url_by_day.get(day, ()):
                if (row.title_key, row.source) == (key, item.article.source):
                    return row
        return None

    def _stored_under_its_link(self, item: PreparedArticle, key: str) -> _Known | None:
        """The article a feed entry with an entry key (see ``Article.entry_key``) was stored
        as under its link alone: while its feed listed it without the other entries of that
        link, or before entries had keys (when each entry of a link replaced the last). Of the
        entries that share the link, it is the one with the same title from the same outlet."""
        row = self.by_url.get(_page_of_entry(item) or "")
        if row and row.title_key == key and row.source == item.article.source:
            return row
        return None

    def _same_story(self, key: str, day: str) -> int | None:
        titles, ids, stories = self.titles_by_day.get(day, ([], [], []))
        similar = process.extract(
            key,
            titles,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=SAME_STORY_SIMILARITY,
            limit=None,
        )
        # "Q1 results" and "Q2 results" are different stories however alike they read. (The
        # figures are compared only for the few similar titles: a day holds a hundred or more.)
        numbers = _numbers(key)
        similar = [match for match in similar if _numbers(match[0]) == numbers]
        if not similar:
            return None
        # The most similar title; of equals, the oldest article's.
        _, _, best = max(similar, key=lambda match: (match[1], -ids[match[2]]))
        return stories[best]

    def add(self, item: PreparedArticle) -> None:
        """Plan one article of the batch."""
        key, day = title_key(item.article.title), _day(item.article, self.now)
        facts = _Facts.of(item)
        row = self._same_article(item, key, day)
        if row is None:
            row = self._insert(item, key, day, facts)
        elif row.content_hash == item.content_hash and row.facts.merged(facts) == row.facts:
            self.report.unchanged += 1
        else:
            self.report.updated += 1
            (self.inserts if row.id in self.inserts else self.updates)[row.id] = item
            row.content_hash = item.content_hash
            if facts.url_key and facts.url_key != row.url_key:
                # The article takes the new identity: later records of the batch must find it
                # by that one, and no longer by the one it leaves.
                if row.url_key and self.by_url.get(row.url_key) is row:
                    del self.by_url[row.url_key]
                self.by_url[facts.url_key] = row
            row.facts = row.facts.merged(facts)
            self.by_hash.setdefault(item.content_hash, row)
        self.report.article_ids.append(row.id)

    def _insert(self, item: PreparedArticle, key: str, day: str, facts: _Facts) -> _Known:
        self.report.added += 1
        # A feed entry told apart from the other entries of its page (a status page's two
        # "Degraded performance" incidents of one morning) is never another's story: linked to
        # it, the later would be hidden from /latest and from alerts behind the earlier.
        story = None if item.article.entry_key else self._same_story(key, day)
        row = _Known(self.next_id, item.content_hash, key, day, story, facts)
        self.next_id += 1
        self.inserts[row.id] = item
        self.stories[row.id] = row.story_id
        self._remember(row)
        self._remember_story(key, row.id, row.story_id or row.id, day)
        return row


def _columns(
    article_id: int, item: PreparedArticle, now: datetime, story_id: int | None = None
) -> dict[str, object]:
    """An article's row, as named parameters for INSERT and UPDATE alike."""
    article = item.article
    return {
        "id": article_id,
        "url": article.url,
        "url_key": item.url_key,
        "title": article.title,
        "title_key": title_key(article.title),
        "source": article.source,
        "published_at": _iso(article.published_at),
        "ingested_at": _iso(now),
        "sort_at": _iso(article.published_at or now),
        "story_day": _day(article, now),
        "story_id": story_id,
        "summary": article.summary,
        "source_links": json.dumps(article.source_links),
        "content_hash": item.content_hash,
        "key_points_extracted": item.key_points_extracted,
    }


@dataclass(slots=True)
class _Rows:
    """A planned batch as the parameters of its bulk statements."""

    updated_ids: list[tuple[int]]
    retagged_ids: list[tuple[int]]  # updated articles whose new record has topics
    updates: list[dict[str, object]]
    inserts: list[dict[str, object]]
    topics: list[tuple[int, str]]
    snippets: list[tuple[int, int, str, str]]


def _plan(
    known: tuple[Sequence[tuple[object, ...]], Sequence[tuple[object, ...]]],
    first_id: int,
    now: datetime,
    items: Sequence[PreparedArticle],
) -> tuple[IngestReport, _Rows]:
    """Decide what the batch does, and turn that into statement parameters."""
    articles, same_day = known
    plan = _BatchPlan({row[0]: _known(row) for row in articles}.values(), same_day, first_id, now)
    for item in items:
        plan.add(item)
    changed = {**plan.updates, **plan.inserts}
    rows = _Rows(
        updated_ids=[(i,) for i in plan.updates],
        retagged_ids=[(i,) for i, item in plan.updates.items() if item.article.topics],
        updates=[_columns(i, item, now) for i, item in plan.updates.items()],
        inserts=[
            _columns(i, item, now, story_id=plan.stories[i]) for i, item in plan.inserts.items()
        ],
        topics=[(i, t) for i, item in changed.items() for t in dict.fromkeys(item.article.topics)],
        snippets=[
            (i, position, kind, text)
            for i, item in changed.items()
            for position, (kind, text) in enumerate(item.snippets)
        ],
    )
    return plan.report, rows


async def _write(conn: aiosqlite.Connection, rows: _Rows) -> None:
    """Apply a planned batch with bulk statements."""
    # New snippets take ids above every id ever handed out, before this batch's deletes: an
    # engine that has read up to the highest id must see them as new (a re-ingested newest
    # article would otherwise give its old ids to other snippets).
    async with conn.execute("SELECT coalesce(max(id), 0) FROM snippets") as cursor:
        (last_indexed,) = await cursor.fetchone()
    if rows.updates:
        await conn.executemany("DELETE FROM snippets WHERE article_id = ?", rows.updated_ids)
        await conn.executemany("DELETE FROM article_topics WHERE article_id = ?", rows.retagged_ids)
        await conn.executemany(
            """UPDATE articles SET url = coalesce(:url, url), url_key = coalesce(:url_key, url_key),
               title = :title, title_key = :title_key, source = coalesce(:source, source),
               published_at = coalesce(:published_at, published_at),
               sort_at = coalesce(:published_at, sort_at),
               story_day = substr(coalesce(:published_at, sort_at), 1, 10), summary = :summary,
               source_links = CASE :source_links WHEN '[]' THEN source_links ELSE :source_links END,
               content_hash = :content_hash, key_points_extracted = :key_points_extracted
               WHERE id = :id""",
            rows.updates,
        )
    await conn.executemany(
        """INSERT INTO articles (id, url, url_key, title, title_key, source, published_at,
           ingested_at, sort_at, story_day, story_id, summary, source_links, content_hash,
           key_points_extracted)
           VALUES (:id, :url, :url_key, :title, :title_key, :source, :published_at, :ingested_at,
           :sort_at, :story_day, :story_id, :summary, :source_links, :content_hash,
           :key_points_extracted)""",
        rows.inserts,
    )
    await conn.executemany(
        "INSERT INTO article_topics (article_id, topic) VALUES (?, ?)", rows.topics
    )
    await _insert_snippets(conn, rows.snippets, first_id=last_indexed + 1)
    await conn.execute(
        "INSERT INTO snippets_fts (rowid, text) SELECT id, text FROM snippets WHERE id > ?",
        (last_indexed,),
    )


async def _insert_snippets(
    conn: aiosqlite.Connection, snippets: Sequence[tuple[int, int, str, str]], *, first_id: int
) -> None:
    """Insert snippets in order with consecutive ids from ``first_id`` (so each article's ids
    are consecutive too), many rows per statement.

    The rows' parameters are built as the statements consume them, in the connection's thread:
    tens of thousands of snippets would otherwise hold up the event loop for milliseconds.
    """
    size = _SNIPPETS_PER_INSERT
    whole = len(snippets) - len(snippets) % size

    def numbered(start: int, stop: int) -> list[object]:
        return [v for n in range(start, stop) for v in (first_id + n, *snippets[n])]

    await conn.executemany(
        _INSERT_SNIPPETS + ", ".join(["(?, ?, ?, ?, ?)"] * size),
        (numbered(i, i + size) for i in range(0, whole, size)),
    )
    await conn.executemany(
        _INSERT_SNIPPETS + "(?, ?, ?, ?, ?)",
        (numbered(n, n + 1) for n in range(whole, len(snippets))),
    )
