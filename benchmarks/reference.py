"""Answer quality at scale against the engine's own evaluation: the archive of the source
articles alone (what ``newsbot eval realtimeqa`` builds), judged on the same questions.

Every archive larger than the source holds all of its articles plus variants, so the questions
it is judged on are the same; the comparison is paired, question by question (see
:func:`benchmarks.quality.paired`), so that the run says how many answers scale lost and gained
and how sure that difference is. One draw of variants is one sample of what scale does: with
``--quality-seeds``, archives of the same size drawn with other seeds are judged too, and the
comparison pools them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from benchmarks import quality
from benchmarks.child import run_json
from benchmarks.options import PHASES, Options

# What an archive built only to be judged skips: everything but the answers.
QUALITY_ONLY = tuple(phase for phase in PHASES if phase != "answers")


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
        reference = _judged_only(options, folder, size)
    outcomes = quality.load(quality.outcomes_path(folder, size))
    for run in larger:
        by_seed = {options.seed: quality.load(quality.outcomes_path(folder, run["articles"]))}
        for seed in options.quality_seeds:
            if seed not in by_seed:
                by_seed[seed] = _other_draw(options, folder, run["articles"], seed)
        comparison = quality.compared(outcomes, list(by_seed.values()))
        run["quality_vs_reference"] = {
            "reference_articles": size,
            "seeds": list(by_seed),
            **comparison,
            "by_seed": {
                str(seed): quality.overall(outcomes, [judged]) for seed, judged in by_seed.items()
            },
        }
        for name, _ in quality.COMPARED:
            run[f"{name}_vs_reference"] = comparison["all"][name]["difference"]
    return reference


def _judged_only(options: Options, folder: Path, size: int) -> dict[str, Any]:
    """An archive of ``size`` built and judged on quality alone, in ``folder``; its figures."""
    only_answers = dataclasses.replace(options, skip=QUALITY_ONLY, workdir=str(folder))
    return run_json("benchmarks.size", only_answers.to_json(), str(size))


def _other_draw(
    options: Options, folder: Path, size: int, seed: int
) -> dict[str, list[quality.Judged]]:
    """The outcomes of an archive of ``size`` drawn with ``seed``, judged on quality alone in
    a folder of its own (its archive deleted afterwards, unless ``--keep``)."""
    own = folder / f"seed-{seed}"
    own.mkdir(exist_ok=True)
    _judged_only(dataclasses.replace(options, seed=seed), own, size)
    outcomes = quality.load(quality.outcomes_path(own, size))
    if not options.keep:
        for path in own.glob(f"archive-{size}.db*"):
            path.unlink()
    return outcomes
