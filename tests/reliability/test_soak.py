"""Issue #7: a soak through the fake Discord with faults injected at random.

At least 500 questions and 500 alerts while the gateway is dropped and told to RECONNECT, and
REST calls get 429 (with and without ``global``), 500 and 503 (some after Discord created the
message) and slow responses: every question gets exactly one reply, every alert arrives exactly
once, and the bot's memory stays flat. CI runs the size in ``soak.CI`` (well under two minutes);
NEWSBOT_SLOW=1 runs ``soak.SLOW``. ``pytest -s`` prints the figures; NEWSBOT_SOAK_REPORT=path
also writes them as JSON.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.chat.bot import NewsBot
from bot.chat.exts.ask import REPLY_ATTEMPTS
from bot.ingest.pipeline import ingest_articles
from bot.settings import Settings
from tests.chat.helpers import SEED_QUESTION, ask_by_mention, new_bot
from tests.chat.helpers import TOKEN as CHAT_TOKEN
from tests.fakes import FakeDiscord

from .soak import (
    CI,
    MESSAGES,
    SLOW,
    TOKEN,
    alerted_articles,
    run_soak,
    soak_article,
    topic,
    wait_until,
)

SLOW_RUN = os.environ.get("NEWSBOT_SLOW") == "1"
AFTER_503 = "503 after the message was created"
MAX_RSS_GROWTH_MB = 50.0


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
async def test_soak_every_question_answered_once_every_alert_posted_once(tmp_path: Path) -> None:
    scale = SLOW if SLOW_RUN else CI
    report = await run_soak(tmp_path, scale, seed=int(os.environ.get("NEWSBOT_SOAK_SEED", "7")))
    print(f"\nsoak figures:\n{report.summary()}")
    report.write(os.environ.get("NEWSBOT_SOAK_REPORT"))

    assert report.questions >= scale.questions and report.alerts >= scale.alerts
    assert report.lost == {"questions": 0, "asks": 0, "alerts": 0}
    assert report.duplicates == {"questions": 0, "asks": 0, "alerts": 0}
    assert report.outbox == {"sent": report.alerts}
    # The faults did happen: every kind hit requests, 503s hit replies, alerts and follow-ups,
    # and the gateway went down again and again.
    faults = report.rest_faults
    assert all(faults["total"].values()) and len(faults["total"]) == 7, faults
    assert all(faults["reply"].values()) and len(faults["reply"]) == 7, faults
    for target in ("alert", "follow-up"):
        assert faults[target].get("503", 0) + faults[target].get(AFTER_503, 0), faults
    # A 503 after Discord created the message: the re-send was answered with that message.
    assert report.deduplicated_by_nonce["replies"] and report.deduplicated_by_nonce["alerts"]
    assert sum(n for kind, n in report.gateway.items() if kind.startswith("dropped")) >= 5
    assert report.resumes >= 5 and report.identifies == 1  # resumed each time, nothing missed
    # Every reply is a real one: an answer, "not in the archive", never a refusal.
    assert set(report.reply_kinds) <= {"answer", "not in the archive"}, report.reply_kinds
    # Memory stays flat once warmed up (the growth is in the printed figures).
    if report.rss_mb["growth"] is not None:
        assert report.rss_mb["growth"] < MAX_RSS_GROWTH_MB, report.rss_mb
    # The bot stopped cleanly, nothing escaped its handlers, and no secret reached its log.
    assert report.exit_code == 0, report.log[-3000:]
    assert "newsbot stopped cleanly" in report.log
    assert "Ignoring exception" not in report.log, report.log[-3000:]
    assert "exception was never retrieved" not in report.log
    assert TOKEN not in report.log
    assert not [t for t in report.interaction_tokens if t in report.log]


# -- What the soak found, pinned down one fault at a time ---------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=CHAT_TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[NewsBot]:
    settings = Settings(db_path=tmp_path / "newsbot.db", token=CHAT_TOKEN, alert_interval=0.2)
    async with fake.run_bot(new_bot(settings)) as running:
        yield running


def nonces(fake: FakeDiscord) -> list[str | None]:
    return [(r.json or {}).get("nonce") for r in fake.requests_to(MESSAGES)]


async def test_a_reply_refused_with_503_is_sent_again_with_the_same_nonce(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    fake.fail_next(MESSAGES, 503)  # discord.py does not retry a 503 itself

    reply = await ask_by_mention(fake, SEED_QUESTION)

    assert [r.status for r in fake.requests_to(MESSAGES)] == [503, 200]
    assert reply.embeds and len(fake.messages) == 1
    first, second = nonces(fake)
    assert first == second == reply.nonce and reply.payload["enforce_nonce"] is True


async def test_a_reply_discord_created_before_answering_503_is_not_posted_twice(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    fake.fail_next(MESSAGES, 503, after_handler=True)  # created, but the response says 503

    reply = await ask_by_mention(fake, SEED_QUESTION)
    await fake.wait_for(lambda: reply.duplicate_posts == 1, what="the re-send")

    assert [r.status for r in fake.requests_to(MESSAGES)] == [503, 200]
    assert len(fake.messages) == 1 and len(set(nonces(fake))) == 1


async def test_a_reply_is_tried_a_bounded_number_of_times_then_the_bot_goes_on(
    fake: FakeDiscord, bot: NewsBot, caplog: pytest.LogCaptureFixture
) -> None:
    outage = fake.fail_next(MESSAGES, 503, count=REPLY_ATTEMPTS + 5)
    await fake.send_message(f"{fake.bot_user.mention} {SEED_QUESTION}")
    await fake.wait_for(
        lambda: any("could not reply" in r.getMessage() for r in caplog.records),
        timeout=10,
        what="the bot giving up",
    )
    assert outage.hits == REPLY_ATTEMPTS and fake.messages == []

    outage.remaining = 0
    reply = await ask_by_mention(fake, SEED_QUESTION, author=fake.admin_user)
    assert reply.embeds


async def test_an_alert_discord_created_before_answering_503_is_not_posted_twice(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    channel = fake.channel_id
    interaction = await fake.send_interaction(
        "subscribe", {"topic": topic(1)}, user=fake.admin_user
    )
    await fake.wait_for_followups(interaction["id"], 1)  # subscribed
    fake.fail_next(MESSAGES, 503, after_handler=True)

    await ingest_articles(bot.archive, [soak_article(1, 3)], now=datetime.now(UTC))

    [alert] = await fake.wait_for_messages(channel, 1)
    await fake.wait_for(lambda: alert.duplicate_posts == 1, what="the next tick's re-send")

    async def recorded() -> bool:
        return await bot.archive.alerts.delivery_counts() == {"sent": 1}

    await wait_until(recorded, timeout=5, what="the alert recorded as sent")
    assert [r.status for r in fake.requests_to(MESSAGES)] == [503, 200]
    assert len(set(nonces(fake))) == 1 and alerted_articles(alert) == [1]
