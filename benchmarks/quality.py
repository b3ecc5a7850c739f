"""Answer quality on the dev questions: recall@3 of the gold answer in the cited snippets, and
multiple choice at 5, judged exactly as ``newsbot eval realtimeqa`` does when
``bot.evaluation`` is importable, else by the data README's rules implemented here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.corpus import BenchQuestion

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
    try:
        from bot.evaluation.harness import Timed
        from bot.evaluation.realtimeqa import QuizQuestion, score
    except ImportError:
        return _judge_here(question, response)
    quiz = QuizQuestion(
        id=question.id,
        asked_on=question.asked_on,
        text=question.text,
        choices=question.choices,
        answer=question.answer,
        answer_index=question.answer_index,
        tech_related=question.tech_related,
    )
    outcome = score(quiz, Timed(response, milliseconds))
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


# -- the README's rules, for when bot.evaluation is not there --------------------------------


def normalise_text(text: str) -> str:
    """Lower-case, straight quotes, whitespace collapsed."""
    return re.sub(r"\s+", " ", text.lower().translate(_QUOTES)).strip()


def normalise_answer(text: str) -> str:
    """As :func:`normalise_text`, with Unicode punctuation stripped at both ends."""
    text = normalise_text(text)
    while text and unicodedata.category(text[0]).startswith("P"):
        text = text[1:]
    while text and unicodedata.category(text[-1]).startswith("P"):
        text = text[:-1]
    return text.strip()


def find(needle: str, haystack: str) -> int:
    """The first offset of ``needle`` with no letter or digit right before or after, or -1."""
    start = haystack.find(needle) if needle else -1
    while start != -1:
        end = start + len(needle)
        before = haystack[start - 1] if start else " "
        after = haystack[end] if end < len(haystack) else " "
        if not before.isalnum() and not after.isalnum():
            return start
        start = haystack.find(needle, start + 1)
    return -1


def _judge_here(question: BenchQuestion, response: Any) -> Judged:
    answer, ranking = response.answer, response.ranking
    gold = normalise_answer(question.answer)
    cited = [normalise_text(c.text) for c in answer.citations] if answer.answered else []
    top = [normalise_text(s.hit.text) for s in ranking.top(MC_SNIPPETS)] if ranking else []
    choices = [normalise_answer(c) for c in question.choices]
    picked = None
    for snippet in top:
        found = [(find(c, snippet), -len(c), i) for i, c in enumerate(choices)]
        found = [f for f in found if f[0] != -1]
        if found:
            picked = min(found)[2]
            break
    return Judged(
        recall_at_1=any(find(gold, t) != -1 for t in cited[:1]),
        recall_at_3=any(find(gold, t) != -1 for t in cited[:3]),
        mc_correct=picked == question.answer_index,
        abstained=not answer.answered,
    )
