"""The feed poller against a real local HTTP server: storing entries, 304s, backoff, disabling."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.archive import Archive, StorageError
from bot.feeds.poller import FeedPoller, PollLimits
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from bot.settings import MAX_INTERVAL
from tests.conftest import NOW
from tests.fakes.feed_server import FeedServer
from tests.feeds.test_fetch import ARTICLE_PAGE, _fake_dns

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Chip Wire</title>
<item><title>Nvidia unveils Rubin GPUs</title><link>https://chips.example/rubin</link>
<description>Nvidia said its Rubin GPUs ship in 2026 with 288 GB of memory.</description>
<pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate><category>nvidia</category></item>
<item><title>TSMC raises prices</title><link>https://chips.example/tsmc</link>
<description>TSMC will raise wafer prices by 5% next year.</description></item>
</channel></rss>"""
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss><channel><title>&lol2;</title></channel></rss>'
)
# A feed is disabled after 3 failed polls over 3 days (the default period): the tests that
# disable one poll it two days apart.
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

    waits = []
    moment = NOW
    for _ in range(2):
        (broken,) = [f for f in await archive.feeds.list() if f.url.endswith("/broken")]
        waits.append((NOW.fromisoformat(broken.next_poll_at) - moment).total_seconds())
        moment = moment + timedelta(days=2)
        outcomes = {o.feed.url.rsplit("/", 1)[1]: o for o in await poller.poll_due(moment)}
    assert waits == [60, 120]  # backed off, not retried at the feed's own 600 s
    assert outcomes["broken"].disabled
    (broken,) = [f for f in await archive.feeds.list() if f.url.endswith("/broken")]
    assert broken.failures == 3
    assert broken.disabled_reason.startswith("disabled after 3 failed polls")
    assert await archive.articles.count() == 2  # nothing stored was lost


async def test_an_outage_of_a_day_does_not_disable_a_feed_but_days_of_failures_do(
    archive: Archive, feed_server: FeedServer
) -> None:
    # An outage of the bot's own network fails every feed at once; counted alone, the backoff's
    # retries (+1, +3, +7, +15 min) disabled them all for good after 15 minutes.
    feed_server.serve("/down", b"oops", status=500, content_type="text/plain")
    await archive.feeds.add(feed_server.url("/down"), interval_seconds=600, now=NOW)
    poller = FeedPoller(archive, limits=PollLimits(timeout_seconds=1.0))  # the default limits
    polls = []  # (time since the first failure, disabled by that poll)
    moment = NOW
    while moment <= NOW + timedelta(days=4):
        (outcome,) = await poller.poll_due(moment)
        assert outcome.error == "HTTP 500"
        polls.append((moment - NOW, outcome.disabled))
        if outcome.disabled:
            break
        (feed,) = await archive.feeds.list()
        moment = NOW.fromisoformat(feed.next_poll_at)

    first_day = [disabled for since, disabled in polls if since <= timedelta(hours=24)]
    assert len(first_day) > 5 and not any(first_day)  # retried all day, still enabled
    # Disabled by the first poll 3 days on, and by no earlier one.
    assert [disabled for _, disabled in polls] == [since >= timedelta(days=3) for since, _ in polls]
    (feed,) = await archive.feeds.list()
    assert feed.disabled_reason == f"disabled after {len(polls)} failed polls; last error: HTTP 500"

    # Added again (re-enabled) while still failing: it has days again, from its next failure.
    await archive.feeds.add(feed_server.url("/down"), interval_seconds=600, now=moment)
    for _ in range(5):
        (outcome,) = await poller.poll_due(moment)
        assert (outcome.error, outcome.disabled) == ("HTTP 500", False)
        (feed,) = await archive.feeds.list()
        moment = NOW.fromisoformat(feed.next_poll_at)


async def test_a_feed_that_worked_in_between_is_not_held_to_its_old_failures(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/flaky", b"oops", status=500, content_type="text/plain")
    await archive.feeds.add(feed_server.url("/flaky"), interval_seconds=600, now=NOW)
    poller = FeedPoller(archive, limits=LIMITS)
    for days in (0, 1, 2):  # failing for two days
        (outcome,) = await poller.poll_due(NOW + timedelta(days=days))
    feed_server.serve("/flaky", RSS)
    (outcome,) = await poller.poll_due(NOW + timedelta(days=2, hours=12))
    assert (outcome.error, outcome.added) == (None, 2)

    # Failing again, three times within the hour: a new run, not the fourth day of the old one.
    feed_server.serve("/flaky", b"oops", status=500, content_type="text/plain")
    for minutes in (0, 20, 40):
        (outcome,) = await poller.poll_due(NOW + timedelta(days=3, minutes=minutes))
        assert (outcome.error, outcome.disabled) == ("HTTP 500", False)
    (feed,) = await archive.feeds.list()
    assert (feed.failures, feed.disabled_reason) == (3, None)


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


async def test_an_interval_stored_by_an_older_version_is_bounded(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/rss", RSS)
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=10**12, now=NOW)
    (outcome,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert (outcome.error, outcome.added) == (None, 2)
    (feed,) = await archive.feeds.list()
    assert (NOW.fromisoformat(feed.next_poll_at) - NOW).total_seconds() == MAX_INTERVAL


@pytest.mark.parametrize(("retry_after", "wait"), [("7200", 7200.0), ("999999999999", 86400.0)])
async def test_retry_after_is_honoured_up_to_a_day(
    archive: Archive, feed_server: FeedServer, retry_after: str, wait: float
) -> None:
    feed_server.serve("/busy", b"", status=429, headers={"Retry-After": retry_after})
    await archive.feeds.add(feed_server.url("/busy"), interval_seconds=600, now=NOW)
    (outcome,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert outcome.error == "HTTP 429"
    (feed,) = await archive.feeds.list()
    assert feed.failures == 1
    assert (NOW.fromisoformat(feed.next_poll_at) - NOW).total_seconds() == wait


async def test_a_poll_the_locked_archive_fails_is_recorded_and_backed_off_never_disabled(
    archive: Archive, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In production: another program holds the archive's write lock past the busy timeout, so
    # storing the entries raises. A lock released between that write and the poll's record
    # cannot be arranged here, so the one write that would wait for it fails as it would.
    async def locked(*args: object, **kwargs: object) -> None:
        raise StorageError("the archive is locked by another program; try again shortly")

    feed_server.serve("/rss", RSS, etag='"v1"')
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=600, now=NOW)
    monkeypatch.setattr(archive.articles, "upsert", locked)
    poller = FeedPoller(archive, limits=LIMITS)

    (outcome,) = await poller.poll_due(NOW)
    error = "StorageError: the archive is locked by another program; try again shortly"
    assert (outcome.error, outcome.disabled) == (error, False)
    (feed,) = await archive.feeds.list()  # what /feeds list shows: failing, not healthy
    assert (feed.last_error, feed.etag) == (error, None)
    assert NOW.fromisoformat(feed.next_poll_at) == NOW + timedelta(seconds=60)  # backed off
    assert await poller.poll_due(NOW + timedelta(seconds=59)) == []  # not fetched every tick

    # A long import keeps the archive locked: the feed is not at fault. Its failures are not
    # counted (3 over 3 days would disable it), nor held against it when it does fail later.
    for days in (1, 2, 4):
        (outcome,) = await poller.poll_due(NOW + timedelta(days=days))
        assert not outcome.disabled
    (feed,) = await archive.feeds.list()
    assert (feed.failures, feed.disabled_reason) == (0, None)

    # Unlocked: fetched in full (no stale validator), the entries stored.
    monkeypatch.undo()
    (outcome,) = await poller.poll_due(NOW + timedelta(days=5))
    assert (outcome.error, outcome.added) == (None, 2)
    (feed,) = await archive.feeds.list()
    assert (feed.failures, feed.last_error) == (0, None)


async def test_a_poll_that_raises_for_another_reason_counts_toward_disabling(
    archive: Archive, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in storing the entries")

    feed_server.serve("/rss", RSS)
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=600, now=NOW)
    monkeypatch.setattr(archive.articles, "upsert", broken)
    poller = FeedPoller(archive, limits=LIMITS)
    for days in (0, 2, 4):
        (outcome,) = await poller.poll_due(NOW + timedelta(days=days))
    assert outcome.disabled
    (feed,) = await archive.feeds.list()
    assert feed.disabled_reason == (
        "disabled after 3 failed polls; last error: RuntimeError: a bug in storing the entries"
    )


async def test_feed_added_from_discord_may_not_reach_loopback(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/rss", RSS)
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=600, now=NOW, guild_id=1)
    (refused,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert refused.error == f"refused {feed_server.url('/rss')}: not a public web server"
    assert feed_server.count("/rss") == 0
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=600, now=NOW, guild_id=1)
    (allowed,) = await FeedPoller(archive, allow_private=True, limits=LIMITS).poll_due(NOW)
    assert allowed.added == 2


async def test_a_discord_feed_refused_when_polled_keeps_the_bots_dns_out_of_its_error(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The error is what /feeds list and the public notice show: a feed (or a redirect) to a
    # name of the bot's network must not tell a server's admins what it resolves to.
    _fake_dns(monkeypatch, {"intranet.example": ["10.0.0.7"]})
    urls = ["http://intranet.example/feed", "http://nowhere.example/feed"]
    for url in urls:
        await archive.feeds.add(url, interval_seconds=600, now=NOW, guild_id=1)
    await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    errors = {feed.url: feed.last_error for feed in await archive.feeds.list()}
    assert errors == {url: f"refused {url}: not a public web server" for url in urls}
    assert "intranet.example resolves to 10.0.0.7" in caplog.text  # the operator's log has it
    assert "cannot resolve nowhere.example" in caplog.text


async def test_a_discord_feed_cannot_rebind_its_name_to_loopback_between_check_and_fetch(
    archive: Archive,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A name with a zero TTL answers a public address to the check, then 127.0.0.1 to the
    # connection. Every answer after the first is loopback, so nothing ever leaves the machine.
    loop = asyncio.get_running_loop()
    lookups: list[str] = []

    async def getaddrinfo(host: str, port: int, **kwargs: object) -> list[tuple]:
        lookups.append(host)
        address = "93.184.215.14" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    feed_server.serve("/rss", RSS)
    url = f"http://rebind.example:{feed_server.port}/rss"
    await archive.feeds.add(url, interval_seconds=600, now=NOW, guild_id=1)
    (outcome,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert outcome.error == f"refused {url}: not a public web server"
    assert "rebind.example resolves to 127.0.0.1, which is a loopback address" in caplog.text
    assert len(lookups) == 2  # the check's, then the connection's
    assert feed_server.count("/rss") == 0
    assert await archive.articles.count() == 0


async def test_a_feed_whose_charset_only_the_server_names_is_stored_readable(
    archive: Archive, feed_server: FeedServer
) -> None:
    # Many Russian and Ukrainian sites serve windows-1251 and say so only in the header.
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Лента</title>'
        "<item><title>Новости дня</title><link>https://ru.example/1</link>"
        "<description>Главное за сутки.</description></item></channel></rss>"
    ).encode("cp1251")
    feed_server.serve("/ru", body, content_type="text/xml; charset=windows-1251")
    await archive.feeds.add(feed_server.url("/ru"), interval_seconds=600, now=NOW)
    (outcome,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert (outcome.error, outcome.added) == (None, 1)
    (article,) = await archive.articles.latest(limit=5)
    assert (article.title, article.source) == ("Новости дня", "Лента")


async def test_truncated_feed_keeps_whole_entries_and_says_so(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve("/cut", RSS[: RSS.index(b"<item><title>TSMC")] + b"<item><tit")
    await archive.feeds.add(feed_server.url("/cut"), interval_seconds=600, now=NOW)
    (outcome,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert outcome.added == 1
    assert outcome.skipped[0].startswith("the document is malformed")


async def test_broken_feed_with_an_etag_is_not_mistaken_for_a_healthy_one(
    archive: Archive, feed_server: FeedServer
) -> None:
    # An HTML error page served as a feed, with validators: a 304 to the next poll must not
    # count as success, or the feed would never be disabled (nor look broken in /feeds list).
    page = b"<!DOCTYPE html><html><body>Maintenance</body></html>"
    feed_server.serve("/broken", page, etag='"page"', last_modified="Wed, 05 Mar 2025 08:00:00 GMT")
    await archive.feeds.add(feed_server.url("/broken"), interval_seconds=600, now=NOW)
    poller = FeedPoller(archive, limits=replace(LIMITS, backoff_base_seconds=1))
    moment = NOW
    for _ in range(3):
        (outcome,) = await poller.poll_due(moment)
        assert outcome.error == "not a feed: got an HTML page"
        moment += timedelta(days=2)
    assert outcome.disabled
    assert all("If-None-Match" not in r for r in feed_server.requests["/broken"])
    (feed,) = await archive.feeds.list()
    assert (feed.etag, feed.failures) == (None, 3)


async def test_awkward_entries_are_stored_or_reported_one_by_one(
    archive: Archive, feed_server: FeedServer
) -> None:
    feed_server.serve(
        "/awkward",
        b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Odd Wire</title>
<item><title>No link, but text</title><description>Nvidia spoke at a fair.</description></item>
<item><title>Nothing at all</title></item>
<item><title>Undated</title><link>https://odd.example/undated</link>
<description>Undated text.</description></item>
<item><title>From the future</title><link>https://odd.example/future</link>
<description>Dated 2099.</description><pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>
<item><link>https://odd.example/untitled</link><description>No title.</description></item>
</channel></rss>""",
    )
    await archive.feeds.add(feed_server.url("/awkward"), interval_seconds=600, now=NOW)
    (outcome,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert (outcome.error, outcome.added) == (None, 4)
    assert outcome.skipped == ["entry 2: 'Nothing at all' has neither a link nor any text"]
    stored = {a.title: a for a in await archive.articles.latest(limit=10)}
    assert stored["No title."].url == "https://odd.example/untitled"  # titled by its text
    assert stored["No link, but text"].url is None
    assert stored["Undated"].published_at is None
    assert stored["Undated"].date == NOW  # counts as published when stored
    assert stored["From the future"].published_at is None  # not pinned to the top until 2099
    assert stored["From the future"].date == NOW


async def test_a_feed_of_100000_entries_is_capped_and_says_so(
    archive: Archive, feed_server: FeedServer
) -> None:
    items = b"".join(
        b"<item><title>Item %d</title><link>https://big.example/%d</link></item>" % (n, n)
        for n in range(100_000)
    )
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>%s</channel></rss>'
    feed_server.serve("/big", body % items)
    await archive.feeds.add(feed_server.url("/big"), interval_seconds=600, now=NOW)
    limits = replace(LIMITS, max_entries=50, max_bytes=16 * 1024 * 1024)
    (outcome,) = await FeedPoller(archive, limits=limits).poll_due(NOW)
    assert (outcome.error, outcome.added) == (None, 50)
    assert outcome.skipped == ["99,950 more entries ignored (limit 50)"]


async def test_every_bad_feed_fails_alone_and_nothing_stored_is_lost(
    archive: Archive, feed_server: FeedServer
) -> None:
    await ingest_articles(archive, [Article(title="Kept from before", body="Old news.")], now=NOW)
    feed_server.serve("/good", RSS)
    feed_server.serve("/html", b"<html><body>Blog</body></html>", content_type="text/html")
    feed_server.serve("/html-as-xml", b"<!doctype html><html><p>Hi</p></html>")
    feed_server.serve("/truncated", RSS[:60])
    feed_server.serve("/not-rss", b"<?xml version='1.0'?><note><to>you</to></note>")
    feed_server.serve("/big", b"x" * 2048)
    feed_server.serve("/bomb", BOMB)
    feed_server.serve("/empty", b"")
    feed_server.hang("/silent")
    feed_server.redirect("/loop", "/loop")
    paths = ["/good", "/html", "/html-as-xml", "/truncated", "/not-rss", "/big", "/bomb"]
    paths += ["/empty", "/silent", "/loop"]
    for path in paths:
        await archive.feeds.add(feed_server.url(path), interval_seconds=600, now=NOW)

    limits = replace(LIMITS, max_bytes=1024)
    polled = await FeedPoller(archive, limits=limits).poll_due(NOW)
    outcomes = {o.feed.url.rsplit("/", 1)[1]: o for o in polled}

    assert {name: o.error for name, o in outcomes.items()} == {
        "good": None,
        "html": "not a feed: got text/html",
        "html-as-xml": "not a feed: got an HTML page",
        "truncated": outcomes["truncated"].error,
        "not-rss": "not a feed: no RSS or Atom root element",
        "big": "response larger than 1 KB",
        "bomb": "refused: the document declares XML entities (<!ENTITY), as entity bombs do",
        "empty": "not a feed: the document is empty",
        "silent": "timed out after 1 s",
        "loop": "too many redirects (more than 5)",
    }
    assert outcomes["truncated"].error.startswith("not a feed: malformed XML with no entries")
    assert outcomes["good"].added == 2
    titles = {a.title for a in await archive.articles.latest(limit=10)}
    assert titles == {"Kept from before", "Nvidia unveils Rubin GPUs", "TSMC raises prices"}
    failing = {f.url.rsplit("/", 1)[1] for f in await archive.feeds.list() if f.last_error}
    assert failing == {path[1:] for path in paths[1:]}  # each one's error is on record


async def test_full_text_is_fetched_once_for_new_short_entries(
    archive: Archive, feed_server: FeedServer
) -> None:
    pytest.importorskip("trafilatura")
    feed_server.serve("/article", ARTICLE_PAGE, content_type="text/html; charset=utf-8")
    entry = (
        "<item><title>Chipmaker unveils a 2 nm process</title><link>{link}</link>"
        "<description>A short teaser.</description></item>"
    ).format(link=feed_server.url("/article"))
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Fab News</title>{}</channel></rss>'
    )
    feed_server.serve("/rss", feed.format(entry).encode(), etag='"1"')
    await archive.feeds.add(feed_server.url("/rss"), interval_seconds=60, now=NOW)
    poller = FeedPoller(archive, fetch_full_text=True, limits=LIMITS)

    (first,) = await poller.poll_due(NOW)
    assert first.added == 1
    assert "fifteen percent faster" in await _body_text(archive)

    later = (
        "<item><title>Fab opens</title><link>https://fab.example/2</link><description>"
        + ("A long entry. " * 40)
        + "</description></item>"
    )
    feed_server.serve("/rss", feed.format(later + entry).encode(), etag='"2"')
    (second,) = await poller.poll_due(NOW + timedelta(minutes=1))
    assert second.added == 1
    assert feed_server.count("/article") == 1  # not fetched again for the stored entry
    assert "fifteen percent faster" in await _body_text(archive)  # nor replaced by the teaser


async def _body_text(archive: Archive) -> str:
    async with archive.db.reader.execute("SELECT group_concat(text, ' ') FROM snippets") as cursor:
        return (await cursor.fetchone())[0] or ""


async def test_one_feed_written_two_ways_is_followed_once(archive: Archive) -> None:
    feed, new = await archive.feeds.add(
        "HTTP://Chips.Example/rss.xml#latest", interval_seconds=600, now=NOW
    )
    assert (feed.url, new) == ("http://chips.example/rss.xml", True)
    _, again = await archive.feeds.add(
        "http://chips.example/rss.xml", interval_seconds=600, now=NOW
    )
    assert not again
    assert [f.url for f in await archive.feeds.list()] == ["http://chips.example/rss.xml"]
    assert await archive.feeds.get("http://CHIPS.example/rss.xml") is not None
    assert await archive.feeds.remove("http://chips.example/rss.xml#top") is not None
    assert await archive.feeds.list() == []


async def test_a_feed_moved_to_an_address_with_a_fragment_can_still_be_removed(
    archive: Archive, feed_server: FeedServer
) -> None:
    # A permanent redirect moves the feed to the address /feeds list shows, which /feeds remove
    # must take: stored with its "#main", that address matched no feed.
    feed_server.redirect("/old", "/new#main", status=301)
    feed_server.serve("/new", RSS)
    await archive.feeds.add(feed_server.url("/old"), interval_seconds=600, now=NOW, guild_id=1)
    (outcome,) = await FeedPoller(archive, allow_private=True, limits=LIMITS).poll_due(NOW)
    assert (outcome.error, outcome.added) == (None, 2)
    (feed,) = await archive.feeds.list(guild_id=1)
    assert feed.url == feed_server.url("/new")
    assert await archive.feeds.remove(feed.url, guild_id=1) is not None
    assert await archive.feeds.list() == []


async def test_a_post_quoting_an_entity_declaration_is_stored_like_any_other(
    archive: Archive, feed_server: FeedServer
) -> None:
    # A security blog's post about XXE quotes a payload in CDATA: text, not a declaration (only
    # the prolog can declare entities), yet any "<!ENTITY" refused the whole feed, then disabled it.
    feed_server.serve(
        "/security",
        b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Sec Blog</title>
<item><title>Understanding XXE</title><link>https://sec.example/xxe</link><description><![CDATA[
<p>The payload declares <!ENTITY x "y"> in the doctype.</p>]]></description></item>
<item><title>Patch Tuesday</title><link>https://sec.example/patch</link>
<description>Microsoft fixed 60 flaws.</description></item></channel></rss>""",
    )
    await archive.feeds.add(feed_server.url("/security"), interval_seconds=600, now=NOW)
    (outcome,) = await FeedPoller(archive, limits=LIMITS).poll_due(NOW)
    assert (outcome.error, outcome.added) == (None, 2)
    assert {a.title for a in await archive.articles.latest(source="Sec Blog")} == {
        "Understanding XXE",
        "Patch Tuesday",
    }
    assert 'The payload declares <!ENTITY x "y"> in the doctype.' in await _body_text(archive)
