"""The benchmark's verdicts: the issue's targets, judged where they are set."""

from __future__ import annotations

from benchmarks.size import _speedups
from benchmarks.targets import failures, verdicts


def test_targets_judge_a_run_of_the_size_they_are_set_for_and_not_a_smaller_one() -> None:
    figures = {"answer_ms_p50": 12.0, "ingest_articles_per_s": 1500.0, "mc_at_5_vs_reference": 0.0}
    large = verdicts({"articles": 100_000, **figures})
    assert large["answer_ms_p50"]["pass"] is False  # over 10 ms
    assert large["ingest_articles_per_s"]["pass"] is True
    assert large["mc_at_5_vs_reference"]["pass"] is True  # no worse
    assert large["peak_rss_mb"]["pass"] is None  # not measured
    assert failures([{"articles": 100_000, "targets": large}]) == [
        "100000: answer p50 <= 10 ms (got 12.0)"
    ]
    small = verdicts({"articles": 10_000, **figures})
    assert all(v["pass"] is None for v in small.values())
    assert small["answer_ms_p50"]["value"] == 12.0  # still reported


def test_each_speedup_compares_the_same_questions_for_the_engine_and_the_baseline() -> None:
    # The rapidfuzz scan ran out of budget after 3 of the sample's questions, FTS5 after 5.
    figures = {
        "naive_rapidfuzz_ms_p50": 300.0,
        "naive_rapidfuzz_n": 3,
        "naive_fts5_ms_p50": 40.0,
        "naive_fts5_n": 5,
    }
    engine_ms = [10.0, 30.0, 20.0, 1.0, 1.0, 1.0]
    speedups = _speedups(figures, engine_ms)
    assert (speedups["engine_ms_p50_vs_rapidfuzz"], speedups["speedup_vs_rapidfuzz"]) == (20, 15)
    assert (speedups["engine_ms_p50_vs_fts5"], speedups["speedup_vs_fts5"]) == (10, 4)
