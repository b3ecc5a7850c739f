"""``/feeds`` and the bot's feed loop, through the fake Discord and a local feed server."""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import replace
from pathlib import Path

import discord
import pytest

from bot.archive import Archive
from bot.chat.exts.feeds import COMPACT_AT
from tests.alerts.harness import (
    FAST,
    Publisher,
    bot_settings,
    command,
    entry,
    eventually,
    paged_list,
    running_bot,
)
from tests.conftest import NOW, index_segments, store_in_separate_batches
from tests.fakes import FakeDiscord
from tests.fakes.feed_server import FeedServer


async def test_feeds_add_refuses_private_addresses_unless_allowed(
    tmp_path: Path,
    fake: FakeDiscord,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _intranet_dns(monkeypatch)
    caplog.set_level(logging.INFO, logger="bot.chat.exts.feeds")
    feed = Publisher(feed_server, "/rss")
    feed.publish(entry("rubin", "Nvidia ships Rubin"))
    db = tmp_path / "news.db"
    async with running_bot(fake, bot_settings(db, fake, allow_private_feeds=False)) as bot:
        port = feed_server.port
        for url, why in [
            (feed.url, "127.0.0.1 is a loopback address"),
            (f"http://localhost:{port}/rss", "localhost resolves to"),
            ("http://10.1.2.3/feed.xml", "10.1.2.3 is a private address"),
            ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is"),
            ("http://intranet.example/feed", "intranet.example resolves to 10.0.0.7"),
            ("http://nowhere.example/feed", "cannot resolve nowhere.example"),
        ]:
            reply = await command(fake, "feeds add", {"url": url}, user=fake.admin_user)
            # One answer for all: what the bot's network resolves a name to (or that it does
            # not) is not for whoever can run /feeds add; the operator's log has it.
            assert reply["content"] == (
                f"Can't follow that feed: {url} is not a public web server that I can reach"
            )
            assert reply["flags"] == 64
            assert why in caplog.text, url
        reply = await command(fake, "feeds add", {"url": "ftp://x.example/f"}, user=fake.admin_user)
        assert reply["content"] == "Can't follow that feed: ftp://x.example/f is not an http(s) URL"
        bad_port = "http://x.example:99999/f"
        reply = await command(fake, "feeds add", {"url": bad_port}, user=fake.admin_user)
        assert reply["content"] == f"Can't follow that feed: {bad_port} is not a valid URL"
        assert await bot.archive.feeds.list() == []
        await asyncio.sleep(3 * FAST["feed_tick"])
    assert feed_server.count("/rss") == 0  # the bot never fetched anything there

    async with running_bot(fake, bot_settings(db, fake, allow_private_feeds=True)) as bot:
        reply = await command(fake, "feeds add", {"url": feed.url}, user=fake.admin_user)
        assert reply["content"].startswith(f"Following {feed.url}")
        await eventually(bot.archive.articles.count, what="the feed's article stored")
    assert feed_server.count("/rss") >= 1


def _intranet_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The DNS of the bot's own network, which this machine has not: ``intranet.example`` is a
    private address and ``nowhere.example`` does not resolve; other names resolve as usual."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo

    async def getaddrinfo(host: str, port: int, **kwargs: object) -> list[tuple]:
        if host == "intranet.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]
        if host == "nowhere.example":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return await real(host, port, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


async def test_only_server_managers_manage_feeds(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    feed = Publisher(feed_server, "/rss")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        for name, options in [
            ("feeds add", {"url": feed.url}),
            ("feeds list", {}),
            ("feeds remove", {"url": feed.url}),
        ]:
            refused = await command(fake, name, options, user=fake.member_user)
            assert refused["content"] == "You need the Manage Server permission to do that here."
            assert refused["flags"] == 64
        # Manage Channels is not enough: the bot checks this interaction's own permissions.
        refused = await command(
            fake,
            "feeds add",
            {"url": feed.url},
            user=fake.admin_user,
            member_permissions=discord.Permissions(manage_channels=True),
        )
        assert "Manage Server" in refused["content"]
        assert await bot.archive.feeds.list() == []

        await command(fake, "feeds add", {"url": feed.url}, user=fake.admin_user)
        typed = await fake.send_autocomplete(
            "feeds remove", {"url": "127"}, focused="url", user=fake.admin_user
        )
        assert (await fake.wait_for_interaction_response(typed["id"])).choices == [
            {"name": feed.url, "value": feed.url}
        ]
        peek = await fake.send_autocomplete(
            "feeds remove", {"url": ""}, focused="url", user=fake.member_user
        )
        assert (await fake.wait_for_interaction_response(peek["id"])).choices == []
        removed = await command(fake, "feeds remove", {"url": feed.url}, user=fake.admin_user)
        assert removed["content"] == f"Stopped following {feed.url}."
        assert await bot.archive.feeds.list() == []


async def test_removing_a_feed_by_the_id_autocomplete_sends_names_its_url(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    path = "/" + "a-very-long-section-name/" * 4 + "rss"
    feed = Publisher(feed_server, path)
    url = f"{feed.url}?key=SECRET"
    assert len(url) > 100  # too long for a choice's value: autocomplete sends the id
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)):
        await command(fake, "feeds add", {"url": url}, user=fake.admin_user)
        typed = await fake.send_autocomplete(
            "feeds remove", {"url": "section"}, focused="url", user=fake.admin_user
        )
        [choice] = (await fake.wait_for_interaction_response(typed["id"])).choices
        assert choice["value"].isdigit()
        removed = await command(
            fake, "feeds remove", {"url": choice["value"]}, user=fake.admin_user
        )
        assert removed["content"] == f"Stopped following {feed.url}."  # without the key
        listed = await command(fake, "feeds list", {}, user=fake.admin_user)
        assert "None yet" in listed["embeds"][0]["description"]


async def test_failing_feed_is_disabled_and_admins_are_told_while_others_keep_working(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    admins = fake.add_text_channel("feed-admins")
    feed_server.serve("/down", b"oops", status=500, content_type="text/plain")
    down = feed_server.url("/down")
    good = Publisher(feed_server, "/good")
    good.publish(entry("rubin", "Nvidia ships Rubin"))
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        poller = bot.get_cog("Feeds").poller
        # The bot polls in real time: the feed may be disabled as soon as its failures count.
        poller.limits = replace(
            poller.limits,
            backoff_base_seconds=0.0,
            max_failures=3,
            disable_after_failing_seconds=0.0,
        )
        replies = [
            await command(
                fake, "feeds add", {"url": url}, user=fake.admin_user, channel_id=admins.id
            )
            for url in (down, good.url)
        ]
        # A server error at add time is the server's trouble of the moment: followed all the
        # same, and the polls retry.
        assert replies[0]["content"] == (
            f"Following {down}; its articles arrive with the next poll. It could not be checked "
            "just now (HTTP 500); the polls will retry it. If it keeps failing it is disabled "
            "and I'll say so in this channel."
        )

        [notice] = await fake.wait_for_messages(admins.id, 1)
        assert notice.content == (
            f"The feed {down} was disabled after repeated failures (last error: HTTP 500). "
            "Fix it and run `/feeds add` again to re-enable it."
        )
        assert not notice.pings_anyone
        assert feed_server.count("/down") == 4  # the check at add time, then 3 polls
        await asyncio.sleep(3 * FAST["feed_tick"])
        assert feed_server.count("/down") == 4  # disabled: no longer polled

        listed = await command(fake, "feeds list", {}, user=fake.admin_user)
        description = listed["embeds"][0]["description"]
        assert f"{down}\n⛔ disabled after 3 failed polls; last error: HTTP 500" in description
        assert f"**Chip Wire**\n{good.url}\n✅ last polled" in description

        # The healthy feed's article went through the ingest path: /latest shows it.
        asked = await fake.send_interaction("latest", {"source": "Chip Wire"})
        [headlines] = await fake.wait_for_followups(asked["id"], 1)
        assert "Nvidia ships Rubin" in headlines.embeds[0]["description"]

        # Fixed, then added again: re-enabled and polled at once.
        feed_server.serve("/down", b"<rss version='2.0'><channel><title>Back</title>"
                          b"<item><title>Back online</title><link>https://b.example/1</link>"
                          b"</item></channel></rss>")  # fmt: skip
        reply = await command(
            fake, "feeds add", {"url": down}, user=fake.admin_user, channel_id=admins.id
        )
        assert reply["content"].startswith(f"Re-enabled {down}")
        await eventually(lambda: _titles(bot), what="the re-enabled feed's article")
    assert len(fake.messages) == 1


async def test_the_public_notice_of_a_disabled_feed_shows_no_key_and_no_preview(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    admins = fake.add_text_channel("feed-admins")
    paid = Publisher(feed_server, "/paid")
    paid.publish(entry("rubin", "Nvidia ships Rubin"))
    url = f"http://reader:hunter2@127.0.0.1:{feed_server.port}/paid?key=SECRET#latest"
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        poller = bot.get_cog("Feeds").poller
        poller.limits = replace(
            poller.limits,
            backoff_base_seconds=0.0,
            max_failures=2,
            disable_after_failing_seconds=0.0,
        )
        reply = await command(
            fake, "feeds add", {"url": url}, user=fake.admin_user, channel_id=admins.id
        )
        followed = url.removesuffix("#latest")  # (a fragment never reaches the server)
        assert reply["content"].startswith(f"Following {followed};") and reply["flags"] == 64

        async def titled() -> bool:
            return (await bot.archive.feeds.get(url)).title == "Chip Wire"

        await eventually(titled, what="the paid feed polled once")
        feed_server.serve("/paid", b"oops", status=500, content_type="text/plain")
        [notice] = await fake.wait_for_messages(admins.id, 1)
    # Everyone in the channel reads it: no password, no key, and no link preview.
    assert notice.content == (
        f"The feed Chip Wire (http://127.0.0.1:{feed_server.port}/paid) was disabled after "
        "repeated failures (last error: HTTP 500). Fix it and run `/feeds add` again to "
        "re-enable it."
    )
    assert discord.MessageFlags._from_value(notice.message["flags"]).suppress_embeds
    assert "failed (2 in a row)" in caplog.text  # the failures were logged, without secrets
    assert "SECRET" not in caplog.text and "hunter2" not in caplog.text


async def test_adding_a_feed_already_followed_says_so_and_leaves_the_operators_alone(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    db = tmp_path / "news.db"
    operators = feed_server.url("/operators")
    # Followed by the bot's operator with `newsbot feeds add` (no server), then disabled.
    async with await Archive.open(db) as archive:
        added, _ = await archive.feeds.add(operators, interval_seconds=900, now=NOW)
        reason = "disabled after 5 failed polls; last error: HTTP 500"
        await archive.feeds.record_poll(
            added.id, now=NOW, next_poll_at=NOW, etag=None, last_modified=None,
            error="HTTP 500", failures=5, disabled_reason=reason,
        )  # fmt: skip
    ours = Publisher(feed_server, "/ours")
    async with running_bot(fake, bot_settings(db, fake)) as bot:
        reply = await command(fake, "feeds add", {"url": operators}, user=fake.admin_user)
        assert reply["content"] == (
            f"{operators} is already followed by the bot's operator; it is disabled at the "
            "moment, and only the operator can re-enable it."
        )
        feed = await bot.archive.feeds.get(operators)
        assert (feed.guild_id, feed.disabled_reason, feed.notify_channel_id) == (None, reason, None)

        reply = await command(fake, "feeds add", {"url": ours.url}, user=fake.admin_user)
        assert reply["content"].startswith(f"Following {ours.url}; its articles arrive")
        reply = await command(fake, "feeds add", {"url": ours.url}, user=fake.admin_user)
        assert reply["content"] == (
            f"Already following {ours.url}. If it keeps failing it is disabled and I'll say so "
            "in this channel."
        )
        listed = await command(fake, "feeds list", {}, user=fake.admin_user)
        assert operators not in listed["embeds"][0]["description"]

        # The archive leaves it alone too, should the operator add it between check and write.
        kept, new = await bot.archive.feeds.add(
            operators, interval_seconds=60, now=NOW, guild_id=int(fake.guild.id)
        )
        assert (new, kept.guild_id, kept.disabled_reason) == (False, None, reason)


async def _titles(bot) -> bool:
    return "Back online" in {a.title for a in await bot.archive.articles.latest(limit=10)}


async def test_the_segments_that_polls_leave_are_merged_once_a_day(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        compaction = bot.get_cog("Feeds").compact_index
        assert compaction.is_running()
        next_run = compaction.next_iteration
        assert next_run is not None and next_run.timetz() == COMPACT_AT
        await store_in_separate_batches(bot.archive, 4)
        before = await bot.engine.answer("How many chips did Nvidia ship in week 2?")
        assert index_segments(bot.archive.path) > 1
        await compaction()  # the loop's body, as the daily run calls it
        assert index_segments(bot.archive.path) == 1
        after = await bot.engine.answer("How many chips did Nvidia ship in week 2?")
        assert after.text == before.text == "Nvidia shipped more chips in week 2."
    assert not compaction.is_running()


async def test_every_feed_is_listed_even_at_the_cap_with_long_errors(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    error = (
        "ClientConnectorError: Cannot connect to host feeds.example.org:443 ssl:default "
        "[Name or service not known]"
    )
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake, feed_tick=3600)) as bot:
        for n in range(20):  # the cap per server
            feed, _ = await bot.archive.feeds.add(
                f"https://feeds.example.org/section-{n}/{'long-path/' * 20}rss.xml",
                interval_seconds=3600,
                now=NOW,
                guild_id=int(fake.guild_id),
                notify_channel_id=int(fake.channel_id),
            )
            await bot.archive.feeds.record_poll(
                feed.id, now=NOW, next_poll_at=NOW, etag=None, last_modified=None,
                title=f"Example Tech {n}", error=error, failures=5,
                disabled_reason=f"disabled after 5 failed polls; last error: {error}",
            )  # fmt: skip
        messages = await paged_list(fake, "feeds list")
    assert len(messages) > 1 and all(m["flags"] == 64 for m in messages)
    text = "\n".join(m["embed"]["description"] for m in messages)
    assert all(f"**Example Tech {n}**" in text for n in range(20))
    assert "more" not in text


def _page_linking_to(*links: tuple[str, str]) -> bytes:
    """A site's home page naming these (title, href) RSS feeds in its head."""
    head = "".join(
        f'<link rel="alternate" type="application/rss+xml" title="{title}" href="{href}">'
        for title, href in links
    )
    return f"<!doctype html><html><head>{head}</head><body>Hi</body></html>".encode()


async def test_a_sites_address_follows_the_feed_its_page_links_to(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    feed = Publisher(feed_server, "/blog/feed.xml")
    feed.publish(entry("rubin", "Nvidia ships Rubin"))
    page = feed_server.url("/blog/")
    links = [("Chip Wire", "feed.xml"), ("Comments", "/blog/comments.xml")]
    feed_server.serve("/blog/", _page_linking_to(*links), content_type="text/html")
    plain = Publisher(feed_server, "/rss")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        reply = await command(fake, "feeds add", {"url": page}, user=fake.admin_user)
        assert reply["content"] == (
            f"Following {feed.url}; its articles arrive with the next poll. It is the RSS feed "
            f"“Chip Wire” that {page} links to; the page also links to “Comments” "
            f"{feed_server.url('/blog/comments.xml')} (add one to follow it too). If it keeps "
            "failing it is disabled and I'll say so in this channel."
        )
        assert [f.url for f in await bot.archive.feeds.list()] == [feed.url]
        await eventually(bot.archive.articles.count, what="the feed's article stored")
        asked = await fake.send_interaction("latest", {"source": "Chip Wire"})
        [headlines] = await fake.wait_for_followups(asked["id"], 1)
        assert "Nvidia ships Rubin" in headlines.embeds[0]["description"]

        # A feed's own address is followed as it always was.
        reply = await command(fake, "feeds add", {"url": plain.url}, user=fake.admin_user)
        assert reply["content"] == (
            f"Following {plain.url}; its articles arrive with the next poll. If it keeps "
            "failing it is disabled and I'll say so in this channel."
        )
        assert [f.url for f in await bot.archive.feeds.list()] == [feed.url, plain.url]
    assert feed_server.count("/blog/") == 1  # read once, at add time: never polled


async def test_a_page_without_a_feed_link_or_a_missing_one_is_refused_and_nothing_stored(
    tmp_path: Path, fake: FakeDiscord, feed_server: FeedServer
) -> None:
    feed_server.serve("/", _page_linking_to(), content_type="text/html")
    home, missing = feed_server.url("/"), feed_server.url("/missing.xml")
    plain = Publisher(feed_server, "/rss")
    schemeless = plain.url.removeprefix("http://")
    async with running_bot(fake, bot_settings(tmp_path / "news.db", fake)) as bot:
        reply = await command(fake, "feeds add", {"url": home}, user=fake.admin_user)
        assert reply["content"] == (
            f"Can't follow that feed: {home} is a web page without a feed link; paste the "
            "feed's address (often /feed, /rss or /atom.xml)"
        )
        assert reply["flags"] == 64
        reply = await command(fake, "feeds add", {"url": missing}, user=fake.admin_user)
        assert reply["content"] == (
            f"Can't follow that feed: {missing} could not be fetched (HTTP 404)"
        )
        # Without a scheme, the address is taken as https, which this plain-HTTP server
        # cannot speak: refused, under the address it was taken as.
        reply = await command(fake, "feeds add", {"url": schemeless}, user=fake.admin_user)
        assert reply["content"].startswith(
            f"Can't follow that feed: https://{schemeless} could not be fetched ("
        ), reply
        await asyncio.sleep(3 * FAST["feed_tick"])
        assert await bot.archive.feeds.list() == []
    assert feed_server.count("/") == 1  # once, at add time
    assert feed_server.count("/rss") == 0
