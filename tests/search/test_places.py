"""Place names found in text: what a "where" question's answer looks like."""

from __future__ import annotations

from bot.search.places import places_in
from bot.search.text import tokens


def test_places_of_several_words_are_found() -> None:
    found = places_in(tokens("Flights from New York City to Papua New Guinea resumed."))
    assert ("new", "york", "city") in found
    assert ("papua", "new", "guinea") in found


def test_words_that_are_mostly_something_else_are_not_places() -> None:
    assert places_in(tokens("Tell us about the jersey Jordan wore in Chad.")) == set()
    assert places_in(tokens("She moved to New Jersey.")) == {("new", "jersey")}
