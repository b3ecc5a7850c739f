"""Feed entries that share one link (a changelog's anchors, a status page's home page) are
articles of their own, known from poll to poll; entries with links of their own are known by
their link, as before. Against the real local HTTP server and real SQLite archives."""

from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

import pytest

from bot.archive import Archive
from bot.feeds.parse import parse_feed
from bot.feeds.poller import FeedPoller, PollLimits, PollOutcome
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from tests.conftest import NOW
from tests.fakes.feed_server import FeedServer

LIMITS = PollLimits(timeout_seconds=1.0)
INTERVAL = timedelta(seconds=600)


def item(
    title: str, link: str | None, *, guid: str | None = None, text: str = "", hours_ago: int = 1
) -> str:
    """One RSS item, dated ``hours_ago`` before NOW; its text is its title's unless given."""
    date = (NOW - timedelta(hours=hours_ago)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    parts = [f"<title>{escape(title)}</title>"]
    if link is not None:
        parts.append(f"<link>{escape(link)}</link>")
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    parts.append(f"<description>{escape(text or title + '.')}</description>")
    parts.append(f"<pubDate>{date}</pubDate>")
    return f"<item>{''.join(parts)}</item>"


def rss(*items: str, title: str = "Status", link: str = "https://status.example/") -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>{escape(link)}</link>{''.join(items)}</channel></rss>"
    ).encode()


class Feed:
    """A feed on the local server, polled by a poller whose clock moves a poll interval on at
    each poll (the server sends no validators: every poll reads the whole document)."""

    def __init__(self, archive: Archive, server: FeedServer, path: str = "/feed") -> None:
        self.archive, self.server, self.path = archive, server, path
        self.poller = FeedPoller(archive, limits=LIMITS)
        self.now = NOW

    async def add(self) -> None:
        await self.archive.feeds.add(self.server.url(self.path), interval_seconds=600, now=NOW)

    async def poll(self, body: bytes) -> PollOutcome:
        self.server.serve(self.path, body)
        (outcome,) = await self.poller.poll_due(self.now)
        self.now += INTERVAL
        assert outcome.error is None, outcome.error
        return outcome


async def stored(archive: Archive) -> dict[str, tuple[str | None, str]]:
    """Every stored article: title -> (link, summary)."""
    return {
        article.title: (article.url, article.summary)
        for article in await archive.articles.latest(limit=100)
    }


async def url_keys(archive: Archive) -> list[str | None]:
    async with archive.db.reader.execute("SELECT url_key FROM articles ORDER BY id") as cursor:
        return [row[0] for row in await cursor.fetchall()]


def counts(outcome: PollOutcome) -> tuple[int, int, int]:
    return outcome.added, outcome.updated, outcome.unchanged


async def test_a_changelog_whose_entries_link_to_anchors_of_one_page_gives_an_article_each(
    archive: Archive, feed_server: FeedServer
) -> None:
    page = "https://app.example/changelog"
    releases = [item(f"Version 1.{n}", f"{page}#v1-{n}", hours_ago=10 - n) for n in (4, 3, 2)]
    feed = Feed(archive, feed_server)
    await feed.add()

    assert counts(await feed.poll(rss(*releases, link="https://app.example/"))) == (3, 0, 0)
    assert await stored(archive) == {
        f"Version 1.{n}": (f"{page}#v1-{n}", f"Version 1.{n}.") for n in (2, 3, 4)
    }  # each cited with its own anchor
    # Polled again: the same three articles.
    assert counts(await feed.poll(rss(*releases, link="https://app.example/"))) == (0, 0, 3)
    # A new release on top, the oldest gone from the feed: one more article, none lost.
    newer = [item("Version 1.5", f"{page}#v1-5", hours_ago=1), *releases[:2]]
    assert counts(await feed.poll(rss(*newer, link="https://app.example/"))) == (1, 0, 2)
    assert sorted(await stored(archive)) == [f"Version 1.{n}" for n in (2, 3, 4, 5)]


async def test_a_status_page_whose_incidents_all_link_to_its_home_page_gives_an_article_each(
    archive: Archive, feed_server: FeedServer
) -> None:
    home = "https://status.example/"
    incidents = [
        item(f"Incident {n}", home, guid=f"incident-{n}", text=f"Incident {n}: investigating.")
        for n in (3, 2, 1)
    ]
    feed = Feed(archive, feed_server)
    await feed.add()

    assert counts(await feed.poll(rss(*incidents))) == (3, 0, 0)
    assert await stored(archive) == {
        f"Incident {n}": (home, f"Incident {n}: investigating.") for n in (1, 2, 3)
    }  # each cited with the page it links to
    assert counts(await feed.poll(rss(*incidents))) == (0, 0, 3)  # no duplicates

    # An incident updated (same GUID, new text) is the same article, updated in place.
    resolved = item("Incident 3", home, guid="incident-3", text="Incident 3: resolved.")
    assert counts(await feed.poll(rss(resolved, *incidents[1:]))) == (0, 1, 2)
    assert (await stored(archive))["Incident 3"] == (home, "Incident 3: resolved.")

    # A feed listing only its open incident: the one entry linking to the home page is still
    # an incident of its own, and so is it polled again.
    fourth = item("Incident 4", home, guid="incident-4", text="Incident 4: investigating.")
    assert counts(await feed.poll(rss(fourth))) == (1, 0, 0)
    assert counts(await feed.poll(rss(fourth))) == (0, 0, 1)
    assert sorted(await stored(archive)) == [f"Incident {n}" for n in (1, 2, 3, 4)]


async def test_entries_of_a_shared_link_listed_alone_later_stay_articles_of_their_own(
    archive: Archive, feed_server: FeedServer
) -> None:
    # The entries link to a page that is not the feed's home page: only the document listing
    # two of them shows that the link is shared, and the archive remembers it.
    page = "https://status.example/incidents"
    feed = Feed(archive, feed_server)
    await feed.add()
    both = [item(f"Incident {n}", page, guid=f"incident-{n}") for n in (2, 1)]
    assert counts(await feed.poll(rss(*both, link="https://example.com/"))) == (2, 0, 0)

    updated = item("Incident 2", page, guid="incident-2", text="Incident 2: resolved.")
    assert counts(await feed.poll(rss(updated, link="https://example.com/"))) == (0, 1, 0)
    third = item("Incident 3", page, guid="incident-3")
    assert counts(await feed.poll(rss(third, link="https://example.com/"))) == (1, 0, 0)
    assert await stored(archive) == {
        "Incident 1": (page, "Incident 1."),
        "Incident 2": (page, "Incident 2: resolved."),
        "Incident 3": (page, "Incident 3."),
    }


async def test_an_entry_stored_under_its_link_alone_stays_one_article_once_the_link_is_shared(
    archive: Archive, feed_server: FeedServer
) -> None:
    # Listed alone, nothing showed the link to be shared (and an archive stored before entries
    # had keys holds such an entry likewise): when the next entry of the link appears, the
    # first is updated, not stored a second time.
    page = "https://status.example/incidents"
    feed = Feed(archive, feed_server)
    await feed.add()
    first = item("Incident 1", page, guid="incident-1")
    assert counts(await feed.poll(rss(first, link="https://example.com/"))) == (1, 0, 0)

    resolved = item("Incident 1", page, guid="incident-1", text="Incident 1: resolved.")
    second = item("Incident 2", page, guid="incident-2")
    assert counts(await feed.poll(rss(second, resolved, link="https://example.com/"))) == (1, 1, 0)
    assert await stored(archive) == {
        "Incident 1": (page, "Incident 1: resolved."),
        "Incident 2": (page, "Incident 2."),
    }
    assert counts(await feed.poll(rss(second, resolved, link="https://example.com/"))) == (0, 0, 2)


async def test_an_entry_stored_under_its_link_alone_is_taken_by_one_entry_of_its_title(
    archive: Archive, feed_server: FeedServer
) -> None:
    # Two entries of the link with one title (a maintenance every week): the one stored under
    # the link alone becomes the first, and the second is an article of its own.
    page = "https://status.example/maintenance"
    feed = Feed(archive, feed_server)
    await feed.add()
    monday = item("Maintenance", page, guid="m-1", text="Maintenance on Monday.", hours_ago=9)
    friday = item("Maintenance", page, guid="m-2", text="Maintenance on Friday.", hours_ago=2)
    assert (await feed.poll(rss(monday, link="https://example.com/"))).added == 1
    assert (await feed.poll(rss(friday, monday, link="https://example.com/"))).added == 1
    # (Read from the table: which stored article took which text.)
    async with archive.db.reader.execute("SELECT summary FROM articles ORDER BY id") as cursor:
        summaries = [row[0] for row in await cursor.fetchall()]
    assert summaries == ["Maintenance on Monday.", "Maintenance on Friday."]
    assert counts(await feed.poll(rss(friday, monday, link="https://example.com/"))) == (0, 0, 2)


async def test_entries_of_one_link_with_the_same_text_are_still_apart(
    archive: Archive, feed_server: FeedServer
) -> None:
    # Word for word the same (a recurring maintenance notice), but two entries by their ids:
    # the same text from the same outlet is one article only when nothing tells them apart.
    notice = "Scheduled maintenance"
    weekly = [item(notice, "https://status.example/", guid=f"m-{n}", hours_ago=n) for n in (1, 30)]
    feed = Feed(archive, feed_server)
    await feed.add()
    assert counts(await feed.poll(rss(*weekly))) == (2, 0, 0)
    assert counts(await feed.poll(rss(*weekly))) == (0, 0, 2)


INCIDENT = "Degraded performance on the API"


def incident(guid: str, text: str, hours_ago: int) -> str:
    """An incident of the status page (linking to its home page) titled :data:`INCIDENT`."""
    return item(INCIDENT, "https://status.example/", guid=guid, text=text, hours_ago=hours_ago)


@pytest.mark.parametrize("together", [False, True], ids=["polled-apart", "listed-together"])
async def test_incidents_of_one_title_on_one_day_are_each_a_headline(
    archive: Archive, feed_server: FeedServer, together: bool
) -> None:
    # Two incidents of one morning, titled alike: the feed tells them apart by their GUIDs, so
    # neither is the other's "same story", hidden from /latest and from alerts behind it.
    europe = incident("inc-1", "Slow responses in Europe.", hours_ago=5)
    asia = incident("inc-2", "Slow responses in Asia.", hours_ago=1)
    feed = Feed(archive, feed_server)
    await feed.add()
    if not together:
        assert counts(await feed.poll(rss(europe))) == (1, 0, 0)
    assert (await feed.poll(rss(asia, europe))).added == (2 if together else 1)
    latest = await archive.articles.latest(limit=10)
    assert [article.summary for article in latest] == [
        "Slow responses in Asia.",
        "Slow responses in Europe.",
    ]


async def test_incidents_are_headlines_of_their_own_beside_a_news_article_titled_alike(
    archive: Archive, feed_server: FeedServer
) -> None:
    # A news outlet's article titled as the incidents: joined to its story, the first
    # incident would take the second with it (both titled as the story's first article).
    await ingest_articles(
        archive,
        [
            Article(
                title=INCIDENT,
                url="https://news.example/api-slow",
                source="Tech News",
                body="The cloud's API slowed down on Thursday morning.",
                published_at=NOW - timedelta(hours=6),
            )
        ],
        now=NOW,
    )
    feed = Feed(archive, feed_server)
    await feed.add()
    europe = incident("inc-1", "Slow responses in Europe.", hours_ago=5)
    asia = incident("inc-2", "Slow responses in Asia.", hours_ago=1)
    assert counts(await feed.poll(rss(europe))) == (1, 0, 0)
    assert counts(await feed.poll(rss(asia, europe))) == (1, 0, 1)
    sql = "SELECT url, source, story_id FROM articles ORDER BY id"
    async with archive.db.reader.execute(sql) as cursor:
        rows = [tuple(row) for row in await cursor.fetchall()]
    assert rows == [
        ("https://news.example/api-slow", "Tech News", None),
        ("https://status.example/", "Status", None),
        ("https://status.example/", "Status", None),
    ]


async def test_an_entry_stored_under_its_link_alone_is_no_story_of_a_later_entry_of_the_link(
    archive: Archive, feed_server: FeedServer
) -> None:
    # The first incident was listed alone (nothing showed the link shared), and is gone from
    # the feed when the next two show it: an entry of the link still, not the same story as
    # the new incident titled almost as it is.
    page = "https://status.example/incidents"
    feed = Feed(archive, feed_server)
    await feed.add()
    first = item(INCIDENT, page, guid="inc-1", text="Slow responses in Europe.", hours_ago=5)
    assert counts(await feed.poll(rss(first, link="https://example.com/"))) == (1, 0, 0)
    again = item(INCIDENT + "s", page, guid="inc-2", text="Slow responses in Asia.", hours_ago=1)
    other = item("Scheduled maintenance", page, guid="m-1", hours_ago=2)
    assert counts(await feed.poll(rss(again, other, link="https://example.com/"))) == (2, 0, 0)
    latest = await archive.articles.latest(limit=10)
    assert [article.title for article in latest] == [
        INCIDENT + "s",
        "Scheduled maintenance",
        INCIDENT,
    ]


async def test_an_ordinary_feed_is_known_by_its_links_as_before(
    archive: Archive, feed_server: FeedServer
) -> None:
    # Links of their own, with tracking parameters, a tracking fragment and an AMP edition;
    # one of the articles was imported from a file first.
    await ingest_articles(
        archive,
        [Article(title="Chip sales rise", url="https://news.example/chips", source="Wire")],
        now=NOW,
    )
    links = {
        "Chip sales rise": "https://www.news.example/chips?utm_source=rss#xtor=RSS-3208",
        "Fab opens in Ohio": "https://amp.news.example/fab/amp#top",
        "Memory prices fall": "https://news.example/memory?ref=rss",
    }
    entries = [item(t, link, guid=f"{t}-v1") for t, link in links.items()]
    feed = Feed(archive, feed_server)
    await feed.add()

    assert counts(await feed.poll(rss(*entries, title="Wire"))) == (2, 1, 0)
    assert sorted(await url_keys(archive)) == [
        "https://news.example/chips",
        "https://news.example/fab",
        "https://news.example/memory",
    ]
    # New GUIDs for the same links (some feeds put the date in them): the same articles.
    again = [item(t, link, guid=f"{t}-v2") for t, link in links.items()]
    assert counts(await feed.poll(rss(*again, title="Wire"))) == (0, 0, 3)
    assert await archive.articles.count() == 3


async def test_the_page_an_entry_shares_is_not_fetched_as_its_text(
    archive: Archive, feed_server: FeedServer
) -> None:
    pytest.importorskip("trafilatura")
    home = feed_server.url("/status")
    page = b"<html><body><p>All systems go.</p></body></html>"
    feed_server.serve("/status", page, content_type="text/html")
    feed = Feed(archive, feed_server)
    feed.poller = FeedPoller(archive, fetch_full_text=True, limits=LIMITS)
    await feed.add()
    incidents = [item(f"Incident {n}", home, guid=f"incident-{n}") for n in (2, 1)]
    assert counts(await feed.poll(rss(*incidents, link=home))) == (2, 0, 0)
    assert feed_server.count("/status") == 0  # the status page is no incident's text


@pytest.mark.parametrize(
    ("entries", "keys"),
    [
        # Anchors of one page: each its fragment.
        ([("/log#a", None), ("/log#b", None)], ["a", "b"]),
        # The same fragment twice: the ids tell them apart.
        ([("/log#top", "1"), ("/log#top", "2")], ["id:", "id:"]),
        # Neither fragments nor ids tell them apart: keyed by the link alone, as before.
        ([("/log", None), ("/log", None)], [None, None]),
        ([("/log", "same"), ("/log", "same")], [None, None]),
        # Links of their own: no key, whatever their fragment or id.
        ([("/a#x", "1"), ("/b#x", "2")], [None, None]),
        # The feed's home page, even alone: its id.
        ([("/", "incident-9")], ["id:"]),
    ],
)
def test_entry_keys(entries: list[tuple[str, str | None]], keys: list[str | None]) -> None:
    listed = [
        item(f"Entry {n}", f"https://site.example{link}", guid=guid)
        for n, (link, guid) in enumerate(entries)
    ]
    body = rss(*listed, link="https://site.example/")
    parsed = parse_feed(body, feed_url="https://site.example/feed", now=NOW)
    found = [a.entry_key for a in parsed.articles]
    assert [k[:3] if k and k.startswith("id:") else k for k in found] == keys
    assert len(set(found)) == len(found) or found == [None] * len(found)


def test_an_id_key_is_the_same_from_one_document_to_the_next() -> None:
    def key(guid: str, *others: str) -> str | None:
        listed = [item(g, "https://status.example/", guid=g) for g in (guid, *others)]
        parsed = parse_feed(rss(*listed), feed_url="https://status.example/feed", now=NOW)
        return parsed.articles[0].entry_key

    assert key("incident-1") == key("incident-1", "incident-2") == key("incident-1", "x")
    assert key("incident-1") != key("incident-2")
