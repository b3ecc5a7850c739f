"""MultiHop-RAG: multi-document questions over a corpus made of the benchmark's evidence facts.

The full MultiHop-RAG article corpus is not available here, so the archive is built from the
queries' evidence lists: one article per evidence URL (with that item's title, outlet, date and
link) whose key points are the distinct facts quoted from it. Each fact is thus one snippet.

Figures, over the answerable (non-null) queries, as the benchmark's ``retrieval_evaluate.py``
defines them: a retrieved snippet is relevant when a gold fact (spaces removed) is part of it;
``hits_at_k`` is the share of queries with a relevant snippet in the top k, ``map_at_10`` and
``mrr_at_10`` as there. ``evidence_recall_at_10`` (ours) is the share of gold facts in the top
ten. Abstention: ``null_abstained`` (null queries declined) and ``answerable_answered``.

The queries are split like RealTimeQA's: ``test`` when the first byte of SHA-1 of the query's
``subset_id`` is below 77, else ``dev``; the abstention threshold is set on ``dev``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evaluation.harness import (
    BenchmarkDataError,
    Timed,
    ask,
    format_table,
    ingest,
    temporary_archive,
    write_json,
)
from bot.evaluation.metrics import percentile, rate
from bot.ingest.parse import ParseError, article_from_record
from bot.models import Article
from bot.search import Engine, Filters

DATA_FILE = "MultiHopRAG.subset500.json"
TOP_K = 10


@dataclass(frozen=True, slots=True)
class MultiHopQuery:
    """One MultiHop-RAG query with its gold evidence facts (none for a null query)."""

    id: str
    text: str
    kind: str
    facts: tuple[str, ...]

    @property
    def answerable(self) -> bool:
        """Whether the corpus holds evidence for it (null queries have none)."""
        return self.kind != "null_query"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the engine did on one query."""

    query: MultiHopQuery
    retrieved: tuple[str, ...]
    answered: bool
    confidence: float
    milliseconds: float


def split_of(query_id: str) -> str:
    """``test`` or ``dev``, by the same rule as RealTimeQA's split."""
    return "test" if hashlib.sha1(query_id.encode("utf-8")).digest()[0] < 77 else "dev"


def load_records(folder: Path) -> list[dict[str, Any]]:
    """The benchmark's query records."""
    path = folder / DATA_FILE
    if not path.is_file():
        raise BenchmarkDataError(f"{path} not found")
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise BenchmarkDataError(f"{path}: invalid JSON ({error.msg})") from error
    if not isinstance(records, list):
        raise BenchmarkDataError(f"{path}: expected a list of queries")
    return records


def queries_of(
    records: Sequence[dict[str, Any]], split: str, limit: int | None = None
) -> list[MultiHopQuery]:
    """The split's queries, in file order."""
    queries = []
    for number, record in enumerate(records):
        try:
            query_id = str(record.get("subset_id", number))
            if split_of(query_id) != split:
                continue
            facts = tuple(str(e["fact"]) for e in record.get("evidence_list") or [])
            queries.append(
                MultiHopQuery(query_id, str(record["query"]), str(record["question_type"]), facts)
            )
        except (KeyError, TypeError) as error:
            raise BenchmarkDataError(f"query {number}: missing {error}") from error
    return queries[:limit] if limit is not None else queries


def corpus_articles(records: Sequence[dict[str, Any]]) -> list[Article]:
    """One article per evidence URL, its distinct facts as key points, in first-seen order."""
    by_url: dict[str, dict[str, Any]] = {}
    for record in records:
        for item in record.get("evidence_list") or []:
            entry = by_url.setdefault(
                item["url"],
                {
                    "title": item["title"],
                    "source": item.get("source"),
                    "published_at": item.get("published_at"),
                    "url": item["url"],
                    "key_points": [],
                },
            )
            if item["fact"] not in entry["key_points"]:
                entry["key_points"].append(item["fact"])
    try:
        return [article_from_record(entry) for entry in by_url.values()]
    except ParseError as error:
        raise BenchmarkDataError(f"evidence item: {error}") from error


def score(query: MultiHopQuery, timed: Timed) -> Outcome:
    """Keep what the figures need from one response."""
    ranking = timed.response.ranking
    retrieved = tuple(s.hit.text for s in ranking.top(TOP_K)) if ranking else ()
    answer = timed.response.answer
    return Outcome(query, retrieved, answer.answered, answer.confidence, timed.milliseconds)


def retrieval_figures(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Hits@4, Hits@10, MAP@10 and MRR@10 as MultiHop-RAG's evaluation script computes them,
    plus the share of gold facts found in the top ten."""
    hits4 = hits10 = 0
    average_precisions: list[float] = []
    reciprocal_ranks: list[float] = []
    facts_found = facts_total = 0
    for outcome in outcomes:
        gold = [_squeeze(f) for f in outcome.query.facts]
        retrieved = [_squeeze(t) for t in outcome.retrieved[:TOP_K]]
        found: set[str] = set()
        first = None
        precision_sum = 0.0
        for rank, text in enumerate(retrieved, start=1):
            new = [g for g in gold if g in text and g not in found]
            if any(g in text for g in gold):
                first = first or rank
                hits4 += rank <= 4 and first == rank
                precision_sum += len(new) / rank
            found.update(new)
        hits10 += first is not None
        average_precisions.append(precision_sum / min(len(gold), TOP_K) if gold else 0.0)
        reciprocal_ranks.append(1 / first if first else 0.0)
        facts_found += len(found)
        facts_total += len(set(gold))
    n = len(outcomes)
    return {
        "hits_at_4": rate(hits4, n),
        "hits_at_10": rate(hits10, n),
        "map_at_10": round(sum(average_precisions) / n, 4) if n else 0.0,
        "mrr_at_10": round(sum(reciprocal_ranks) / n, 4) if n else 0.0,
        "evidence_recall_at_10": rate(facts_found, facts_total),
    }


def _squeeze(text: str) -> str:
    """The benchmark compares texts with spaces and line breaks removed."""
    return text.replace(" ", "").replace("\n", "")


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Every figure over a set of outcomes."""
    answerable = [o for o in outcomes if o.query.answerable]
    null = [o for o in outcomes if not o.query.answerable]
    latencies = [o.milliseconds for o in outcomes]
    return {
        **retrieval_figures(answerable),
        "null_abstained": rate(sum(not o.answered for o in null), len(null)),
        "answerable_answered": rate(sum(o.answered for o in answerable), len(answerable)),
        "latency_ms_p50": round(percentile(latencies, 0.50), 2),
        "latency_ms_p95": round(percentile(latencies, 0.95), 2),
        "n": len(answerable),
        "n_null": len(null),
    }


async def run_queries(engine: Engine, queries: Sequence[MultiHopQuery]) -> list[Outcome]:
    """Ask every query (undated: as of now) and keep what the figures need."""
    await engine.warm_up()
    return [score(query, await ask(engine, query.text, Filters())) for query in queries]


async def evaluate(args: argparse.Namespace) -> int:
    """``newsbot eval multihop-rag``: build the facts corpus, ask the split's queries, report."""
    records = load_records(Path(args.data))
    queries = queries_of(records, args.split, args.limit)
    articles = corpus_articles(records)
    async with temporary_archive() as archive:
        report, seconds = await ingest(archive, articles)
        print(
            f"ingested {report.added} articles ({sum(len(a.key_points) for a in articles)} facts) "
            f"in {seconds:.1f} s; asking {len(queries)} {args.split} queries",
            file=sys.stderr,
        )
        outcomes = await run_queries(Engine(archive), queries)
    figures = summarise(outcomes)
    print(format_table(f"MultiHop-RAG {args.split} (facts corpus)", {"all": figures}))
    write_json(
        args.json_out,
        {
            "benchmark": "multihop-rag",
            "split": args.split,
            **figures,
            "corpus": {"articles": len(articles), "ingest_seconds": round(seconds, 1)},
        },
    )
    return 0
