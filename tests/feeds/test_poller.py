"""The feed poller against a real local HTTP server: storing entries, 304s, backoff, disabling."""

from __future__ import annotations

from datetime import timedelta

from bot.archive import Archive
from bot.feeds.poller import FeedPoller, PollLimits
from tests.conftest import NOW
from tests.feeds.conftest import FeedServer

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Chip Wire</title>
<item><title>Nvidia unveils Rubin GPUs</title><link>https://chips.example/rubin</link>
<description>Nvidia said its Rubin GPUs ship in 2026 with 288 GB of memory.</description>
<pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate><category>nvidia</category></item>
<item><title>TSMC raises prices</title><link>https://chips.example/tsmc</link>
<description>TSMC will raise wafer prices by 5% next year.</description></item>
</channel></rss>"""
LIMITS = PollLimits(timeout_seconds=1.0, max_failures=3, backoff_base_seconds=60)


async def test_poll_stores_entries_then_uses_conditional_requests(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/rss", RSS, etag='"v1"')
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=600, now=NOW)
    poller = FeedPoller(archive, limits=LIMITS)

    (first,) = await poller.poll_due(NOW)
    assert (first.added, first.error) == (2, None)
    assert {a.title for a in await archive.articles.latest(source="Chip Wire")} == {
        "Nvidia unveils Rubin GPUs",
        "TSMC raises prices",
    }
    assert await poller.poll_due(NOW + timedelta(seconds=599)) == []  # not due yet

    (second,) = await poller.poll_due(NOW + timedelta(seconds=600))
    assert second.not_modified
    assert feed_server.requests["/rss"][1]["If-None-Match"] == '"v1"'
    assert await archive.articles.count() == 2


async def test_failures_back_off_then_disable_while_other_feeds_keep_working(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/good", RSS)
    feed_server.serve("/broken", b"<html><body>Not a feed</body></html>", content_type="text/html")
    await archive.feeds.add(feed_server.url("/good"), interval_seconds=600, now=NOW)
    await archive.feeds.add(feed_server.url("/broken"), interval_seconds=600, now=NOW)
    poller = FeedPoller(archive, limits=LIMITS)

    outcomes = {o.feed.url.rsplit("/", 1)[1]: o for o in await poller.poll_due(NOW)}
    assert outcomes["good"].added == 2
    assert outcomes["broken"].error == "not a feed: got text/html"

    delays = []
    moment = NOW
    for _ in range(2):
        (broken,) = [f for f in await archive.feeds.list() if f.url.endswith("/broken")]
        delays.append(broken.next_poll_at)
        moment = moment + timedelta(hours=1)
        outcomes = {o.feed.url.rsplit("/", 1)[1]: o for o in await poller.poll_due(moment)}
    assert outcomes["broken"].disabled
    (broken,) = [f for f in await archive.feeds.list() if f.url.endswith("/broken")]
    assert broken.failures == 3
    assert broken.disabled_reason.startswith("disabled after 3 failed polls")
    assert await archive.articles.count() == 2  # nothing stored was lost


async def test_backoff_grows_exponentially(archive: Archive, feed_server: FeedServer) -> None:
    feed_server.serve("/down", b"oops", status=500, content_type="text/plain")
    await archive.feeds.add(feed_server.url("/down"), interval_seconds=600, now=NOW)
    poller = FeedPoller(archive, limits=PollLimits(timeout_seconds=1.0, max_failures=10))
    waits = []
    moment = NOW
    for _ in range(3):
        (outcome,) = await poller.poll_due(moment)
        assert outcome.error == "HTTP 500"
        (feed,) = await archive.feeds.list()
        next_poll = feed.next_poll_at
        waits.append((NOW.fromisoformat(next_poll) - moment).total_seconds())
        moment = NOW.fromisoformat(next_poll)
    assert waits == [60.0, 120.0, 240.0]


async def test_feed_added_from_discord_may_not_reach_loopback(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/rss", RSS)
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=600, now=NOW, guild_id=1)
    (refused,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert "loopback" in (refused.error or "")
    assert feed_server.count("/rss") == 0
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=600, now=NOW, guild_id=1)
    (allowed,) = await FeedPoller(archive, allow_private=True, limits=LIMITS).poll_due(NOW)
    assert allowed.added == 2


async def test_malformed_feeds_are_reported_each_for_itself(
    archive: Archive, feed_server: FeedServer
) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss><channel><title>&lol2;</title></channel></rss>'
    )
    bodies = {
        "/truncated": RSS[:60],
        "/bomb": bomb,
        "/empty": b"",
    }
    for path, body in bodies.items():
        feed_server.serve(path, body)
        await archive.feeds.add(feed_server.url(path), interval_seconds=600, now=NOW)
    feed_server.hang("/silent")
    await archive.feeds.add(feed_server.url("/silent"), interval_seconds=600, now=NOW)
    feed_server.redirect("/loop", "/loop")
    await archive.feeds.add(feed_server.url("/loop"), interval_seconds=600, now=NOW)

    outcomes = {
        o.feed.url.rsplit("/", 1)[1]: o
        for o in await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    }

    assert all(o.error for o in outcomes.values()), {k: o.error for k, o in outcomes.items()}
    assert "timed out" in outcomes["silent"].error
    assert "redirect" in outcomes["loop"].error
    assert "entit" in outcomes["bomb"].error.lower()
    assert await archive.articles.count() == 0


async def test_truncated_feed_keeps_whole_entries_and_says_so(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/cut", RSS[: RSS.index(b"<item><title>TSMC")] + b"<item><tit")
    await archive.feeds.add(feed_server.url("/cut"), interval_seconds=600, now=NOW)
    (outcome,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert outcome.added == 1
    assert outcome.skipped[0].startswith("the document is malformed")
