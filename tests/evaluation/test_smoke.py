"""Both benchmarks end to end on tiny fixtures in their formats, so the eval code can't rot."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.evaluation import run_evaluation
from bot.evaluation.multihop import DATA_FILE, MultiHopQuery, Outcome, retrieval_figures, split_of

ARTICLES = [
    {
        "id": "a1",
        "url": "https://news.example/ie-retired",
        "title": "Microsoft retires Internet Explorer",
        "source": "usatoday.com",
        "published_at": "2022-06-15",
        "text": "Microsoft retired its Internet Explorer browser on Wednesday.\n\n"
        "The browser debuted in 1995 as part of Windows 95.\n\n"
        "Microsoft Edge replaces it.",
    },
    {
        "id": "a2",
        "url": "https://news.example/eu-chargers",
        "title": "EU agrees on common charger",
        "source": "cnn.com",
        "published_at": "2022-06-07",
        "text": "Europe will require Apple and other phone makers to use USB-C chargers.\n\n"
        "The European Union rule applies from 2024.",
    },
    {
        "id": "a3",
        "url": "https://news.example/future",
        "title": "Internet Explorer museum opens",
        "source": "cnn.com",
        "published_at": "2022-07-30",
        "text": "A museum about Internet Explorer opened in Seattle, years after 1996.",
    },
]


def _question(qid: str, split: str, question: str, choices: list[str], answer: int, **extra):
    return {
        "id": qid,
        "date": "2022-06-17",
        "source": "USAtoday",
        "question_url": "https://quiz.example",
        "question": question,
        "choices": choices,
        "answer": choices[answer],
        "answer_index": answer,
        "evidence": "",
        "article_ids": ["a1", "a2"],
        "answer_in_corpus": True,
        "distractor_in_corpus": False,
        "tech_related": True,
        "split": split,
        **extra,
    }


QUESTIONS = [
    _question(
        "q1",
        "dev",
        "Microsoft retired its Internet Explorer browser this week. What year did it debut?",
        ["1991", "1995", "1996", "2002"],
        1,
    ),
    _question(
        "q2",
        "dev",
        "Which continent will require Apple to support a common charger?",
        ["Europe", "Asia"],
        0,
        tech_related=False,
    ),
    _question("q3", "dev", "Not in the corpus", ["a", "b"], 0, answer_in_corpus=False),
    _question(
        "q4", "test", "Which browser did Microsoft retire?", ["Edge", "Internet Explorer"], 1
    ),
]


def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _args(benchmark: str, data: Path, out: Path, split: str = "dev") -> argparse.Namespace:
    return argparse.Namespace(
        benchmark=benchmark, data=str(data), split=split, limit=None, json_out=str(out)
    )


async def test_realtimeqa_eval_runs_on_a_fixture(tmp_path: Path, capsys) -> None:
    _write_jsonl(tmp_path / "articles.jsonl", ARTICLES)
    _write_jsonl(tmp_path / "questions.jsonl", QUESTIONS)
    out = tmp_path / "figures.json"
    assert await run_evaluation(_args("realtimeqa", tmp_path, out)) == 0
    figures = json.loads(out.read_text())
    assert figures["n"] == 2  # dev questions with the answer in the corpus
    assert figures["tech_related"]["n"] == 1
    keys = {"answer_recall_at_1", "answer_recall_at_3", "mc_at_5", "abstained"}
    assert keys <= set(figures) and keys <= set(figures["tech_related"])
    assert {"latency_ms_p50", "latency_ms_p95"} <= set(figures)
    assert figures["mc_at_5"] == 1.0  # both questions are easy on this corpus
    assert figures["answer_recall_at_3"] >= 0.5
    assert figures["corpus"]["articles_stored"] == 3
    assert "RealTimeQA dev" in capsys.readouterr().out


async def test_realtimeqa_question_date_hides_later_articles(tmp_path: Path) -> None:
    # Only a3, published six weeks after the quiz day, names the museum's city.
    later = _question(
        "q5", "dev", "In which city did an Internet Explorer museum open?", ["Seattle", "Paris"], 0
    )
    _write_jsonl(tmp_path / "articles.jsonl", ARTICLES)
    _write_jsonl(tmp_path / "questions.jsonl", [QUESTIONS[0], later])
    out = tmp_path / "figures.json"
    assert await run_evaluation(_args("realtimeqa", tmp_path, out)) == 0
    figures = json.loads(out.read_text())
    assert figures["mc_at_5"] == 0.5  # q1 right (a3's 1996 unseen); q5 not found


async def test_eval_reports_missing_data(tmp_path: Path, capsys) -> None:
    assert await run_evaluation(_args("realtimeqa", tmp_path, tmp_path / "x.json")) == 2
    assert await run_evaluation(_args("multihop-rag", tmp_path, tmp_path / "y.json")) == 2
    assert "not found" in capsys.readouterr().err


async def test_eval_refuses_a_json_file_it_cannot_write_before_running(
    tmp_path: Path, capsys
) -> None:
    _write_jsonl(tmp_path / "articles.jsonl", ARTICLES)
    _write_jsonl(tmp_path / "questions.jsonl", QUESTIONS)
    for out, why in [(tmp_path / "missing" / "f.json", "no folder"), (tmp_path, "a folder")]:
        assert await run_evaluation(_args("realtimeqa", tmp_path, out)) == 2
        err = capsys.readouterr()
        assert f"newsbot eval: cannot write --json {out}: " in err.err and why in err.err
        assert err.out == ""  # refused before ingesting and asking: no figures thrown away


def _evidence(fact: str, url: str, title: str, source: str = "TechCrunch") -> dict:
    return {
        "author": "A. Writer",
        "category": "technology",
        "fact": fact,
        "published_at": "2023-10-01T10:00:00+00:00",
        "source": source,
        "title": title,
        "url": url,
    }


async def test_multihop_eval_runs_on_a_fixture(tmp_path: Path) -> None:
    dev_ids = [str(i) for i in range(40) if split_of(str(i)) == "dev"][:3]
    records = [
        {
            "query": "Did TechCrunch report that Zephyra raised $40 million for its robot "
            "vacuums, and did The Verge say Zephyra robots map homes with lidar?",
            "answer": "Yes",
            "question_type": "comparison_query",
            "evidence_list": [
                _evidence(
                    "Zephyra raised $40 million to build robot vacuums.",
                    "https://techcrunch.example/zephyra",
                    "Zephyra raises $40M",
                ),
                _evidence(
                    "Zephyra robots map homes with lidar sensors.",
                    "https://verge.example/zephyra",
                    "Zephyra robot review",
                    source="The Verge",
                ),
            ],
            "subset_id": dev_ids[0],
        },
        {
            "query": "Which company, reported by TechCrunch, sells the Quorble smart kettle?",
            "answer": "Brewly",
            "question_type": "inference_query",
            "evidence_list": [
                _evidence(
                    "Brewly sells the Quorble smart kettle for $99.",
                    "https://techcrunch.example/brewly",
                    "Brewly launches Quorble",
                )
            ],
            "subset_id": dev_ids[1],
        },
        {
            "query": "Considering a BBC News article about Pamela Anderson and an ESPN report "
            "on Ellyse Perry, which jersey number does Perry wear?",
            "answer": "Insufficient information.",
            "question_type": "null_query",
            "evidence_list": [],
            "subset_id": dev_ids[2],
        },
    ]
    (tmp_path / DATA_FILE).write_text(json.dumps(records), encoding="utf-8")
    out = tmp_path / "figures.json"
    assert await run_evaluation(_args("multihop-rag", tmp_path, out)) == 0
    figures = json.loads(out.read_text())
    assert figures["n"] == 2 and figures["n_null"] == 1
    assert figures["hits_at_10"] == 1.0
    assert figures["evidence_recall_at_10"] == 1.0
    assert figures["null_abstained"] == 1.0
    assert figures["answerable_answered"] == 1.0


def test_retrieval_figures_follow_the_benchmark_script() -> None:
    query = MultiHopQuery("1", "q", "inference_query", ("Fact one here.", "Fact two here."))
    outcome = Outcome(query, ("noise", "x Fact two here. y", "Factonehere."), True, 1.0, 1.0)
    figures = retrieval_figures([outcome])
    assert figures["hits_at_4"] == figures["hits_at_10"] == 1.0
    assert figures["mrr_at_10"] == 0.5
    assert figures["map_at_10"] == round((1 / 2 + 1 / 3) / 2, 4)
    assert figures["evidence_recall_at_10"] == 1.0
