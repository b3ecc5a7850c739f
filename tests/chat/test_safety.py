"""Replies never ping: mentions in articles and in questions are quoted as inert text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.chat.bot import NewsBot
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from tests.fakes import FakeDiscord

from .helpers import ACTIVE_MENTION, SEED_QUESTION, ask_by_mention, embed_text

ROLE_ID = "987654321098765432"
PINGING_ARTICLE = Article(
    title="Zorblax Memo Tells Staff @everyone About Quantum Widget",
    summary="Zorblax sent a memo about its quantum widget.",
    key_points=(
        f"The Zorblax memo addressed @everyone and <@&{ROLE_ID}>: the quantum widget ships "
        "in March 2027 for $999.",
    ),
    body="Zorblax, a maker of quantum widgets, sent a memo to all staff on Monday.",
    url="https://news.example.com/zorblax/@everyone?ping=<@1234567890>",
    source="Example <@1234567890> News",
    published_at=datetime(2026, 3, 2, tzinfo=UTC),
    topics=("zorblax",),
)


async def test_an_article_containing_everyone_is_quoted_inert(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    report = await ingest_articles(bot.archive, [PINGING_ARTICLE], now=datetime.now(UTC))
    assert report.added == 1

    reply = await ask_by_mention(fake, "when does the Zorblax quantum widget ship?")

    text = embed_text(reply)
    assert "ships in March 2027" in text  # the article was quoted ...
    assert "@\u200beveryone" in text and f"<\u200b@&{ROLE_ID}>" in text  # ... its mentions inert
    assert not ACTIVE_MENTION.search(text)
    assert reply.allowed_mentions is not None and reply.allowed_mentions["parse"] == []
    assert not reply.pings_anyone
    [button] = [c for row in reply.components for c in row["components"]]
    assert "@" not in button["url"] and "<" not in button["url"]
    assert button["url"].startswith("https://news.example.com/zorblax/%40everyone")


async def test_latest_lists_such_an_article_inert_too(fake: FakeDiscord, bot: NewsBot) -> None:
    await ingest_articles(bot.archive, [PINGING_ARTICLE], now=datetime.now(UTC))
    interaction = await fake.send_interaction("latest", {"topic": "zorblax"})

    [followup] = await fake.wait_for_followups(interaction["id"], 1)

    text = embed_text(followup)
    assert "Zorblax Memo Tells Staff @\u200beveryone" in text
    assert not ACTIVE_MENTION.search(text) and not followup.pings_anyone


async def test_a_question_with_mentions_is_echoed_inert(fake: FakeDiscord, bot: NewsBot) -> None:
    question = f"@everyone <@&{ROLE_ID}> <@{fake.admin_user.id}> {SEED_QUESTION}"
    interaction = await fake.send_interaction("ask", {"question": question})

    [followup] = await fake.wait_for_followups(interaction["id"], 1)

    title = followup.embeds[0]["title"]
    assert title == (
        f"@\u200beveryone <\u200b@&{ROLE_ID}> <\u200b@{fake.admin_user.id}> {SEED_QUESTION}"
    )
    assert not ACTIVE_MENTION.search(embed_text(followup))
    assert followup.allowed_mentions == {"parse": []} and not followup.pings_anyone


async def test_a_mention_question_with_everyone_is_echoed_inert_and_pings_nobody(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    reply = await ask_by_mention(fake, f"@here <@&{ROLE_ID}> {SEED_QUESTION}")

    assert reply.embeds[0]["title"] == f"@\u200bhere <\u200b@&{ROLE_ID}> {SEED_QUESTION}"
    assert not ACTIVE_MENTION.search(embed_text(reply))
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}
    assert not reply.pings_anyone
