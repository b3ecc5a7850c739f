"""One archive size, start to finish, in its own process (so its peak memory is its own).

Run as ``python -m benchmarks.size OPTIONS_JSON SIZE``; progress goes to stderr and the figures
to stdout as one JSON line. The phases, in order: build (ingest), size on disk, cold first
answer, warm answers and quality, the same quality with every posting read, naive baselines,
alert matching, loop lag while ingesting, and end to end through the fake Discord (the last two
add ``--extra-articles`` each).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import alerts, answers, build, cold, corpus, e2e, lag, quality
from benchmarks.child import run_json, settings_arg
from benchmarks.options import Options, resolve_data
from benchmarks.scale import EXTRA_START, Scaler
from benchmarks.timing import (
    cpu_pace_ms,
    current_rss_mb,
    peak_rss_mb,
    percentile,
    read_through,
)
from bot.archive import Archive
from bot.archive.database import sqlite_files
from bot.search import Engine

_STARTED = time.perf_counter()


def say(size: int, message: str) -> None:
    """A progress line on stderr."""
    elapsed = time.perf_counter() - _STARTED
    print(f"[{size:>7}] {elapsed:7.1f}s {message}", file=sys.stderr, flush=True)


def baseline_sample(
    questions: Sequence[corpus.BenchQuestion], n: int
) -> list[corpus.BenchQuestion]:
    """``n`` questions spread evenly over the list."""
    if not questions or n <= 0:
        return []
    step = max(len(questions) // n, 1)
    return list(questions[::step][:n])


def _fresh(db: Path) -> None:
    for path in sqlite_files(db):
        path.unlink(missing_ok=True)


def _speedups(figures: dict[str, Any], engine_ms: Sequence[float]) -> dict[str, Any]:
    """Each baseline's p50 over the engine's, both over the questions that baseline timed
    (the first ``naive_<name>_n`` of the sample: a baseline stops when its budget is spent)."""
    out: dict[str, Any] = {}
    for name in ("rapidfuzz", "fts5"):
        baseline, count = figures.get(f"naive_{name}_ms_p50"), figures.get(f"naive_{name}_n", 0)
        engine = percentile(engine_ms[:count], 0.5)
        if baseline is not None and engine:
            out[f"engine_ms_p50_vs_{name}"] = round(engine, 3)
            out[f"speedup_vs_{name}"] = round(baseline / engine, 1)
    return out


async def run(options: Options, size: int) -> dict[str, Any]:
    """Every phase for one size; returns the figures."""
    source = corpus.load(resolve_data(options))
    scaler = Scaler(source.articles, seed=options.seed, kind=options.variants)
    config = options.rank_config()  # every engine of the run answers with these settings
    questions = source.questions[: options.questions]
    workdir = Path(options.workdir or ".")
    db = workdir / f"archive-{size}.db"
    _fresh(db)
    figures: dict[str, Any] = {
        "articles": size,
        "corpus": source.name,
        "source_articles": len(source.articles),
        "variants": options.variants,
        "rank": options.rank,
    }
    archive = await Archive.open(db)
    engine: Engine | None = None
    try:
        say(size, f"ingesting {size} {source.name} articles into {db}")
        built = await build.build(archive, scaler.records(size), chunk=options.chunk)
        figures.update(built.figures)
        figures.update(await build.disk_usage(archive))
        figures["db_to_raw_ratio"] = round(figures["db_bytes"] / figures["raw_text_bytes"], 3)
        figures["rss_mb_after_ingest"] = round(current_rss_mb(), 1)
        say(size, f"ingested at {figures['ingest_articles_per_s']} articles/s")
        if options.runs("cold") and questions:
            say(size, f"cold first answer, {options.cold_runs} fresh processes")
            figures.update(
                await asyncio.to_thread(cold.measure, db, questions, options.cold_runs, config)
            )
        engine = Engine(archive, config)
        latencies: dict[str, float] = {}
        held_out = source.held_out[: options.questions]
        judged = answers.judged_questions(questions, built.source_ids)
        judged_held_out = answers.judged_questions(held_out, built.source_ids)
        if options.runs("answers") and questions:
            say(size, "reading the archive into the page cache")
            figures["page_cache_read_mb"] = await asyncio.to_thread(read_through, db)
            say(size, f"warm answers to {len(questions)} dev questions")
            figures["cpu_pace_ms"] = cpu_pace_ms()
            dev = await answers.warm_answers(engine, questions, judged)
            figures["cpu_pace_ms_after"] = cpu_pace_ms()
            test = answers.Asked({}, [])
            if held_out:
                say(size, f"answer quality on {len(held_out)} held-out (test) questions")
                test = await answers.held_out_quality(engine, held_out, judged_held_out)
            figures.update(dev.figures | test.figures)
            latencies = dev.latencies
            outcomes = {"dev": dev.outcomes, "test": test.outcomes}
            quality.save(quality.outcomes_path(workdir, size), outcomes)
        if options.runs("unbounded") and judged:
            say(size, "answer quality with every posting read (own process)")
            listed = workdir / f"unbounded-questions-{size}.json"
            ids = {"dev": sorted(judged), "test": sorted(judged_held_out)}
            listed.write_text(json.dumps(ids), encoding="utf-8")
            figures.update(
                await asyncio.to_thread(
                    run_json,
                    "benchmarks.unbounded",
                    str(db),
                    str(resolve_data(options)),
                    str(listed),
                    settings_arg(config),
                )
            )
        if options.runs("baselines") and questions:
            sample = baseline_sample(questions, options.baseline_questions)
            say(size, f"naive baselines on {len(sample)} questions (budget per baseline)")
            listed = workdir / f"baseline-questions-{size}.json"
            listed.write_text(json.dumps([q.text for q in sample]), encoding="utf-8")
            figures.update(
                await asyncio.to_thread(
                    run_json,
                    "benchmarks.baselines",
                    str(db),
                    str(listed),
                    str(len(sample)),
                    str(options.baseline_budget_s),
                )
            )
            timed = [latencies[q.id] for q in sample if q.id in latencies]  # (--skip answers)
            figures.update(_speedups(figures, timed))
        if options.runs("alerts"):
            say(size, "alert matching")
            figures.update(await alerts.measure(archive, source.articles, options.seed))
        if options.runs("lag") and options.extra_articles > 0:
            say(size, f"loop lag: answering while ingesting {options.extra_articles} articles")
            extra = build.articles_of(scaler.variants(EXTRA_START, options.extra_articles))
            figures.update(await lag.measure(archive, engine, questions, extra))
    finally:
        if engine is not None:
            await engine.close()
        await archive.close()
    del engine  # the e2e bot loads its own: keep one engine's memory at a time
    if options.runs("e2e") and options.e2e_asks > 0:
        say(size, f"end to end: {options.e2e_asks} concurrent /ask while ingesting")
        start = EXTRA_START + options.extra_articles
        extra = build.articles_of(scaler.variants(start, options.extra_articles))
        figures.update(await e2e.measure(db, questions, extra, options.e2e_asks, config))
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    figures["run_seconds"] = round(time.perf_counter() - _STARTED, 1)
    say(size, "done")
    return figures


def main(argv: Sequence[str]) -> None:
    """Entry point of the child process."""
    options_json, size = argv
    figures = asyncio.run(run(Options.from_json(options_json), int(size)))
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
