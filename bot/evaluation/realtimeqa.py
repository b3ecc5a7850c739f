"""RealTimeQA: weekly news-quiz questions asked of an archive made from their search results.

The figures (see the benchmark folder's README for the data and its normalisation rules):

- ``answer_recall_at_1`` / ``answer_recall_at_3``: the gold answer occurs in the first / first
  three snippets the engine cites (an abstention cites nothing, so it counts as a miss);
- ``mc_at_5``: of the question's choices, the one found earliest in the ranking's top five
  snippets is the pick; it must be the gold one (none found counts as wrong);
- ``abstained``: the share of questions the engine declined to answer;
- ``latency_ms_p50`` / ``latency_ms_p95``: the engine's time per question.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from bot.archive import Archive
from bot.evaluation.harness import (
    BenchmarkDataError,
    Timed,
    ask,
    format_table,
    ingest,
    read_json_lines,
    temporary_archive,
    write_json,
)
from bot.evaluation.metrics import (
    earliest_choice,
    normalise_answer,
    normalise_text,
    occurs,
    percentile,
    rate,
)
from bot.ingest.parse import ParseError, article_from_record
from bot.models import Article
from bot.search import Engine, Filters

MC_SNIPPETS = 5


@dataclass(frozen=True, slots=True)
class QuizQuestion:
    """One RealTimeQA question, as the evaluation uses it."""

    id: str
    asked_on: date
    text: str
    choices: tuple[str, ...]
    answer: str
    answer_index: int
    tech_related: bool

    @property
    def now(self) -> datetime:
        """The moment the question counts as asked: the end of its quiz day, UTC."""
        return datetime.combine(self.asked_on, time.max, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the engine did on one question."""

    question: QuizQuestion
    recall_at_1: bool
    recall_at_3: bool
    mc_correct: bool
    abstained: bool
    milliseconds: float


def question_fields(record: dict[str, Any]) -> dict[str, Any]:
    """A ``questions.jsonl`` record as :class:`QuizQuestion` fields (raises on missing ones)."""
    return {
        "id": str(record["id"]),
        "asked_on": date.fromisoformat(record["date"]),
        "text": str(record["question"]),
        "choices": tuple(str(c) for c in record["choices"]),
        "answer": str(record["answer"]),
        "answer_index": int(record["answer_index"]),
        "tech_related": bool(record.get("tech_related")),
    }


def load_questions(folder: Path, split: str, limit: int | None = None) -> list[QuizQuestion]:
    """The split's questions whose answer occurs in the corpus, in file order."""
    questions = []
    for record in read_json_lines(folder / "questions.jsonl"):
        if record.get("split") != split or not record.get("answer_in_corpus"):
            continue
        try:
            questions.append(QuizQuestion(**question_fields(record)))
        except (KeyError, TypeError, ValueError) as error:
            raise BenchmarkDataError(f"question {record.get('id')!r}: {error}") from error
    return questions[:limit] if limit is not None else questions


def load_articles(folder: Path) -> list[Article]:
    """The corpus as articles, read by the same parser as ``newsbot ingest``."""
    articles = []
    for number, record in enumerate(read_json_lines(folder / "articles.jsonl"), start=1):
        try:
            articles.append(article_from_record(record))
        except ParseError as error:
            raise BenchmarkDataError(f"articles.jsonl record {number}: {error}") from error
    return articles


def score(question: QuizQuestion, timed: Timed) -> Outcome:
    """Compare one response with the gold answer."""
    answer, ranking = timed.response.answer, timed.response.ranking
    gold = normalise_answer(question.answer)
    cited = [normalise_text(c.text) for c in answer.citations] if answer.answered else []
    top = [s.hit.text for s in ranking.top(MC_SNIPPETS)] if ranking else []
    picked = earliest_choice(question.choices, top)
    return Outcome(
        question=question,
        recall_at_1=any(occurs(gold, text) for text in cited[:1]),
        recall_at_3=any(occurs(gold, text) for text in cited[:3]),
        mc_correct=picked == question.answer_index,
        abstained=not answer.answered,
        milliseconds=timed.milliseconds,
    )


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures over a set of outcomes."""
    n = len(outcomes)
    latencies = [o.milliseconds for o in outcomes]
    return {
        "answer_recall_at_1": rate(sum(o.recall_at_1 for o in outcomes), n),
        "answer_recall_at_3": rate(sum(o.recall_at_3 for o in outcomes), n),
        "mc_at_5": rate(sum(o.mc_correct for o in outcomes), n),
        "abstained": rate(sum(o.abstained for o in outcomes), n),
        "latency_ms_p50": round(percentile(latencies, 0.50), 2),
        "latency_ms_p95": round(percentile(latencies, 0.95), 2),
        "n": n,
    }


async def run_questions(engine: Engine, questions: Sequence[QuizQuestion]) -> list[Outcome]:
    """Ask every question as of its quiz day and score the answers."""
    await engine.warm_up()
    outcomes = []
    for question in questions:
        timed = await ask(engine, question.text, Filters(now=question.now))
        outcomes.append(score(question, timed))
    return outcomes


async def load_archive(archive: Archive, folder: Path) -> dict[str, Any]:
    """Ingest the corpus into ``archive``; returns what the ingest did and how long it took."""
    articles = load_articles(folder)
    report, seconds = await ingest(archive, articles)
    return {
        "articles_read": len(articles),
        "articles_stored": report.added + report.updated,
        "articles_merged": report.unchanged + report.duplicates,
        "ingest_seconds": round(seconds, 1),
    }


async def evaluate(args: argparse.Namespace) -> int:
    """``newsbot eval realtimeqa``: ingest the corpus, ask the split's questions, report."""
    folder = Path(args.data)
    questions = load_questions(folder, args.split, args.limit)
    async with temporary_archive() as archive:
        corpus = await load_archive(archive, folder)
        print(
            f"ingested {corpus['articles_stored']} articles in {corpus['ingest_seconds']} s; "
            f"asking {len(questions)} {args.split} questions",
            file=sys.stderr,
        )
        outcomes = await run_questions(Engine(archive), questions)
    figures = summarise(outcomes)
    figures["tech_related"] = summarise([o for o in outcomes if o.question.tech_related])
    report = {"benchmark": "realtimeqa", "split": args.split, **figures, "corpus": corpus}
    print(
        format_table(
            f"RealTimeQA {args.split} (answer in corpus)",
            {"all": figures, "tech_related": figures["tech_related"]},
        )
    )
    write_json(args.json_out, report)
    return 0
