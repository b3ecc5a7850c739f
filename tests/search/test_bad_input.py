"""Questions that are not questions never raise: they get an answer or a clean abstention."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.archive import Archive
from bot.ingest.pipeline import ingest_paths
from bot.search import Answer, Engine, Filters
from bot.settings import bundled_data_dir
from tests.conftest import NOW

FTS_SYNTAX = ['"', "*", "NEAR(", "OR", "AND", "NOT", "(", ")", "-", ":", "\\", "^", "+", "{", "}"]
BAD_QUESTIONS = [
    "",
    "   \n\t ",
    "the of and what is it",
    "🙂🚀🔥🤖",
    "x" * 10_000,
    "Nvidia " * 1_500,
    "Quelle est la capitale du Pérou ?",
    "¿Cuánto gasta Meta en inteligencia artificial?",
    "英伟达的收入是多少",
    "Какова выручка Nvidia?",
    *FTS_SYNTAX,
    " ".join(FTS_SYNTAX),
    'nvidia" OR "meta',
    "title:nvidia",
    "NEAR(meta ai, 3)",
    "meta* AND (ai OR -cloud)",
    '"unterminated quote',
    "C:\\path\\to\\file",
    "\x00\x01\x02 nvidia",
    "'; DROP TABLE articles; --",
    "%_% LIKE %",
]


def _check(answer: Answer, question: str) -> None:
    assert isinstance(answer, Answer)
    assert answer.question == question
    if answer.answered:
        assert answer.citations and answer.text
    else:
        assert not answer.citations
        assert answer.message


@pytest.mark.parametrize("question", BAD_QUESTIONS)
async def test_bad_question_gets_an_answer_or_a_clean_abstention(
    bundled_archive: Archive, question: str
) -> None:
    answer = await Engine(bundled_archive).answer(question, Filters(now=NOW))
    _check(answer, question)


async def test_empty_and_stop_word_questions_abstain_with_a_reason(
    bundled_archive: Archive,
) -> None:
    engine = Engine(bundled_archive)
    for question in ["", "   ", "🙂🚀", "what is the"]:
        answer = await engine.answer(question, Filters(now=NOW))
        assert not answer.answered
        assert answer.message


@pytest.mark.parametrize("greeting", ["hi", "hi there", "help", "thank you!", "Hello, newsbot"])
async def test_greetings_are_not_searched(bundled_archive: Archive, greeting: str) -> None:
    answer = await Engine(bundled_archive).answer(greeting, Filters(now=NOW))
    assert not answer.answered and not answer.citations
    assert "how much is Meta spending on AI?" in (answer.message or "")


async def test_empty_archive_abstains(archive: Archive) -> None:
    answer = await Engine(archive).answer("how much is Meta spending on AI", Filters(now=NOW))
    assert not answer.answered
    assert answer.message


def test_engine_never_raises_on_arbitrary_text(tmp_path: Path) -> None:
    """Property: any Unicode text, FTS5 syntax included, gives an Answer."""
    loop = asyncio.new_event_loop()
    archive = loop.run_until_complete(Archive.open(tmp_path / "property.db"))
    try:
        loop.run_until_complete(ingest_paths(archive, [str(bundled_data_dir())], now=NOW))
        engine = Engine(archive)
        fragments = st.one_of(st.text(max_size=30), st.sampled_from([*FTS_SYNTAX, "meta", "AI"]))

        @settings(
            max_examples=200,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(st.one_of(st.text(), st.lists(fragments, max_size=12).map(" ".join)))
        def check(question: str) -> None:
            answer = loop.run_until_complete(engine.answer(question, Filters(now=NOW)))
            _check(answer, question)

        check()
    finally:
        loop.run_until_complete(archive.close())
        loop.close()
