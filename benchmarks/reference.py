"""Answer quality at scale against the engine's own evaluation: the archive of the source
articles alone (what ``newsbot eval realtimeqa`` builds), judged on the same questions.

Every archive larger than the source holds all of its articles plus variants, so the questions
it is judged on are the same; the comparison is paired, question by question (see
:func:`benchmarks.quality.paired`), so that the run says how many answers scale lost and gained
and how sure that difference is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from benchmarks import quality
from benchmarks.child import run_json
from benchmarks.options import PHASES, Options


def compare(options: Options, folder: Path, runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Add ``quality_vs_reference`` (and one ``<figure>_vs_reference`` difference per compared
    figure, over all questions) to every run larger than the source; returns the reference
    run's figures, building it first when no run has the source's size (None: nothing to
    compare)."""
    # Only runs that measured quality (the answers phase ran and had questions) are compared.
    larger = [r for r in runs if r["articles"] > r["source_articles"] and "quality_n" in r]
    if not larger:
        return None
    size = larger[0]["source_articles"]
    reference = next((run for run in runs if run["articles"] == size), None)
    if reference is None:
        quality_only = tuple(phase for phase in PHASES if phase != "answers")
        only_answers = dataclasses.replace(options, skip=quality_only)
        reference = run_json("benchmarks.size", only_answers.to_json(), str(size))
    outcomes = quality.load(quality.outcomes_path(folder, size))
    for run in larger:
        comparison = quality.compared(
            outcomes, quality.load(quality.outcomes_path(folder, run["articles"]))
        )
        run["quality_vs_reference"] = {"reference_articles": size, **comparison}
        for name, _ in quality.COMPARED:
            run[f"{name}_vs_reference"] = comparison["all"][name]["difference"]
    return reference
