"""``/feeds``: admins follow RSS/Atom feeds; a loop polls them and tells admins of failures.

Every ``/feeds`` subcommand needs the Manage Server permission, checked here on every
interaction (``default_permissions`` only hides the commands in the client). The loop wakes every
``NEWSBOT_FEED_TICK`` seconds and polls the feeds that are due; what it stores goes through the
ingest path, so it reaches Q&A, ``/latest`` and the alert scan like any other article. Polls
store a few articles at a time, each write a small index segment of its own; once a day, off
peak, the cog merges them into one (``SnippetIndex.compact``), as a large import does at its end.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.chat import render
from bot.feeds.discover import (
    FoundFeed,
    describe_found,
    describe_unchecked,
    find_feed_to_follow,
    with_assumed_scheme,
)
from bot.feeds.fetch import UnsafeURLError, check_public_url
from bot.feeds.poller import FeedPoller, PollOutcome
from bot.ingest.urls import redacted_url

if TYPE_CHECKING:
    from bot.archive.feeds import Feed
    from bot.chat.bot import NewsBot

log = logging.getLogger(__name__)

MAX_FEEDS_PER_GUILD = 20
CHOICE_VALUE_LIMIT = 100  # Discord's limit on an autocomplete choice's value
# When the day's index segments are merged: seconds of writing at 100,000 articles, during
# which polls wait (answers do not).
COMPACT_AT = time(hour=4, minute=30, tzinfo=UTC)
_TELL = "If it keeps failing it is disabled and I'll say so in this channel."


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Feeds(commands.GroupCog, group_name="feeds", group_description="Follow RSS/Atom feeds"):
    """Feeds followed from this server, and the poller that fetches every feed."""

    def __init__(self, bot: NewsBot):
        self.bot = bot
        self.poller = FeedPoller(
            bot.archive,
            allow_private=bot.settings.allow_private_feeds,
            fetch_full_text=bot.settings.feed_full_text,
        )
        super().__init__()

    async def cog_load(self) -> None:
        self.poll.change_interval(seconds=self.bot.settings.feed_tick)
        self.poll.start()
        self.compact_index.start()

    async def cog_unload(self) -> None:
        self.poll.cancel()
        self.compact_index.cancel()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Every /feeds subcommand is for server managers (checked on the bot's side)."""
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    # -- the polling loop -----------------------------------------------------------------

    @tasks.loop(seconds=30)
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

    @tasks.loop(time=COMPACT_AT)
    async def compact_index(self) -> None:
        """Merge the index segments that the day's polls left (a merged index costs nothing)."""
        try:
            await self.bot.archive.index.compact()
        except Exception:  # the loop must survive a failed pass
            log.exception("index compaction failed; retrying tomorrow")

    async def _tell_admins(self, outcome: PollOutcome) -> None:
        """Post in the channel the feed was added from that it has been disabled, and why."""
        channel_id = outcome.feed.notify_channel_id
        if channel_id is None:
            return
        # The notice is public, unlike the replies to /feeds: the URL is named without what may
        # hold a secret (a paid feed's key in the query string), and not unfurled into a preview.
        shown = redacted_url(outcome.feed.url)
        if outcome.feed.title:
            shown = f"{render.quoted(outcome.feed.title, 100)} ({shown})"
        text = (
            f"The feed {shown} was disabled after repeated failures "
            f"(last error: {outcome.error}). Fix it and run `/feeds add` again to re-enable it."
        )
        try:
            await self.bot.get_partial_messageable(channel_id).send(
                render.plain(text), suppress_embeds=True
            )
        except discord.HTTPException as error:
            log.warning("could not tell channel %s about feed %s: %s", channel_id, shown, error)

    # -- commands -------------------------------------------------------------------------

    @app_commands.command(name="add", description="Follow an RSS or Atom feed, or a site's")
    @app_commands.describe(url="The feed's address, or the site's (its feed is looked for)")
    async def add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 500]
    ) -> None:
        """Follow a feed, or the one a web page links to; its articles arrive with the next
        poll."""
        assert interaction.guild is not None
        url = with_assumed_scheme(url)
        # Checking the address (a DNS lookup, a fetch or two) and the write may take a while.
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = await self._follow(url, interaction.guild.id, interaction.channel_id)
        await interaction.followup.send(render.plain(text), ephemeral=True)

    async def _follow(self, url: str, guild_id: int, channel_id: int | None) -> str:
        """Follow ``url``'s feed for a server, and the reply that says how it went."""
        refusal = await self._refusal(url)
        if refusal:
            return f"Can't follow that feed: {refusal}"
        feeds = self.bot.archive.feeds
        existing = await feeds.get(url)
        if existing is not None and existing.guild_id != guild_id:
            return _followed_elsewhere(url, existing)
        found = FoundFeed(url)
        if existing is None or existing.disabled_reason:  # (followed and polled: known good)
            found = await find_feed_to_follow(
                url, public_only=not self.bot.settings.allow_private_feeds
            )
            if found.url is None:
                return f"Can't follow that feed: {found.refusal}"
            if found.url != url:  # the feed a page links to: held to the same rules
                url = found.url
                refusal = await self._refusal(url)
                if refusal:
                    return f"Can't follow that feed: {refusal}"
                existing = await feeds.get(url)
                if existing is not None and existing.guild_id != guild_id:
                    return _followed_elsewhere(url, existing)
        ours = await feeds.list(guild_id=guild_id)
        if existing is None and len(ours) >= MAX_FEEDS_PER_GUILD:
            return f"This server already follows {len(ours)} feeds (the limit); remove one first."
        feed, new = await feeds.add(
            url,
            interval_seconds=self.bot.settings.feed_interval,
            now=datetime.now(UTC),
            guild_id=guild_id,
            notify_channel_id=channel_id,
        )
        if feed.guild_id != guild_id:  # followed elsewhere meanwhile: left alone
            return _followed_elsewhere(url, feed)
        if new or (existing is not None and existing.disabled_reason):
            verb = "Following" if new else "Re-enabled"
            text = f"{verb} {feed.url}; its articles arrive with the next poll."
        else:
            text = f"Already following {feed.url}."
        found_on = describe_found(found, lambda title: render.quoted(title, 100))
        unchecked = describe_unchecked(found)
        notes = [found_on, f"It {unchecked}." if unchecked else "", _TELL]
        return " ".join([text, *filter(None, notes)])

    async def _refusal(self, url: str) -> str | None:
        """Why a feed URL from Discord is not acceptable, or None."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            return f"{url} is not a valid URL"
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return f"{url} is not an http(s) URL"
        if not self.bot.settings.allow_private_feeds:
            try:
                await check_public_url(url)
            except UnsafeURLError as error:
                # What the name resolves to, or that it does not, is for the operator's log: in
                # the reply it would let anyone who can add the bot probe its network's DNS.
                log.info("/feeds add refused: %s", error)
                return f"{url} is not a public web server that I can reach"
        return None

    @app_commands.command(name="remove", description="Stop following a feed")
    @app_commands.describe(url="The feed's address, as listed by /feeds list")
    async def remove(self, interaction: discord.Interaction, url: str) -> None:
        """Stop following a feed added from this server (by URL, or the id autocomplete gives)."""
        assert interaction.guild is not None
        feeds = self.bot.archive.feeds
        await interaction.response.defer(ephemeral=True, thinking=True)  # the write waits its turn
        removed = await feeds.remove(url.strip(), guild_id=interaction.guild.id)
        if removed is None:
            text = f"This server does not follow {url}."
        else:  # named by its URL even when autocomplete sent its id (for a URL too long)
            text = f"Stopped following {redacted_url(removed.url)}."
        await interaction.followup.send(render.plain(text), ephemeral=True)

    @remove.autocomplete("url")
    async def _feed_urls(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not interaction.permissions.manage_guild:
            return []
        feeds = await self.bot.archive.feeds.list(guild_id=interaction.guild_id)
        return [
            app_commands.Choice(
                name=render.shorten(f.url, CHOICE_VALUE_LIMIT),
                # A URL too long for a choice's value is sent as the feed's id instead.
                value=f.url if len(f.url) <= CHOICE_VALUE_LIMIT else str(f.id),
            )
            for f in feeds
            if current.lower() in f.url.lower()
        ][:25]

    @app_commands.command(name="list", description="Feeds this server follows, and their state")
    async def list(self, interaction: discord.Interaction) -> None:
        """List this server's feeds with their last error or why they are disabled."""
        feeds = await self.bot.archive.feeds.list(guild_id=interaction.guild_id)
        first, *rest = render.feeds_embeds(feeds)
        await interaction.response.send_message(embed=first, ephemeral=True)
        for embed in rest:  # the rest of a long list, as private as its start
            await interaction.followup.send(embed=embed, ephemeral=True)


def _followed_elsewhere(url: str, feed: Feed) -> str:
    """The reply to ``/feeds add`` for a feed that another server or the bot's operator (on the
    command line) follows: it stays theirs, unchanged."""
    if feed.guild_id is None and feed.disabled_reason:
        return (
            f"{url} is already followed by the bot's operator; it is disabled at the moment, "
            "and only the operator can re-enable it."
        )
    owner = "by the bot's operator" if feed.guild_id is None else "(added from another server)"
    return (
        f"{url} is already followed {owner}; its articles are in the archive and reach this "
        "server's subscriptions too."
    )


async def setup(bot: NewsBot) -> None:
    """Load the extension."""
    await bot.add_cog(Feeds(bot))
