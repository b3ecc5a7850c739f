"""The bot keeps serving: rate limits, server errors, a channel it cannot write to, a gateway
reconnect, a failing engine, people asking too fast, and a shutdown with a reply in flight."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import sqlite3

import discord
import pytest

from bot.chat.bot import NewsBot
from bot.search import Answer
from bot.settings import Settings
from tests.fakes import FakeDiscord

from .helpers import (
    SEED_FIGURE,
    SEED_QUESTION,
    SEED_TITLE,
    TOKEN,
    ask_by_mention,
    new_bot,
    reply_to,
)

QUESTION = "did Nvidia beat earnings in the second quarter?"
ERROR_ID = re.compile(r"error id `([0-9a-f]{8})`")
# What Discord answers to a reply it refuses.
NO_READ_MESSAGE_HISTORY = {
    "message": "Cannot reply without permission to read message history",
    "code": 160002,
}
INVALID_EMBED = {
    "message": "Invalid Form Body",
    "code": 50035,
    "errors": {
        "embeds": {
            "0": {
                "url": {
                    "_errors": [
                        {"code": "URL_TYPE_INVALID_URL", "message": "Not a well formed URL."}
                    ]
                }
            }
        }
    },
}
NO_REPLY_TO_SYSTEM_MESSAGE = {
    "message": "Invalid Form Body",
    "code": 50035,
    "errors": {
        "message_reference": {
            "_errors": [
                {
                    "code": "REPLIES_CANNOT_REPLY_TO_SYSTEM_MESSAGE",
                    "message": "Cannot reply to a system message",
                }
            ]
        }
    },
}


async def test_reply_arrives_after_two_429s(fake: FakeDiscord, bot: NewsBot) -> None:
    fault = fake.fail_next("POST /channels/{id}/messages", 429, count=2, retry_after=0.05)

    reply = await ask_by_mention(fake, QUESTION)

    assert fault.hits == 2 and reply.embeds
    assert [r.status for r in fake.requests_to("POST /channels/{id}/messages")] == [429, 429, 200]
    assert len(fake.messages) == 1


async def test_a_500_after_discord_posted_the_reply_does_not_post_it_twice(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    # Discord stores the message but the response is lost; discord.py retries after ~1 s.
    fake.fail_next("POST /channels/{id}/messages", 500, after_handler=True)

    reply = await ask_by_mention(fake, QUESTION)
    await fake.wait_for(
        lambda: len(fake.requests_to("POST /channels/{id}/messages")) == 2, what="the retry"
    )

    assert len(fake.messages) == 1 and reply.duplicate_posts == 1


async def test_403_on_reply_is_logged_and_the_bot_keeps_serving(
    fake: FakeDiscord, bot: NewsBot, caplog: pytest.LogCaptureFixture
) -> None:
    # The channel refuses the reply, the plain message sent instead, and the answer as text.
    refusal = fake.fail_next("POST /channels/{id}/messages", 403, count=3)
    await fake.send_message(f"{fake.bot_user.mention} {QUESTION}")
    await fake.wait_for(
        lambda: any("no permission to reply" in r.getMessage() for r in caplog.records),
        what="the 403 in the log",
    )
    assert fake.messages == [] and refusal.hits == 3

    reply = await ask_by_mention(fake, "how much is Meta spending on AI?", author=fake.admin_user)
    assert reply.embeds


@pytest.mark.parametrize(
    ("status", "body"),
    [(403, NO_READ_MESSAGE_HISTORY), (400, NO_REPLY_TO_SYSTEM_MESSAGE)],
    ids=["no-read-message-history", "reference-refused"],
)
async def test_an_answer_refused_as_a_reply_still_arrives_in_the_channel(
    fake: FakeDiscord, bot: NewsBot, status: int, body: dict[str, object]
) -> None:
    # This channel takes messages but refuses every reply.
    refusal = fake.fail_next(
        f"POST /channels/{fake.channel_id}/messages",
        status,
        count=100,
        body=body,
        where=lambda request: "message_reference" in (request.json or {}),
    )

    await fake.send_message(f"{fake.bot_user.mention} {QUESTION}")

    [answer] = await fake.wait_for_messages(fake.channel_id)
    assert "Nvidia" in answer.embeds[0]["description"]
    assert "message_reference" not in answer.payload and refusal.hits == 1
    assert answer.allowed_mentions == {"parse": [], "replied_user": False}
    assert not answer.pings_anyone


async def test_without_embed_links_the_answer_arrives_as_text(
    fake: FakeDiscord, settings: Settings
) -> None:
    # The server took Embed Links from everyone, the bot included: Discord refuses an
    # embed-only message there (403), but text and link buttons still go through.
    everyone = fake.guild.role(fake.guild_id)
    assert everyone is not None
    everyone.permissions &= ~discord.Permissions(embed_links=True).value
    async with fake.run_bot(new_bot(settings)):
        reply = await ask_by_mention(fake, SEED_QUESTION)

    assert not reply.embeds and len(reply.content) <= 2000
    assert reply.content.startswith(f"**{SEED_QUESTION}**\n> ")
    assert SEED_FIGURE in reply.content and f"**1.** {SEED_TITLE} — WireByte" in reply.content
    assert "Match confidence: " in reply.content
    assert reply.allowed_mentions == {"parse": [], "replied_user": False}
    assert [r.status for r in fake.requests_to("POST /channels/{id}/messages")] == [200]


async def test_an_answer_whose_embed_discord_refuses_arrives_as_text(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    # Discord validates more than the fake (e.g. what it takes for a well-formed link): a 400
    # for the embed must not leave the question unanswered.
    refusal = fake.fail_next(
        "POST /channels/{id}/messages",
        400,
        count=100,
        body=INVALID_EMBED,
        where=lambda request: bool((request.json or {}).get("embeds")),
    )

    reply = await ask_by_mention(fake, QUESTION)

    assert refusal.hits == 1 and not reply.embeds and not reply.components
    assert reply.content.startswith(f"**{QUESTION}**") and "Nvidia" in reply.content
    assert "**Sources**" in reply.content and not reply.pings_anyone


async def test_resumes_after_a_gateway_reconnect_and_answers(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    await fake.send_reconnect()
    await fake.wait_for_resume(1)

    reply = await ask_by_mention(fake, QUESTION)

    assert "Nvidia" in reply.embeds[0]["description"]
    assert fake.identify_count == 1 and fake.connections[-1].path == "/gateway-resume"


async def test_asking_too_fast_gets_a_friendly_slow_down(fake: FakeDiscord, bot: NewsBot) -> None:
    first = await ask_by_mention(fake, QUESTION)
    second = await ask_by_mention(fake, "and what about Meta?")
    interaction = await fake.send_interaction("ask", {"question": "and Apple?"})
    third = await fake.wait_for_interaction_response(interaction["id"])

    assert first.embeds
    assert second.content.startswith("Slow down a little: you can ask again in ")
    assert third.data is not None and third.data["flags"] == 64
    assert third.data["content"].startswith("Slow down a little")
    # Someone else is not slowed down.
    other = await ask_by_mention(fake, QUESTION, author=fake.admin_user)
    assert other.embeds


async def test_someone_flooding_questions_gets_one_slow_down_not_one_per_message(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    # Six questions in a second: the first is answered, the second told to slow down, and the
    # rest get nothing (a "slow down" each would double the flood in the channel).
    flood = [await fake.send_message(f"{fake.bot_user.mention} {QUESTION}") for _ in range(6)]
    answer, slow_down = await reply_to(fake, flood[0]), await reply_to(fake, flood[1])
    # Small talk is no way around it: no hint for "hi" either within the window.
    await fake.send_message(f"{fake.bot_user.mention} hi")
    # Someone else asking afterwards is answered: everything before was handled by then.
    other = await ask_by_mention(fake, QUESTION, author=fake.admin_user)
    await asyncio.sleep(0.3)

    assert answer.embeds and other.embeds
    assert slow_down.content.startswith("Slow down a little: you can ask again in ")
    assert {m.id for m in fake.messages} == {answer.id, slow_down.id, other.id}
    assert len(fake.messages) == 3


async def _broken_engine(question: str, *args: object) -> Answer:
    raise RuntimeError("the engine broke")


async def test_slash_error_gets_an_apology_with_an_error_id_and_the_log_the_traceback(
    fake: FakeDiscord,
    bot: NewsBot,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bot.engine, "answer", _broken_engine)
    interaction = await fake.send_interaction("ask", {"question": QUESTION})

    [apology] = await fake.wait_for_followups(interaction["id"], 1)
    match = ERROR_ID.search(apology.content)
    assert match and apology.content.startswith("Sorry, something went wrong")
    [record] = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "RuntimeError: the engine broke" in caplog.text
    assert "Traceback" in caplog.text

    monkeypatch.undo()  # the bot keeps serving
    reply = await ask_by_mention(fake, QUESTION, author=fake.admin_user)
    assert reply.embeds


async def test_message_error_gets_an_apology_with_an_error_id(
    fake: FakeDiscord,
    bot: NewsBot,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bot.engine, "answer", _broken_engine)

    reply = await ask_by_mention(fake, QUESTION)

    match = ERROR_ID.search(reply.content)
    assert match and not reply.embeds
    assert any(match.group(1) in r.getMessage() and r.exc_info is not None for r in caplog.records)


async def _locked_archive(question: str, *args: object) -> Answer:
    raise sqlite3.OperationalError("database is locked")


async def test_a_locked_archive_says_try_again_not_an_error_id(
    fake: FakeDiscord,
    bot: NewsBot,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another program held the archive past the busy timeout while the engine read it.
    monkeypatch.setattr(bot.engine, "answer", _locked_archive)

    reply = await ask_by_mention(fake, QUESTION)
    interaction = await fake.send_interaction("ask", {"question": QUESTION}, user=fake.admin_user)
    [followup] = await fake.wait_for_followups(interaction["id"], 1)

    for text in (reply.content, followup.content):
        assert text == "The news archive is busy right now; please try again in a few seconds."
    assert not any(r.exc_info for r in caplog.records)  # expected, so no traceback logged


async def test_shutdown_finishes_the_reply_in_flight_then_closes_the_archive(
    fake: FakeDiscord, settings: Settings
) -> None:
    bot = new_bot(settings)
    async with fake.run_bot(bot):
        fake.delay_next("POST /channels/{id}/messages", 0.5)
        incoming = await fake.send_message(f"{fake.bot_user.mention} {QUESTION}")
        await fake.wait_for(
            lambda: fake.requests_to("POST /channels/{id}/messages"), what="the reply being sent"
        )
        await bot.close()
        # Already sent when close() returns; nothing more is answered.
        assert [r.status for r in fake.requests_to("POST /channels/{id}/messages")] == [200]
        assert await reply_to(fake, incoming)
        assert bot.is_closed() and not bot.accepting
    assert fake.connections[-1].closed
    with pytest.raises(ValueError):  # the archive's connections are closed
        await bot.archive.articles.count()
    with sqlite3.connect(settings.db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_what_the_bot_loads_at_start_stays_out_of_full_collections_until_it_closes(
    fake: FakeDiscord, settings: Settings
) -> None:
    # Full garbage collections walked the whole engine and held the event loop 30 to 45 ms
    # each while an import ran. Frozen once started; given back at close, so nothing leaks.
    async with fake.run_bot(new_bot(settings)):
        assert gc.get_freeze_count() > 0
        assert (await ask_by_mention(fake, QUESTION)).payload["embeds"]  # answers as before
    assert gc.get_freeze_count() == 0


async def test_the_token_never_appears_in_the_logs(
    fake: FakeDiscord, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with fake.run_bot(new_bot(settings)):
        await ask_by_mention(fake, QUESTION)
        interaction = await fake.send_interaction(
            "ask", {"question": QUESTION}, user=fake.admin_user
        )
        await fake.wait_for_followups(interaction["id"], 1)
        await fake.send_reconnect()
        await fake.wait_for_resume(1)
    assert "IDENTIFY" in caplog.text  # discord.py's debug logging was captured ...
    assert TOKEN not in caplog.text  # ... and never shows the token
    assert TOKEN.split(".")[-1] not in caplog.text
