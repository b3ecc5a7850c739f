"""Answer quality on a split's questions: recall@3 of the gold answer in the cited snippets, and
multiple choice at 5, judged exactly as ``newsbot eval realtimeqa`` does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.corpus import BenchQuestion
from bot.evaluation.harness import Timed
from bot.evaluation.realtimeqa import score

MC_SNIPPETS = 5
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})


@dataclass(frozen=True, slots=True)
class Judged:
    """How the engine did on one question."""

    recall_at_1: bool
    recall_at_3: bool
    mc_correct: bool
    abstained: bool


def judge(question: BenchQuestion, response: Any, milliseconds: float) -> Judged:
    """Score one engine response (``Engine.respond``'s) against the gold answer."""
    outcome = score(question, Timed(response, milliseconds))
    return Judged(outcome.recall_at_1, outcome.recall_at_3, outcome.mc_correct, outcome.abstained)


def summarise(judged: Sequence[Judged]) -> dict[str, Any]:
    """Shares of the judged questions, rounded; ``quality_n`` says how many."""
    n = len(judged)

    def share(count: int) -> float:
        return round(count / n, 4) if n else 0.0

    return {
        "answer_recall_at_1": share(sum(j.recall_at_1 for j in judged)),
        "answer_recall_at_3": share(sum(j.recall_at_3 for j in judged)),
        "mc_at_5": share(sum(j.mc_correct for j in judged)),
        "abstained": share(sum(j.abstained for j in judged)),
        "quality_n": n,
    }
