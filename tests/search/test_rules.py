"""One test per ranking rule: each named rule alone, then its effect on a small archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.archive import Archive
from bot.archive.index import SnippetRow
from bot.ingest.pipeline import ingest_articles
from bot.search import Engine, Filters, rank
from bot.search.config import RankConfig
from bot.search.question import analyse
from bot.search.terms import TermGroup
from bot.search.text import content_words, tokens
from tests.search.conftest import FILLER, NOW, Build, article


def test_key_point_outweighs_body_sentence() -> None:
    assert rank.kind_weight("key_point") > rank.kind_weight("summary") > rank.kind_weight("body")
    assert rank.kind_weight("body") > rank.kind_weight("title")


async def test_key_point_beats_body_sentence_with_the_same_words(build: Build) -> None:
    engine = await build(
        [
            article(
                "Acme factory news",
                key_points=("Acme cuts 500 Ohio jobs at the Dayton factory.",),
                body="Local officials met on Monday.\n"
                "At the Dayton factory, Acme cuts 500 Ohio jobs.",
            )
        ]
    )
    answer = await engine.answer("Acme Ohio jobs Dayton factory", Filters(now=NOW))
    assert answer.answered
    assert answer.citations[0].kind == "key_point"


async def test_body_sentence_that_says_more_of_the_question_beats_a_key_point(build: Build) -> None:
    # Most key points are picked out of the body at ingest: they earn a head start, not a
    # lead that buries the sentence holding more of what was asked.
    engine = await build(
        [
            article(
                "Acme phone news",
                key_points=(
                    "Acme unveiled the Zephyr phone, its first since a $2 billion merger.",
                ),
                body="The Zephyr phone will cost $799 in Dayton.",
            )
        ]
    )
    answer = await engine.answer(
        "How much will the Acme Zephyr phone cost in Dayton?", Filters(now=NOW)
    )
    assert "$799" in answer.citations[0].text


def test_coverage_weighs_rare_words_and_related_words_less() -> None:
    groups = [
        TermGroup("nvidia", frozenset({"nvidia"}), weight=3.0),
        TermGroup("spend", frozenset({"spend"}), frozenset({"invest"}), weight=1.0),
    ]
    coverage = rank.Coverage(groups, related_weight=0.5)
    assert coverage({"nvidia", "spend"}) == (1.0, frozenset({0, 1}))
    assert coverage({"nvidia"}) == (0.75, frozenset({0}))
    assert coverage({"nvidia", "invest"}) == (0.875, frozenset({0, 1}))
    assert coverage({"intel"}) == (0.0, frozenset())


def test_amount_intent_wants_an_amount() -> None:
    question = analyse("How much did Acme pay for Widgetco?", now=NOW)
    assert question.intent == "amount"
    assert rank.intent_bonus(question, "Acme paid $2.1 billion for Widgetco.") == 1.0
    assert rank.intent_bonus(question, "Acme paid 40 percent more than expected.") == 1.0
    assert rank.intent_bonus(question, "Acme paid for Widgetco with cash.") == 0.0


async def test_amount_intent_ranks_the_sentence_with_the_amount_first(build: Build) -> None:
    engine = await build(
        [
            article(
                "Acme buys Widgetco",
                key_points=(
                    "Acme agreed to buy Widgetco after months of talks with its founders.",
                    "Acme will buy Widgetco for $2.1 billion in cash.",
                ),
            )
        ]
    )
    answer = await engine.answer("how much will Acme pay to buy Widgetco?", Filters(now=NOW))
    assert "$2.1 billion" in answer.citations[0].text


def test_date_intent_wants_a_date() -> None:
    question = analyse("When will Acme open the Dayton plant?", now=NOW)
    assert question.intent == "date"
    assert rank.intent_bonus(question, "The plant opens on March 3, officials said.") == 1.0
    assert rank.intent_bonus(question, "The plant opens soon, officials said.") == 0.0
    year = analyse("What year did Internet Explorer debut?", now=NOW)
    assert year.intent == "year"
    assert rank.intent_bonus(year, "It debuted in 1995 with Windows 95.") == 1.0


async def test_date_intent_ranks_the_sentence_with_the_date_first(build: Build) -> None:
    engine = await build(
        [
            article(
                "Acme Dayton plant",
                key_points=(
                    "Acme will open its Dayton plant soon, executives told reporters.",
                    "Acme will open its Dayton plant on March 3.",
                ),
            )
        ]
    )
    answer = await engine.answer("When will Acme open the Dayton plant?", Filters(now=NOW))
    assert "March 3" in answer.citations[0].text


def test_person_intent_wants_a_new_name() -> None:
    question = analyse("Who will lead Acme?", now=NOW)
    assert question.intent == "person"
    assert rank.intent_bonus(question, "The board named Jane Doe to lead Acme.") > 0.0
    assert rank.intent_bonus(question, "The board will pick a leader for Acme.") == 0.0
    # A new name is weaker evidence than a date: nearly every sentence has a capitalised word.
    when = analyse("When will Acme list its shares?", now=NOW)
    dated = rank.intent_bonus(when, "Acme lists its shares on June 12.")
    assert rank.intent_bonus(question, "The board named Jane Doe to lead Acme.") < dated


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("who is the CEO of OpenAI?", ("ceo", ("openai",))),
        ("Who is Nvidia's CEO?", ("ceo", ("nvidia",))),
        ("Who's the current chief executive of Scale AI", ("ceo", ("scale", "ai"))),
        ("Who is the owner of The Washington Post?", ("owner", ("washington", "post"))),
        ("OpenAI CEO?", ("ceo", ("openai",))),
        ("Who is Tesla CEO Elon Musk dating?", None),  # names the role, does not ask it
        ("Who is the CEO of the company?", None),  # no organisation named
        ("Which companies did the OpenAI CEO visit?", None),
    ],
)
def test_a_question_asking_who_holds_a_role(
    question: str, role: tuple[str, tuple[str, ...]] | None
) -> None:
    assert analyse(question, now=NOW).role == role


@pytest.mark.parametrize(
    ("text", "names_it"),
    [
        ("OpenAI CEO Sam Altman said on Monday that sales doubled.", True),
        ("Altman returned as chief executive of the OpenAI board's pick.", True),
        ("Sam Altman, OpenAI's co-founder and chief executive, said so.", True),
        ("OpenAI grew fast, and CEO Sam Altman wants more chips.", True),  # the role alone
        ("The CEO said OpenAI needs more chips.", True),
        ("Scale AI CEO Alexandr Wang said models from OpenAI cost more.", False),
        ("Microsoft CEO Satya Nadella praised OpenAI.", False),
        ("Sam Altman runs OpenAI.", False),  # not in the role's words
    ],
)
def test_a_role_is_named_for_its_organisation_only(text: str, names_it: bool) -> None:
    assert rank.names_role(("ceo", ("openai",)), text) is names_it


async def test_who_holds_a_role_is_answered_only_by_a_sentence_that_says_so(build: Build) -> None:
    # Both words in one article (or one sentence) are no answer: the CEO quoted is another
    # company's. The bot says the archive has no answer rather than quote him.
    engine = await build(
        [
            article(
                "Chatbot rivals compared",
                key_points=(
                    "Scale AI CEO Alexandr Wang said the models match those from OpenAI.",
                    "OpenAI released a new model this week.",
                ),
            )
        ]
    )
    question = "Who is the CEO of OpenAI?"
    assert not (await engine.answer(question, Filters(now=NOW))).answered
    assert (await engine.answer("Who is the CEO of Scale AI?", Filters(now=NOW))).answered
    await ingest_articles(
        engine.archive,
        [article("OpenAI names a chief", key_points=("OpenAI CEO Sam Altman met investors.",))],
        now=NOW,
    )
    answer = await engine.answer(question, Filters(now=NOW))
    assert answer.answered
    assert answer.citations[0].text == "OpenAI CEO Sam Altman met investors."


async def test_the_sentence_that_names_the_role_holder_ranks_first(build: Build) -> None:
    # The newer article's sentence holds both words, but names another company's CEO.
    engine = await build(
        [
            article(
                "Chatbot rivals compared",
                days_ago=1,
                key_points=("Scale AI CEO Alexandr Wang said its models match OpenAI's.",),
            ),
            article(
                "OpenAI raises money",
                days_ago=40,
                key_points=("OpenAI, led by CEO Sam Altman, raised $6 billion.",),
            ),
        ]
    )
    answer = await engine.answer("Who is the CEO of OpenAI?", Filters(now=NOW))
    assert answer.answered
    assert answer.citations[0].text == "OpenAI, led by CEO Sam Altman, raised $6 billion."


def test_the_earliest_question_phrase_says_what_is_asked() -> None:
    """A word such as "value" or "price" later in the question does not make it ask for an
    amount, and a yes/no question asks for no kind of thing."""
    cases = {
        "Which company topped $5 trillion in market value this week?": "name",
        "What company is accused of rigging search results to raise ad revenue?": "name",
        "Who advised the trader on withdrawals worth billions?": "person",
        "How much is Meta spending on AI?": "amount",
        "What is the price of the new iPhone?": "amount",
        "In what year did Acme go public?": "year",
        "Does the article suggest a higher sale price than Chelsea fetched?": "other",
        "Do you know who leads OpenAI?": "person",
        "Is it true that Acme was fined, and how much?": "amount",
    }
    assert {text: analyse(text, now=NOW).intent for text in cases} == cases


def test_a_clause_after_a_comma_does_not_set_what_is_asked() -> None:
    """ "who", "where" and "when" after a comma describe something; the question word asks."""
    cases = {
        "Kanye West, who changed his name to Ye, is buying which social media platform?": "name",
        "Which app, where women share tips about dates, was hacked?": "name",
        "What color should you not wear after Labor Day, when summer ends?": "other",
        "Who will lead Acme, the chipmaker?": "person",
        "Where, exactly, did the fire start?": "place",
    }
    assert {text: analyse(text, now=NOW).intent for text in cases} == cases


def test_place_question_wants_a_known_place_it_does_not_name() -> None:
    question = analyse("Hackers linked to which country stole $3.8 billion in crypto?", now=NOW)
    assert question.intent == "place"
    assert analyse("Which US state passed the law?", now=NOW).intent == "place"
    named = tokens("Investigators blamed hackers working for North Korea.")
    assert rank.place_answer(question, named) == 1.0
    unnamed = tokens("Investigators blamed hackers working for Lazarus Group.")
    assert rank.place_answer(question, unnamed) == 0.0
    # A place the question already names is not the answer.
    fire = analyse("Where did the fire near Los Angeles start?", now=NOW)
    assert rank.place_answer(fire, tokens("The fire near Los Angeles spread fast.")) == 0.0
    assert rank.place_answer(fire, tokens("The fire began in Malibu, California.")) == 1.0
    who = analyse("Who leads Acme?", now=NOW)
    assert rank.place_answer(who, named) == 0.0


async def test_place_question_ranks_the_sentence_naming_a_place_first(build: Build) -> None:
    engine = await build(
        [
            article(
                "Tanker seized",
                key_points=(
                    "The coast guard seized the oil tanker as it tried to sail away from the US.",
                    "The seized oil tanker had left Venezuela last month.",
                ),
            )
        ]
    )
    answer = await engine.answer(
        "The US seized an oil tanker. Which country did the tanker sail from?", Filters(now=NOW)
    )
    assert "Venezuela" in answer.citations[0].text


def test_recency_halves_every_half_life() -> None:
    now = NOW.timestamp()
    assert rank.recency(now, now, 30) == 1.0
    assert abs(rank.recency(now - 30 * 86400, now, 30) - 0.5) < 1e-9
    assert rank.recency(now + 86400, now, 30) == 1.0  # never above 1


async def test_recency_breaks_a_tie_between_equal_articles(build: Build) -> None:
    text = "Acme recalls its Zephyr scooters after battery fires."
    engine = await build(
        [
            article("Acme Zephyr recall (old)", days_ago=40, key_points=(text,)),
            article("Acme Zephyr recall (new)", days_ago=2, key_points=(text,)),
        ]
    )
    answer = await engine.answer("Why is Acme recalling Zephyr scooters?", Filters(now=NOW))
    assert answer.citations[0].title == "Acme Zephyr recall (new)"


async def test_a_sentence_several_articles_carry_is_quoted_from_the_one_about_the_question(
    build: Build,
) -> None:
    """A roundup a month later repeats the recall report's sentence among other stories.
    The quote comes from the report (its headline and link under it), not from the roundup,
    though the roundup is newer."""
    recall = "Acme recalls 5,000 Zephyr scooters after battery fires in Ohio."
    report = article(
        "Acme recalls Zephyr scooters",
        days_ago=40,
        key_points=(recall, "Owners of Zephyr scooters get a refund or a new battery."),
    )
    roundup = article(
        "Tech news roundup",
        days_ago=1,
        key_points=(
            "Globex opens a data centre in Oslo.",
            recall,
            "Initech shares rose after its earnings beat forecasts.",
        ),
    )
    engine = await build([report, roundup])
    answer = await engine.answer("why is Acme recalling Zephyr scooters?", Filters(now=NOW))
    quote = next(c for c in answer.citations if c.text == recall)
    assert quote.title == "Acme recalls Zephyr scooters"


async def test_equal_matches_enter_the_article_pool_newest_then_latest_stored(
    build: Build,
) -> None:
    """Articles that match equally compete for the pool by date, then by when they were
    stored: of four same-day copies and an older one, a pool of three takes the three copies
    stored last."""
    text = "Acme recalls its Zephyr scooters after battery fires."
    copies = [article(f"Acme recall copy {i}", days_ago=3, key_points=(text,)) for i in range(4)]
    older = article("Acme recall first report", days_ago=9, key_points=(text,))
    engine = await build([copies[0], older, *copies[1:]])
    config = RankConfig(article_pool=3, relevance_pool=0)
    ranking = await Engine(engine.archive, config).rank(
        "Why is Acme recalling Zephyr scooters?", Filters(now=NOW)
    )
    heads = await engine.archive.index.heads({s.hit.article_id for s in ranking.scored})
    assert sorted(head.title for head in heads.values()) == [
        "Acme recall copy 1",
        "Acme recall copy 2",
        "Acme recall copy 3",
    ]


async def test_copies_of_one_story_leave_room_for_another_with_per_story(build: Build) -> None:
    # Four newer copies of one story (the same headline, edited the way outlets edit it) fill
    # a pool of two, and the older article that answers is never read; with one article per
    # story, it is.
    recall = "Acme recalls 5,000 e-bikes over battery fires."
    copies = [
        article(title, days_ago=days, key_points=(recall,))
        for days, title in enumerate(
            [
                "Acme recalls e-bikes",
                "Update: Acme recalls e-bikes",
                "Acme recalls e-bikes, report says",
                "Acme recalls e-bikes: what we know",
            ],
            start=1,
        )
    ]
    widened = article(
        "Acme widens its recall",
        days_ago=60,
        key_points=("Acme widened the e-bike recall to its scooters, citing battery fires.",),
    )
    engine = await build([widened, *copies])
    question = "did the Acme e-bike recall widen to scooters?"

    async def cited(per_story: int) -> str:
        config = RankConfig(article_pool=2, relevance_pool=0, per_story=per_story)
        answer = await Engine(engine.archive, config).answer(question, Filters(now=NOW))
        return answer.citations[0].title

    assert await cited(per_story=0) != "Acme widens its recall"
    assert await cited(per_story=1) == "Acme widens its recall"


def test_headlines_of_one_story() -> None:
    from bot.search.candidates import same_story

    def words(title: str) -> frozenset[str]:
        return frozenset(content_words(title))

    assert same_story(words("Update: Acme recalls e-bikes"), words("Acme recalls e-bikes"))
    assert same_story(words("Acme recalls e-bikes, report says"), words("Acme recalls e-bikes"))
    assert not same_story(words("Acme recalls e-bikes"), words("Acme launches e-bikes in Peru"))
    assert not same_story(words("What to know about Acme"), words("What to know about Zephyr"))


async def test_articles_after_now_do_not_exist_yet(build: Build) -> None:
    engine = await build(
        [article("Acme Zephyr launch", days_ago=1, key_points=("Acme launched Zephyr.",))]
    )
    before = await engine.answer("Acme Zephyr launch", Filters(now=NOW - timedelta(days=5)))
    after = await engine.answer("Acme Zephyr launch", Filters(now=NOW))
    assert not before.answered and after.answered


async def test_a_question_about_the_past_reads_the_index_back_from_its_own_time(
    build: Build,
) -> None:
    """The index is read newest stored first, each word only so far. Asked as of a past day,
    the search reads back from that day: the reviews stored since, which did not exist then,
    must not use up what it reads of "Acme", "Zephyr" and "scooter"."""
    launch = article("Acme Zephyr scooter", days_ago=30, key_points=("Acme Zephyr scooter.",))
    reviews = [
        article(f"Acme Zephyr scooter review {i}", days_ago=i + 1, key_points=(f"Review {i}.",))
        for i in range(6)
    ]
    engine = await build([launch, *reviews])
    config = RankConfig(term_postings=3, postings_budget=9)
    asked = NOW - timedelta(days=20)
    answer = await Engine(engine.archive, config).answer("Acme Zephyr scooter", Filters(now=asked))
    assert answer.answered
    assert answer.citations[0].title == "Acme Zephyr scooter"


async def test_a_story_the_rarest_words_miss_is_found_through_the_name_it_is_asked_by(
    build: Build,
) -> None:
    """In a large archive the budget reads only the rarest question words, each only so far:
    here "exploded", "shortly" and "lifting", which newer articles about something else fill.
    The name the question gives ("Acme") finds the story, read together with them."""
    launch = article(
        "Acme launch", days_ago=5, body="Acme's Starship rocket exploded shortly after lifting off."
    )
    company = [
        article(
            f"Acme quarter {i}",
            days_ago=10 + i,
            body=f"Acme said its rocket business grew in quarter {i}. Acme rocket sales rose.",
        )
        for i in range(6)
    ]
    fireworks = [
        article(
            f"Fireworks night {i}",
            days_ago=1 + i / 10,
            body="The fireworks exploded shortly after the band started lifting the mood.",
        )
        for i in range(4)
    ]
    engine = await build([launch, *company, *fireworks])
    config = RankConfig(term_postings=3, postings_budget=9)
    answer = await Engine(engine.archive, config).answer(
        "Which Acme rocket exploded shortly after lifting off?", Filters(now=NOW)
    )
    assert answer.answered
    assert answer.citations[0].title == "Acme launch"


async def test_typo_is_corrected_against_the_archive_vocabulary(build: Build) -> None:
    engine = await build(
        [
            article(
                "Nvidia results",
                key_points=("Nvidia reported record spending on data centers this quarter.",),
            )
        ]
    )
    await engine.warm_up()
    assert "nvidia" in engine.vocabulary.variants("nvida")
    assert "spending" in engine.vocabulary.variants("spendng")
    answer = await engine.answer("nvida spendng", Filters(now=NOW))
    assert answer.answered
    assert "Nvidia" in answer.citations[0].text
    assert answer.searched_terms == ["nvida", "spendng"]


async def test_short_words_are_not_corrected_into_other_words(build: Build) -> None:
    engine = await build([article("Nvidia meeting", body="Nvidia met investors in Dayton.")])
    await engine.warm_up()
    assert engine.vocabulary.variants("meta") == []  # not "met"
    assert engine.vocabulary.variants("investers") == ["investors"]  # a longer word is


async def test_common_words_stand_only_for_their_own_forms(build: Build) -> None:
    engine = await build(
        [
            article(
                "Court ruling",
                body="The firm accuses its rival of fraud. A hearing on whether the content "
                "was copied is set for May.",
            )
        ]
    )
    await engine.warm_up()
    assert engine.vocabulary.variants("accused") == ["accuses"]  # another form of the word
    assert engine.vocabulary.variants("harming") == []  # not "hearing"
    assert engine.vocabulary.variants("context") == []  # not "content"
    assert engine.vocabulary.variants("contnet") == ["content"]  # a typo still is corrected


async def test_a_question_finds_the_words_other_forms(build: Build) -> None:
    # Asked in one form, said in another: a "-ing" of a verb ending in "e", a doubled
    # consonant, an irregular past. Before, "suing" reached only "suings", "suinged", ...
    engine = await build(
        [
            article(
                "Publishers take Meta to court",
                key_points=("Five publishers sued Meta in federal court over AI training.",),
            ),
            article("Lagos bans e-scooters", key_points=("Lagos banned e-scooters on Monday.",)),
            article("Acme results", key_points=("Acme sold 2 million phones in March.",)),
            article("Meta cloud", key_points=("Meta is building a cloud business.",)),
        ]
    )
    await engine.warm_up()
    assert engine.vocabulary.variants("suing") == ["sued"]
    assert engine.vocabulary.variants("ban") == ["bans", "banned"]
    assert engine.vocabulary.variants("sell") == ["sold"]
    answer = await engine.answer("who is suing Meta?", Filters(now=NOW))
    assert answer.answered
    assert answer.citations[0].text.startswith("Five publishers sued Meta")


async def test_what_is_a_name_is_answered_by_the_sentence_that_says_what_it_is(
    build: Build,
) -> None:
    # Both key points hold "DeepSeek"; the one about Nvidia's stock was quoted first.
    engine = await build(
        [
            article(
                "What is DeepSeek?",
                key_points=(
                    "Nvidia stock fell 17% on Monday over DeepSeek, a record single-day loss.",
                    "DeepSeek, a Hangzhou-based startup founded in 2023, trains AI models.",
                ),
            )
        ]
    )
    answer = await engine.answer("what is DeepSeek?", Filters(now=NOW))
    assert answer.citations[0].text.startswith("DeepSeek, a Hangzhou-based startup")
    # Any other question about it is read as before.
    answer = await engine.answer("how did DeepSeek move Nvidia stock?", Filters(now=NOW))
    assert answer.citations[0].text.startswith("Nvidia stock fell 17%")


async def test_going_public_finds_the_listing(build: Build) -> None:
    # The title says "going public"; the key point with the date says "list its shares".
    engine = await build(
        [
            article(
                "Acme is going public: what to know",
                key_points=("Acme aims to list its shares on the Nasdaq as early as June 12.",),
            )
        ]
    )
    answer = await engine.answer("when will Acme go public?", Filters(now=NOW))
    assert answer.citations[0].text.startswith("Acme aims to list its shares")


def test_word_forms_never_reach_another_word() -> None:
    from bot.search.inflection import forms_of

    assert {"sued", "sues"} <= set(forms_of("suing"))
    assert {"cut", "cuts"} <= set(forms_of("cutting"))
    assert {"hired", "hiring"} <= set(forms_of("hire"))
    assert {"win", "winning"} <= set(forms_of("won"))
    assert {"case", "release", "use"} <= {
        *forms_of("cases"),
        *forms_of("releases"),
        *forms_of("uses"),
    }
    # Other words that a careless rule would reach from these.
    assert "plane" not in forms_of("plans")
    assert "banner" not in forms_of("banned")
    assert "feed" not in forms_of("fees")
    assert "solder" not in forms_of("sold")
    assert "find" not in forms_of("founded")  # "found" as in founding a company
    assert "new" not in forms_of("news")
    assert "us" not in forms_of("uses")  # the plural of "use", not "us" + "es"
    # Most words in "-er" are no agent nouns: "roller coaster" is not "roll" nor "coast".
    assert not {"sum", "coast", "roll", "form", "use"} & {
        *forms_of("summer"),
        *forms_of("coaster"),
        *forms_of("roller"),
        *forms_of("former"),
        *forms_of("users"),
    }
    assert "founder" in forms_of("founded")  # an agent noun is still made from its verb
    assert forms_of("c++") == ("c++",)


def test_outlet_named_as_a_source_is_recognised() -> None:
    from bot.search.outlets import Outlets

    outlets = Outlets(["The Verge", "cnn.com", "usatoday.com"])
    assert outlets.named("what did the verge say about Apple") == ["the verge"]
    assert outlets.named("According to CNN, who won?") == ["cnn.com"]
    assert outlets.named("Ted Turner, who founded CNN, died this week") == []
    assert rank.outlet_match("The Verge", ["the verge"]) == 1.0
    assert rank.outlet_match("Wired", ["the verge"]) == 0.0


# One robot, as two outlets covered it (for the tests of outlets named in a question).
GADGET_WEEKLY_ROBOT = article(
    "Acme unveils the Zephyr robot",
    source="Gadget Weekly",
    days_ago=1,
    key_points=("Acme unveiled the Zephyr robot, a home robot that folds laundry.",),
)
VERGE_ROBOT_REVIEW = article(
    "Hands-on with Acme's Zephyr",
    source="The Verge",
    days_ago=3,
    key_points=("The Zephyr robot from Acme is slow but charming.",),
)


async def test_outlet_named_in_the_question_ranks_its_articles_first(build: Build) -> None:
    engine = await build([GADGET_WEEKLY_ROBOT, VERGE_ROBOT_REVIEW])
    answer = await engine.answer(
        "what did the verge say about the Acme Zephyr robot", Filters(now=NOW)
    )
    assert answer.citations[0].source == "The Verge"
    plain = await engine.answer("the Acme Zephyr robot", Filters(now=NOW))
    assert plain.citations[0].source == "Gadget Weekly"


async def test_an_outlet_first_seen_after_a_question_is_recognised(
    build: Build, archive: Archive
) -> None:
    """The engine works out the outlets' names once; an outlet that arrives later (a new feed)
    must still be recognised in the next question."""
    engine = await build([GADGET_WEEKLY_ROBOT])
    question = "what did the verge say about the Acme Zephyr robot"
    before = await engine.answer(question, Filters(now=NOW))
    assert before.citations[0].source == "Gadget Weekly"
    await ingest_articles(archive, [VERGE_ROBOT_REVIEW], now=NOW)
    after = await engine.answer(question, Filters(now=NOW))
    assert after.citations[0].source == "The Verge"


async def test_outlet_filter_keeps_only_that_outlet(build: Build) -> None:
    engine = await build(
        [
            article("Acme Zephyr A", source="Gadget Weekly", key_points=("Acme Zephyr ships.",)),
            article("Acme Zephyr B", source="The Verge", key_points=("Acme Zephyr ships late.",)),
        ]
    )
    answer = await engine.answer("Acme Zephyr", Filters(now=NOW, sources=("verge",)))
    assert {c.source for c in answer.citations} == {"The Verge"}


async def test_month_named_in_the_question_filters_by_time(build: Build) -> None:
    october = NOW.replace(month=10, day=15)
    engine = await build(
        [
            article(
                "Acme Zephyr price cut",
                days_ago=(NOW - october).days,
                key_points=("Acme cut the Zephyr price to $499.",),
            ),
            article(
                "Acme Zephyr price rise",
                days_ago=3,
                key_points=("Acme raised the Zephyr price to $599 for the holidays.",),
            ),
        ]
    )
    answer = await engine.answer(
        "what happened to the Acme Zephyr price in October", Filters(now=NOW)
    )
    assert answer.citations[0].title == "Acme Zephyr price cut"
    assert all(c.title != "Acme Zephyr price rise" for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "period"),
    [
        ("what did Apple announce today?", ("2026-07-01T00:00:00", "2026-07-01T15:00:00")),
        ("what did USA Today report about SpaceX?", None),  # an outlet, not a day
        ("what did India Today say TODAY?", ("2026-07-01T00:00:00", "2026-07-01T15:00:00")),
        ("I read about Nvidia. Today, what?", ("2026-07-01T00:00:00", "2026-07-01T15:00:00")),
        # A period ends before the next day starts: its date-only articles are at 00:00.
        ("what happened yesterday?", ("2026-06-30T00:00:00", "2026-06-30T23:59:59")),
        ("what launched in May?", ("2026-05-01T00:00:00", "2026-05-31T23:59:59")),
        ("what happened in 2025?", ("2025-01-01T00:00:00", "2025-12-31T23:59:59")),
    ],
)
def test_the_period_a_question_names(question: str, period: tuple[str, str] | None) -> None:
    asked = analyse(question, now=datetime(2026, 7, 1, 15, tzinfo=UTC))
    found = (asked.since, asked.until)
    expected = tuple(datetime.fromisoformat(f"{t}+00:00") for t in period) if period else None
    assert found == (expected or (None, None))


def test_a_period_before_the_first_date_is_no_period() -> None:
    asked = analyse("what happened yesterday?", now=datetime(1, 1, 1, tzinfo=UTC))
    assert (asked.since, asked.until) == (None, None)


def test_relative_time_is_a_recency_preference_not_a_filter() -> None:
    question = analyse("Which company laid off staff this week?", now=NOW)
    assert question.recent
    assert question.since is None and question.until is None


async def test_the_cited_article_s_second_sentence_is_quoted_when_it_holds_the_answer(
    build: Build,
) -> None:
    """An article's best sentence often restates the question and the next one answers it; the
    answer is quoted before weaker matches from other articles."""
    launch = article(
        "Blue Origin reaches orbit",
        days_ago=2,
        body="Blue Origin launched its new rocket to orbit this week. "
        "The rocket's name is New Glenn, after the astronaut John Glenn.",
    )
    reports = [
        article(
            f"Rocket report {i}",
            days_ago=3 + i,
            body=f"Rocket makers plan more launches to orbit next year, report {i} says.",
        )
        for i in range(3)
    ]
    engine = await build([launch, *reports])
    answer = await engine.answer(
        "Blue Origin launched a new rocket to orbit this week. What is the rocket's name?",
        Filters(now=NOW),
    )
    assert [c.title for c in answer.citations] == [
        "Blue Origin reaches orbit",
        "Blue Origin reaches orbit",
        "Rocket report 0",
    ]
    assert "New Glenn" in answer.citations[1].text


async def test_an_article_s_title_is_not_its_second_quote(build: Build) -> None:
    """The reply shows a cited article's headline in its source line: quoted again beside the
    article's best sentence, it would say nothing new."""
    recall = article(
        "Acme recalls 40,000 e-bikes over battery fires",
        days_ago=2,
        body="Acme is recalling 40,000 e-bikes after reports of battery fires. "
        "The recall covers models sold since 2023.",
    )
    sales = article("E-bike sales slow", days_ago=3, body="Sales of e-bikes slowed as prices rose.")
    engine = await build([recall, sales])
    answer = await engine.answer("Why is Acme recalling 40,000 e-bikes?", Filters(now=NOW))
    assert [c.text for c in answer.citations] == [
        "Acme is recalling 40,000 e-bikes after reports of battery fires.",
        "The recall covers models sold since 2023.",
    ]


async def test_dependent_sentence_is_cited_with_its_context(build: Build) -> None:
    engine = await build(
        [
            article(
                "Acme layoffs",
                key_points=("Acme is reorganising its factories.",),
                body="Acme announced 500 layoffs on Monday. It said the cuts would hit "
                "the Dayton plant hardest.",
            )
        ]
    )
    answer = await engine.answer("Which plant will the Acme cuts hit hardest?", Filters(now=NOW))
    cited = answer.citations[0]
    assert cited.text.startswith("It said the cuts")
    assert cited.context == "Acme announced 500 layoffs on Monday."
    assert rank.needs_context(cited.text)


async def test_context_is_never_a_key_point_nor_a_title_repeated(build: Build) -> None:
    engine = await build(
        [
            article(
                "This Robot Window Cleaner Costs $450",
                key_points=("Glimmerbot was fined $3 million by Norway's regulator in 2024.",),
                summary="It will sell the Pane window-cleaning robot starting in May.",
            )
        ]
    )
    answer = await engine.answer("When will Glimmerbot sell the Pane robot?", Filters(now=NOW))
    contexts = {c.text: c.context for c in answer.citations}
    # The summary's first sentence follows the key points in storage, not in the text.
    assert contexts["It will sell the Pane window-cleaning robot starting in May."] == (
        "This Robot Window Cleaner Costs $450"
    )
    title = await engine.answer("How much does the robot window cleaner cost?", Filters(now=NOW))
    assert [c.context for c in title.citations if c.kind == "title"] == [None]


def test_context_gain_credits_what_the_neighbouring_sentence_adds() -> None:
    groups = [
        TermGroup("nvidia", frozenset({"nvidia"}), weight=3.0),
        TermGroup("spend", frozenset({"spend"}), weight=1.0),
    ]
    rows = {
        1: SnippetRow(1, 7, 5, "body", "Nvidia met investors."),
        2: SnippetRow(2, 7, 6, "body", "It will spend $5 billion."),
        3: SnippetRow(3, 7, 1, "key_point", "It will spend $5 billion."),
    }
    words = {1: {"nvidia", "met", "investors"}, 2: {"spend", "billion"}, 3: {"spend", "billion"}}
    running = {i: row for i, row in rows.items() if row.kind in rank.RUNNING_TEXT}
    coverage = rank.Coverage(groups, related_weight=0.5)
    own = {i: coverage(words[i])[0] for i in rows}
    assert rank.context_gain(coverage, rows[2], running, words, 1, own[2]) == 0.75
    assert rank.context_gain(coverage, rows[1], running, words, 1, own[1]) == 0.25
    assert rank.context_gain(coverage, rows[3], running, words, 1, own[3]) == 0.0  # alone


async def test_answer_sentence_after_the_naming_sentence_is_a_candidate(build: Build) -> None:
    engine = await build(
        [
            article(
                "Zorblax earnings",
                body="Zorblax reported results for the quarter on Tuesday.\n"
                "Revenue rose to $41 billion, beating forecasts.",
            )
        ]
    )
    ranking = await engine.rank("How much did Zorblax report?", Filters(now=NOW))
    assert any("$41 billion" in s.hit.text for s in ranking.top(5))


async def test_copies_of_one_sentence_take_one_place_among_the_scored(build: Build) -> None:
    """Syndicated copies of a sentence would fill the snippets scored in full; the sentence
    that answers, in another article, must still be scored."""
    wire = "Acme launched its Zephyr rocket from the coast on Tuesday."
    copies = [
        article(
            f"Coastal roundup {i}",
            source=f"wire{i}.example",
            body=f"{wire}\nReporter number {i} contributed from the site.",
        )
        for i in range(3)
    ]
    answer = article("Space notes", days_ago=4, body="Its payload was a weather satellite.")
    engine = await build([*copies, answer])
    question = "What payload did the Acme Zephyr rocket carry?"
    ranking = await Engine(engine.archive, RankConfig(snippet_pool=3)).rank(
        question, Filters(now=NOW)
    )
    texts = [s.hit.text for s in ranking.scored]
    assert texts.count(wire) == 1
    assert "Its payload was a weather satellite." in texts


@pytest.mark.parametrize(
    ("cut_off_word", "chosen"), [(RankConfig().cut_off_word, "Zephyr"), (1.0, "Launch")]
)
async def test_a_word_read_only_in_part_counts_less_in_choosing_articles(
    archive: Archive, cut_off_word: float, chosen: str
) -> None:
    """Only the newest postings of a common word are read; counted in full, that word would
    make the newer articles win over the older one that names what the question asks about."""
    older = article(
        "Zephyr mission", days_ago=5, body="The Zephyr rocket reached orbit on Tuesday."
    )
    await ingest_articles(archive, [older, *FILLER], now=NOW)
    roundup = (
        "A rocket reached orbit. The rocket will reach orbit again. Crews said orbit was reached."
    )
    newer = [article(f"Launch roundup {i}", body=roundup) for i in range(3)]
    await ingest_articles(archive, newer, now=NOW)
    config = RankConfig(
        term_postings=3,
        paired_terms=0,
        article_pool=1,
        relevance_pool=0,  # (which would let the best match in whatever its weight)
        cut_off_word=cut_off_word,
    )
    ranking = await Engine(archive, config).rank(
        "Did the Zephyr rocket reach orbit?", Filters(now=NOW)
    )
    titles = await archive.index.heads([ranking.scored[0].hit.article_id])
    assert next(iter(titles.values())).title.startswith(chosen)


@pytest.mark.parametrize(
    ("relevance_pool", "found"), [(RankConfig().relevance_pool, True), (0, False)]
)
async def test_an_old_exact_match_keeps_a_place_among_recent_partial_matches(
    build: Build, relevance_pool: int, found: bool
) -> None:
    """Recency weighs in choosing articles, so in a large archive the many recent articles that
    share a word with the question could fill the pool; the one that matches it all, two years
    old, must still be read."""
    old = article(
        "Zephyr history", days_ago=700, body="Acme built the Zephyr rocket that reached orbit."
    )
    recent = [
        article(f"Space market {i}", days_ago=i + 1, body=f"The rocket market grew {i} percent.")
        for i in range(4)
    ]
    engine = await build([old, *recent])
    config = RankConfig(article_pool=2, relevance_pool=relevance_pool)
    answer = await Engine(engine.archive, config).answer(
        "Who built the Zephyr rocket that reached orbit?", Filters(now=NOW)
    )
    assert (answer.text == "Acme built the Zephyr rocket that reached orbit.") is found


@pytest.mark.parametrize(
    ("asked", "searched"),
    [
        ("help me find nvidia news", "nvidia"),
        ("Show me articles about AMD", "AMD"),
        ("find the latest news on Meta AI spending", "Meta AI spending"),
        ("Can you tell me about the Meta cloud deal?", "Meta cloud deal?"),
        ("tell me how much Meta spends on AI", "how much Meta spends on AI"),
        # Not requests, or nothing asked for but news: as asked.
        ("Did scientists find water on Mars?", "Did scientists find water on Mars?"),
        ("Which outlet is BBC News?", "Which outlet is BBC News?"),
        ("find news", "find news"),
    ],
)
def test_a_request_for_news_is_searched_for_what_it_is_about(asked: str, searched: str) -> None:
    assert analyse(asked, now=NOW).text == searched


async def test_a_request_for_news_quotes_the_news_not_the_word_find(build: Build) -> None:
    engine = await build(
        [
            article("Nvidia opens a Tokyo lab", body="Nvidia opened a research lab in Tokyo."),
            article(
                "Amazon refreshes its Fire TV",
                body="The assistant helps viewers find shows and news across services.",
            ),
        ]
    )
    answer = await engine.answer("help me find nvidia news", Filters(now=NOW))
    assert answer.answered
    assert answer.citations[0].title == "Nvidia opens a Tokyo lab"


@pytest.mark.parametrize(
    ("asked", "words"),
    [
        ("Which of the following is the highest court?", ["highest", "court"]),
        ("Acme will do which of the following?", ["acme"]),
        # "following" as a word of the story stays.
        ("Which app gained a following?", ["app", "gained", "following"]),
    ],
)
def test_a_quiz_s_which_of_the_following_asks_which(asked: str, words: list[str]) -> None:
    assert analyse(asked, now=NOW).words == words


async def test_which_of_the_following_quotes_the_answer_not_a_following(build: Build) -> None:
    # "highest" is common here and "following" rare: searched, "following" would carry the
    # tennis report ahead of the sentence that answers.
    engine = await build(
        [
            article(
                "Tennis final recap",
                body="Following the winning shot, both players walked off the court.",
            ),
            article("Justices end their term", body="The Supreme Court is the highest court."),
            *(
                article(f"{thing} climb", body=f"{thing} reached their highest level.")
                for thing in ("Mortgage rates", "Gas prices", "Rents", "Stocks")
            ),
        ]
    )
    answer = await engine.answer("Which of the following is the highest court?", Filters(now=NOW))
    assert answer.answered
    assert answer.citations[0].text == "The Supreme Court is the highest court."


NAMES_AND_LOOK_ALIKES = [
    article(
        "GCC 15 speeds up C++ builds",
        key_points=("C++ modules now compile twice as fast in GCC 15.",),
        days_ago=3,
    ),
    article(
        "Microsoft ships C# 14",
        key_points=("C# 14 adds extension members for existing types.",),
        days_ago=3,
    ),
    article(
        "Vitamin maker closes Series C round",
        key_points=("The maker of vitamin C gummies raised a Series C round.",),
        days_ago=1,
    ),
    article(
        "AT&T cuts 1,000 jobs", key_points=("AT&T is cutting 1,000 network jobs.",), days_ago=2
    ),
    article(
        "Layoffs at T-Mobile hit stores",
        key_points=("Layoffs at T-Mobile don't spare store managers.",),
        days_ago=1,
    ),
]


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("what's new in C++?", "GCC 15 speeds up C++ builds"),
        ("what is new in C#?", "Microsoft ships C# 14"),
        ("what happened at AT&T?", "AT&T cuts 1,000 jobs"),
    ],
)
async def test_a_name_with_symbols_is_a_word_of_the_question(
    build: Build, question: str, title: str
) -> None:
    # "C++" was read as the one-letter "c" and dropped, and "AT&T" as "at" and "t": nothing
    # was left to search for, and the answer was "not in the archive".
    engine = await build(NAMES_AND_LOOK_ALIKES)
    answer = await engine.answer(question, Filters(now=NOW))
    assert answer.answered
    assert {citation.title for citation in answer.citations} == {title}


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("who won the Super Bowl?", {("super", "bowl")}),
        ("is the Golden Gate Bridge open?", {("golden", "gate", "bridge")}),
        # A possessive or a full stop ends a name.
        ("did Apple's Tim Cook meet Nvidia?", {("apple",), ("tim", "cook"), ("nvidia",)}),
        ("about Meta. What did Google say in 2025?", {("meta",), ("google",), ("2025",)}),
        # A question's first word: part of a name when one follows, a name on its own only
        # when it is no common English word.
        ("Super Bowl winners?", {("super", "bowl")}),
        ("Sam Altman fired?", {("sam", "altman")}),
        ("Nvidia earnings?", {("nvidia",)}),
        ("Earnings at Nvidia?", {("nvidia",)}),
        ("AI stocks?", {("ai",)}),
    ],
)
def test_adjacent_capitalised_words_are_one_name(
    question: str, names: set[tuple[str, ...]]
) -> None:
    assert analyse(question, now=NOW).names == names


SUPER_HEAVY = [
    article(
        "SpaceX builds Gigabay in Florida",
        key_points=(
            "SpaceX is building Gigabay, where Super Heavy boosters will be stacked for launch.",
        ),
        body="The Super Heavy booster lifts Starship. Gigabay will stand 380 feet tall.",
        days_ago=2,
    ),
    article(
        "McCall returns to the ring",
        key_points=("McCall said his comeback fight was set for the spring.",),
        days_ago=3,
    ),
]


async def test_a_name_of_several_words_is_unseen_when_its_last_word_is(build: Build) -> None:
    # The archive says "Super Heavy" and never "bowl": "Super Bowl" counted as two names, one
    # of them seen, and the question was answered with the Gigabay sentence.
    engine = await build(SUPER_HEAVY)
    super_bowl = await engine.answer("who won the Super Bowl?", Filters(now=NOW))
    assert not super_bowl.answered
    assert super_bowl.citations == []
    # A name the archive holds whole is answered; so is one it quotes by its last word only,
    # as news names someone again ("McCall" for "Oliver McCall").
    stacked = await engine.answer("where are Super Heavy boosters stacked?", Filters(now=NOW))
    assert stacked.answered
    assert stacked.citations[0].title == "SpaceX builds Gigabay in Florida"
    fight = await engine.answer("when is Oliver McCall's comeback fight?", Filters(now=NOW))
    assert fight.answered
    assert fight.citations[0].title == "McCall returns to the ring"


async def test_a_question_that_opens_with_an_unknown_name_is_not_answered(build: Build) -> None:
    # "Zoox layoffs?": a question's first word was never a name, so the archive's Microsoft
    # layoffs answered it with full confidence.
    engine = await build(
        [
            article(
                "Microsoft cuts 4,800 jobs",
                key_points=("The Microsoft layoffs hit 4,800 workers, most of them at Xbox.",),
            ),
            article("Nvidia results", key_points=("Nvidia earnings beat expectations.",)),
        ]
    )
    zoox = await engine.answer("Zoox layoffs?", Filters(now=NOW))
    assert not zoox.answered
    assert zoox.citations == []
    nvidia = await engine.answer("Nvidia earnings?", Filters(now=NOW))
    assert nvidia.answered
    assert nvidia.citations[0].title == "Nvidia results"


async def test_a_name_is_not_seen_in_another_form_of_its_word(build: Build) -> None:
    # "Cook" was found as "cooking": "Tim Cook" counted as half seen, and the question was
    # answered with a home robot's cooking skills.
    engine = await build(
        [
            article(
                "NEO home robot goes on sale",
                key_points=("NEO can suggest meals, though its cooking skills are limited.",),
            ),
            article(
                "Nvidia results",
                key_points=("Nvidia announced record spending on data centers.",),
            ),
        ]
    )
    tim_cook = await engine.answer("what did Tim Cook announce?", Filters(now=NOW))
    assert not tim_cook.answered
    assert tim_cook.citations == []
    # Other forms still answer the words that name nothing, and a misspelt name is still found.
    cooking = await engine.answer("what can NEO cook?", Filters(now=NOW))
    assert cooking.answered
    assert cooking.citations[0].title == "NEO home robot goes on sale"
    nvidia = await engine.answer("what did Nvida announce?", Filters(now=NOW))
    assert nvidia.answered
    assert nvidia.citations[0].title == "Nvidia results"
