"""``/latest`` with its topic autocomplete, ``/help``, and syncing slash commands only on change."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.chat.bot import NewsBot
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from bot.settings import Settings
from tests.fakes import FakeDiscord

from .helpers import new_bot

HEADLINE = re.compile(r"^\*\*(?:\[(?P<linked>.+?)\]\(\S+\)|(?P<plain>.+))\*\*$")
DATE_LINE = re.compile(r" · (?:added )?(\d{4}-\d{2}-\d{2})$")


def headlines(description: str) -> list[tuple[str, str]]:
    """(title, date) of each headline listed in a /latest embed."""
    lines = description.splitlines()
    found = []
    for line, following in itertools.pairwise(lines):
        title, date = HEADLINE.match(line), DATE_LINE.search(following)
        if title and date:
            found.append((title.group("linked") or title.group("plain"), date.group(1)))
    return found


async def test_latest_lists_the_newest_headlines(fake: FakeDiscord, bot: NewsBot) -> None:
    interaction = await fake.send_interaction("latest", {"count": 4})

    response = await fake.wait_for_interaction_response(interaction["id"])
    [followup] = await fake.wait_for_followups(interaction["id"], 1)
    assert response.is_deferred
    [embed] = followup.embeds
    assert embed["title"] == "Latest headlines"
    listed = headlines(embed["description"])
    newest = await bot.archive.articles.latest(limit=4)
    assert [title for title, _ in listed] == [a.title for a in newest]
    dates = [date for _, date in listed]
    assert dates == sorted(dates, reverse=True)
    # The seed article has no date: listed by when it was stored, it says so.
    assert newest[0].published_at is None
    assert f" · added {dates[0]}" in embed["description"].split("\n\n")[0]


async def test_latest_filtered_by_topic(fake: FakeDiscord, bot: NewsBot) -> None:
    interaction = await fake.send_interaction("latest", {"topic": "nvidia", "count": 10})

    [followup] = await fake.wait_for_followups(interaction["id"], 1)
    [embed] = followup.embeds
    assert embed["title"] == "Latest headlines about nvidia"
    listed = [title for title, _ in headlines(embed["description"])]
    assert 1 <= len(listed) < 10  # filtered: the archive holds more than ten articles
    about = await bot.archive.articles.latest(limit=10, topic="nvidia")
    assert listed == [a.title for a in about]
    for article in about:
        text = " ".join([article.title, *article.key_points, *article.topics]).lower()
        assert "nvidia" in text


def _article(title: str, key_point: str, day: int) -> Article:
    return Article(
        title=title,
        summary=key_point,
        key_points=(key_point,),
        body=key_point,
        url=f"https://news.example.com/{day}",
        source="Example News",
        published_at=datetime(2026, 3, day, tzinfo=UTC),
    )


NAMES_AND_LOOK_ALIKES = [
    _article("Microsoft ships C# 14", "C# 14 adds extension members.", 1),
    _article("GCC 15 speeds up C++ builds", "C++ modules compile twice as fast.", 2),
    _article("Vitamin startup closes Series C round", "The C-suite sold vitamin C gummies.", 3),
    _article(".NET 10 arrives with faster startup", "Apps on .NET 10 start in half the time.", 4),
    _article("Sunderland net win over Leeds", "Sunderland net a late winner.", 5),
    _article("AT&T cuts 1,000 jobs", "AT&T is cutting jobs in its network unit.", 6),
    _article("Layoffs at T-Mobile hit stores", "Layoffs at T-Mobile don't spare managers.", 7),
]


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("C#", "Microsoft ships C# 14"),
        ("c++", "GCC 15 speeds up C++ builds"),
        (".NET", ".NET 10 arrives with faster startup"),
        ("AT&T", "AT&T cuts 1,000 jobs"),
    ],
)
async def test_latest_about_a_name_with_symbols_lists_only_that_name(
    fake: FakeDiscord, bot: NewsBot, topic: str, expected: str
) -> None:
    # The symbols were dropped: "C#" listed "Series C" and "C-suite", ".NET" a football score.
    await ingest_articles(bot.archive, NAMES_AND_LOOK_ALIKES, now=datetime.now(UTC))
    interaction = await fake.send_interaction("latest", {"topic": topic, "count": 10})

    [followup] = await fake.wait_for_followups(interaction["id"], 1)
    assert [title for title, _ in headlines(followup.embeds[0]["description"])] == [expected]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"topic": "zeppelins"}, "No articles about **zeppelins**. Try another topic"),
        ({"source": "Verge"}, "No articles from an outlet named like **Verge**. Pick an outlet"),
        ({"topic": "meta", "source": "Verge"}, "Try another topic or outlet"),
    ],
    ids=["topic", "source", "both"],
)
async def test_latest_that_finds_nothing_says_which_filter_to_change(
    fake: FakeDiscord, bot: NewsBot, options: dict[str, str], expected: str
) -> None:
    interaction = await fake.send_interaction("latest", options)

    [followup] = await fake.wait_for_followups(interaction["id"], 1)
    assert expected in followup.embeds[0]["description"]


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("the", "**the** would match nearly every article; try e.g. nvidia."),
        ("The News", "**The News** would match nearly every article; try e.g. nvidia."),
        ("!!!", "**!!!** has no words to watch for; try e.g. nvidia."),
    ],
)
async def test_latest_about_only_common_words_says_so_as_subscribe_does(
    fake: FakeDiscord, bot: NewsBot, topic: str, expected: str
) -> None:
    # "the" listed every article with a "the" in its title, as if each were about it.
    interaction = await fake.send_interaction("latest", {"topic": topic})

    response = await fake.wait_for_interaction_response(interaction["id"])
    assert response.type == 4 and response.data is not None
    assert response.data["content"] == expected and response.data["flags"] == 64


async def test_source_autocomplete_offers_the_archives_outlets(
    fake: FakeDiscord, bot: NewsBot
) -> None:
    interaction = await fake.send_autocomplete("latest", {"source": "byte"}, focused="source")

    response = await fake.wait_for_interaction_response(interaction["id"])
    assert [choice["value"] for choice in response.choices] == ["WireByte"]


async def test_topic_autocomplete_offers_archive_topics(fake: FakeDiscord, bot: NewsBot) -> None:
    interaction = await fake.send_autocomplete("latest", {"topic": "me"}, focused="topic")

    response = await fake.wait_for_interaction_response(interaction["id"])
    assert response.type == 8
    values = [choice["value"] for choice in response.choices]
    assert "meta" in values
    assert values == await bot.archive.articles.topics("me")
    assert all(value.startswith("me") for value in values)


async def test_help_explains_the_bot_privately(fake: FakeDiscord, bot: NewsBot) -> None:
    interaction = await fake.send_interaction("help")

    response = await fake.wait_for_interaction_response(interaction["id"])
    assert response.type == 4 and response.data is not None
    assert response.data["flags"] == 64
    [embed] = response.data["embeds"]
    # Every other command the bot offers is explained, the admins' too.
    offered = (_synced_names(fake, fake.guild_id) | _synced_names(fake)) - {"help"}
    assert {"ask", "latest", "subscribe", "feeds"} <= offered
    assert [name for name in offered if f"/{name}" not in embed["description"]] == []


def _synced_names(fake: FakeDiscord, guild_id: str | None = None) -> set[str]:
    return {command["name"] for command in fake.commands(guild_id)}


async def test_commands_synced_once_and_not_again_after_a_restart(
    fake: FakeDiscord, settings: Settings
) -> None:
    async with fake.run_bot(new_bot(settings)):
        pass
    assert len(fake.command_syncs) == 1 and fake.command_syncs[0].guild_id is None
    assert {"ask", "latest", "help"} <= _synced_names(fake)

    async with fake.run_bot(new_bot(settings)):
        pass
    assert len(fake.command_syncs) == 1
    assert fake.requests_to("PUT /applications/{id}/commands")[0].status == 200

    class WithOneMoreCommand(NewsBot):
        async def setup_hook(self) -> None:
            self.tree.add_command(
                app_commands.Command(name="ping", description="Pong", callback=_pong)
            )
            await super().setup_hook()

    async with fake.run_bot(WithOneMoreCommand(settings, guild_ready_timeout=0.05)):
        pass
    assert len(fake.command_syncs) == 2 and "ping" in _synced_names(fake)


async def _pong(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong")


async def test_dev_guild_gets_the_commands_instantly(fake: FakeDiscord, tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "dev.db", dev_guild_id=int(fake.guild_id))
    async with fake.run_bot(new_bot(settings)):
        interaction = await fake.send_interaction("help")
        await fake.wait_for_interaction_response(interaction["id"])
    [sync] = fake.command_syncs
    assert sync.guild_id == fake.guild_id
    assert {"ask", "latest", "help"} <= _synced_names(fake, fake.guild_id)


async def test_a_failed_sync_is_logged_and_the_bot_still_serves(
    fake: FakeDiscord, settings: Settings
) -> None:
    fake.fail_next("PUT /applications/{id}/commands", 403)
    async with fake.run_bot(new_bot(settings)):
        incoming = await fake.send_dm("what does Nvidia earn?")
        await fake.wait_for_messages(incoming["channel_id"], 1)
    async with fake.run_bot(new_bot(settings)):
        pass
    # Not recorded as synced, so the next start tries again (and succeeds).
    assert [r.status for r in fake.requests_to("PUT /applications/{id}/commands")] == [403, 200]
