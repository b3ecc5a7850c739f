"""The printed table (one column per size, PASS/FAIL next to each targeted figure) and the
JSON document."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import Any

from benchmarks.quality import COMPARED
from benchmarks.targets import BY_KEY, TARGET_ARTICLES, failures

# The figures in the table, in order (the JSON holds every figure).
ROWS = (
    "articles",
    "articles_stored",
    "corpus",
    "variants",
    "rank",
    "ingest_articles_per_s",
    "ingest_first_chunk_per_s",
    "ingest_last_chunk_per_s",
    "raw_text_bytes",
    "db_bytes",
    "db_to_raw_ratio",
    "snippets",
    "page_cache_read_mb",
    "cpu_pace_ms",
    "cpu_pace_ms_after",
    "answer_ms_p50",
    "answer_ms_p99",
    "answer_ms_max",
    "cold_first_answer_ms",
    "cold_first_answer_ms_max",
    "cold_process_ms",
    "naive_rapidfuzz_ms_p50",
    "naive_fts5_ms_p50",
    "engine_ms_p50_vs_rapidfuzz",
    "speedup_vs_rapidfuzz",
    "engine_ms_p50_vs_fts5",
    "speedup_vs_fts5",
    "rss_mb_after_ingest",
    "rss_mb_engine_warm",
    "peak_rss_mb",
    "loop_lag_ms_p99",
    "loop_lag_ms_max",
    "answer_ms_p99_during_ingest",
    "alert_match_1000x1000_s",
    "alert_matches",
    "e2e_ask_ms_p50",
    "e2e_ask_ms_p99",
    "e2e_failures",
    "e2e_idle_ask_ms_p99",
    "e2e_loop_lag_ms_p99",
    "e2e_startup_scan_s",
    "answer_recall_at_3",
    "mc_at_5",
    "quality_n",
    "answer_recall_at_3_test",
    "mc_at_5_test",
    "quality_n_test",
    "answer_recall_at_3_unbounded",
    "mc_at_5_unbounded",
    "answer_recall_at_3_test_unbounded",
    "mc_at_5_test_unbounded",
    "answer_ms_p50_unbounded",
    "answer_recall_at_3_vs_reference",
    "mc_at_5_vs_reference",
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):  # the engine settings given with --rank
        return ",".join(f"{k}={v}" for k, v in value.items()) or "defaults"
    return str(value)


def table(runs: list[dict[str, Any]]) -> str:
    """The figures as text: a row per figure, a column per size."""
    width = max(len(name) for name in ROWS) + 2
    header = "".ljust(width) + "".join(f"{run['articles']:>22,}" for run in runs)
    lines = [header]
    for name in ROWS:
        cells = []
        for run in runs:
            cell = _cell(run.get(name))
            verdict = run.get("targets", {}).get(name)
            if verdict and verdict["pass"] is not None:
                cell += " PASS" if verdict["pass"] else " FAIL"
            cells.append(cell.rjust(22))
        lines.append(name.ljust(width) + "".join(cells))
    lines.append("")
    for run in runs:
        for key in ("loop_lag_ms_blame", "e2e_loop_lag_ms_blame"):
            if run.get(key):
                lines.append(f"{run['articles']:,} articles, {key} (where the loop was blocked):")
                lines += [f"  {b['blocked_ms']:>6} ms  {b['where']}" for b in run[key][:3]]
    lines += _reference_lines(runs)
    lines.append(
        f"targets (judged at {TARGET_ARTICLES:,} articles and more): "
        + ", ".join(f"{t.key}: {t.label}" for t in BY_KEY.values())
    )
    failed = failures(runs)
    lines.append("failed targets: " + ("none" if not failed else ""))
    lines += [f"  - {line}" for line in failed]
    return "\n".join(lines)


def _reference_lines(runs: list[dict[str, Any]]) -> list[str]:
    """The paired comparison with the source archive, for each run that has one."""
    lines = []
    for run in runs:
        versus = run.get("quality_vs_reference")
        if not versus:
            continue
        seeds = versus["seeds"]
        drawn = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {', '.join(map(str, seeds))}"
        lines.append(
            f"{run['articles']:,} articles ({drawn}) against the "
            f"{versus['reference_articles']:,}-article source archive, on the same questions "
            "(difference, 95% interval, lost/gained):"
        )
        for split in ("dev", "test", "all"):
            if split in versus:
                lines.append(f"  {split:>4} " + _compared_line(versus[split]))
        if len(seeds) > 1:
            lines += [
                f"  seed {seed} all " + _compared_line(v) for seed, v in versus["by_seed"].items()
            ]
    return lines


def _compared_line(versus: dict[str, Any]) -> str:
    """One split's paired comparison, each compared figure in a few numbers."""
    parts = []
    for name, _ in COMPARED:
        got = versus[name]
        low, high = got["ci95"]
        parts.append(
            f"{name} {got['value']:.3f} vs {got['reference']:.3f} "
            f"({got['difference']:+.3f}, {low:+.3f}..{high:+.3f}, -{got['lost']}/+{got['gained']})"
        )
    return f"({versus['questions']} questions): " + "; ".join(parts)


def document(
    runs: list[dict[str, Any]], argv: list[str], reference: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON document: ``{"runs": [...]}``, the source archive's figures the larger runs'
    quality is compared with (``reference``, when there was one), and how it was made."""
    return {
        "runs": runs,
        "reference": reference,
        "command": " ".join(["python -m benchmarks", *argv]),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def write(path: str, doc: dict[str, Any]) -> None:
    """Write the document as indented JSON."""
    Path(path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
