"""Topic matching: case, plurals, typos, other spellings, exclusions, and the matched words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.alerts.matching import ArticleIndex, ArticleText, Topic, exclusions, match_topic

NVIDIA = ArticleText(
    1,
    "Nvidia's A.I. chips sell out as data centers expand",
    ["Demand for artificial intelligence hardware grew 50% this quarter."],
    ["chips", "nvidia"],
)
EV = ArticleText(2, "BYD overtakes Tesla", ["BYD sold more electric vehicles than Tesla."], ["ev"])


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("nvidia", ["nvidia"]),
        ("NVIDIA", ["nvidia"]),
        ("nvdia", ["nvidia"]),  # typo
        ("chip", ["chip"]),  # singular topic, plural text
        ("AI", ["ai", "artificial intelligence"]),
        ("A.I.", ["ai", "artificial intelligence"]),
        ("artificial intelligence", ["artificial intelligence", "ai"]),
        ("data centre", ["data center"]),
    ],
)
def test_topic_matches_and_says_which_words(topic: str, expected: list[str]) -> None:
    assert match_topic(topic, NVIDIA) == expected


@pytest.mark.parametrize("topic", ["apple", "tesla", "intelligence artificial", "nvidia apple"])
def test_unrelated_topics_do_not_match(topic: str) -> None:
    assert match_topic(topic, NVIDIA) == []


def test_a_phrase_never_spans_two_fields() -> None:
    article = ArticleText(3, "Tesla's board backs Elon", ["Musk shares rose."], ["open", "ai"])
    assert match_topic("elon musk", article) == []
    assert match_topic("open ai", article) == []
    assert match_topic("tesla board", article) == ["tesla board"]


@pytest.mark.parametrize(
    ("topic", "title"),
    [
        ("spacex", "Space tourism grows"),
        ("iphone", "A phone for the elderly"),
        ("micron", "Micro LED displays"),
        ("russia", "Prussia's history retold"),
        ("paris", "A parish council votes"),
    ],
)
def test_a_word_inside_another_is_not_a_typo(topic: str, title: str) -> None:
    assert match_topic(topic, ArticleText(4, title, [], [])) == []


@pytest.mark.parametrize(
    ("topic", "title"),
    [
        ("nuclear", "It is unclear whether the merger will close"),
        ("protests", "New rules protect gig workers"),
        ("housing", "Cloud hosting prices rise"),
        ("pensions", "Trade tensions weigh on chipmakers"),
    ],
)
def test_a_common_word_is_not_a_typo_of_another(topic: str, title: str) -> None:
    assert match_topic(topic, ArticleText(9, title, [], [])) == []


@pytest.mark.parametrize(
    ("topic", "title", "expected"),
    [
        ("nuclear", "Nuclear power for data centers", ["nuclear"]),
        ("nvidia", "Nvida unveils new GPUs", ["nvida"]),  # the article's typo
    ],
)
def test_forms_and_typos_still_match(topic: str, title: str, expected: list[str]) -> None:
    assert match_topic(topic, ArticleText(10, title, [], [])) == expected


@pytest.mark.parametrize(
    ("topic", "title", "expected"),
    [
        ("news", "New iPad launched", []),  # "news" is not the plural of "new"
        ("series", "Netflix series renewed", ["series"]),
        ("bus", "Electric buses arrive in Oslo", ["bus"]),
        ("analysis", "Two analyses disagree", ["analysis"]),
    ],
)
def test_irregular_plurals(topic: str, title: str, expected: list[str]) -> None:
    assert match_topic(topic, ArticleText(5, title, [], [])) == expected


def test_excluded_word_vetoes_a_match() -> None:
    assert match_topic("nvidia", NVIDIA, exclude="chips") == []
    assert match_topic("nvidia", NVIDIA, exclude="apple, tesla") == ["nvidia"]


def test_an_excluded_phrase_vetoes_only_the_phrase() -> None:
    watch = ArticleText(7, "Apple Watch gets its blood oxygen sensor back", [], [])
    prices = ArticleText(8, "Apple cuts iPhone prices", ["Analysts watch margins."], [])
    assert match_topic("apple", watch, exclude="apple watch, rumor") == []
    assert match_topic("apple", prices, exclude="apple watch, rumor") == ["apple"]
    assert match_topic("apple", prices, exclude="rumor, watch") == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Apple  Watch,rumor", "apple watch, rumor"),
        (" , rumor,, RUMOR ,", "rumor"),
        ("", ""),
    ],
)
def test_exclusions_are_stored_as_phrases_separated_by_commas(typed: str, stored: str) -> None:
    assert exclusions(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # Quotes only say "one phrase", as in a topic: stored and shown without them, except
        # around a phrase with a comma in it, which would otherwise be read back as two.
        ('"Apple Watch", rumor, "rumor"', "apple watch, rumor"),
        ("“Apple Watch”, rumor", "apple watch, rumor"),  # a phone keyboard's quotes
        ('"1,000 layoffs", Rumor', '"1,000 layoffs", rumor'),
        ("„pay, or consent“", '"pay, or consent"'),
        ('"", rumor', "rumor"),
    ],
)
def test_a_quoted_exclusion_is_one_phrase_even_with_a_comma(typed: str, stored: str) -> None:
    assert exclusions(typed) == stored


def test_a_quoted_exclusion_with_a_comma_vetoes_only_the_phrase() -> None:
    # Split at its comma, "1,000 layoffs" would rule out every article with a "1" in it.
    one = ArticleText(9, "Nvidia sells 1 million GPUs", [], [])
    layoffs = ArticleText(10, "Nvidia: 1,000 layoffs in Santa Clara", [], [])
    exclude = exclusions('"1,000 layoffs", rumor')
    assert match_topic("nvidia", one, exclude=exclude) == ["nvidia"]
    assert match_topic("nvidia", layoffs, exclude=exclude) == []


def test_a_phrase_with_or_in_it_matches_every_word_of_it() -> None:
    # "or" is a stop word to search, but not to the matcher: the phrase keeps it, so "pay or
    # consent" matches the phrase and not "pay and consent".
    meta = ArticleText(11, "Meta's pay or consent model faces an EU fine", [], [])
    hyphenated = ArticleText(12, "EU rules on Meta's pay-or-consent ads", [], [])
    other = ArticleText(13, "Users pay and consent to nothing", [], [])
    assert match_topic("pay or consent", meta) == ["pay or consent"]
    assert match_topic("pay or consent", hyphenated) == ["pay or consent"]
    assert match_topic("pay or consent", other) == []


def test_other_spelling_of_multiword_topic() -> None:
    assert match_topic("EVs", EV) == ["ev", "electric vehicle"]


def test_index_matches_many_articles_at_once() -> None:
    index = ArticleIndex([NVIDIA, EV])
    assert index.matches(Topic.parse("tesla")) == {2: ["tesla"]}
    assert set(index.matches(Topic.parse("ai"))) == {1}


@given(st.sampled_from(["nvidia", "chips", "artificial intelligence", "tesla"]), st.data())
def test_matching_is_case_stable(topic: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(topic), max_size=len(topic)))
    mixed = "".join(c.upper() if flip else c for c, flip in zip(topic, flips, strict=True))
    assert match_topic(mixed, NVIDIA) == match_topic(topic, NVIDIA)
    assert match_topic(mixed, EV) == match_topic(topic, EV)


@pytest.mark.parametrize(
    ("topic", "title", "expected"),
    [
        ("C++", "C++26 adds reflection; C++ compilers follow", ["c++"]),
        ("c#", "Microsoft ships C# 14", ["c#"]),
        ("C++", "Startup raises Series C from a C-suite veteran", []),
        ("C#", "Vitamin C sales grow", []),
        ("c#", "C++ turns 40", []),
        ("c", "Microsoft ships C# 14", []),
    ],
)
def test_programming_languages_are_not_the_letter_c(
    topic: str, title: str, expected: list[str]
) -> None:
    assert match_topic(topic, ArticleText(6, title, [], [])) == expected


@pytest.mark.parametrize(
    ("topic", "title", "expected"),
    [
        (".NET", "Microsoft ships .NET 10 with C# 14", [".net"]),
        (".NET", "Sunderland net win over Leeds", []),
        ("net", "Microsoft ships .NET 10", []),
        ("AT&T", "AT&T's fiber unit adds 300,000 customers", ["at&t"]),
        ("AT&T", "Layoffs at T-Mobile hit retail staff", []),
        ("R&D", "Samsung raises R&D spending", ["r&d"]),
        # Names whose symbols only join words, and names with digits, match as before.
        ("Node.js", "Node.js 24 drops Windows 8 support", ["node js"]),
        ("Wi-Fi", "Wi-Fi 7 routers arrive", ["wi fi"]),
        ("3D", "3D printing startup raises $20 million", ["3d"]),
        ("5G", "5G reaches rural Europe", ["5g"]),
    ],
)
def test_a_name_with_symbols_matches_only_itself(
    topic: str, title: str, expected: list[str]
) -> None:
    # ".NET" read as "net" alerted on football results, "AT&T" as "at t" on "at T-Mobile".
    assert match_topic(topic, ArticleText(7, title, [], [])) == expected
