"""The scoring helpers behave as the RealTimeQA README and MultiHop-RAG's script define."""

from __future__ import annotations

import pytest

from bot.evaluation.metrics import (
    earliest_choice,
    normalise_answer,
    normalise_text,
    occurs,
    percentile,
    rate,
)


def test_answer_normalisation() -> None:
    assert normalise_answer("  “Golden”  ") == "golden"
    assert normalise_answer("The  Bahamas.") == "the bahamas"
    assert normalise_answer("O’Brien") == "o'brien"
    assert normalise_text("It’s  “Golden”.\n") == 'it\'s "golden".'


@pytest.mark.parametrize(
    ("needle", "haystack", "expected"),
    [
        ("1995", "debuted in 1995 with windows", True),
        ("95", "debuted in 1995", False),
        ("iran", "tehran and iran's leaders", True),
        ("iran", "tehran", False),
        ("4,500", "about 4,500 satellites", True),
        ("", "anything", False),
    ],
)
def test_occurs_needs_word_boundaries(needle: str, haystack: str, expected: bool) -> None:
    assert occurs(needle, haystack) is expected


def test_earliest_choice_by_rank_then_offset() -> None:
    choices = ["Apple", "Samsung", "Google"]
    assert earliest_choice(choices, ["nothing here", "Samsung and Apple", "Google"]) == 1
    assert earliest_choice(choices, ["Google first", "Apple"]) == 2
    assert earliest_choice(choices, ["no choice at all"]) is None
    assert earliest_choice(["King Charles", "King Charles III"], ["King Charles III said"]) == 1


def test_percentile_and_rate() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.95) == 4.0
    assert percentile([], 0.5) == 0.0
    assert rate(1, 3) == 0.3333
    assert rate(0, 0) == 0.0
