"""Which question words drive the search, and how much of the index each may read."""

from __future__ import annotations

from bot.search.terms import IndexQuery, TermGroup, search_plan


def _group(word: str, documents: int, *, name: bool = False) -> TermGroup:
    return TermGroup(word, frozenset({word}), documents=documents, name=name)


def _queries(groups: list[TermGroup], **bounds: int) -> list[IndexQuery]:
    settings = {
        "budget": 3000,
        "per_term": 1000,
        "min_terms": 3,
        "paired": 2,
        "max_documents": 100_000,
    }
    settings.update(bounds)
    return search_plan(groups, **settings)


def _plan(groups: list[TermGroup], **bounds: int) -> list[tuple[tuple[int, ...], str, int]]:
    return [(q.groups, q.expression, q.limit) for q in _queries(groups, **bounds)]


def test_rare_words_drive_the_search_rarest_first_within_the_budget() -> None:
    groups = [_group("year", 50_000), _group("nvidia", 40), _group("chips", 300)]
    plan = _plan(groups, min_terms=1, paired=0, max_documents=10_000)
    assert plan == [((1,), '"nvidia"', 1000), ((2,), '"chips"', 1000)]  # "year" is too common


def test_in_a_large_archive_several_words_still_drive_the_search() -> None:
    # Each word is in thousands of snippets: the first alone would spend the budget, and a
    # search driven by it alone would miss the story the other words name.
    groups = [_group("spacex", 19_000), _group("astronauts", 16_000), _group("crew", 27_000)]
    plan = _plan(groups, paired=0)
    assert [q[0] for q in plan] == [(1,), (0,), (2,)]
    assert all(limit == 1000 for *_, limit in plan)


def test_the_rarest_words_are_also_searched_in_pairs() -> None:
    groups = [_group("recalled", 18_000), _group("automaker", 9_000), _group("vehicles", 49_000)]
    assert _plan(groups)[-1] == ((1, 0), '("automaker") AND ("recalled")', 1000)
    pairs = [q[0] for q in _plan(groups, paired=3) if len(q[0]) == 2]
    assert pairs == [(1, 0), (1, 2), (0, 2)]


def test_a_name_beyond_the_rarest_words_is_read_with_the_two_rarest() -> None:
    # "What is the name of SpaceX's rocket, which exploded shortly after lifting off?" at
    # 100,000 articles: the three rarest words are not the story's, and SpaceX names it.
    groups = [
        _group("spacex", 20_400, name=True),
        _group("rocket", 17_125),
        _group("exploded", 2_800),
        _group("shortly", 8_764),
        _group("lifting", 11_687),
    ]
    pairs = [q[0] for q in _plan(groups, paired=3) if len(q[0]) == 2]
    assert pairs == [(2, 3), (2, 4), (2, 0), (3, 0)]  # not ("shortly", "lifting")
    # A name among the rarest words is paired as any of them is, and changes nothing.
    groups[0] = _group("spacex", 900, name=True)
    pairs = [q[0] for q in _plan(groups, paired=3) if len(q[0]) == 2]
    assert pairs == [(0, 2), (0, 3), (2, 3)]


def test_two_words_read_in_full_are_not_read_again_as_a_pair() -> None:
    groups = [_group("recalled", 800), _group("automaker", 90), _group("vehicles", 4_000)]
    pairs = [q[0] for q in _plan(groups, paired=3) if len(q[0]) == 2]
    assert pairs == [(1, 2), (0, 2)]  # "automaker" and "recalled" are both read whole


def test_a_word_the_archive_does_not_hold_drives_nothing() -> None:
    assert _plan([_group("zyxwv", 0)]) == []


def test_a_pair_with_a_rare_word_is_read_forwards_but_not_a_pair_of_common_words() -> None:
    groups = [_group("ai", 90_000), _group("chips", 60_000), _group("nvidia", 3_000)]
    forwards = {q.groups: q.forwards for q in _queries(groups, paired=3)}
    # Nvidia meets each of the others at most 3,000 times: read whole, oldest first, cheaply.
    assert forwards == {
        (2,): False,
        (1,): False,
        (0,): False,
        (2, 1): True,
        (2, 0): True,
        (1, 0): False,
    }
