"""Warm engine latency over the dev questions (each asked as of its quiz day), and answer
quality on those whose answer is in the archive; the same quality on the held-out questions."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks import quality
from benchmarks.corpus import BenchQuestion
from benchmarks.timing import current_rss_mb, latency_figures
from bot.search import Engine, Filters

UNTIMED_WARM_QUESTIONS = 5


@dataclass(slots=True)
class Asked:
    """What asking a set of questions measured."""

    figures: dict[str, Any]
    outcomes: list[quality.Judged]  # of the judged questions, in order
    latencies: dict[str, float] = field(default_factory=dict)  # milliseconds by question id


def judged_questions(questions: Sequence[BenchQuestion], present: set[str]) -> set[str]:
    """Ids of the questions quality is measured on: answer in the corpus, and at least one of
    the question's source articles in this archive (smaller sizes hold a sample)."""
    return {
        q.id
        for q in questions
        if q.answer_in_corpus and (not q.article_ids or present.intersection(q.article_ids))
    }


async def warm_answers(
    engine: Engine, questions: Sequence[BenchQuestion], judged: set[str]
) -> Asked:
    """Ask every question once with a warm engine; latency of all, quality of ``judged``."""
    await engine.warm_up()
    for question in questions[:UNTIMED_WARM_QUESTIONS]:
        await _ask(engine, question)
    latencies: dict[str, float] = {}
    outcomes: list[quality.Judged] = []
    for question in questions:
        response, milliseconds = await _ask(engine, question)
        latencies[question.id] = milliseconds
        if question.id in judged:
            outcomes.append(quality.judge(question, response, milliseconds))
    figures = {
        "answer_questions": len(latencies),
        **latency_figures("answer_ms", list(latencies.values())),
        **quality.summarise(outcomes),
        "rss_mb_engine_warm": round(current_rss_mb(), 1),
    }
    return Asked(figures, outcomes, latencies)


async def held_out_quality(
    engine: Engine, questions: Sequence[BenchQuestion], judged: set[str]
) -> Asked:
    """Answer quality on the held-out (test) questions in ``judged``; keys end in ``_test``.
    Reported next to the dev figures so that what was tuned on dev can be checked."""
    outcomes: list[quality.Judged] = []
    for question in questions:
        if question.id in judged:
            outcomes.append(quality.judge(question, *await _ask(engine, question)))
    figures = quality.summarise(outcomes)
    keys = ("answer_recall_at_3", "mc_at_5", "quality_n")
    return Asked({f"{key}_test": figures[key] for key in keys}, outcomes)


async def _ask(engine: Engine, question: BenchQuestion) -> tuple[Any, float]:
    """The engine's response to a question, asked as of its quiz day, and its milliseconds."""
    started = time.perf_counter()
    response = await engine.respond(question.text, Filters(now=question.now))
    return response, (time.perf_counter() - started) * 1000
