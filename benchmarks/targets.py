"""The issue's targets, and PASS/FAIL for a run's figures.

The targets are set for an archive of 100,000 articles; a smaller run prints its figures without
a verdict: at 1,000 articles, for instance, the naive scan takes a quarter of a second, so
"100x faster than it" would ask for 2.5 ms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Target:
    """A figure's bound: at most ``limit``, or at least it when ``at_least``."""

    key: str
    label: str
    limit: float
    at_least: bool = False

    def passes(self, value: float) -> bool:
        """Whether a value meets the target."""
        return value >= self.limit if self.at_least else value <= self.limit


TARGETS = (
    Target("answer_ms_p50", "answer p50 <= 10 ms", 10),
    Target("answer_ms_p99", "answer p99 <= 50 ms", 50),
    Target("cold_first_answer_ms", "cold first answer <= 1 s", 1000),
    Target("speedup_vs_rapidfuzz", ">= 100x faster than naive rapidfuzz", 100, at_least=True),
    Target("speedup_vs_fts5", ">= 10x faster than naive FTS5", 10, at_least=True),
    Target("ingest_articles_per_s", "ingest >= 1,000 articles/s", 1000, at_least=True),
    Target("db_to_raw_ratio", "archive on disk <= 3x raw text", 3),
    Target("peak_rss_mb", "peak memory <= 1 GB (1024 MiB)", 1024),
    Target("loop_lag_ms_p99", "loop lag p99 <= 50 ms while ingesting", 50),
    Target("alert_match_1000x1000_s", "alert matching 1000x1000 <= 1 s", 1),
    # Differences from the source archive on the same questions (benchmarks.reference).
    Target(
        "answer_recall_at_3_vs_reference",
        "recall@3 no worse than on the source archive",
        0,
        at_least=True,
    ),
    Target("mc_at_5_vs_reference", "MC@5 no worse than on the source archive", 0, at_least=True),
)
BY_KEY = {target.key: target for target in TARGETS}
TARGET_ARTICLES = 100_000  # the archive size the targets are set for


def verdicts(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per target: its label, the run's value and whether it passes (None: not measured, or
    a run smaller than ``TARGET_ARTICLES``)."""
    judged = figures.get("articles", 0) >= TARGET_ARTICLES
    result = {}
    for target in TARGETS:
        value = figures.get(target.key)
        result[target.key] = {
            "target": target.label,
            "value": value,
            "pass": target.passes(float(value)) if judged and value is not None else None,
        }
    return result


def failures(runs: list[dict[str, Any]]) -> list[str]:
    """``"<size>: <target> (value)"`` for every failed target of every run."""
    failed = []
    for run in runs:
        for key, verdict in run.get("targets", {}).items():
            if verdict["pass"] is False:
                failed.append(f"{run['articles']}: {BY_KEY[key].label} (got {verdict['value']})")
    return failed
