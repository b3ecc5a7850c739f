"""Exactly-once alerts across a crash: ``newsbot run`` as its own process, killed with SIGKILL
while an alert is being sent, then restarted against the same archive and fake Discord."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.archive import Archive
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from tests.alerts.harness import eventually
from tests.conftest import REPO
from tests.fakes import FakeDiscord

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

START_TIMEOUT = 30.0  # a cold interpreter importing discord.py on a slow CI machine


class BotProcess:
    """``python -m bot run`` pointed at the fake; its output goes to a log file."""

    def __init__(self, fake: FakeDiscord, db: Path, log: Path) -> None:
        self.fake, self.db, self.log = fake, db, log
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        env = {
            **os.environ,
            "DISCORD_TOKEN": self.fake.token,
            "DISCORD_API_BASE": self.fake.api_base,
            "DISCORD_GATEWAY_URL": self.fake.gateway_url,
            "NEWSBOT_DB": str(self.db),
            "NEWSBOT_ALERT_INTERVAL": "1",
            "NEWSBOT_ALLOW_PRIVATE_FEEDS": "1",
            "NEWSBOT_NO_BUNDLED": "1",
            "NEWSBOT_LOG_LEVEL": "INFO",
        }
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                env=env, cwd=REPO, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        self.starts += 1
        try:
            await self.fake.wait_for_identify(self.starts, timeout=START_TIMEOUT)
            await self.fake.wait_until_ready(timeout=START_TIMEOUT)
        except AssertionError as error:
            raise AssertionError(f"{error}\nbot log:\n{self.output()}") from None

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, the archive is left as the crash left it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 10)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextlib.asynccontextmanager
async def bot_process(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake, tmp_path / "news.db", tmp_path / "bot.log")
    try:
        yield process
    finally:
        await process.stop()


@pytest.fixture
async def archive(tmp_path: Path) -> AsyncIterator[Archive]:
    """The test's own connection to the archive the bot process uses."""
    opened = await Archive.open(tmp_path / "news.db")
    yield opened
    await opened.close()


async def store(archive: Archive, slug: str, title: str) -> None:
    """Store an article as another process would (``newsbot ingest``, a feed poll)."""
    article = Article(
        title=title,
        body=f"{title}, the company said.",
        url=f"https://chips.example/{slug}",
        source="Chip Wire",
        published_at=datetime.now(UTC) - timedelta(hours=1),
    )
    report = await ingest_articles(archive, [article], now=datetime.now(UTC))
    assert report.added == 1


async def sent(archive: Archive, count: int) -> bool:
    return await archive.alerts.delivery_counts() == {"sent": count}


async def test_killed_after_discord_posted_the_alert_it_is_not_posted_twice(
    fake: FakeDiscord, archive: Archive, tmp_path: Path
) -> None:
    await archive.alerts.subscribe(
        guild_id=int(fake.guild_id),
        channel_id=int(fake.channel_id),
        topic="nvidia",
        exclude="",
        role_id=None,
        created_by=int(fake.admin_user.id),
        now=datetime.now(UTC),
        max_per_channel=10,
        max_per_guild=50,
    )
    async with bot_process(fake, tmp_path) as bot:
        await bot.start()
        # Discord stores the message, but the bot never hears back (every answer is a 500).
        lost = fake.fail_next("POST /channels/{id}/messages", 500, count=1000, after_handler=True)
        await store(archive, "rubin", "Nvidia ships Rubin")
        await fake.wait_for(lambda: fake.messages, timeout=10, what="the alert posted")
        await bot.kill()
        assert await archive.alerts.delivery_counts() == {"sending": 1}  # not known as sent

        lost.remaining = 0
        await bot.start()
        await eventually(lambda: sent(archive, 1), within=10, what="the alert recorded as sent")

        # Killed before Discord got the next one: it is sent after the restart, once.
        refused = fake.fail_next("POST /channels/{id}/messages", 503, count=1000)
        await store(archive, "tokyo", "Nvidia opens a Tokyo lab")
        await fake.wait_for(lambda: refused.hits, timeout=10, what="a send attempt")
        await bot.kill()
        assert await archive.alerts.delivery_counts() == {"sent": 1, "sending": 1}

        refused.remaining = 0
        await bot.start()
        await eventually(lambda: sent(archive, 2), within=10, what="both alerts sent")
        await bot.stop()
        assert bot.process is not None and bot.process.returncode == 0, bot.output()

    titles = [m.embeds[0]["title"] for m in fake.messages]
    assert titles == ["Nvidia ships Rubin", "Nvidia opens a Tokyo lab"]
    assert fake.messages[0].duplicate_posts >= 1  # the re-send after the crash was recognised
    posts = fake.requests_to("POST /channels/{id}/messages")
    first_nonces = {p.json["nonce"] for p in posts if p.json["embeds"][0]["title"] == titles[0]}
    assert first_nonces == {fake.messages[0].nonce}  # before and after the crash: one nonce
