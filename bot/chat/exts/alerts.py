"""Topic alerts: ``/subscribe``, ``/unsubscribe``, ``/subscriptions``, and the delivery loop.

The loop is the Discord half of the outbox in ``bot.alerts``: each tick scans the archive for
new articles (whoever stored them), then sends at most one message per channel (a digest when
several articles matched), with the batch's nonce so that a re-send after a crash is not
posted twice. A deleted channel's or thread's subscriptions are removed with it (on the
gateway's delete event, or when Discord answers "Unknown Channel" to an alert).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.alerts.matching import exclusions, split_unquoted, unquoted, unsearchable, words_of
from bot.alerts.outbox import backfill, scan, subscribe, unsubscribe
from bot.archive import StorageError
from bot.archive.alerts import Batch, LimitReached, Resumed, Subscription
from bot.chat import render

if TYPE_CHECKING:
    from bot.chat.bot import NewsBot

log = logging.getLogger(__name__)

MAX_PER_CHANNEL = 10
MAX_PER_GUILD = 50
ARTICLES_PER_MESSAGE = 10
# The most articles a resumed channel is sent of those it missed while paused (the newest):
# after a pause of months, a few digests, not a flood.
MISSED_ON_RESUME = 25
UNKNOWN_CHANNEL = 10003  # Discord's error code for a channel that does not exist (any more)
# What makes a typed topic a list ("nvidia, amd", "nvidia or amd", "Nvidia OR AMD"): a topic
# is matched as one phrase, its words adjacent and in order, so a list would never match. A
# comma between digits ("1,000 layoffs") and "and" ("research and development", "AT&T") belong
# to real phrases, and so does anything in double quotes ("pay or consent"): see
# ``_listed_topics``. (/subscribe lower-cases a topic before it looks, but "OR" must not be a
# phrase only because a caller forgot to.)
_LIST_SEPARATOR = re.compile(r"(?<!\d),|,(?!\d)|(?<!\S)or(?!\S)", re.IGNORECASE)


class Alerts(commands.Cog):
    """Channel subscriptions to topics, and posting each matching new article once."""

    # Caps and pacing (instance attributes, so that a deployment or a test can tune them).
    max_per_channel = MAX_PER_CHANNEL
    max_per_guild = MAX_PER_GUILD
    articles_per_message = ARTICLES_PER_MESSAGE
    missed_on_resume = MISSED_ON_RESUME

    def __init__(self, bot: NewsBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.deliver.change_interval(seconds=self.bot.settings.alert_interval)
        self.deliver.start()

    async def cog_unload(self) -> None:
        self.deliver.cancel()

    # -- the delivery loop ----------------------------------------------------------------

    @tasks.loop(seconds=60)
    async def deliver(self) -> None:
        """Queue alerts for new articles, then send each channel's next batch."""
        try:
            await self.deliver_once()
        except Exception:  # the loop must survive anything one tick does
            log.exception("alert delivery tick failed; retrying next tick")

    @deliver.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def deliver_once(self) -> int:
        """One tick of the loop; returns how many messages were sent."""
        archive = self.bot.archive
        await scan(archive, now=datetime.now(UTC))
        sent = 0
        for batch in await archive.alerts.claim_batches(per_message=self.articles_per_message):
            sent += await self._send(batch)
        return sent

    async def _send(self, batch: Batch) -> int:
        """Post a channel's batch as one message; returns 1 if a message was posted.

        The message is fixed before the first attempt (``fix_message``), so that a retry after
        a lost response sends exactly the same one under the same nonce, and what is marked
        sent is what Discord shows."""
        archive = self.bot.archive
        stored = await archive.alerts.batch_message(batch)
        first_send = stored is None  # (the message is fixed just before the first send)
        if stored is None:
            rendered = await self._render(batch)
            if rendered is None:  # every article was deleted meanwhile: nothing to post
                await archive.alerts.mark_sent(batch, 0, datetime.now(UTC))
                return 0
            alert, held_back = rendered
            stored = render.alert_to_json(alert)
            await archive.alerts.fix_message(batch, stored, held_back)
        channel = self.bot.get_partial_messageable(batch.channel_id)
        try:
            message = await channel.send(nonce=batch.nonce, **render.alert_from_json(stored))
        except (discord.Forbidden, discord.NotFound) as error:
            if isinstance(error, discord.NotFound) and error.code == UNKNOWN_CHANNEL:
                await self.forget_channel(batch.channel_id)
                return 0
            # Anything else (403, a 404 without Discord's code) only pauses: it can be undone.
            reason = (
                "Discord could not find this channel"
                if isinstance(error, discord.NotFound)
                else "I lost permission to post in this channel"
            )
            when = datetime.now(UTC).date().isoformat()
            # Refused at its first send, the batch was never posted: the resume sends it.
            await archive.alerts.pause_channel(
                batch.channel_id,
                f"{reason} ({when}); /subscribe again to resume",
                refused_unsent=first_send,
            )
            log.warning("alerts for channel %s paused: %s", batch.channel_id, reason)
            return 0
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            # A network failure: still 'sending', re-sent next tick with the same nonce, while
            # this tick goes on with the other channels' batches.
            log.warning("alert to channel %s not sent yet: %r", batch.channel_id, error)
            return 0
        except discord.HTTPException as error:
            if 400 <= error.status < 500 and error.status != 429:
                # Discord refuses this message as it is: retrying would block the channel.
                await archive.alerts.mark_batch_undeliverable(batch)
                log.error("alert to channel %s refused by Discord: %s", batch.channel_id, error)
            else:
                # Still 'sending': the next tick re-sends with the same nonce.
                log.warning("alert to channel %s not sent yet: %s", batch.channel_id, error)
            return 0
        await archive.alerts.mark_sent(batch, message.id, datetime.now(UTC))
        return 1

    async def _render(self, batch: Batch) -> tuple[dict[str, object], list[int]] | None:
        """A batch's message, and the articles that did not fit in it; None when none of its
        articles is left."""
        archive = self.bot.archive
        articles = await archive.articles.get_many(item.article_id for item in batch.items)
        subscriptions = {
            s.id: s for s in await archive.alerts.subscriptions(channel_id=batch.channel_id)
        }
        items = []
        for item in batch.items:
            subscription = subscriptions.get(item.subscription_id)
            if item.article_id in articles:
                topic = subscription.topic if subscription else "a topic"
                role = subscription.role_id if subscription else None
                items.append((articles[item.article_id], topic, item.matched_words, role))
        if not items:
            return None
        alert, shown = render.alert_message(items)
        return alert, [article.id for article, *_ in items[shown:]]

    # -- deleted channels -----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """A deleted channel's subscriptions go with it."""
        await self.forget_channel(channel.id)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        """So do a deleted thread's (threads are not channels to discord.py's delete event)."""
        await self.forget_channel(payload.thread_id)

    async def forget_channel(self, channel_id: int) -> None:
        """Remove a deleted channel's subscriptions and unsent alerts: kept, they would count
        toward the server's cap, and /unsubscribe works only in the channel itself."""
        removed = await self.bot.archive.alerts.forget_channel(channel_id)
        if removed:
            log.info("channel %s was deleted: removed its %d subscriptions", channel_id, removed)

    # -- commands -------------------------------------------------------------------------

    @app_commands.command(name="subscribe", description="Post new articles on a topic here")
    @app_commands.describe(
        # (Discord allows 100 characters.)
        topic=(
            'One topic: a word or phrase, e.g. electric vehicles; quoted if it has "or": '
            '"pay or consent"'
        ),
        role="A role to mention with each alert (optional)",
        exclude=(
            "Words or phrases that rule an article out, separated by commas "
            "(quote one with a comma)"
        ),
        recent="Also post this many recent matching articles now (0-5)",
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    @app_commands.checks.has_permissions(manage_channels=True)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 100],
        role: discord.Role | None = None,
        exclude: app_commands.Range[str, 1, 200] | None = None,
        recent: app_commands.Range[int, 0, 5] = 0,
    ) -> None:
        """Subscribe this channel to a topic."""
        assert interaction.guild is not None and interaction.channel_id is not None
        typed = " ".join(topic.lower().split())  # quotes kept: they decide what is a list
        topic = unquoted(typed)
        alerts = self.bot.archive.alerts
        caps = {
            "guild_id": interaction.guild.id,
            "channel_id": interaction.channel_id,
            "topic": topic,
            "max_per_channel": self.max_per_channel,
            "max_per_guild": self.max_per_guild,
        }
        refusal = _cannot_post_alerts(interaction) or _refusal(typed, role, interaction.permissions)
        if not refusal and (exceeded := await alerts.cap_exceeded(**caps)):
            refusal = self._over_cap(exceeded)
        if refusal:
            await interaction.response.send_message(render.plain(refusal), ephemeral=True)
            return
        # The write waits its turn for the archive (a feed poll, an import may be writing).
        await interaction.response.defer(thinking=True)
        try:
            # An option left out (None) keeps what an existing subscription has.
            subscription, updated, resumed = await subscribe(
                self.bot.archive,
                **caps,
                exclude=exclusions(exclude) if exclude is not None else None,
                role_id=role.id if role else None,
                created_by=interaction.user.id,
                now=datetime.now(UTC),
                missed_cap=self.missed_on_resume,
            )
        except LimitReached as error:  # another subscription was added meanwhile
            await interaction.followup.send(render.plain(self._over_cap(str(error))))
            return
        kept = interaction.guild.get_role(subscription.role_id) if subscription.role_id else None
        text = _subscribed_text(subscription, role or kept, updated)
        text += _resumed_note(resumed)
        try:
            found, queued = await backfill(
                self.bot.archive, subscription, recent, datetime.now(UTC)
            )
            text += _backfill_note(recent, found, queued)
        except StorageError as error:  # the subscription is stored: say so, and what is not
            log.warning("recent matches of %r not queued: %s", topic, error)
            text += " The recent matches could not be queued (the archive is busy); new ones will."
        if role is not None and not role.mentionable:
            text += (
                f" Note: @{render.quoted(role.name, 200)} is not mentionable, so alerts ping it"
                " only if I have the Mention All Roles permission."
            )
        await interaction.followup.send(render.plain(text))

    def _over_cap(self, exceeded: str) -> str:
        return (
            f"Can't subscribe: {exceeded} (the limit is {self.max_per_channel} per channel "
            f"and {self.max_per_guild} per server). Remove one with /unsubscribe first."
        )

    @app_commands.command(name="unsubscribe", description="Stop posting a topic here")
    @app_commands.describe(topic="The subscribed topic")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    @app_commands.checks.has_permissions(manage_channels=True)
    async def unsubscribe(
        self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 100]
    ) -> None:
        """Remove one of this channel's subscriptions."""
        assert interaction.channel_id is not None
        typed = " ".join(topic.lower().split())
        topic = unquoted(typed)  # as /subscribe stored it: "pay or consent" typed in quotes
        alerts = self.bot.archive.alerts
        subscribed = {
            s.topic for s in await alerts.subscriptions(channel_id=interaction.channel_id)
        }
        if topic not in subscribed and typed in subscribed:
            # Stored with its quotes before quotes marked a phrase (autocomplete offers it so).
            topic = typed
        shown = render.quoted(topic, 200)  # as typed: "*nvidia*" is not made italic
        if topic not in subscribed:
            await interaction.response.send_message(
                render.plain(f"This channel has no subscription to **{shown}**."), ephemeral=True
            )
            return
        await interaction.response.defer(thinking=True)  # the write waits its turn
        if await unsubscribe(self.bot.archive, interaction.channel_id, topic, datetime.now(UTC)):
            text = f"This channel no longer gets articles about **{shown}**."
        else:  # someone else removed it meanwhile
            text = f"This channel has no subscription to **{shown}** any more."
        await interaction.followup.send(render.plain(text))

    @unsubscribe.autocomplete("topic")
    async def _channel_topics(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        subscriptions = await self.bot.archive.alerts.subscriptions(
            channel_id=interaction.channel_id
        )
        typed = unquoted(current)  # '"pay or' typed toward a phrase stored without quotes
        return [
            app_commands.Choice(name=s.topic, value=s.topic)
            for s in subscriptions
            if typed in s.topic
        ][:25]

    @app_commands.command(name="subscriptions", description="Topics this channel follows")
    @app_commands.describe(everywhere="The whole server's subscriptions (Manage Channels only)")
    @app_commands.guild_only()
    async def subscriptions(
        self, interaction: discord.Interaction, everywhere: bool = False
    ) -> None:
        """List the channel's subscriptions, or the server's for admins, with any pause reason."""
        assert interaction.guild is not None
        # The member's server-wide permission: ``interaction.permissions`` is resolved for this
        # channel, where an override may grant Manage Channels, but the list covers every one.
        member = interaction.user
        if everywhere and not (
            isinstance(member, discord.Member) and member.guild_permissions.manage_channels
        ):
            await interaction.response.send_message(
                "Listing the whole server's subscriptions needs the Manage Channels permission "
                "server-wide, not only in this channel.",
                ephemeral=True,
            )
            return
        alerts = self.bot.archive.alerts
        found = (
            await alerts.subscriptions(guild_id=interaction.guild.id)
            if everywhere
            else await alerts.subscriptions(channel_id=interaction.channel_id)
        )
        first, *rest = render.subscriptions_embeds(found, everywhere=everywhere)
        await interaction.response.send_message(embed=first, ephemeral=True)
        for embed in rest:  # the rest of a long list, as private as its start
            await interaction.followup.send(embed=embed, ephemeral=True)


def _cannot_post_alerts(interaction: discord.Interaction) -> str | None:
    """Why the bot could not post alerts in the interaction's channel, or None: its own
    permissions there, as Discord resolved them for this interaction (overwrites included)."""
    bot = interaction.app_permissions
    in_thread = isinstance(interaction.channel, discord.Thread)
    needed = {
        "View Channel": bot.view_channel,
        "Send Messages in Threads" if in_thread else "Send Messages": (
            bot.send_messages_in_threads if in_thread else bot.send_messages
        ),
        "Embed Links": bot.embed_links,  # every alert is an embed
    }
    missing = [name for name, held in needed.items() if not held]
    if not missing:
        return None
    if len(missing) == 1:
        return f"I can't post alerts here: I need the {missing[0]} permission in this channel."
    names = f"{', '.join(missing[:-1])} and {missing[-1]}"
    return f"I can't post alerts here: I need the {names} permissions in this channel."


def _refusal(typed: str, role: discord.Role | None, permissions: discord.Permissions) -> str | None:
    """Why /subscribe will not take these options, or None. ``typed`` is the topic with its
    quotes. What was typed is quoted as typed (Markdown escaped), as are the names of the parts
    of a list and of the role."""
    if len(listed := _listed_topics(typed)) > 1:
        each = [f"once for **{render.quoted(part, 100)}**" for part in listed]
        runs = ", ".join(each[:-1]) + f" and {each[-1]}"
        text = f"One topic per subscription: run /subscribe {runs}."
        if not any('"' in part for part in listed):  # (the parts' quotes are made straight)
            # A phrase with "or" in it ("pay or consent") is a real topic: say how to keep it.
            phrase = render.quoted(typed, 100)
            text += f' To follow it as one phrase instead, put it in quotes: "{phrase}".'
        return text
    topic = unquoted(typed)
    if reason := unsearchable(topic):
        return f"**{render.quoted(topic, 200)}** {reason}"
    if role is not None and role.is_default():
        return "Alerts can't mention @everyone; pick a role instead."
    if role is not None and not role.mentionable and not permissions.mention_everyone:
        # Otherwise alerts would ping, on this member's word, a role they cannot ping.
        return (
            f"@{render.quoted(role.name, 200)} is not mentionable, and you may not mention it "
            "yourself; make it mentionable, or ask someone with Mention All Roles."
        )
    return None


def _listed_topics(typed: str) -> list[str]:
    """The topics a list typed as one topic names (one item for a single topic), each as
    typed. A separator inside double quotes does not count: '"pay or consent"' is one topic,
    '"pay or consent", gdpr' two."""
    parts = (part.strip() for part in split_unquoted(typed, _LIST_SEPARATOR))
    return [part for part in parts if words_of(part)]


def _subscribed_text(subscription: Subscription, role: discord.Role | None, updated: bool) -> str:
    """The /subscribe reply's first sentence. Re-running /subscribe updates the channel's
    subscription to that topic (the role and exclusions given replace its own, the others are
    kept): say so, and show both as they now are, so that no change is silent. ``role`` is the
    subscription's role, if the server still has it. The reply is public: what was typed is
    shown as typed, its Markdown escaped."""
    topic = render.quoted(subscription.topic, 200)
    exclude = render.quoted(subscription.exclude, 600)  # 200 typed, ", " between items
    named = None
    if subscription.role_id:
        named = f"@{render.quoted(role.name, 200)}" if role else "a role since deleted"
    if not updated:
        text = f"This channel now gets new articles about **{topic}**"
        text += f", mentioning {named}" if named else ""
        return text + (f", except those mentioning {exclude}." if exclude else ".")
    text = f"Updated this channel's existing subscription to **{topic}**: now mentioning "
    text += named or "no role"
    return text + (f", except articles mentioning {exclude}." if exclude else ", no exclusions.")


def _resumed_note(resumed: Resumed) -> str:
    """What the /subscribe reply says of the channel's paused subscriptions it resumed: all of
    them, not only the topic typed (the pause notice tells to run /subscribe again), and how
    many of the articles the channel missed while paused will be posted now, and how many not
    (the newest are posted, up to a cap)."""
    if not resumed.subscriptions:
        return ""
    if resumed.subscriptions == 1:
        text = " Resumed this channel's paused subscription."
    else:
        text = f" Resumed this channel's {resumed.subscriptions} paused subscriptions."
    queued, left_out = resumed.queued, resumed.left_out
    if queued is None:  # paused before newsbot kept when: nothing missed was looked for
        return text
    missed = queued + left_out
    if not missed:
        return text + " This channel missed no matching article while paused."
    text += f" This channel missed {_articles(missed)} while paused: "
    if not left_out:
        return text + ("posting it shortly." if missed == 1 else "posting them shortly.")
    older = "the older one is" if left_out == 1 else f"the {left_out} older ones are"
    return text + f"posting the {queued} newest shortly; {older} not posted."


def _articles(count: int) -> str:
    return "1 matching article" if count == 1 else f"{count} matching articles"


def _backfill_note(recent: int, found: int, queued: int) -> str:
    """What the /subscribe reply says of the ``recent`` matches asked for: how many will really
    be posted (the channel already got, or is about to get, the others), or that none is stored,
    so that asking for some and getting none is not left unexplained."""
    if not recent:
        return ""
    if not found:
        return " No stored article matches it yet."
    newest = "the most recent match" if found == 1 else f"the {found} most recent matches"
    if queued == found:
        return f" Posting {newest} shortly."
    if not queued:
        were = "was" if found == 1 else "were"
        return f" {newest[0].upper()}{newest[1:]} {were} already posted or queued here."
    others = "the other was" if found - queued == 1 else "the others were"
    return f" Posting {queued} of {newest} shortly; {others} already posted or queued here."


async def setup(bot: NewsBot) -> None:
    """Load the extension."""
    await bot.add_cog(Alerts(bot))
