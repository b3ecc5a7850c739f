"""The benchmark suite keeps working: a tiny run on the synthetic corpus writes every figure
with a sane value. Timings are never asserted, only that they were measured."""

from __future__ import annotations

import contextlib
import json
import math
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import synthetic
from benchmarks.scale import Scaler
from benchmarks.unbounded import unbounded
from bot.search.config import RankConfig
from bot.search.terms import TermGroup, search_plan
from tests.conftest import REPO

REQUIRED = (
    "articles",
    "ingest_articles_per_s",
    "db_bytes",
    "raw_text_bytes",
    "page_cache_read_mb",
    "cpu_pace_ms",
    "cpu_pace_ms_after",
    "answer_ms_p50",
    "answer_ms_p99",
    "cold_first_answer_ms",
    "peak_rss_mb",
    "loop_lag_ms_p99",
    "loop_lag_ms_max",
    "alert_match_1000x1000_s",
    "e2e_ask_ms_p99",
    "naive_rapidfuzz_ms_p50",
    "naive_fts5_ms_p50",
    "speedup_vs_rapidfuzz",
    "speedup_vs_fts5",
    "answer_recall_at_3",
    "mc_at_5",
    "answer_recall_at_3_test",
    "mc_at_5_test",
    "answer_recall_at_3_unbounded",
    "mc_at_5_unbounded",
    "answer_recall_at_3_test_unbounded",
    "mc_at_5_test_unbounded",
    "answer_recall_at_3_vs_reference",
    "mc_at_5_vs_reference",
)


def _sane(key: str, value: object) -> bool:
    """A finite number, not below 0 (-1 for a difference of shares)."""
    lowest = -1 if key.endswith("_vs_reference") else 0
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= lowest
    )


def _tiny_run(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """A 1,000-article run on the synthetic corpus, cut short everywhere; its output and JSON."""
    out = tmp_path / "bench.json"
    command = [
        sys.executable,
        "-m",
        "benchmarks",
        "--sizes",
        "1000",
        "--data",
        str(tmp_path / "no-such-data"),  # a fresh clone has no ../shared: synthetic corpus
        "--json",
        str(out),
        "--workdir",
        str(tmp_path / "work"),
        "--cold-runs",
        "1",
        "--baseline-questions",
        "5",
        "--extra-articles",
        "300",
        "--e2e-asks",
        "10",
        *extra,
    ]
    result = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result, out


def test_tiny_run_writes_every_figure(tmp_path: Path) -> None:
    result, out = _tiny_run(tmp_path)
    assert "ingest_articles_per_s" in result.stdout  # the table was printed
    # ... and says how the larger archives were made, since their quality depends on it.
    assert re.search(r"^variants\s+recombined$", result.stdout, re.M)

    [run] = json.loads(out.read_text(encoding="utf-8"))["runs"]
    assert run["articles"] == run["articles_stored"] == 1000
    assert run["corpus"] == "synthetic"
    missing = [key for key in REQUIRED if key not in run]
    assert not missing
    insane = {key: run[key] for key in REQUIRED if not _sane(key, run[key])}
    assert not insane
    numbers = {k: v for k, v in run.items() if type(v) in (int, float)}
    assert all(_sane(k, v) for k, v in numbers.items()), numbers
    assert 0 <= run["answer_recall_at_3"] <= 1 and run["quality_n"] > 0
    assert 0 <= run["answer_recall_at_3_unbounded"] <= 1 and 0 <= run["mc_at_5_unbounded"] <= 1
    assert run["e2e_asks"] == 10 and run["alert_subscriptions"] == 1000
    # The targets are set for 100,000 articles: a smaller run is not judged against them.
    assert run["targets"]["answer_ms_p50"]["value"] == run["answer_ms_p50"]
    assert all(v["pass"] is None for v in run["targets"].values())
    # The synthetic source has fewer articles than the run, so the run is compared, question
    # by question, with an archive of the source alone, built in the same run.
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["reference"]["articles"] == run["source_articles"] < 1000
    versus = run["quality_vs_reference"]
    assert versus["reference_articles"] == run["source_articles"]
    assert versus["all"]["questions"] == run["quality_n"] + run["quality_n_test"]
    assert versus["dev"]["answer_recall_at_3"]["value"] == run["answer_recall_at_3"]
    assert versus["test"]["mc_at_5"]["value"] == run["mc_at_5_test"]
    assert versus["dev"]["mc_at_5"]["reference"] == document["reference"]["mc_at_5"]
    assert run["mc_at_5_vs_reference"] == versus["all"]["mc_at_5"]["difference"]
    assert run["rank"] == {} and re.search(r"^rank\s+defaults$", result.stdout, re.M)
    assert run["answer_recall_at_3"] > 0  # what the next test's engine settings take away


def test_engine_settings_of_a_run_reach_every_engine_it_measures(tmp_path: Path) -> None:
    """``--rank`` sets the engine of each phase, and of the source archive it is compared
    with: with an abstention line no answer can reach, nothing is ever cited."""
    result, out = _tiny_run(tmp_path, "--rank", "abstain_below=1000", "--skip", "baselines")
    document = json.loads(out.read_text(encoding="utf-8"))
    [run] = document["runs"]
    assert run["rank"] == {"abstain_below": 1000.0}
    assert re.search(r"^rank\s+abstain_below=1000.0$", result.stdout, re.M)
    assert run["abstained"] == 1.0 and run["answer_recall_at_3"] == 0
    assert run["answer_recall_at_3_test"] == 0
    assert run["answer_recall_at_3_unbounded"] == 0  # its own process, the same settings
    assert document["reference"]["answer_recall_at_3"] == 0
    assert run["cold_first_answer_ms"] > 0 and run["e2e_failures"] == 0


def test_quality_is_compared_over_archives_drawn_with_several_seeds(tmp_path: Path) -> None:
    """``--quality-seeds`` judges other draws of the same size and pools them with the run's
    own against the source archive; each draw's own comparison is kept."""
    only_quality = "cold,unbounded,baselines,alerts,lag,e2e"
    result, out = _tiny_run(tmp_path, "--quality-seeds", "7,6", "--skip", only_quality, "--keep")
    [run] = json.loads(out.read_text(encoding="utf-8"))["runs"]
    versus = run["quality_vs_reference"]
    assert versus["seeds"] == [6, 7]  # --seed's draw first; a repeated seed is judged once
    own = [versus["by_seed"][seed] for seed in ("6", "7")]
    for name in ("answer_recall_at_3", "mc_at_5"):
        pooled = versus["all"][name]
        assert pooled["lost"] == own[0][name]["lost"] + own[1][name]["lost"]
        mean = (own[0][name]["difference"] + own[1][name]["difference"]) / 2
        assert pooled["difference"] == pytest.approx(mean, abs=1e-4)
        assert run[name + "_vs_reference"] == pooled["difference"]
    assert re.search(r"^1,000 articles \(seeds 6, 7\) against", result.stdout, re.M)
    assert re.search(r"^  seed 7 all \(\d+ questions\)", result.stdout, re.M)
    # The other draw is another archive of the same size: the same source, other variants.
    drawn = [_urls(tmp_path / "work" / folder / "archive-1000.db") for folder in (".", "seed-7")]
    assert len(drawn[0]) == len(drawn[1]) == 1000 and drawn[0] != drawn[1]
    assert len(drawn[0] & drawn[1]) >= run["source_articles"]


def _urls(db: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        return {url for (url,) in connection.execute("SELECT url FROM articles")}


def test_scaled_archives_are_deterministic_and_sized() -> None:
    articles, _ = synthetic.corpus()
    scaler = Scaler(articles, seed=1)
    small = list(scaler.records(50))
    large = list(scaler.records(len(articles) + 30))
    assert len(small) == 50 and len(large) == len(articles) + 30
    assert [r["url"] for r in small] == [r["url"] for r in Scaler(articles, seed=1).records(50)]
    assert scaler.variant(7) == Scaler(articles, seed=1).variant(7)
    assert len({r["url"] for r in large}) == len(large)  # every variant is a new article


@pytest.mark.parametrize(
    ("config", "reads_all"), [(RankConfig(), False), (unbounded(RankConfig()), True)]
)
def test_the_unbounded_engine_reads_every_posting_of_every_word(
    config: RankConfig, reads_all: bool
) -> None:
    """The quality the search bounds are compared with must come from reading everything:
    the commonest words too, and every posting of each."""
    snippets = 7_000_000
    documents = {"acme": 40, "year": 90_000, "said": 900_000}
    groups = [TermGroup(w, frozenset({w}), frozenset(), 1.0, n) for w, n in documents.items()]
    plan = search_plan(
        groups,
        budget=config.postings_budget,
        per_term=config.term_postings,
        min_terms=1,
        paired=0,
        max_documents=int(config.max_term_share * snippets),
    )
    limits = {groups[q.groups[0]].word: q.limit for q in plan}
    read_in_full = [w for w, n in documents.items() if limits.get(w, 0) >= n]
    assert (read_in_full == list(documents)) is reads_all
