"""Naive baselines over the archive's own snippets, in a process of their own (so their memory
does not count against the product's):

- rapidfuzz: score every snippet against the question with ``fuzz.token_set_ratio`` (the scorer
  the engine reranks with, ``bot.search.rank.fuzzy_similarity``) via ``process.extract``, top 5;
- FTS5: every question word OR-ed in one ``MATCH``, ranked by ``bm25``, ``LIMIT 5``. (The
  archive's index keeps no per-snippet token counts, which ``bm25`` reads; it counts them
  itself instead, at no measurable cost: on 8,000 articles the query took as long either way.)

Run as ``python -m benchmarks.baselines DB QUESTIONS.json MAX_QUESTIONS BUDGET_S``; prints one
JSON line. Each baseline times questions in order until ``MAX_QUESTIONS`` or until its time
budget is spent (at least ``MIN_QUESTIONS`` are always timed).
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from benchmarks.timing import percentile

MIN_QUESTIONS = 3
TOP = 5
_WORD = re.compile(r"[^\W_]+")  # single words as the index splits them (it refuses phrases)


def fts_expression(question: str) -> str:
    """Every word of the question, quoted, OR-ed together."""
    return " OR ".join(f'"{word}"' for word in _WORD.findall(question)) or '""'


def timed(
    questions: Sequence[str], run: Callable[[str], object], *, limit: int, budget_s: float
) -> list[float]:
    """Milliseconds per question, in order, within the limit and budget."""
    spent, times = 0.0, []
    for question in questions[:limit]:
        if len(times) >= MIN_QUESTIONS and spent >= budget_s:
            break
        started = time.perf_counter()
        run(question)
        elapsed = time.perf_counter() - started
        spent += elapsed
        times.append(elapsed * 1000)
    return times


def connect(db: Path) -> sqlite3.Connection:
    """A read-only connection with the product's cache settings."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA mmap_size = 268435456")
    return conn


def naive_fts5(conn: sqlite3.Connection, question: str) -> list[tuple[int, str]]:
    """The naive FTS5 query's five best snippets."""
    return conn.execute(
        """SELECT s.id, s.text FROM snippets_fts JOIN snippets s ON s.id = snippets_fts.rowid
           WHERE snippets_fts MATCH ? ORDER BY bm25(snippets_fts) LIMIT ?""",
        (fts_expression(question), TOP),
    ).fetchall()


def naive_rapidfuzz(snippets: Sequence[str], question: str) -> list[tuple[str, float, int]]:
    """The naive rapidfuzz scan's five best snippets."""
    return process.extract(
        question, snippets, scorer=fuzz.token_set_ratio, processor=utils.default_process, limit=TOP
    )


def run(db: Path, questions: Sequence[str], limit: int, budget_s: float) -> dict[str, Any]:
    """Both baselines' figures."""
    conn = connect(db)
    try:
        fts = timed(questions, lambda q: naive_fts5(conn, q), limit=limit, budget_s=budget_s)
        started = time.perf_counter()
        snippets = [text for (text,) in conn.execute("SELECT text FROM snippets ORDER BY id")]
        loaded = time.perf_counter() - started
    finally:
        conn.close()
    fuzzy = timed(questions, lambda q: naive_rapidfuzz(snippets, q), limit=limit, budget_s=budget_s)
    return {
        "naive_fts5_ms_p50": round(percentile(fts, 0.5), 3),
        "naive_fts5_ms_max": round(max(fts, default=0.0), 3),
        "naive_fts5_n": len(fts),
        "naive_rapidfuzz_ms_p50": round(percentile(fuzzy, 0.5), 3),
        "naive_rapidfuzz_ms_max": round(max(fuzzy, default=0.0), 3),
        "naive_rapidfuzz_n": len(fuzzy),
        "naive_rapidfuzz_load_s": round(loaded, 3),
        "baseline_snippets": len(snippets),
    }


def main(argv: Sequence[str]) -> None:
    """Entry point of the child process."""
    db, questions_file, limit, budget = argv
    questions = json.loads(Path(questions_file).read_text(encoding="utf-8"))
    print(json.dumps(run(Path(db), questions, int(limit), float(budget))))


if __name__ == "__main__":
    main(sys.argv[1:])
