"""Full-text queries over snippets (SQLite FTS5): candidates, term statistics, vocabulary."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bot.archive.database import Database
from bot.words import index_words


@dataclass(frozen=True, slots=True)
class Spans:
    """Runs of consecutive snippet ids that each belong to one article, in id order, with
    their articles' facts: one entry per run, as columns.

    An article's snippets are inserted together, so they normally form one run; the engine
    keeps these runs in memory to map a matching snippet id to its article without a join.
    Columns rather than an object per run: loading 100,000 articles then costs a few array
    operations, not 100,000 objects (0.2 s of a cold start's first answer).
    """

    article_ids: np.ndarray  # int64
    first_ids: np.ndarray  # int64, ascending
    last_ids: np.ndarray  # int64
    snippets: np.ndarray  # int64: how many snippets the article has (in all its runs)
    timestamps: np.ndarray  # int64: when the article counts as published (POSIX seconds)
    sources: list[str | None]  # its outlet, None when unknown

    def __len__(self) -> int:
        return len(self.first_ids)

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> Spans:
        """From rows that start (article_id, first_id, last_id, snippets, sort_at, source), in
        any order. Read a column at a time: at 100,000 rows, unzipping them costs twice that."""

        def ids(column: int) -> np.ndarray:
            return np.array([row[column] for row in rows], dtype=np.int64)

        first_ids = ids(1)
        order = np.argsort(first_ids, kind="stable")
        # sort_at is ISO 8601 in UTC ("2024-05-01T12:00:00+00:00"): parsed as one array.
        moments = np.array([row[4][:19] for row in rows], dtype="datetime64[s]")
        sources = [row[5] for row in rows]
        return cls(
            ids(0)[order],
            first_ids[order],
            ids(2)[order],
            ids(3)[order],
            moments.astype(np.int64)[order],
            [sources[i] for i in order.tolist()],
        )


@dataclass(frozen=True, slots=True)
class SnippetRow:
    """One stored snippet."""

    id: int
    article_id: int
    position: int
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class ArticleHead:
    """What a citation shows of an article: its title, outlet, date and link."""

    id: int
    title: str
    source: str | None
    published_at: str | None  # ISO 8601 UTC, None when unknown
    url: str | None


@dataclass(frozen=True, slots=True)
class SnippetHit:
    """A snippet that matched a full-text query, with its article's date and bm25 rank."""

    snippet_id: int
    article_id: int
    position: int
    kind: str
    text: str
    sort_at: str
    source: str | None
    rank: float  # bm25: more negative is better


# SQLite's default limit on bound parameters is 32766; stay well below it.
_MAX_PARAMETERS = 5000


def fts_word(word: str) -> str:
    """One word as an FTS5 MATCH expression, quoted so that no character is read as syntax.
    The index holds only letters and digits, so a name with symbols is looked up by its index
    words, all of them ("at&t" -> '("at" AND "t")'): quoted whole it would be a phrase, which
    an index without positions refuses."""
    quoted = ['"' + part.replace('"', '""') + '"' for part in index_words(word) or [word]]
    return quoted[0] if len(quoted) == 1 else "(" + " AND ".join(quoted) + ")"


class SnippetIndex:
    """Queries against the snippet full-text index, and its one upkeep task (``compact``)."""

    def __init__(self, db: Database):
        self._db = db

    async def postings(
        self,
        expressions: Sequence[str],
        *,
        limits: Sequence[int],
        up_to: int | None = None,
        forwards: Sequence[bool] | None = None,
    ) -> list[np.ndarray]:
        """For each FTS5 expression, the ids of the snippets it matches (an int64 array),
        newest first and at most its limit of them (one query for all); with ``up_to``, only
        ids up to that one (a question about the past reads back from its own time).

        An expression marked in ``forwards`` is read whole, oldest first, and its newest ids
        kept: the same ids, for an expression known to match few snippets. FTS5 walks a
        doclist forwards in half to three quarters of the time it takes backwards, and a
        backward read of two words that rarely meet walks both lists to their ends anyway.

        Only ids are read (no join), which keeps this the cheap first step of a search; the
        caller bounds the work by choosing rare terms. Each expression's ids come back as one
        comma-separated string (thousands of rows cost a tenth as much that way), which numpy
        parses in C (a tenth of the time of ``int()`` on each id).
        """
        if not expressions:
            return []
        forwards = forwards or [False] * len(expressions)
        sql = " UNION ALL ".join(
            f"SELECT {i}, group_concat(rowid) FROM (SELECT rowid FROM snippets_fts "
            "WHERE snippets_fts MATCH ? AND rowid <= ? "
            f"ORDER BY rowid {'ASC' if forward else 'DESC'} LIMIT ?)"
            for i, forward in enumerate(forwards)
        )
        bound = up_to if up_to is not None else 2**63 - 1
        params = [
            value
            for e, n, forward in zip(expressions, limits, forwards, strict=True)
            for value in (e, bound, -1 if forward else n)  # (-1: no limit)
        ]
        found = [np.zeros(0, dtype=np.int64) for _ in expressions]
        for group, ids in await self._db.reader.execute_fetchall(sql, params):
            if ids:
                found[group] = np.fromstring(ids, dtype=np.int64, sep=",")
                if forwards[group]:
                    found[group] = found[group][::-1][: limits[group]]
        return found

    async def compact(self) -> None:
        """Merge the index into a single segment (FTS5 ``optimize``).

        Bulk ingest leaves dozens of segments, and every lookup reads each of them: after a
        large import, one pass (seconds for 100,000 articles) makes searches about a third
        faster. Readers keep reading the old segments meanwhile (WAL).
        """
        async with self._db.transaction() as writer:
            await writer.execute("INSERT INTO snippets_fts (snippets_fts) VALUES ('optimize')")

    async def fetch(self, ids: Iterable[int]) -> list[SnippetRow]:
        """The snippets with these ids (missing ids are left out), in id order."""
        wanted = sorted(set(ids))
        rows: list[SnippetRow] = []
        for start in range(0, len(wanted), _MAX_PARAMETERS):
            chunk = wanted[start : start + _MAX_PARAMETERS]
            found = await self._db.reader.execute_fetchall(
                "SELECT id, article_id, position, kind, text FROM snippets "
                f"WHERE id IN ({','.join('?' * len(chunk))}) ORDER BY id",
                chunk,
            )
            rows += [SnippetRow(*row) for row in found]
        return rows

    async def heads(self, article_ids: Iterable[int]) -> dict[int, ArticleHead]:
        """Title, outlet, date and link of these articles (one light query, for citations)."""
        wanted = list(dict.fromkeys(article_ids))[:_MAX_PARAMETERS]
        if not wanted:
            return {}
        rows = await self._db.reader.execute_fetchall(
            "SELECT id, title, source, published_at, url FROM articles "
            f"WHERE id IN ({','.join('?' * len(wanted))})",
            wanted,
        )
        return {row[0]: ArticleHead(*row) for row in rows}

    async def titles(self, limit: int) -> list[tuple[int, str]]:
        """(article id, title) of the ``limit`` articles stored last, newest first."""
        return await self._tuples(
            "SELECT id, title FROM articles ORDER BY id DESC LIMIT ?", (limit,)
        )

    async def spans(self, after_id: int = 0) -> Spans:
        """The runs of snippet ids above ``after_id``, per article, with article dates and
        outlets; an article whose new snippets are not consecutive yields one span per run.

        A full load (``after_id`` 0) reads each article's ends (``_all_spans``), or else groups
        the (article_id, position) index in order; a top-up groups only the id range above
        ``after_id`` (NOT INDEXED keeps SQLite on the rowid range instead of scanning that
        whole index: 24-40 ms instead of 0.3-0.4 s for a 500-article batch at 7.6 million
        snippets).
        """
        if after_id <= 0 and (spans := await self._all_spans()) is not None:
            return spans
        source = "snippets s NOT INDEXED" if after_id > 0 else "snippets s"
        rows = await self._tuples(
            f"""SELECT s.article_id, min(s.id), max(s.id), count(*), a.sort_at, a.source
               FROM {source} JOIN articles a ON a.id = s.article_id
               WHERE s.id > ? GROUP BY s.article_id""",
            (after_id,),
        )
        runs = []
        for article_id, first, last, count, sort_at, source in rows:
            if last - first + 1 == count:
                runs.append((article_id, first, last, count, sort_at, source))
            else:  # interleaved with another article's snippets
                runs += [
                    (article_id, a, b, count, sort_at, source)
                    for a, b in await self._runs(article_id, after_id)
                ]
        return Spans.from_rows(runs)

    async def _all_spans(self) -> Spans | None:
        """Every article's span, read with two index look-ups per article (its first and last
        snippet by position) instead of grouping every snippet: 0.3 s instead of 1.9 s at 7
        million snippets. None when the archive is not laid out as that read assumes.

        It assumes what the write path does: an article's snippets are inserted together, in
        position order, so they take consecutive ids. That is checked as a whole: the spans
        must not overlap and must cover exactly as many ids as there are snippets (so none of
        them has a gap or a snippet of another article). Otherwise the caller groups instead.
        """
        # One statement: one snapshot of the archive. An article without snippets reads as
        # first 0 and is left out after (in SQL, the filter would run the look-up twice); the
        # size column (0) is worked out from the ends once they are checked.
        rows = await self._tuples(
            """SELECT a.id,
                      coalesce((SELECT s.id FROM snippets s WHERE s.article_id = a.id
                                ORDER BY s.position LIMIT 1), 0),
                      coalesce((SELECT s.id FROM snippets s WHERE s.article_id = a.id
                                ORDER BY s.position DESC LIMIT 1), 0),
                      0, a.sort_at, a.source,
                      (SELECT count(*) FROM snippets)
               FROM articles a"""
        )
        if not rows:
            return None  # (grouping an empty archive costs nothing)
        total = rows[0][6]
        spans = Spans.from_rows([row for row in rows if row[1]])
        firsts, lasts = spans.first_ids, spans.last_ids
        if np.any(lasts < firsts) or np.any(firsts[1:] <= lasts[:-1]):
            return None
        sizes = lasts - firsts + 1
        if int(sizes.sum()) != total:
            return None
        return replace(spans, snippets=sizes)

    async def _tuples(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple]:
        """A query's rows as plain tuples, for reads of a row per article: at 100,000 rows,
        building ``sqlite3.Row`` objects and reading them back costs a tenth of a second."""
        async with self._db.reader.execute(sql, parameters) as cursor:
            cursor.row_factory = None
            return list(await cursor.fetchall())

    async def _runs(self, article_id: int, after_id: int) -> list[tuple[int, int]]:
        rows = await self._db.reader.execute_fetchall(
            "SELECT id FROM snippets WHERE article_id = ? AND id > ? ORDER BY id",
            (article_id, after_id),
        )
        ids = [row[0] for row in rows]
        runs: list[tuple[int, int]] = []
        for snippet_id in ids:
            if runs and runs[-1][1] == snippet_id - 1:
                runs[-1] = (runs[-1][0], snippet_id)
            else:
                runs.append((snippet_id, snippet_id))
        return runs

    async def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """How many snippets contain each (already tokenised and stemmed) term."""
        wanted = list(dict.fromkeys(terms))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = await self._db.reader.execute_fetchall(
            f"SELECT term, doc FROM snippets_vocab WHERE term IN ({marks})", wanted
        )
        return {term: doc for term, doc in rows}

    async def added_frequencies(
        self, terms: Iterable[str], *, after_id: int, up_to: int
    ) -> dict[str, int]:
        """How many of the snippets with ids above ``after_id``, up to ``up_to``, contain each
        term (terms the index holds as one word; others are left out, as are terms none of them
        contains). It reads only those snippets' part of each term's postings, where
        ``document_frequencies`` reads each term's total, which costs its whole list: 1 to 2 ms
        for a few thousand new snippets against 35 to 40 ms at 100,000 articles."""
        wanted = [term for term in dict.fromkeys(terms) if index_words(term) == [term]]
        wanted = wanted[: _MAX_PARAMETERS // 3]
        if not wanted:
            return {}
        sql = " UNION ALL ".join(
            f"SELECT {i}, count(*) FROM snippets_fts "
            "WHERE snippets_fts MATCH ? AND rowid > ? AND rowid <= ?"
            for i in range(len(wanted))
        )
        params = [value for term in wanted for value in (fts_word(term), after_id, up_to)]
        rows = await self._db.reader.execute_fetchall(sql, params)
        return {wanted[i]: count for i, count in rows if count}

    async def vocabulary(self, min_documents: int = 1) -> list[tuple[str, int]]:
        """Every indexed term with its snippet count.

        This scans the whole full-text index (seconds for millions of snippets), so it runs on
        a connection of its own in a worker thread: the shared reader, which answers questions
        one query at a time, is never held up behind it.
        """
        connection = sqlite3.connect(self._db.path, timeout=30.0, check_same_thread=False)
        try:
            return await asyncio.to_thread(_read_vocabulary, connection, min_documents)
        except asyncio.CancelledError:
            # Stop the scan, so that the thread (which closes the connection) ends promptly
            # and a process shutting down does not wait for it.
            connection.interrupt()
            raise

    async def snippet_count(self) -> int:
        """How many snippets are indexed."""
        rows = await self._db.reader.execute_fetchall("SELECT max(id) FROM snippets")
        return rows[0][0] or 0 if rows else 0

    async def running_text(self, ids: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Summary and body sentences by (article id, position), e.g. the one before a cited
        sentence (a title or key point at a position is left out: it is not the text before)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        clause = " OR ".join("(article_id = ? AND position = ?)" for _ in wanted)
        params = [value for pair in wanted for value in pair]
        rows = await self._db.reader.execute_fetchall(
            f"SELECT article_id, position, text FROM snippets WHERE ({clause})"
            " AND kind IN ('summary', 'body')",
            params,
        )
        return {(a, p): text for a, p, text in rows}


def _read_vocabulary(connection: sqlite3.Connection, min_documents: int) -> list[tuple[str, int]]:
    """``SnippetIndex.vocabulary`` on a connection of its own (in a worker thread); closes it."""
    try:
        return connection.execute(
            "SELECT term, doc FROM snippets_vocab WHERE doc >= ?", (min_documents,)
        ).fetchall()
    finally:
        connection.close()
