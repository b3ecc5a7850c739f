"""Full-text queries over snippets (SQLite FTS5): candidates, term statistics, vocabulary."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.archive.database import Database


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


def fts_phrase(term: str) -> str:
    """Quote one term for an FTS5 MATCH expression so that no character is read as syntax."""
    return '"' + term.replace('"', '""') + '"'


class SnippetIndex:
    """Read-only queries against the snippet full-text index."""

    def __init__(self, db: Database):
        self._db = db

    async def search(
        self,
        terms: Sequence[str],
        *,
        limit: int,
        until: datetime | None = None,
        since: datetime | None = None,
        sources: Sequence[str] = (),
    ) -> list[SnippetHit]:
        """Snippets matching any of ``terms`` (each matched as a quoted phrase), best bm25 first."""
        if not terms:
            return []
        clauses, params = ["snippets_fts MATCH ?"], [" OR ".join(fts_phrase(t) for t in terms)]
        if until is not None:
            clauses.append("a.sort_at <= ?")
            params.append(until.astimezone(UTC).isoformat(timespec="seconds"))
        if since is not None:
            clauses.append("a.sort_at >= ?")
            params.append(since.astimezone(UTC).isoformat(timespec="seconds"))
        if sources:
            clauses.append("(" + " OR ".join("a.source LIKE ?" for _ in sources) + ")")
            params += [f"%{s}%" for s in sources]
        sql = f"""SELECT s.id, s.article_id, s.position, s.kind, s.text, a.sort_at, a.source,
                         bm25(snippets_fts) AS rank
                  FROM snippets_fts JOIN snippets s ON s.id = snippets_fts.rowid
                  JOIN articles a ON a.id = s.article_id
                  WHERE {" AND ".join(clauses)} ORDER BY rank LIMIT ?"""
        async with self._db.reader.execute(sql, [*params, limit]) as cursor:
            return [SnippetHit(*row) for row in await cursor.fetchall()]

    async def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """How many snippets contain each (already tokenised and stemmed) term."""
        wanted = list(dict.fromkeys(terms))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        async with self._db.reader.execute(
            f"SELECT term, doc FROM snippets_vocab WHERE term IN ({marks})", wanted
        ) as cursor:
            return {term: doc for term, doc in await cursor.fetchall()}

    async def vocabulary(self, min_documents: int = 1) -> list[tuple[str, int]]:
        """Every indexed term with its snippet count."""
        async with self._db.reader.execute(
            "SELECT term, doc FROM snippets_vocab WHERE doc >= ?", (min_documents,)
        ) as cursor:
            return [(term, doc) for term, doc in await cursor.fetchall()]

    async def snippet_count(self) -> int:
        """How many snippets are indexed."""
        async with self._db.reader.execute("SELECT max(id) FROM snippets") as cursor:
            row = await cursor.fetchone()
        return row[0] or 0 if row else 0

    async def snippets(self, ids: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Snippet texts by (article id, position), e.g. the sentence before a cited one."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        clause = " OR ".join("(article_id = ? AND position = ?)" for _ in wanted)
        params = [value for pair in wanted for value in pair]
        async with self._db.reader.execute(
            f"SELECT article_id, position, text FROM snippets WHERE {clause}", params
        ) as cursor:
            return {(a, p): text for a, p, text in await cursor.fetchall()}
