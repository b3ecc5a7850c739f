"""Topic alerts end to end: the real bot (cogs, loops, archive) against the fake Discord server,
with articles arriving from an RSS/Atom feed on a local HTTP server or from another process."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import discord
import pytest

from bot.archive import Archive, StorageError
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from bot.settings import Settings
from tests.alerts.harness import (
    FAST,
    Publisher,
    bot_settings,
    command,
    considered,
    entry,
    eventually,
    paged_list,
    running_bot,
)
from tests.conftest import REPO
from tests.fakes import FakeDiscord, SentMessage
from tests.fakes.feed_server import FeedServer

MESSAGES = "POST /channels/{id}/messages"


def alert_titles(message: SentMessage) -> list[str]:
    """The article titles an alert message carries (one embed; a digest lists several)."""
    (embed,) = message.embeds
    if " new articles on " not in embed["title"]:
        return [embed["title"]]
    return [line[3:].split("](")[0] for line in embed["description"].splitlines() if "](" in line]


async def subscribe(fake: FakeDiscord, options: dict, **kwargs: object) -> dict:
    """/subscribe as the server's admin (unless ``user`` says otherwise)."""
    kwargs.setdefault("user", fake.admin_user)
    return await command(fake, "subscribe", options, **kwargs)


async def outbox_is(archive: Archive, counts: dict[str, int]) -> None:
    """Wait until the deliveries are in these states (the bot records a send just after it)."""

    async def reached() -> bool:
        return await archive.alerts.delivery_counts() == counts

    await eventually(reached, what=f"deliveries {counts}")


async def restart_with_nothing_new(
    fake: FakeDiscord, settings: Settings, *, considered_articles: int
) -> None:
    """Run the bot once more with nothing new published: it gets through the articles it
    already considered, then a few alert rounds pass (in which nothing must be posted)."""
    async with running_bot(fake, settings) as bot:
        await considered(bot.archive, considered_articles)
        await asyncio.sleep(3 * FAST["alert_interval"])


async def follow(fake: FakeDiscord, archive: Archive, feed: Publisher, articles: int) -> None:
    """/feeds add the feed and wait until its first poll stored ``articles`` articles."""
    reply = await command(fake, "feeds add", {"url": feed.url}, user=fake.admin_user)
    assert reply["content"].startswith("Following"), reply

    async def polled() -> bool:
        return all(f.last_polled_at for f in await archive.feeds.list())

    await eventually(polled, what="the feed's first poll")
    if articles:
        await considered(archive, articles)


@pytest.mark.parametrize("kind", ["rss", "atom"])
async def test_new_matching_feed_entry_gives_exactly_one_alert_pinging_only_the_role(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer, kind: str
) -> None:
    role = fake.add_role("Chip news")
    feed = Publisher(feed_server, f"/{kind}", kind)
    feed.publish(entry("q3", "Nvidia earnings beat estimates"))  # before the subscription
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        archive = bot.archive
        await follow(fake, archive, feed, 1)
        options = {"topic": "NVIDIA", "role": role, "exclude": "Rumor,  gaming card"}
        reply = await subscribe(fake, options)
        assert reply["content"] == (
            "This channel now gets new articles about **nvidia**, mentioning @Chip news, "
            "except those mentioning rumor, gaming card."
        )
        assert not reply.get("flags")  # the channel sees what it subscribed to

        feed.publish(
            entry("ipad", "Apple ships a new iPad"),
            entry("rumor", "Nvidia rumor: a cheaper gaming card", tags=["gpus"]),
        )
        await considered(archive, 3)
        assert await archive.alerts.delivery_counts() == {}  # nothing queued for either

        feed.publish(entry("rubin", "Nvidia's Rubin GPUs ship early", tags=["chips"]))
        [alert] = await fake.wait_for_messages(fake.channel_id, 1)
        await considered(archive, 4)
        await outbox_is(archive, {"sent": 1})  # nothing left pending: no second message coming

    assert len(fake.messages) == 1
    [embed] = alert.embeds
    assert embed["title"] == "Nvidia's Rubin GPUs ship early"
    assert embed["url"] == "https://chips.example/rubin"
    assert embed["footer"]["text"].startswith("Chip Wire · ")
    assert "Matched “nvidia” for topic **nvidia**" in embed["description"]
    assert alert.content == role.mention
    assert alert.allowed_mentions is not None
    assert alert.allowed_mentions["parse"] == []
    assert [str(r) for r in alert.allowed_mentions["roles"]] == [role.id]
    assert not alert.allowed_mentions.get("users")
    assert alert.message["mention_roles"] == [role.id]
    assert alert.mentioned_user_ids == [] and not alert.message["mention_everyone"]
    assert alert.nonce and alert.payload["enforce_nonce"] is True
    # Polls after the first were conditional: the server saw the ETag it had sent.
    assert any(r.get("If-None-Match") for r in feed_server.requests[f"/{kind}"][1:])


async def test_restart_neither_repeats_nor_loses_an_alert(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    feed = Publisher(feed_server, "/rss")
    settings = bot_settings(tmp_path / "news.db", fake)
    async with running_bot(fake, settings) as bot:
        await follow(fake, bot.archive, feed, 0)
        await subscribe(fake, {"topic": "nvidia"})
        feed.publish(entry("a", "Nvidia opens a Tokyo lab"))
        await fake.wait_for_messages(fake.channel_id, 1)
    # Published while the bot is down: picked up by the next poll after the restart.
    feed.publish(entry("b", "Nvidia ships Rubin"))
    async with running_bot(fake, settings) as bot:
        await fake.wait_for_messages(fake.channel_id, 2)
        await considered(bot.archive, 2)
        await outbox_is(bot.archive, {"sent": 2})
    await restart_with_nothing_new(fake, settings, considered_articles=2)
    assert [alert_titles(m) for m in fake.messages] == [
        ["Nvidia opens a Tokyo lab"],
        ["Nvidia ships Rubin"],
    ]


class StatusPage:
    """A status page's RSS feed on the feed server: every incident links to its home page."""

    def __init__(self, feed_server: FeedServer):
        self.feed_server = feed_server
        self.version = 0

    @staticmethod
    def incident(guid: str, title: str, text: str, published: datetime | None = None) -> str:
        """One incident's item, published an hour ago unless told otherwise."""
        date = format_datetime(published or datetime.now(UTC) - timedelta(hours=1))
        return (
            f"<item><title>{title}</title><link>https://status.example/</link>"
            f'<guid isPermaLink="false">{guid}</guid><description>{text}</description>'
            f"<pubDate>{date}</pubDate></item>"
        )

    def publish(self, *incidents: str) -> None:
        """Serve the feed listing these incidents (a new ETag each time)."""
        self.version += 1
        body = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Cloud Status</title>'
            f"<link>https://status.example/</link>{''.join(incidents)}</channel></rss>"
        )
        self.feed_server.serve("/status", body.encode(), etag=f'"v{self.version}"')

    async def follow(self, fake: FakeDiscord) -> None:
        """Add the feed with /feeds add, as an admin."""
        url = self.feed_server.url("/status")
        reply = await command(fake, "feeds add", {"url": url}, user=fake.admin_user)
        assert reply["content"].startswith("Following"), reply


async def test_each_incident_of_a_status_page_is_alerted_once_across_restarts(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    # Every incident links to the status page's home page: each is an article, and an alert,
    # of its own, and an incident updated later is neither a new alert nor lost.
    status = StatusPage(feed_server)
    old = status.incident("inc-1", "Storage maintenance finished", "Maintenance is over.")
    europe = status.incident("inc-2", "Outage of the API in Europe", "We are investigating.")
    status.publish(old)
    settings = bot_settings(tmp_path / "news.db", fake)
    async with running_bot(fake, settings) as bot:
        await status.follow(fake)
        await considered(bot.archive, 1)
        await subscribe(fake, {"topic": "outage"})
        status.publish(europe, old)
        await fake.wait_for_messages(fake.channel_id, 1)
        await considered(bot.archive, 2)
    # While the bot is down, the first outage is resolved and a second one begins.
    resolved = status.incident("inc-2", "Outage of the API in Europe", "The outage is resolved.")
    dashboard = status.incident("inc-3", "Dashboard outage", "The dashboard does not load.")
    status.publish(dashboard, resolved, old)
    async with running_bot(fake, settings) as bot:
        await fake.wait_for_messages(fake.channel_id, 2)
        await considered(bot.archive, 3)
        await outbox_is(bot.archive, {"sent": 2})
    await restart_with_nothing_new(fake, settings, considered_articles=3)
    assert [alert_titles(m) for m in fake.messages] == [
        ["Outage of the API in Europe"],
        ["Dashboard outage"],
    ]


async def test_two_incidents_of_a_status_page_titled_alike_on_one_day_are_each_alerted_once(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    # A status page's second "Degraded performance" of the day is a new incident, not the
    # first one's "same story": the channel following the page hears of both, each once.
    status = StatusPage(feed_server)
    published = datetime.now(UTC) - timedelta(hours=1)  # one day for both
    title = "Degraded performance of the API"
    status.publish()
    settings = bot_settings(tmp_path / "news.db", fake)
    async with running_bot(fake, settings) as bot:
        await status.follow(fake)

        async def polled() -> bool:
            return all(f.last_polled_at for f in await bot.archive.feeds.list())

        await eventually(polled, what="the feed's first poll")
        await subscribe(fake, {"topic": "degraded performance"})
        europe = status.incident("inc-1", title, "Slow responses in Europe.", published)
        status.publish(europe)
        await fake.wait_for_messages(fake.channel_id, 1)
        status.publish(
            status.incident("inc-2", title, "Slow responses in Asia.", published), europe
        )
        await fake.wait_for_messages(fake.channel_id, 2)
        await considered(bot.archive, 2)
        await outbox_is(bot.archive, {"sent": 2})
    await restart_with_nothing_new(fake, settings, considered_articles=2)
    assert [alert_titles(m) for m in fake.messages] == [[title]] * 2
    # (Each alert quotes its incident's text first.)
    assert [m.embeds[0]["description"].splitlines()[0] for m in fake.messages] == [
        "> Slow responses in Europe.",
        "> Slow responses in Asia.",
    ]


async def test_article_ingested_by_another_process_is_alerted_within_the_interval(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    db = tmp_path / "news.db"
    interval = 1.0
    async with running_bot(fake, bot_settings(db, fake, alert_interval=interval)) as bot:
        await subscribe(fake, {"topic": "electric vehicles"})
        articles = [
            {
                "title": "BYD overtakes Tesla in EV sales",  # undated: counts as stored now
                "url": "https://cars.example/byd",
                "source": "Car Wire",
                "text": "BYD sold more electric cars than Tesla this quarter.",
            },
            {
                "title": "EV tax credit from 2019 explained",  # dated long ago: backfill
                "url": "https://cars.example/2019",
                "source": "Car Wire",
                "published_at": "2019-03-01",
                "text": "An old explainer about EV tax credits.",
            },
        ]
        path = tmp_path / "inbox.json"
        path.write_text(json.dumps(articles))
        env = {**os.environ, "NEWSBOT_DB": str(db), "NEWSBOT_NO_BUNDLED": "1"}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "ingest", str(path),
            env=env, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        assert out.decode().startswith("added 2,")

        # Within the alert interval (and a margin for the tick's own work).
        [alert] = await fake.wait_for_messages(fake.channel_id, 1, timeout=interval + 2)
        await considered(bot.archive, 2)
    assert alert_titles(alert) == ["BYD overtakes Tesla in EV sales"]
    assert "Car Wire" in alert.embeds[0]["footer"]["text"]
    assert "“ev”" in alert.embeds[0]["description"]  # "EV" in the title
    assert len(fake.messages) == 1


async def test_only_channel_managers_subscribe_and_nothing_changes_otherwise(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        bot.get_cog("Alerts").max_per_channel = 2
        alerts = bot.archive.alerts
        refused = await subscribe(fake, {"topic": "nvidia"}, user=fake.member_user)
        assert refused["content"] == "You need the Manage Channels permission to do that here."
        assert refused["flags"] == 64
        # The server owner, but this interaction's permissions lack Manage Channels: the bot
        # checks what Discord says for this interaction, not who the user usually is.
        refused = await subscribe(
            fake,
            {"topic": "nvidia"},
            member_permissions=discord.Permissions(manage_guild=True, send_messages=True),
        )
        assert "Manage Channels" in refused["content"]
        # A channel manager may not have alerts ping a role they could not ping themselves.
        staff = fake.add_role("Staff", mentionable=False)
        refused = await subscribe(
            fake,
            {"topic": "nvidia", "role": staff},
            member_permissions=discord.Permissions(manage_channels=True, send_messages=True),
        )
        assert refused["content"].startswith("@Staff is not mentionable, and you may not")
        assert refused["flags"] == 64
        assert await alerts.subscriptions() == []

        await subscribe(fake, {"topic": "nvidia"})
        await subscribe(fake, {"topic": "ai"})
        wordless = await subscribe(fake, {"topic": "!!!"})
        assert wordless["content"].startswith("**!!!** has no words to watch for")
        assert wordless["flags"] == 64
        common = await subscribe(fake, {"topic": "The News"})
        assert common["content"].startswith("**the news** would match nearly every article")
        capped = await subscribe(fake, {"topic": "tesla"})
        assert capped["content"].startswith("Can't subscribe: this channel already has 2")
        assert capped["flags"] == 64

        refused = await command(fake, "unsubscribe", {"topic": "nvidia"}, user=fake.member_user)
        assert "Manage Channels" in refused["content"]
        assert [s.topic for s in await alerts.subscriptions()] == ["ai", "nvidia"]

        listed = await command(fake, "subscriptions", {}, user=fake.member_user)
        assert listed["embeds"][0]["description"].splitlines() == ["**ai**", "**nvidia**"]
        everywhere = await command(
            fake, "subscriptions", {"everywhere": True}, user=fake.member_user
        )
        assert "needs the Manage Channels permission" in everywhere["content"]

        typed = await fake.send_autocomplete("unsubscribe", {"topic": "nv"}, focused="topic")
        choices = (await fake.wait_for_interaction_response(typed["id"])).choices
        assert choices == [{"name": "nvidia", "value": "nvidia"}]
        missing = await command(fake, "unsubscribe", {"topic": "tesla"}, user=fake.admin_user)
        assert missing["content"] == "This channel has no subscription to **tesla**."
        assert missing["flags"] == 64
        removed = await command(fake, "unsubscribe", {"topic": "nvidia"}, user=fake.admin_user)
        assert removed["content"] == "This channel no longer gets articles about **nvidia**."
        assert not removed.get("flags")
        assert [s.topic for s in await alerts.subscriptions()] == ["ai"]
    assert fake.messages == []


async def test_a_list_typed_as_one_topic_is_refused_with_how_to_subscribe_to_each(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    # Stored as one phrase ("nvidia, amd"), such a topic would wait for the words side by side,
    # in that order, and never alert.
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        refused = await subscribe(fake, {"topic": "Nvidia, AMD"})
        assert refused["content"] == (
            "One topic per subscription: run /subscribe once for **nvidia** and once for **amd**."
            ' To follow it as one phrase instead, put it in quotes: "nvidia, amd".'
        )
        assert refused["flags"] == 64
        refused = await subscribe(fake, {"topic": "nvidia or amd or intel"})
        assert refused["content"] == (
            "One topic per subscription: run /subscribe once for **nvidia**, once for **amd** "
            "and once for **intel**. To follow it as one phrase instead, put it in quotes: "
            '"nvidia or amd or intel".'
        )
        refused = await subscribe(fake, {"topic": "Nvidia OR AMD"})
        assert refused["content"].startswith(
            "One topic per subscription: run /subscribe once for **nvidia** and once for **amd**."
        )
        # A quoted phrase in a list is one of its topics, named with its quotes to copy.
        refused = await subscribe(fake, {"topic": "“Pay or consent”, GDPR"})
        assert refused["content"] == (
            'One topic per subscription: run /subscribe once for **"pay or consent"** '
            "and once for **gdpr**."
        )
        assert await bot.archive.alerts.subscriptions() == []

        # "and" and a comma between digits belong to real phrases.
        for topic in ("research and development", "1,000 layoffs"):
            reply = await subscribe(fake, {"topic": topic})
            assert reply["content"] == f"This channel now gets new articles about **{topic}**."


async def test_a_quoted_phrase_with_or_in_it_is_one_topic_and_alerts(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    # "pay or consent" (Meta's ad model) is a topic, not a list: in quotes, straight or a phone
    # keyboard's typographic ones, it is subscribed to, stored and shown without them.
    settings = bot_settings(tmp_path / "news.db", fake, alert_interval=3600)  # ticks by hand
    async with running_bot(fake, settings) as bot:
        refused = await subscribe(fake, {"topic": "pay or consent"})
        assert refused["content"].endswith('put it in quotes: "pay or consent".')
        reply = await subscribe(fake, {"topic": '"Pay or Consent"', "exclude": '"1,000 users"'})
        assert reply["content"] == (
            "This channel now gets new articles about **pay or consent**, except those "
            'mentioning "1,000 users".'
        )
        reply = await subscribe(fake, {"topic": "“pay or consent”"})
        assert reply["content"].startswith(
            "Updated this channel's existing subscription to **pay or consent**:"
        )
        [subscription] = await bot.archive.alerts.subscriptions()
        assert (subscription.topic, subscription.exclude) == ("pay or consent", '"1,000 users"')
        listed = await command(fake, "subscriptions", {}, user=fake.admin_user)
        assert listed["embeds"][0]["description"] == ('**pay or consent** · except "1,000 users"')

        await ingest_articles(
            bot.archive,
            [
                Article(title="Meta will pay a fine", url="https://ads.example/fine"),
                Article(
                    title="EU regulators question Meta's pay or consent model",
                    url="https://ads.example/model",
                ),
            ],
            now=datetime.now(UTC),
        )
        assert await bot.get_cog("Alerts").deliver_once() == 1
        await outbox_is(bot.archive, {"sent": 1})
        typed = await fake.send_autocomplete("unsubscribe", {"topic": "“Pay or"}, focused="topic")
        choices = (await fake.wait_for_interaction_response(typed["id"])).choices
        assert choices == [{"name": "pay or consent", "value": "pay or consent"}]
        removed = await command(
            fake, "unsubscribe", {"topic": '"pay or consent"'}, user=fake.admin_user
        )
        assert removed["content"] == (
            "This channel no longer gets articles about **pay or consent**."
        )
    [alert] = fake.messages
    assert alert_titles(alert) == ["EU regulators question Meta's pay or consent model"]
    assert "Matched “pay or consent” for topic **pay or consent**" in alert.embeds[0]["description"]


async def test_a_topic_stored_with_its_quotes_before_they_marked_a_phrase_can_be_removed(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    # Before, '"nvidia"' was stored quotes and all; autocomplete offers it so.
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        await bot.archive.alerts.subscribe(
            guild_id=int(fake.guild_id), channel_id=int(fake.channel_id), topic='"nvidia"',
            exclude=None, role_id=None, created_by=1, max_per_channel=10, max_per_guild=50,
            now=datetime.now(UTC),
        )  # fmt: skip
        removed = await command(fake, "unsubscribe", {"topic": '"nvidia"'}, user=fake.admin_user)
        assert removed["content"] == 'This channel no longer gets articles about **"nvidia"**.'
        assert await bot.archive.alerts.subscriptions() == []


async def test_markdown_typed_in_a_topic_role_or_exclusion_is_shown_as_typed(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    # The channel sees these replies: "*nvidia*" must not turn italic, nor "||x||" a spoiler.
    mods = fake.add_role("__mods__")
    hidden = fake.add_role("~~staff~~", mentionable=False)
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)):
        reply = await subscribe(fake, {"topic": "*nvidia*", "role": mods, "exclude": "||x||"})
        assert reply["content"] == (
            "This channel now gets new articles about **\\*nvidia\\***, mentioning "
            "@\\_\\_mods\\_\\_, except those mentioning \\|\\|x\\|\\|."
        )
        refused = await subscribe(
            fake,
            {"topic": "tesla", "role": hidden},
            member_permissions=discord.Permissions(manage_channels=True, send_messages=True),
        )
        assert refused["content"].startswith("@\\~\\~staff\\~\\~ is not mentionable")
        refused = await subscribe(fake, {"topic": "`the`"})
        assert refused["content"].startswith("**\\`the\\`** would match nearly every article")
        missing = await command(fake, "unsubscribe", {"topic": "_tesla_"}, user=fake.admin_user)
        assert missing["content"] == "This channel has no subscription to **\\_tesla\\_**."
        removed = await command(fake, "unsubscribe", {"topic": "*nvidia*"}, user=fake.admin_user)
        assert removed["content"] == "This channel no longer gets articles about **\\*nvidia\\***."


async def test_subscribing_again_to_a_topic_updates_what_is_given_and_keeps_the_rest(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    chips, markets = fake.add_role("Chip news"), fake.add_role("Markets")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        await subscribe(fake, {"topic": "nvidia", "role": chips, "exclude": "rumor"})
        reply = await subscribe(fake, {"topic": "Nvidia"})
        assert reply["content"] == (
            "Updated this channel's existing subscription to **nvidia**: now mentioning "
            "@Chip news, except articles mentioning rumor."
        )
        reply = await subscribe(fake, {"topic": "nvidia", "role": markets, "exclude": "stock"})
        assert reply["content"] == (
            "Updated this channel's existing subscription to **nvidia**: now mentioning "
            "@Markets, except articles mentioning stock."
        )
        reply = await subscribe(fake, {"topic": "nvidia", "exclude": "Rumor, stock"})
        assert reply["content"] == (
            "Updated this channel's existing subscription to **nvidia**: now mentioning "
            "@Markets, except articles mentioning rumor, stock."
        )
        [subscription] = await bot.archive.alerts.subscriptions()
        assert (subscription.role_id, subscription.exclude) == (int(markets.id), "rumor, stock")

        # Both dropped, as README and /help say: unsubscribe, then subscribe again.
        await command(fake, "unsubscribe", {"topic": "nvidia"}, user=fake.admin_user)
        reply = await subscribe(fake, {"topic": "nvidia"})
        assert reply["content"] == "This channel now gets new articles about **nvidia**."


async def test_subscribing_again_in_a_paused_channel_resumes_all_its_topics_as_they_were(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    role = fake.add_role("Chip news")
    feed = Publisher(feed_server, "/rss")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        archive = bot.archive
        await follow(fake, archive, feed, 0)
        for topic in ("nvidia", "tesla"):
            await subscribe(fake, {"topic": topic, "role": role, "exclude": "rumor"})
        fake.fail_next(MESSAGES, 403)
        feed.publish(entry("a", "Nvidia opens a Tokyo lab"))

        async def paused() -> bool:
            return all(s.paused_reason for s in await archive.alerts.subscriptions())

        await eventually(paused, what="the channel's subscriptions paused")
        listed = await command(fake, "subscriptions", {}, user=fake.member_user)
        assert "/subscribe again to resume" in listed["embeds"][0]["description"]

        # As the pause notice says, for one of the topics.
        reply = await subscribe(fake, {"topic": "nvidia"})
        assert reply["content"] == (
            "Updated this channel's existing subscription to **nvidia**: now mentioning "
            "@Chip news, except articles mentioning rumor. "
            "Resumed this channel's 2 paused subscriptions. "
            "This channel missed 1 matching article while paused: posting it shortly."
        )
        # The alert Discord refused comes now; then the other topic alerts again, still
        # pinging its role and leaving out its exclusions.
        [missed] = await fake.wait_for_messages(fake.channel_id, 1)
        feed.publish(entry("r", "Tesla rumor: a cheaper car"), entry("b", "Tesla opens a factory"))
        [_, alert] = await fake.wait_for_messages(fake.channel_id, 2)
        await considered(archive, 3)
        await outbox_is(archive, {"sent": 2})
    assert alert_titles(missed) == ["Nvidia opens a Tokyo lab"]
    assert alert_titles(alert) == ["Tesla opens a factory"]
    assert missed.content == alert.content == role.mention


async def test_subscribe_refuses_a_channel_the_bot_cannot_post_alerts_in(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    everything = discord.Permissions.all()
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        no_embeds = discord.Permissions(
            everything.value & ~discord.Permissions(embed_links=True).value
        )
        refused = await subscribe(fake, {"topic": "nvidia"}, app_permissions=no_embeds)
        assert refused["content"] == (
            "I can't post alerts here: I need the Embed Links permission in this channel."
        )
        assert refused["flags"] == 64
        refused = await subscribe(fake, {"topic": "nvidia"}, app_permissions=0)
        assert refused["content"] == (
            "I can't post alerts here: I need the View Channel, Send Messages and Embed Links "
            "permissions in this channel."
        )
        assert await bot.archive.alerts.subscriptions() == []

        reply = await subscribe(fake, {"topic": "nvidia"}, app_permissions=everything)
        assert reply["content"] == "This channel now gets new articles about **nvidia**."


async def test_the_server_wide_list_needs_manage_channels_server_wide(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    moderator = fake.add_user("mod")
    fake.add_member(moderator).role_ids.append(
        fake.add_role("Mods", permissions=discord.Permissions(manage_channels=True).value).id
    )
    secret = fake.add_text_channel("staff-only")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)):
        await subscribe(fake, {"topic": "layoffs"}, channel_id=secret.id)
        # Manage Channels from this channel's overwrite only: Discord resolves the member's
        # permissions for the channel, so they hold it here, but their roles do not give it.
        overwrite = discord.Permissions(view_channel=True, manage_channels=True)
        refused = await command(
            fake,
            "subscriptions",
            {"everywhere": True},
            user=fake.member_user,
            member_permissions=overwrite,
        )
        assert not refused.get("embeds"), "the server's subscriptions were shown"
        assert refused["content"].startswith(
            "Listing the whole server's subscriptions needs the Manage Channels permission"
        )
        assert refused["flags"] == 64

        # Manage Channels from a role: the whole server's list.
        listed = await command(fake, "subscriptions", {"everywhere": True}, user=moderator)
        assert listed["embeds"][0]["description"] == f"<#{secret.id}>\n**layoffs**"


async def test_the_server_wide_list_at_the_caps_of_paused_channels_says_each_reason_once(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    channels = [fake.add_text_channel(f"news-{n}") for n in range(10)]
    role = fake.add_role("Chip news")
    topics = ("nvidia", "tesla", "openai", "apple", "spacex")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        for channel in channels:  # 50 subscriptions over 10 channels: the caps
            for topic in topics:
                await subscribe(fake, {"topic": topic, "role": role}, channel_id=channel.id)
            reason = "I lost permission to post in this channel (2026-05-01); /subscribe again"
            await bot.archive.alerts.pause_channel(int(channel.id), f"{reason} to resume")
        [message] = await paged_list(fake, "subscriptions", {"everywhere": True})
    text = message["embed"]["description"]
    assert message["embed"]["title"] == "Subscriptions in this server"
    assert message["flags"] == 64
    assert text.count(f" · mentions <@&{role.id}>") == 50  # every subscription
    assert text.count("⏸ paused") == 10  # each channel's reason, once
    lines = text.splitlines()
    for channel in channels:
        start = lines.index(f"<#{channel.id}>")
        assert lines[start + 1].startswith("⏸ paused: I lost permission to post")
        assert lines[start + 2 : start + 7] == [
            f"**{topic}** · mentions <@&{role.id}>" for topic in sorted(topics)
        ]


async def test_the_server_wide_list_too_long_for_a_message_goes_on_in_private_follow_ups(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    channels = [fake.add_text_channel(f"news-{n}") for n in range(10)]
    role = fake.add_role("Chip news")
    # The longest a topic (100 characters) and exclusions (200 typed) may be.
    exclude = ",".join(f"rumour number {k}" for k in range(20))[:200]
    topics = {
        channel.id: [
            f"{channel.name} topic {t} quarterly results of the largest chip makers in asia "
            "and europe this year"[:100]
            for t in range(5)
        ]
        for channel in channels
    }
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)):
        for channel in channels:
            for topic in topics[channel.id]:
                options = {"topic": topic, "role": role, "exclude": exclude}
                reply = await subscribe(fake, options, channel_id=channel.id)
                assert reply["content"].startswith("This channel now gets"), reply["content"]
        messages = await paged_list(fake, "subscriptions", {"everywhere": True})
    assert len(messages) > 1
    assert all(m["flags"] == 64 for m in messages)  # as private as the list's first message
    descriptions = [m["embed"]["description"] for m in messages]
    # Each message says which channel its first topics are in, and nothing is cut.
    assert all(d.startswith("<#") for d in descriptions)
    assert not any("more" in d or "…" in d for d in descriptions)
    text = "\n".join(descriptions)
    for channel in channels:
        for topic in topics[channel.id]:
            assert f"**{topic}** · mentions <@&{role.id}> · except rumour number 0" in text
        assert f"<#{channel.id}>" in text


async def test_a_forbidden_channel_is_paused_with_the_reason_and_a_deleted_one_forgotten(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    gone = fake.add_text_channel("gone")
    other = fake.add_text_channel("other")
    feed = Publisher(feed_server, "/rss")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        bot.get_cog("Alerts").max_per_guild = 2
        archive = bot.archive
        await follow(fake, archive, feed, 0)
        await subscribe(fake, {"topic": "nvidia"})
        await subscribe(fake, {"topic": "nvidia"}, channel_id=gone.id)
        fake.fail_next(f"POST /channels/{fake.channel_id}/messages", 403)
        fake.delete_channel(gone)  # unseen by the bot: its alert gets 404 Unknown Channel

        feed.publish(entry("a", "Nvidia opens a Tokyo lab"))
        await eventually(
            lambda: _only_paused(archive, fake.channel_id),
            what="the forbidden channel paused and the deleted one's subscription removed",
        )
        listed = await command(fake, "subscriptions", {"everywhere": True}, user=fake.admin_user)
        lines = listed["embeds"][0]["description"]
        assert lines.startswith(f"<#{fake.channel_id}>\n⏸ paused: I lost permission")
        assert lines.endswith("/subscribe again to resume\n**nvidia**")
        assert gone.id not in lines
        here = await command(fake, "subscriptions", {}, user=fake.member_user)
        assert (
            "⏸ paused: I lost permission to post in this channel"
            in here["embeds"][0]["description"]
        )

        # Paused: a new match is not even tried.
        attempts = len(fake.requests_to(MESSAGES))
        feed.publish(entry("b", "Nvidia ships Rubin"))
        await considered(archive, 2)
        assert len(fake.requests_to(MESSAGES)) == attempts

        # Subscribing again (permission fixed) resumes the channel, and posts what it missed:
        # the alert Discord refused and the article published while paused.
        reply = await subscribe(fake, {"topic": "nvidia"})
        assert reply["content"].endswith(
            " Resumed this channel's paused subscription. "
            "This channel missed 2 matching articles while paused: posting them shortly."
        )
        [missed] = await fake.wait_for_messages(fake.channel_id, 1)
        feed.publish(entry("c", "Nvidia buys a networking startup"))
        [_, alert] = await fake.wait_for_messages(fake.channel_id, 2)

        # The deleted channel no longer counts toward the server's cap of 2.
        reply = await subscribe(fake, {"topic": "tesla"}, channel_id=other.id)
        assert reply["content"].startswith("This channel now gets new articles about **tesla**")
        await considered(archive, 3)
        await outbox_is(archive, {"sent": 3})
    assert alert_titles(missed) == ["Nvidia opens a Tokyo lab", "Nvidia ships Rubin"]
    assert alert_titles(alert) == ["Nvidia buys a networking startup"]
    assert len(fake.messages) == 2


async def test_a_resumed_channel_gets_the_newest_articles_it_missed_once_across_a_restart(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    settings = bot_settings(tmp_path / "news.db", fake, alert_interval=3600)  # ticks by hand
    now = datetime.now(UTC)

    def article(title: str, n: int, **fields: object) -> Article:
        fields.setdefault("source", "Chip Wire")
        return Article(title=title, url=f"https://chips.example/{n}", **fields)  # type: ignore[arg-type]

    async with running_bot(fake, settings) as bot:
        alerts = bot.get_cog("Alerts")
        alerts.missed_on_resume = 3
        await subscribe(fake, {"topic": "nvidia", "exclude": "rumor"})
        await subscribe(fake, {"topic": "gpu"})  # a second topic: still one alert per article
        await ingest_articles(bot.archive, [article("Nvidia opens a Tokyo lab", 1)], now=now)
        fake.fail_next(MESSAGES, 403)
        assert await alerts.deliver_once() == 0
        [paused, _] = await bot.archive.alerts.subscriptions()
        assert paused.paused_reason

        # Stored while paused: four stories the channel would have been sent (one of them in
        # two outlets' copies), and three it would not.
        while_paused = [
            article("Nvidia ships Rubin", 2),
            article("Nvidia rumor: a cheaper chip", 3),  # excluded
            article("Tesla opens a factory", 4),  # another topic
            article("Nvidia earnings of 2019", 5, published_at=now - timedelta(days=400)),
            article("Nvidia GPU prices fall", 6),  # both topics
            article("Nvidia launches Blackwell chip", 7),
            article("Nvidia launches Blackwell chips", 8, source="Other outlet"),  # same story
            article("Nvidia buys a networking startup", 9),
        ]
        await ingest_articles(bot.archive, while_paused, now=now)
        assert await alerts.deliver_once() == 0

        reply = await subscribe(fake, {"topic": "gpu"})
        assert reply["content"] == (
            "Updated this channel's existing subscription to **gpu**: now mentioning no role, "
            "no exclusions. Resumed this channel's 2 paused subscriptions. This channel missed "
            "5 matching articles while paused: posting the 3 newest shortly; the 2 older ones "
            "are not posted."
        )
    assert fake.messages == []

    # Restarted before the next alert round: what the resume queued is posted once.
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        await fake.wait_for_messages(fake.channel_id, 1)
        await outbox_is(bot.archive, {"sent": 3})
    await restart_with_nothing_new(
        fake, bot_settings(tmp_path / "news.db", fake), considered_articles=9
    )
    assert [alert_titles(m) for m in fake.messages] == [
        [
            "Nvidia GPU prices fall",
            "Nvidia launches Blackwell chips",
            "Nvidia buys a networking startup",
        ]
    ]


async def _only_paused(archive: Archive, channel_id: str) -> bool:
    """Whether the one subscription left is this channel's, paused."""
    subscriptions = await archive.alerts.subscriptions()
    return [(s.channel_id, bool(s.paused_reason)) for s in subscriptions] == [
        (int(channel_id), True)
    ]


async def test_deleting_a_channel_removes_its_subscriptions_and_frees_the_server_cap(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    gone = fake.add_text_channel("gone")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        bot.get_cog("Alerts").max_per_guild = 2
        alerts = bot.archive.alerts
        await subscribe(fake, {"topic": "nvidia"})
        await subscribe(fake, {"topic": "tesla"}, channel_id=gone.id)
        capped = await subscribe(fake, {"topic": "ai"})
        assert capped["content"].startswith("Can't subscribe: this server already has 2")

        await fake.delete_channel_and_tell(gone)  # the gateway's CHANNEL_DELETE

        async def forgotten() -> bool:
            return await alerts.subscriptions(channel_id=int(gone.id)) == []

        await eventually(forgotten, what="the deleted channel's subscriptions removed")
        listed = await command(fake, "subscriptions", {"everywhere": True}, user=fake.admin_user)
        assert listed["embeds"][0]["description"] == f"<#{fake.channel_id}>\n**nvidia**"
        reply = await subscribe(fake, {"topic": "ai"})
        assert reply["content"].startswith("This channel now gets new articles about **ai**")
    assert fake.messages == []


async def test_deleting_a_thread_removes_its_subscriptions(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    thread = fake.add_text_channel("launch-thread")  # (the fake knows no threads: its id will do)
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        await subscribe(fake, {"topic": "starship"}, channel_id=thread.id)
        deleted = {"id": thread.id, "guild_id": thread.guild_id, "type": 11}
        await fake.dispatch("THREAD_DELETE", {**deleted, "parent_id": fake.channel_id})

        async def forgotten() -> bool:
            return await bot.archive.alerts.subscriptions(channel_id=int(thread.id)) == []

        await eventually(forgotten, what="the deleted thread's subscriptions removed")


async def test_subscribe_recent_says_how_many_it_really_posts(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    feed = Publisher(feed_server, "/rss")
    feed.publish(entry("lab", "Nvidia opens a Tokyo lab"), entry("rubin", "Nvidia ships Rubin"))
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        await follow(fake, bot.archive, feed, 2)
        reply = await subscribe(fake, {"topic": "nvidia", "recent": 2})
        assert reply["content"].endswith(" Posting the 2 most recent matches shortly.")
        [first] = await fake.wait_for_messages(fake.channel_id, 1)

        # Subscribed again: the channel already has both, and gets neither twice.
        await command(fake, "unsubscribe", {"topic": "nvidia"}, user=fake.admin_user)
        reply = await subscribe(fake, {"topic": "nvidia", "recent": 2})
        assert reply["content"] == (
            "This channel now gets new articles about **nvidia**. "
            "The 2 most recent matches were already posted or queued here."
        )

        # Another topic: one of its two matches is new to the channel.
        feed.publish(entry("studio", "Sony opens a Tokyo studio"))
        await considered(bot.archive, 3)
        reply = await subscribe(fake, {"topic": "tokyo", "recent": 2})
        assert reply["content"].endswith(
            " Posting 1 of the 2 most recent matches shortly; "
            "the other was already posted or queued here."
        )
        await fake.wait_for_messages(fake.channel_id, 2)
        await outbox_is(bot.archive, {"sent": 3})

        # Nothing stored matches: the reply says why nothing is posted.
        reply = await subscribe(fake, {"topic": "quantum computing", "recent": 3})
        assert reply["content"] == (
            "This channel now gets new articles about **quantum computing**. "
            "No stored article matches it yet."
        )
    assert sorted(alert_titles(first)) == ["Nvidia opens a Tokyo lab", "Nvidia ships Rubin"]
    assert [alert_titles(m) for m in fake.messages[1:]] == [["Sony opens a Tokyo studio"]]


async def test_subscribe_answers_at_once_while_another_process_writes(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    db = tmp_path / "news.db"
    async with running_bot(fake, bot_settings(db, fake)) as bot:
        writer = sqlite3.connect(db, timeout=0)  # e.g. `newsbot ingest` in its transaction
        try:
            writer.execute("BEGIN IMMEDIATE")
            interaction = await fake.send_interaction(
                "subscribe", {"topic": "nvidia"}, user=fake.admin_user
            )
            # Acknowledged within Discord's three seconds, while the write still waits.
            assert (await fake.wait_for_interaction_response(interaction["id"])).is_deferred
            assert await bot.archive.alerts.subscriptions() == []
        finally:
            writer.rollback()
            writer.close()
        [reply] = await fake.wait_for_followups(interaction["id"], 1)
        assert reply.content.startswith("This channel now gets new articles about **nvidia**")
        assert [s.topic for s in await bot.archive.alerts.subscriptions()] == ["nvidia"]


async def test_a_burst_of_matches_arrives_as_paced_digests(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    feed = Publisher(feed_server, "/atom", "atom")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        bot.get_cog("Alerts").articles_per_message = 2
        await follow(fake, bot.archive, feed, 0)
        await subscribe(fake, {"topic": "ai"})
        await subscribe(fake, {"topic": "nvidia"})
        feed.publish(
            entry("1", "OpenAI raises $40 billion"),  # "OpenAI" is not the word "AI"
            entry("2", "Google's new A.I. model tops benchmarks"),
            entry("3", "Nvidia opens a Tokyo lab"),
            entry("4", "Artificial intelligence rules adopted in Brussels"),
        )
        first, second = await fake.wait_for_messages(fake.channel_id, 2)
        await considered(bot.archive, 4)
        await outbox_is(bot.archive, {"sent": 3})
    assert len(fake.messages) == 2
    digest = first.embeds[0]
    assert digest["title"] == "2 new articles on ai, nvidia"
    assert alert_titles(first) == [
        "Google's new A.I. model tops benchmarks",
        "Nvidia opens a Tokyo lab",
    ]
    assert "[Nvidia opens a Tokyo lab](https://chips.example/3)" in digest["description"]
    assert "matched “ai” (ai)" in digest["description"]
    assert "matched “nvidia” (nvidia)" in digest["description"]
    assert alert_titles(second) == ["Artificial intelligence rules adopted in Brussels"]
    assert "Matched “artificial intelligence” for topic **ai**" in second.embeds[0]["description"]
    assert not first.content and not first.pings_anyone


async def test_a_digest_too_long_for_one_message_loses_no_article(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    feed = Publisher(feed_server, "/rss")
    # Long titles and tracking links: ten of them would not fit in one embed.
    titles = [f"Nvidia story {n}: " + "a long headline " * 11 for n in range(8)]
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        await follow(fake, bot.archive, feed, 0)
        await subscribe(fake, {"topic": "nvidia"})
        feed.publish(*(entry(f"{n}-{'x' * 400}", title) for n, title in enumerate(titles)))
        await considered(bot.archive, 8)
        await outbox_is(bot.archive, {"sent": 8})
    shown = [title for message in fake.messages for title in alert_titles(message)]
    assert sorted(shown) == sorted(t.strip() for t in titles)
    assert 1 < len(fake.messages) < 8
    assert all("more" not in m.embeds[0].get("description", "") for m in fake.messages)


async def test_an_alert_discord_rejects_does_not_block_the_channel(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    feed = Publisher(feed_server, "/rss")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        await follow(fake, bot.archive, feed, 0)
        await subscribe(fake, {"topic": "nvidia"})
        rejected = fake.fail_next(MESSAGES, 400)  # e.g. an embed Discord will not take
        feed.publish(entry("a", "Nvidia opens a Tokyo lab"))
        await fake.wait_for(lambda: rejected.hits, what="the rejected send")
        feed.publish(entry("b", "Nvidia ships Rubin"))
        [alert] = await fake.wait_for_messages(fake.channel_id, 1)
        await considered(bot.archive, 2)
        await outbox_is(bot.archive, {"undeliverable": 1, "sent": 1})
    assert alert_titles(alert) == ["Nvidia ships Rubin"]
    assert len(fake.requests_to(MESSAGES)) == 2  # the rejected one was not retried


async def test_a_network_failure_in_one_channel_delays_no_other_channel(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    other = fake.add_text_channel("chips")
    settings = bot_settings(tmp_path / "news.db", fake, alert_interval=3600)  # ticks by hand
    async with running_bot(fake, settings) as bot:
        await subscribe(fake, {"topic": "nvidia"})
        await subscribe(fake, {"topic": "nvidia"}, channel_id=other.id)
        await ingest_articles(
            bot.archive,
            [Article(title="Nvidia opens a Tokyo lab", url="https://chips.example/tokyo")],
            now=datetime.now(UTC),
        )
        dropped = fake.drop_next(MESSAGES, where=lambda r: str(fake.channel_id) in r.path)
        alerts = bot.get_cog("Alerts")
        assert await alerts.deliver_once() == 1  # the other channel's, in the same tick
        assert dropped.hits == 1
        assert await alerts.deliver_once() == 1  # the dropped one, re-sent
        await outbox_is(bot.archive, {"sent": 2})
    for channel in (fake.channel_id, other.id):
        [alert] = [m for m in fake.messages if m.channel_id == channel]
        assert alert_titles(alert) == ["Nvidia opens a Tokyo lab"]


async def test_a_subscription_stored_says_so_even_if_its_recent_matches_cannot_be_queued(
    tmp_path: Path, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def locked(*args: object) -> tuple[int, int]:
        # Another program took the archive's write lock just after the subscription's write:
        # a race this test cannot arrange for real.
        raise StorageError("the archive is locked by another program; try again shortly")

    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        # (The module the bot loaded as its extension, which discord.py imports anew.)
        monkeypatch.setattr(sys.modules["bot.chat.exts.alerts"], "backfill", locked)
        reply = await subscribe(fake, {"topic": "nvidia", "recent": 2})
        assert reply["content"] == (
            "This channel now gets new articles about **nvidia**. The recent matches could not "
            "be queued (the archive is busy); new ones will."
        )
        [stored] = await bot.archive.alerts.subscriptions(channel_id=fake.channel_id)
    assert stored.topic == "nvidia"


async def test_a_digest_whose_answer_was_lost_is_marked_sent_as_posted(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    # Discord posts a digest but its answer is lost; before the retry (same nonce, so Discord
    # returns the message it made) the titles get shorter, so more would fit in a new one.
    # Each article must still be posted once: none marked sent unseen, none posted twice.
    settings = bot_settings(tmp_path / "news.db", fake, alert_interval=3600)  # ticks by hand
    urls = [f"https://chips.example/{n}-{'x' * 400}" for n in range(8)]

    def stories(title: str) -> list[Article]:
        return [Article(title=title.format(n), url=url) for n, url in enumerate(urls)]

    async with running_bot(fake, settings) as bot:
        await subscribe(fake, {"topic": "nvidia"})
        now = datetime.now(UTC)
        await ingest_articles(
            bot.archive, stories("Nvidia story {} " + "a long title " * 11), now=now
        )
        lost = fake.fail_next(MESSAGES, 503, after_handler=True)
        alerts = bot.get_cog("Alerts")
        assert await alerts.deliver_once() == 0
        assert lost.hits == 1
        await ingest_articles(bot.archive, stories("Nvidia story {}"), now=now)
        for _ in range(8):
            await alerts.deliver_once()
        await outbox_is(bot.archive, {"sent": 8})
    posted = [f"{m.embeds[0].get('url')} {m.embeds[0].get('description')}" for m in fake.messages]
    assert sorted(sum(text.count(url) for text in posted) for url in urls) == [1] * 8
