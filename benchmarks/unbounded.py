"""Answer quality of the same engine with its search bounds lifted, in a process of its own.

The engine reads at most ``term_postings`` index entries of a word, about ``postings_budget``
in all, and leaves the commonest words out of the search (``RankConfig``): that is what keeps
an answer fast at any archive size. Here every index entry of every question word is read, on
the same archive and the same questions, so that a run shows what the bounds cost in answer
quality and not only what they save in time. It runs in its own process because those reads
are large, and their memory must not count against the product's.

Run as ``python -m benchmarks.unbounded DB DATA QUESTIONS.json SETTINGS``, where the JSON file
holds the ids of the judged dev and test questions (``{"dev": [...], "test": [...]}``) and
SETTINGS is the run's engine settings (as ``benchmarks.child.settings_arg`` writes them); prints
one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks import answers, corpus
from benchmarks.child import settings_from
from bot.archive import Archive
from bot.search import Engine
from bot.search.config import RankConfig

EVERYTHING = 10**12


def unbounded(config: RankConfig) -> RankConfig:
    """``config`` with its search bounds lifted: every posting of every word is read."""
    return replace(config, postings_budget=EVERYTHING, term_postings=EVERYTHING, max_term_share=1.0)


async def measure(
    db: Path, data: Path, judged: dict[str, list[str]], config: RankConfig
) -> dict[str, Any]:
    """Dev and test answer quality, and the dev answer latency, with every posting read."""
    source = corpus.load(data)
    dev, test = set(judged["dev"]), set(judged["test"])
    archive = await Archive.open(db)
    engine = Engine(archive, unbounded(config))
    try:
        asked = [q for q in source.questions if q.id in dev]
        figures = (await answers.warm_answers(engine, asked, dev)).figures
        held_out = (await answers.held_out_quality(engine, source.held_out, test)).figures
    finally:
        await engine.close()
        await archive.close()
    return {
        "answer_recall_at_3_unbounded": figures["answer_recall_at_3"],
        "mc_at_5_unbounded": figures["mc_at_5"],
        "answer_recall_at_3_test_unbounded": held_out["answer_recall_at_3_test"],
        "mc_at_5_test_unbounded": held_out["mc_at_5_test"],
        "answer_ms_p50_unbounded": figures["answer_ms_p50"],
    }


def main(argv: Sequence[str]) -> None:
    """Entry point of the child process."""
    db, data, listed, settings = argv
    judged = json.loads(Path(listed).read_text(encoding="utf-8"))
    config = settings_from(settings)
    print(json.dumps(asyncio.run(measure(Path(db), Path(data), judged, config))))


if __name__ == "__main__":
    main(sys.argv[1:])
