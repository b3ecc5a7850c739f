"""The source material: RealTimeQA's articles and questions, or a synthetic stand-in.

Articles stay plain records in the ``articles.jsonl`` format (``id``, ``url``, ``title``,
``source``, ``published_at``, ``text``): the archive is filled from them through the product's
own record parser, exactly as ``newsbot ingest`` reads a JSON Lines file.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import synthetic
from bot.evaluation.realtimeqa import QuizQuestion, question_fields

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class BenchQuestion(QuizQuestion):
    """A quiz question as the evaluation reads it, plus which source articles it came with."""

    article_ids: tuple[str, ...] = ()  # the source articles retrieved for it
    answer_in_corpus: bool = False


@dataclass(frozen=True, slots=True)
class Corpus:
    """Source articles and the questions about them."""

    name: str  # "realtimeqa" or "synthetic"
    articles: list[Record]
    questions: list[BenchQuestion]  # the dev split: latency, and the quality tuned on
    held_out: list[BenchQuestion]  # the test split: quality only, never tuned on

    @property
    def raw_text_bytes(self) -> int:
        """UTF-8 bytes of every article's title and text."""
        return sum(record_bytes(r) for r in self.articles)


def record_bytes(record: Record) -> int:
    """The UTF-8 size of a record's title and text: what "raw text" means here."""
    return len(record["title"].encode()) + len(record["text"].encode())


def _read_lines(path: Path) -> list[Record]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _question(record: Record) -> BenchQuestion:
    return BenchQuestion(
        **question_fields(record),
        article_ids=tuple(record.get("article_ids") or ()),
        answer_in_corpus=bool(record.get("answer_in_corpus")),
    )


def load(folder: Path) -> Corpus:
    """RealTimeQA from ``folder`` (``articles.jsonl`` and ``questions.jsonl``), or the
    synthetic corpus when either file is missing."""
    articles_path, questions_path = folder / "articles.jsonl", folder / "questions.jsonl"
    if not (articles_path.is_file() and questions_path.is_file()):
        print(
            f"benchmarks: no articles.jsonl/questions.jsonl in {folder}; using the synthetic "
            "corpus",
            file=sys.stderr,
        )
        articles, records = synthetic.corpus()
        return Corpus("synthetic", articles, _split(records, "dev"), _split(records, "test"))
    articles = [
        {key: record.get(key) for key in ("id", "url", "title", "source", "published_at", "text")}
        for record in _read_lines(articles_path)
    ]
    records = _read_lines(questions_path)
    return Corpus("realtimeqa", articles, _split(records, "dev"), _split(records, "test"))


def _split(records: list[Record], split: str) -> list[BenchQuestion]:
    return [_question(record) for record in records if record.get("split") == split]
