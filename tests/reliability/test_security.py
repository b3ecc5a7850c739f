"""Secrets stay secret and admin commands stay admin-only.

* Neither the bot token nor any interaction (webhook) token appears in the log of ``newsbot run``
  at DEBUG, through a soak-like run with REST errors, gateway drops and ``/ask`` interactions,
  nor in anything the bot posts. (discord.py's DEBUG logging shows interaction tokens in the
  URLs it requests and in the gateway events it dumps; the runner's log filter redacts them.)
* Every admin command checks the permission of *this* interaction on the bot's side, whatever
  Discord's ``default_member_permissions`` let through: tests/alerts and tests/feeds cover a
  member without permissions; here a moderator holding every permission but the one needed,
  against a server that already has a subscription and a feed, and the same commands from DMs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import discord
import pytest

from tests.alerts.harness import Publisher, bot_settings, command, entry, running_bot
from tests.fakes import FakeDiscord
from tests.fakes.feed_server import FeedServer

from .soak import SMALL, TOKEN, run_soak


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
async def test_no_token_of_any_kind_in_a_debug_log_or_a_posted_message(tmp_path: Path) -> None:
    report = await run_soak(tmp_path, SMALL, log_level="DEBUG")
    log = report.log

    # The log is DEBUG and has what would carry the secrets: interaction events, callback and
    # webhook URLs, and errors (the faults).
    assert "INTERACTION_CREATE" in log and "/callback" in log and "/webhooks/" in log
    assert "503" in log and "Service Unavailable" in log
    assert len(report.interaction_tokens) == SMALL.asks
    for where, text in (("log", log), ("posted messages", report.posted)):
        assert TOKEN not in text, where
        assert TOKEN.split(".")[-1] not in text, where
        leaked = [token for token in report.interaction_tokens if token in text]
        assert not leaked, f"{len(leaked)} interaction token(s) in the {where}"
    assert "/callback" in log and "[token]" in log  # redacted where they were
    assert report.lost == {"questions": 0, "asks": 0, "alerts": 0}


def all_permissions_but(*names: str) -> discord.Permissions:
    """Every permission except ``names`` (a moderator's role, say)."""
    return discord.Permissions(
        discord.Permissions.all().value & ~discord.Permissions(**dict.fromkeys(names, True)).value
    )


ADMIN_COMMANDS = [
    ("subscribe", {"topic": "tesla"}, "manage_channels"),
    ("unsubscribe", {"topic": "nvidia"}, "manage_channels"),
    ("feeds add", {"url": "http://127.0.0.1:9/other.xml"}, "manage_guild"),
    ("feeds remove", {"url": "FEED"}, "manage_guild"),
    ("feeds list", {}, "manage_guild"),
]

# The permissions as Discord's apps name them.
SHOWN_AS = {"manage_channels": "Manage Channels", "manage_guild": "Manage Server"}


@pytest.mark.parametrize(("name", "options", "needed"), ADMIN_COMMANDS)
async def test_admin_commands_need_their_permission_on_this_interaction(
    tmp_path: Path,
    fake: FakeDiscord,
    feed_server: FeedServer,
    name: str,
    options: dict[str, str],
    needed: str,
) -> None:
    feed = Publisher(feed_server, "/rss")
    feed.publish(entry("rubin", "Nvidia ships Rubin"))
    moderator = fake.add_user("mod")
    fake.add_member(moderator)
    options = {k: feed.url if v == "FEED" else v for k, v in options.items()}
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        await command(fake, "feeds add", {"url": feed.url}, user=fake.admin_user)
        await command(fake, "subscribe", {"topic": "nvidia"}, user=fake.admin_user)
        before = (await bot.archive.alerts.subscriptions(), await bot.archive.feeds.list())

        permissions = all_permissions_but("administrator", needed)
        refused = await command(fake, name, options, user=moderator, member_permissions=permissions)
        assert refused["content"] == f"You need the {SHOWN_AS[needed]} permission to do that here."
        assert refused["flags"] == 64 and not refused.get("embeds")

        # From a direct message (no server, so no server permissions): refused too.
        dm = fake.dm_channel(moderator)
        refused = await command(fake, name, options, user=moderator, channel_id=dm.id)
        assert refused["content"].startswith("You need the"), refused
        assert refused["flags"] == 64 and not refused.get("embeds")

        after = (await bot.archive.alerts.subscriptions(), await bot.archive.feeds.list())
        assert [s.topic for s in after[0]] == [s.topic for s in before[0]] == ["nvidia"]
        assert [f.url for f in after[1]] == [f.url for f in before[1]] == [feed.url]
    # Nothing about the server's feeds or subscriptions was shown to the moderator.
    for response in fake.interaction_responses[2:]:
        assert feed.url not in str(response.payload)
