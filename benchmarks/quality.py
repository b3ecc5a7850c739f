"""Answer quality on a split's questions: recall@3 of the gold answer in the cited snippets, and
multiple choice at 5, judged exactly as ``newsbot eval realtimeqa`` does; and the paired
comparison of archives' outcomes on the same questions: the source archive's against one or more
larger archives (built from different seeds)."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.corpus import BenchQuestion
from bot.evaluation.harness import Timed
from bot.evaluation.realtimeqa import score

MC_SNIPPETS = 5
RESAMPLES = 2000  # bootstrap resamples for a difference's 95% interval
# The figures compared with the reference archive, and the Judged field each counts.
COMPARED = (("answer_recall_at_3", "recall_at_3"), ("mc_at_5", "mc_correct"))


@dataclass(frozen=True, slots=True)
class Judged:
    """How the engine did on one question."""

    question_id: str
    recall_at_1: bool
    recall_at_3: bool
    mc_correct: bool
    abstained: bool


def judge(question: BenchQuestion, response: Any, milliseconds: float) -> Judged:
    """Score one engine response (``Engine.respond``'s) against the gold answer."""
    outcome = score(question, Timed(response, milliseconds))
    return Judged(
        question.id,
        outcome.recall_at_1,
        outcome.recall_at_3,
        outcome.mc_correct,
        outcome.abstained,
    )


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


def outcomes_path(workdir: Path, size: int) -> Path:
    """Where a size's run leaves its per-question outcomes, for the comparison."""
    return workdir / f"quality-{size}.json"


def save(path: Path, outcomes: Mapping[str, Sequence[Judged]]) -> None:
    """Write each split's outcomes (``{"dev": [...], "test": [...]}``) as JSON."""
    document = {split: [asdict(j) for j in judged] for split, judged in outcomes.items()}
    path.write_text(json.dumps(document), encoding="utf-8")


def load(path: Path) -> dict[str, list[Judged]]:
    """Outcomes written by :func:`save`."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return {split: [Judged(**j) for j in judged] for split, judged in document.items()}


def paired(reference: Sequence[bool], archives: Sequence[Sequence[bool]]) -> dict[str, Any]:
    """The reference archive's right/wrong against one or more other archives' on the same
    questions (in the same order): each side's share right, the difference (the others' mean
    less the reference) with a bootstrap 95% interval over the questions, and how many
    questions the others lost and gained (summed over them)."""
    n = len(reference)
    if not n or not archives:
        return {
            "reference": 0.0,
            "value": 0.0,
            "difference": 0.0,
            "ci95": [0.0, 0.0],
            "lost": 0,
            "gained": 0,
        }
    # Per question: the share of the archives that got it right, less the reference's.
    changes = [
        sum(map(int, answers)) / len(archives) - int(before)
        for before, *answers in zip(reference, *archives, strict=True)
    ]
    rng = random.Random(0)  # the same interval for the same outcomes
    means = sorted(sum(rng.choices(changes, k=n)) / n for _ in range(RESAMPLES))
    tail = int(0.025 * RESAMPLES)
    steps = [int(a) - int(b) for other in archives for a, b in zip(other, reference, strict=True)]
    return {
        "reference": round(sum(reference) / n, 4),
        "value": round(sum(map(sum, archives)) / (n * len(archives)), 4),
        "difference": round(sum(changes) / n, 4),
        "ci95": [round(means[tail], 4), round(means[-tail - 1], 4)],
        "lost": steps.count(-1),
        "gained": steps.count(1),
    }


def compared(
    reference: Mapping[str, Sequence[Judged]], archives: Sequence[Mapping[str, Sequence[Judged]]]
) -> dict[str, Any]:
    """Per split and over all of them (``"all"``), the :func:`paired` comparison of each
    figure in ``COMPARED`` on the questions every archive was judged on."""
    figures = {
        split: _compared_on(reference.get(split, []), [other.get(split, []) for other in archives])
        for split in archives[0]
    }
    return {**figures, "all": overall(reference, archives)}


def overall(
    reference: Mapping[str, Sequence[Judged]], archives: Sequence[Mapping[str, Sequence[Judged]]]
) -> dict[str, Any]:
    """The :func:`compared` figures over every split's questions together."""
    return _compared_on(
        [j for judged in reference.values() for j in judged],
        [[j for judged in other.values() for j in judged] for other in archives],
    )


def _compared_on(
    reference: Sequence[Judged], archives: Sequence[Sequence[Judged]]
) -> dict[str, Any]:
    theirs = {j.question_id: j for j in reference}
    ours = [{j.question_id: j for j in judged} for judged in archives]
    common = sorted(theirs.keys() & set.intersection(*(set(mine) for mine in ours)))
    figures: dict[str, Any] = {"questions": len(common)}
    for name, field in COMPARED:
        figures[name] = paired(
            [getattr(theirs[q], field) for q in common],
            [[getattr(mine[q], field) for q in common] for mine in ours],
        )
    return figures
