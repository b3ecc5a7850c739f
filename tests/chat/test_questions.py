"""Asking questions end to end: a mention, a DM, ``/ask`` (public and private), bad input."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.chat.bot import NewsBot, ShardedNewsBot, create_bot
from bot.chat.exts.ask import HOW_TO_ASK
from bot.search.question import MAX_QUESTION_CHARS
from bot.settings import Settings
from tests.fakes import FakeDiscord

from .helpers import (
    SEED_FIGURE,
    SEED_QUESTION,
    SEED_TITLE,
    ask_by_mention,
    embed_text,
    link_buttons,
    new_bot,
    reply_to,
)


async def test_mention_gets_one_embed_quoting_and_citing_the_article(
    fake: FakeDiscord, bot: NewsBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    reply = await ask_by_mention(fake, SEED_QUESTION)

    [embed] = reply.embeds
    assert embed["title"] == SEED_QUESTION
    assert SEED_FIGURE in embed["description"] and "**[1]**" in embed["description"]
    [sources] = embed["fields"]
    assert sources["name"] == "Sources"
    assert sources["value"].startswith(f"**1.** {SEED_TITLE} — WireByte")
    assert embed["footer"]["text"].startswith("Match confidence: ")
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}
    assert not reply.pings_anyone
    # One log line per answered question: where, how fast, which article.
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("question ")]
    assert f"guild={fake.guild_id}" in line and "answered=True" in line
    assert "latency_ms=" in line and "article=" in line and "article=-" not in line


async def test_sources_with_links_get_numbered_link_buttons(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    reply = await ask_by_mention(fake, "did Nvidia beat earnings in the second quarter?")

    assert "Nvidia" in embed_text(reply)
    buttons = link_buttons(reply)
    assert buttons and buttons[0]["label"] == "1. USA TODAY"
    assert buttons[0]["style"] == 5 and buttons[0]["url"].startswith("https://www.usatoday.com/")
    assert f"]({buttons[0]['url']})" in reply.embeds[0]["fields"][0]["value"]


async def test_direct_message_from_a_user_in_no_shared_guild(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    stranger = fake.add_user("stranger")
    incoming = await fake.send_dm(SEED_QUESTION, author=stranger)

    reply = await reply_to(fake, incoming)
    assert reply.channel_id == incoming["channel_id"]
    assert SEED_FIGURE in reply.embeds[0]["description"]


async def test_slash_ask_defers_then_follows_up_in_public(fake: FakeDiscord, bot: NewsBot) -> None:
    interaction = await fake.send_interaction("ask", {"question": SEED_QUESTION})

    response = await fake.wait_for_interaction_response(interaction["id"])
    [followup] = await fake.wait_for_followups(interaction["id"], 1)
    assert response.is_deferred and response.type == 5
    assert not response.payload.get("data", {}).get("flags")
    assert not followup.is_ephemeral
    assert SEED_FIGURE in followup.embeds[0]["description"]
    assert SEED_TITLE in followup.embeds[0]["fields"][0]["value"]
    assert followup.allowed_mentions == {"parse": []}


async def test_slash_ask_private_is_ephemeral(fake: FakeDiscord, bot: NewsBot) -> None:
    interaction = await fake.send_interaction("ask", {"question": SEED_QUESTION, "private": True})

    response = await fake.wait_for_interaction_response(interaction["id"])
    [followup] = await fake.wait_for_followups(interaction["id"], 1)
    assert response.is_deferred and response.payload["data"]["flags"] == 64
    assert followup.is_ephemeral
    assert SEED_FIGURE in followup.embeds[0]["description"]


async def test_not_in_the_archive_says_what_was_searched_and_suggests_latest(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    reply = await ask_by_mention(fake, "what is the capital of Peru?")

    [embed] = reply.embeds
    assert embed["title"] == "Not in the archive"
    [searched] = [line for line in embed["description"].splitlines() if "Searched for" in line]
    assert "peru" in searched.lower()
    assert "`/latest`" in embed["description"]
    assert not reply.components


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("", HOW_TO_ASK),  # the mention alone
        ("<@&1234567890> @here <#42>", HOW_TO_ASK),  # only mentions
        ("🙂🙂 <:party:123456789> 🎉", HOW_TO_ASK),  # only emoji
        ("why " * 1250, "too long"),  # 5,000 characters
        ("hi", HOW_TO_ASK),  # searched, it would quote sentences saying "his"
        ("help", HOW_TO_ASK),
        ("Thank you!", HOW_TO_ASK),
    ],
    ids=["empty", "only-mentions", "only-emoji", "5000-chars", "hi", "help", "thanks"],
)
async def test_questions_without_words_or_too_long_get_a_hint(
    fake: FakeDiscord, bot: NewsBot, question: str, expected: str
) -> None:
    reply = await ask_by_mention(fake, question)

    assert expected in reply.content
    assert len(reply.content) <= 2000 and not reply.pings_anyone
    assert str(MAX_QUESTION_CHARS) in reply.content or expected == HOW_TO_ASK


async def test_question_in_another_script_gets_an_answer_not_silence(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    reply = await ask_by_mention(fake, "Meta在人工智能上花了多少钱?")

    [embed] = reply.embeds
    assert embed["title"] in ("Not in the archive", "Meta在人工智能上花了多少钱?")


async def test_system_messages_are_not_taken_for_questions(fake: FakeDiscord, bot: NewsBot) -> None:
    # Pinning a message in a DM with the bot posts a system message there (type 6, no text).
    dm = fake.dm_channel(fake.member_user)
    await fake.send_message("", channel_id=dm.id, message_type=6)
    question = await fake.send_dm(SEED_QUESTION)

    answer = await reply_to(fake, question)
    assert fake.messages == [answer]  # and nothing, not even a hint, for the pin


async def test_a_reply_to_the_bot_is_a_question_only_when_it_reads_as_one(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    # Discord pings the author of a message replied to, so a reply to the bot mentions it.
    answer = await ask_by_mention(fake, SEED_QUESTION)
    ping: dict[str, Any] = {"mentions": [fake.bot_user], "reply_to": answer.message["id"]}
    await fake.send_message("thanks, that's useful", **ping)  # a remark: no reply
    # Other people, as one person may ask once every few seconds.
    third = fake.add_user("third")
    fake.add_member(third)
    follow_up = await fake.send_message(
        "and how much is Meta spending on AI?", author=fake.admin_user, **ping
    )
    named = await fake.send_message(
        f"{fake.bot_user.mention} meta ai spending", author=third, **ping
    )

    assert SEED_FIGURE in embed_text(await reply_to(fake, follow_up))
    assert SEED_FIGURE in embed_text(await reply_to(fake, named))
    assert len(fake.messages) == 3  # the first answer and these two, nothing for the remark


async def test_slash_ask_without_words_is_answered_privately(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    interaction = await fake.send_interaction("ask", {"question": "   🙂  "})

    response = await fake.wait_for_interaction_response(interaction["id"])
    assert response.type == 4 and response.data is not None
    assert response.data["content"] == HOW_TO_ASK and response.data["flags"] == 64


async def test_listed_channels_take_plain_questions_with_message_content(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    other = fake.add_text_channel("random")
    settings = Settings(
        db_path=tmp_path / "newsbot.db",
        message_content=True,
        question_channels=(int(fake.channel_id),),
    )
    async with fake.run_bot(new_bot(settings)):
        await fake.send_message("chatting about Meta's AI spending", channel_id=other.id)
        incoming = await fake.send_message(SEED_QUESTION)
        reply = await reply_to(fake, incoming)
    assert fake.identify_payloads[0]["intents"] & (1 << 15)  # asked for Message Content
    assert reply.embeds and len(fake.messages) == 1  # only the listed channel was answered


async def test_sharded_bot_answers_too(fake: FakeDiscord, tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "newsbot.db", sharded=True)
    assert isinstance(create_bot(settings), ShardedNewsBot)
    async with fake.run_bot(ShardedNewsBot(settings, guild_ready_timeout=0.05)):
        reply = await ask_by_mention(fake, SEED_QUESTION)
    assert reply.embeds and fake.identify_payloads[0]["shard"] == [0, 1]
