"""The engine on the bundled articles: the seed questions, typos, abstention."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.archive import Archive
from bot.search import Engine, Filters
from tests.conftest import NOW


@pytest.mark.parametrize(
    "question",
    [
        "how much is Meta spending on AI",
        "how much is meta spendng on ai",
        "How much is Meta spending on AI?",
        "how much is meta spending on a.i.",
    ],
)
async def test_seed_question_cites_the_600_billion_key_point_first(
    bundled_archive: Archive, question: str
) -> None:
    answer = await Engine(bundled_archive).answer(question, Filters(now=NOW))
    assert answer.answered
    first = answer.citations[0]
    assert "$600 billion" in first.text
    assert first.kind == "key_point"
    assert answer.text == first.text
    assert 1 <= len(answer.citations) <= 3


@pytest.mark.parametrize(
    ("question", "figure"),
    [("how many jbos did mircosoft cut?", "4,800 jobs"), ("meta spendng on ai", "$600 billion")],
)
async def test_misspelt_words_are_still_corrected(
    bundled_archive: Archive, question: str, figure: str
) -> None:
    answer = await Engine(bundled_archive).answer(question, Filters(now=NOW))
    assert answer.answered
    assert figure in answer.text


async def test_one_article_is_quoted_twice_at_most(bundled_archive: Archive) -> None:
    answer = await Engine(bundled_archive).answer(
        "how much is Meta spending on AI", Filters(now=NOW)
    )
    quoted = Counter(c.article_id for c in answer.citations)
    assert len(answer.citations) == 3
    assert max(quoted.values()) <= 2


@pytest.mark.parametrize(
    "question",
    [
        "what is the capital of Peru?",
        "Who won the 1998 World Cup in Paris?",
        # Common words the bundled articles lack, once read as "whether" and "pairs" (typo
        # corrections) and answered with full confidence.
        "What's the weather like today?",
        "paris",
    ],
)
async def test_question_outside_the_archive_abstains_with_headlines(
    bundled_archive: Archive, question: str
) -> None:
    answer = await Engine(bundled_archive).answer(question, Filters(now=NOW))
    assert not answer.answered
    assert answer.citations == []
    assert answer.message
    assert answer.confidence < Engine(bundled_archive).config.abstain_below


async def test_ranking_exposes_rule_parts_for_tuning(bundled_archive: Archive) -> None:
    engine = Engine(bundled_archive)
    response = await engine.respond("how much is Meta spending on AI", Filters(now=NOW))
    assert response.ranking is not None
    best = response.ranking.top(1)[0]
    assert set(best.parts) >= {"coverage", "kind", "intent", "recency", "article"}
    assert response.answer.citations[0].score == round(best.score, 4)


async def test_archive_growth_is_seen_without_a_restart(bundled_archive: Archive) -> None:
    from bot.ingest.pipeline import ingest_articles
    from bot.models import Article

    engine = Engine(bundled_archive)
    question = "What did Zorblax announce?"
    assert not (await engine.answer(question, Filters(now=NOW))).answered
    await ingest_articles(
        bundled_archive,
        [
            Article(
                title="Zorblax Industries unveils a quantum toaster",
                key_points=("Zorblax Industries announced a quantum toaster on Tuesday.",),
                source="Example News",
                url="https://news.example/zorblax",
            )
        ],
        now=NOW,
    )
    answer = await engine.answer(question, Filters(now=NOW))
    assert answer.answered
    assert "Zorblax" in answer.citations[0].text
