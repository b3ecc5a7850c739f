"""``/feeds``: admins follow RSS/Atom feeds; a loop polls them and tells admins of failures."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.chat import render
from bot.feeds.fetch import UnsafeURLError, check_public_url
from bot.feeds.poller import FeedPoller, PollOutcome

if TYPE_CHECKING:
    from bot.chat.bot import NewsBot

log = logging.getLogger(__name__)

MAX_FEEDS_PER_GUILD = 20
POLL_TICK_SECONDS = 30


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
@app_commands.checks.has_permissions(manage_guild=True)
class Feeds(commands.GroupCog, group_name="feeds", group_description="Follow RSS/Atom feeds"):
    """Feeds followed from this server, and the poller that fetches every feed."""

    def __init__(self, bot: NewsBot):
        self.bot = bot
        self.poller = FeedPoller(bot.archive, allow_private=bot.settings.allow_private_feeds)
        super().__init__()

    async def cog_load(self) -> None:
        self.poll.start()

    async def cog_unload(self) -> None:
        self.poll.cancel()

    @tasks.loop(seconds=POLL_TICK_SECONDS)
    async def poll(self) -> None:
        """Poll the feeds that are due; new entries reach Q&A, /latest and alerts."""
        try:
            for outcome in await self.poller.poll_due(datetime.now(UTC)):
                if outcome.disabled:
                    await self._tell_admins(outcome)
        except Exception:  # the loop must survive anything one tick does
            log.exception("feed poll tick failed; retrying next tick")

    @poll.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def _tell_admins(self, outcome: PollOutcome) -> None:
        channel_id = outcome.feed.notify_channel_id
        if channel_id is None:
            return
        text = (
            f"The feed {outcome.feed.url} was disabled after repeated failures "
            f"(last error: {outcome.error}). Fix it and run `/feeds add` again to re-enable it."
        )
        try:
            await self.bot.get_partial_messageable(channel_id).send(render.plain(text))
        except discord.HTTPException as error:
            log.warning(
                "could not tell channel %s about feed %s: %s", channel_id, outcome.feed.url, error
            )

    @app_commands.command(name="add", description="Follow an RSS or Atom feed")
    @app_commands.describe(url="The feed's address (http or https)")
    async def add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 500]
    ) -> None:
        """Follow a feed; its articles arrive with the next poll."""
        assert interaction.guild is not None
        url = url.strip()
        if not self.bot.settings.allow_private_feeds:
            try:
                await check_public_url(url)
            except UnsafeURLError as error:
                await interaction.response.send_message(
                    render.plain(f"Can't follow that feed: {error}"), ephemeral=True
                )
                return
        feeds = await self.bot.archive.feeds.list(guild_id=interaction.guild.id)
        if len(feeds) >= MAX_FEEDS_PER_GUILD and url not in {f.url for f in feeds}:
            await interaction.response.send_message(
                f"This server already follows {len(feeds)} feeds (the limit); remove one first.",
                ephemeral=True,
            )
            return
        feed, new = await self.bot.archive.feeds.add(
            url,
            interval_seconds=self.bot.settings.feed_interval,
            now=datetime.now(UTC),
            guild_id=interaction.guild.id,
            notify_channel_id=interaction.channel_id,
        )
        verb = "Following" if new else "Re-enabled"
        await interaction.response.send_message(
            render.plain(f"{verb} {feed.url}; its articles arrive with the next poll."),
            ephemeral=True,
        )

    @app_commands.command(name="remove", description="Stop following a feed")
    @app_commands.describe(url="The feed's address, as listed by /feeds list")
    async def remove(self, interaction: discord.Interaction, url: str) -> None:
        """Stop following a feed added from this server."""
        assert interaction.guild is not None
        removed = await self.bot.archive.feeds.remove(url.strip(), guild_id=interaction.guild.id)
        text = f"Stopped following {url}." if removed else f"This server does not follow {url}."
        await interaction.response.send_message(render.plain(text), ephemeral=True)

    @remove.autocomplete("url")
    async def _feed_urls(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        feeds = await self.bot.archive.feeds.list(guild_id=interaction.guild_id)
        return [
            app_commands.Choice(name=f.url[:100], value=f.url[:100])
            for f in feeds
            if current in f.url
        ][:25]

    @app_commands.command(name="list", description="Feeds this server follows, and their state")
    async def list(self, interaction: discord.Interaction) -> None:
        """List this server's feeds with their last error or why they are disabled."""
        feeds = await self.bot.archive.feeds.list(guild_id=interaction.guild_id)
        await interaction.response.send_message(embed=render.feeds_embed(feeds), ephemeral=True)


async def setup(bot: NewsBot) -> None:
    """Load the extension."""
    await bot.add_cog(Feeds(bot))
