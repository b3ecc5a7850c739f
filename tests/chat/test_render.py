"""The renderer: whatever the engine or an article holds, every message fits Discord's limits and
pings nobody."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.alerts.matching import exclusions
from bot.archive.alerts import Subscription
from bot.archive.feeds import Feed
from bot.chat import render
from bot.models import StoredArticle
from bot.search import Answer, Citation
from bot.search.answer import Headline
from tests.fakes.discord_server import message_form_errors

from .helpers import ACTIVE_MENTION

MENTIONS = ["@everyone", "@here", "<@123456789012345678>", "<@!42>", "<@&987654321>", "<#5>"]
MARKUP = ["[", "]", "(", ")", "*", "_", "`", "\\", "|", "~", ">", "\n", " ", "@", "<", "&", "!"]

# Arbitrary Unicode, mixed with mentions and Markdown, sometimes thousands of characters long.
pieces = st.one_of(st.text(), st.sampled_from(MENTIONS), st.sampled_from(MARKUP))
texts = st.one_of(
    st.lists(pieces, max_size=12).map("".join),
    st.tuples(st.lists(pieces, min_size=1, max_size=4).map("".join), st.integers(1, 900)).map(
        lambda t: t[0] * t[1]
    ),
)
urls = st.one_of(
    st.none(),
    texts,
    st.builds(lambda path: f"https://news.example.com/{path}", texts),
    st.builds(lambda n: "https://example.com/" + "a" * n, st.integers(0, 2000)),
    st.sampled_from(["javascript:alert(1)", "http://", "https://user:pw@host.example/x?q=(1)"]),
)
dates = st.one_of(st.none(), texts, st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat))
citations = st.builds(
    Citation,
    text=texts,
    title=texts,
    source=st.one_of(st.none(), texts),
    published_at=dates,
    url=urls,
    score=st.floats(allow_nan=False),
    article_id=st.integers(1, 10**6),
    kind=st.sampled_from(["title", "key_point", "summary", "body"]),
    context=st.one_of(st.none(), texts),
)
headlines = st.builds(
    Headline,
    title=texts,
    source=st.one_of(st.none(), texts),
    published_at=dates,
    url=urls,
    article_id=st.integers(1, 10**6),
)
answers = st.builds(
    Answer,
    question=texts,
    answered=st.booleans(),
    text=texts,
    confidence=st.floats(),
    citations=st.lists(citations, max_size=30),
    headlines=st.lists(headlines, max_size=20),
    searched_terms=st.lists(texts, max_size=12),
    message=st.one_of(st.none(), texts),
)
articles = st.builds(
    StoredArticle,
    id=st.integers(1, 10**6),
    title=texts,
    url=urls,
    source=st.one_of(st.none(), texts),
    published_at=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
    ingested_at=st.datetimes(timezones=st.just(UTC)),
    summary=texts,
    key_points=st.lists(texts, max_size=3).map(tuple),
    topics=st.lists(texts, max_size=3).map(tuple),
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def visible_text(embed: dict[str, Any]) -> list[str]:
    texts = [embed.get("title") or "", embed.get("description") or ""]
    texts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields") or []]
    texts.append((embed.get("footer") or {}).get("text") or "")
    texts.append((embed.get("author") or {}).get("name") or "")
    return texts


def assert_sendable(reply: dict[str, Any]) -> None:
    """What Discord would accept, and nothing in it that could ping."""
    embed = reply["embed"].to_dict()
    payload = {"content": reply.get("content"), "embeds": [embed]}
    assert message_form_errors(payload) == {}
    assert len(reply["embed"]) <= render.EMBED_TOTAL_LIMIT
    assert embed.get("title") or embed.get("description")
    for field in embed.get("fields") or []:
        assert field["name"] and field["value"]  # Discord rejects empty fields
    for text in [*visible_text(embed), reply.get("content") or ""]:
        assert not ACTIVE_MENTION.search(text), text
    view = reply.get("view")
    if view is not None:
        rows = view.to_components()
        assert 1 <= len(rows) <= 5
        for row in rows:
            assert 1 <= len(row["components"]) <= 5
            for button in row["components"]:
                assert 1 <= len(button["label"]) <= render.BUTTON_LABEL_LIMIT
                assert not ACTIVE_MENTION.search(button["label"])
                assert button["url"].startswith(("https://", "http://"))
                assert len(button["url"]) <= render.BUTTON_URL_LIMIT
                assert "@" not in button["url"] and " " not in button["url"]


@PROPERTY
@given(answer=answers, asked=st.one_of(st.none(), texts))
def test_every_answer_reply_fits_discord_and_pings_nobody(
    answer: Answer, asked: str | None
) -> None:
    assert_sendable(render.answer_message(answer, asked=asked))


@PROPERTY
@given(answer=answers, asked=st.one_of(st.none(), texts))
def test_every_answer_as_text_fits_one_message_and_pings_nobody(
    answer: Answer, asked: str | None
) -> None:
    # What a channel without Embed Links gets: one message, which keeps the sources' lines.
    embed = render.answer_embed(answer, asked=asked)
    content = render.embed_as_text(embed)
    assert message_form_errors({"content": content}) == {} and content
    assert not ACTIVE_MENTION.search(content)
    for field in embed.fields:
        assert f"**{field.name}**\n{field.value}" in content


@PROPERTY
@given(articles=st.lists(articles, max_size=12), heading=texts)
def test_every_headline_list_fits_discord_and_pings_nobody(
    articles: list[StoredArticle], heading: str
) -> None:
    assert_sendable({"embed": render.headlines_embed(articles, heading)})


@PROPERTY
@given(text=texts)
def test_every_plain_reply_fits_discord_and_pings_nobody(text: str) -> None:
    content = render.plain(text)
    assert len(content) <= render.CONTENT_LIMIT
    assert not ACTIVE_MENTION.search(content)


@PROPERTY
@given(text=texts, limit=st.integers(1, 5000))
def test_shorten_keeps_within_the_limit_and_marks_the_cut(text: str, limit: int) -> None:
    short = render.shorten(text, limit)
    assert len(short) <= limit
    if len(text.strip()) > limit:
        assert short.endswith("…")
    else:
        assert short == text.strip()


def test_shorten_cuts_at_a_word_boundary() -> None:
    text = "Meta committed $600 billion to artificial intelligence by 2028."
    assert render.shorten(text, 40) == "Meta committed $600 billion to…"


def test_mentions_are_defused_but_still_readable() -> None:
    text = "@everyone @here <@1> <@!2> <@&3> <#4>"
    defused = render.defuse_mentions(text)
    assert not ACTIVE_MENTION.search(defused)
    assert defused.replace("\u200b", "") == text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.usatoday.com/story/a/b/", "https://www.usatoday.com/story/a/b/"),
        ("https://x.example/a b(c)", "https://x.example/a%20b%28c%29"),
        ("https://x.example/@everyone?u=<@1>", "https://x.example/%40everyone?u=%3C%401%3E"),
        ("https://user:pw@x.example/", "https://x.example/"),
        ("https://bücher.example/ü", "https://xn--bcher-kva.example/%C3%BC"),
        ("javascript:alert(1)", None),
        ("not a url", None),
        ("https://x.example/" + "a" * 600, None),
        (None, None),
    ],
)
def test_link_urls_cannot_break_a_link_or_ping(url: str | None, expected: str | None) -> None:
    assert render.link_url(url) == expected


def test_many_long_citations_keep_whole_source_lines() -> None:
    citation = Citation(
        text="Nvidia reported record revenue. " * 40,
        title="A very long headline " * 20,
        source="USA TODAY",
        published_at="2025-08-27T00:00:00+00:00",
        url="https://www.usatoday.com/story/" + "x" * 300,
        score=1.0,
        article_id=1,
        kind="key_point",
    )
    # Twelve articles at one link (an outlet's updates of a story).
    answer = Answer(
        "q", True, "t", 0.9, citations=[replace(citation, article_id=n) for n in range(12)]
    )
    reply = render.answer_message(answer)

    embed = reply["embed"]
    sources = embed.fields[0].value
    assert sources.endswith(" more") and sources.count("\n**") + 1 < 12
    assert all(line.endswith("2025-08-27") for line in sources.splitlines()[:-1])
    assert isinstance(reply["view"], discord.ui.View)
    assert len(reply["view"].children) == 1  # one link, one button
    assert_sendable(reply)


def test_two_quotes_of_one_article_point_to_one_source() -> None:
    first = Citation(
        text="Blue Origin launched its new rocket to orbit this week.",
        title="Blue Origin reaches orbit",
        source="Space News",
        published_at="2025-01-16T00:00:00+00:00",
        url="https://space.example/new-glenn",
        score=6.4,
        article_id=7,
        kind="key_point",
    )
    answer = Answer(
        "q",
        True,
        first.text,
        0.9,
        citations=[
            first,
            replace(first, text="The rocket's name is New Glenn.", score=5.2),
            replace(first, title="Rocket report", url="https://space.example/r", article_id=9),
        ],
    )
    reply = render.answer_message(answer)

    quotes = reply["embed"].description.splitlines()
    assert [q[-7:] for q in quotes] == ["**[1]**", "**[1]**", "**[2]**"]
    sources = reply["embed"].fields[0].value.splitlines()
    assert len(sources) == 2
    assert sources[0].startswith("**1.** [Blue Origin reaches orbit]")
    assert sources[1].startswith("**2.** [Rocket report]")
    assert [b.label for b in reply["view"].children] == ["1. Space News", "2. Space News"]
    assert_sendable(reply)


def test_the_subscription_list_shows_every_exclusion_typed() -> None:
    # The most /subscribe takes: 200 characters, stored with ", " between the items.
    typed = ",".join(f"w{n:02d}" for n in range(50))[:200]
    stored = exclusions(typed)
    subscription = Subscription(1, 1, 10, "nvidia", stored, None, 5, "2026-05-01", 0, None)
    [embed] = render.subscriptions_embeds([subscription], everywhere=False)
    listed = embed.description or ""
    assert listed.endswith(f"except {stored}")
    assert "w49" in listed


# What Discord links by itself (discord.utils' URL pattern, whitespace as JavaScript reads it):
# shown verbatim, so Markdown characters in it are not formatting.
AUTOLINK = re.compile(r"https?://[^\s\ufeff<]+[^<.,:;\"')\]\s\ufeff]")
FEED_URL = "https://example.com/~news/rss_feed.xml?sort=*new*&tag=a_b~c"
LINKS = ["https://", "http://a_b*c~d", "https://x.example/[a](https://evil.example/_x_)"]
link_paths = st.text(string.ascii_letters + string.digits + "-._~*/?=&%+#", max_size=40)
linky_texts = st.lists(st.one_of(pieces, st.sampled_from(LINKS)), max_size=12).map("".join)


def unescaped(text: str) -> Iterator[tuple[int, str]]:
    """Each character of rendered text that no backslash escapes, with its index."""
    index = 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text):
            index += 2
            continue
        yield index, text[index]
        index += 1


def test_bare_links_in_quoted_text_stay_whole_while_the_rest_is_escaped() -> None:
    text = f"*Breaking* news_feed: see {FEED_URL}. Or (https://x.example/a_b_c) ~~now~~"

    assert render.quoted(text, 500) == (
        f"\\*Breaking\\* news\\_feed: see {FEED_URL}. Or (https://x.example/a_b_c) \\~\\~now\\~\\~"
    )


def test_the_feed_list_shows_working_feed_links() -> None:
    feed = Feed(
        id=1,
        url=FEED_URL,
        title="News_Daily",
        guild_id=1,
        notify_channel_id=None,
        etag=None,
        last_modified=None,
        interval_seconds=900,
        next_poll_at="2026-05-01T00:15:00+00:00",
        last_polled_at="2026-05-01T00:00:00+00:00",
        last_error="HTTP 404 from https://example.com/old_feed.xml",
        failures=2,
        disabled_reason=None,
        added_at="2026-04-01T00:00:00+00:00",
        failing_since="2026-04-30T23:00:00+00:00",
    )

    [embed] = render.feeds_embeds([feed])
    listed = embed.description or ""

    assert listed.startswith(f"**News\\_Daily**\n{FEED_URL}\n")
    assert "(2x): HTTP 404 from https://example.com/old_feed.xml; next try" in listed


@PROPERTY
@given(before=linky_texts, path=link_paths, after=linky_texts, limit=st.integers(1, 1000))
def test_quoted_text_keeps_links_whole_and_can_neither_ping_nor_forge_a_link(
    before: str, path: str, after: str, limit: int
) -> None:
    link = f"https://news.example.com/{path}x"
    text = f"{before} {link} {after}"
    whole = render.quoted(text, 10**6)

    assert link in whole
    # Nothing is lost but the escapes: what shows is the text with its mentions defused.
    readable = re.sub(r"\\(.)", r"\1", whole, flags=re.DOTALL)
    assert readable == render.defuse_mentions(render.one_line(text)).strip()
    for shown in (whole, render.quoted(text, limit)):
        assert not ACTIVE_MENTION.search(shown), shown
        links = [range(*m.span()) for m in AUTOLINK.finditer(shown)]
        for index, char in unescaped(shown):
            assert char not in "[]`|\\", shown  # no masked link, code, spoiler or stray escape
            if char in "*_~":  # formatting only where Discord shows the text verbatim anyway
                assert any(index in span for span in links), shown


def test_embed_titles_show_markdown_characters_as_typed() -> None:
    # Discord renders Markdown in an embed's title: unescaped, "__init__" came out as an
    # underlined "init" and "||x||" as a hidden spoiler.
    asked = "What changed in __init__ and *args || kwargs?"
    answer = Answer(question=asked, answered=True, text="x", confidence=0.9)
    assert (
        render.answer_embed(answer).title == r"What changed in \_\_init\_\_ and \*args \|\| kwargs?"
    )

    article = StoredArticle(
        id=1,
        title="Python 3.14 drops __future__ imports",
        url=None,
        source="Example",
        published_at=None,
        ingested_at=datetime(2026, 11, 27, tzinfo=UTC),
        summary="",
        key_points=(),
        topics=(),
    )
    message, shown = render.alert_message([(article, "python", ["python"], None)])
    embed = message["embed"]
    assert shown == 1 and isinstance(embed, discord.Embed)
    assert embed.title == r"Python 3.14 drops \_\_future\_\_ imports"
    # As text (no Embed Links), the title is escaped once, not twice.
    assert render.embed_as_text(render.answer_embed(answer)).startswith(
        r"**What changed in \_\_init\_\_ and \*args \|\| kwargs?**"
    )
