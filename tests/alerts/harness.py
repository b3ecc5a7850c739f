"""Running the whole bot (NewsBot with its cogs) against the fake Discord and a local feed
server: feeds that grow as a test publishes, fast settings, slash commands, bounded waits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from bot.archive import Archive
from bot.chat.bot import NewsBot
from bot.settings import Settings
from tests.fakes import FakeDiscord
from tests.fakes.feed_server import FeedServer

T = TypeVar("T")
# Fast ticks: the alert scan every 0.2 s, due feeds looked for every 0.1 s, each feed every 1 s.
FAST = {"alert_interval": 0.2, "feed_tick": 0.1, "feed_interval": 1}
MANAGE_NOTHING = 0  # interaction permissions of a member who may not manage anything


@dataclass(frozen=True)
class Entry:
    """One feed entry; ``published`` None leaves the date out."""

    slug: str
    title: str
    summary: str = ""
    published: datetime | None = None
    tags: Sequence[str] = ()

    def link(self) -> str:
        return f"https://chips.example/{self.slug}"


def entry(slug: str, title: str, summary: str = "", **fields: Any) -> Entry:
    """An entry published an hour ago (news, not backlog)."""
    fields.setdefault("published", datetime.now(UTC) - timedelta(hours=1))
    return Entry(slug, title, summary or f"{title}, the company said on Tuesday.", **fields)


def rss(entries: Sequence[Entry], title: str = "Chip Wire") -> bytes:
    items = []
    for e in entries:
        date = f"<pubDate>{format_datetime(e.published)}</pubDate>" if e.published else ""
        tags = "".join(f"<category>{escape(t)}</category>" for t in e.tags)
        items.append(
            f"<item><title>{escape(e.title)}</title><link>{e.link()}</link>"
            f"<description>{escape(e.summary)}</description>{date}{tags}</item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://chips.example/</link>"
        f"{''.join(items)}</channel></rss>"
    ).encode()


def atom(entries: Sequence[Entry], title: str = "Chip Wire") -> bytes:
    items = []
    for e in entries:
        date = f"<updated>{e.published.isoformat()}</updated>" if e.published else ""
        tags = "".join(f'<category term="{escape(t)}"/>' for t in e.tags)
        items.append(
            f'<entry><title>{escape(e.title)}</title><link href="{e.link()}"/>'
            f"<id>{e.link()}</id><summary>{escape(e.summary)}</summary>{date}{tags}</entry>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:chip-wire</id>{''.join(items)}</feed>"
    ).encode()


class Publisher:
    """A feed on the local server that grows as a test publishes entries (new ETag each time)."""

    def __init__(self, server: FeedServer, path: str, kind: str = "rss") -> None:
        self.server, self.path, self.kind = server, path, kind
        self.entries: list[Entry] = []
        self.version = 0
        self._serve()

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    def publish(self, *entries: Entry) -> None:
        self.entries = [*entries, *self.entries]  # newest first, as feeds list them
        self._serve()

    def _serve(self) -> None:
        self.version += 1
        body = (rss if self.kind == "rss" else atom)(self.entries)
        content_type = "application/rss+xml" if self.kind == "rss" else "application/atom+xml"
        self.server.serve(self.path, body, content_type=content_type, etag=f'"v{self.version}"')


def bot_settings(db: Path, fake: FakeDiscord, **overrides: Any) -> Settings:
    """Settings for an in-process bot on ``db`` talking to ``fake``, with fast ticks."""
    settings = Settings(
        db_path=db,
        token=fake.token,
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
        allow_private_feeds=True,
        seed_bundled=False,
        **FAST,
    )
    return replace(settings, **overrides)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeDiscord, settings: Settings) -> AsyncIterator[NewsBot]:
    """NewsBot connected to ``fake`` until the block ends (then closed, archive included)."""
    async with fake.run_bot(NewsBot(settings, guild_ready_timeout=0.1)) as bot:
        yield bot


async def command(
    fake: FakeDiscord, name: str, options: dict[str, Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    """Run a slash command and return its reply: the data of its response, or for a deferred
    one, of its first follow-up (with the deferral's flags, which decide who sees it)."""
    interaction = await fake.send_interaction(name, options or {}, **kwargs)
    response = await fake.wait_for_interaction_response(interaction["id"])
    if response.is_deferred:
        [reply] = await fake.wait_for_followups(interaction["id"], 1)
        return {**reply.payload, "flags": (response.data or {}).get("flags", 0)}
    assert response.data is not None, response
    return response.data


async def paged_list(
    fake: FakeDiscord, name: str, options: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """A list command run by the admin (/subscriptions, /feeds list): every message of the list
    (the response, then the follow-ups its title's "(1/N)" announces), each as
    {"flags", "embed"}."""
    interaction = await fake.send_interaction(name, options or {}, user=fake.admin_user)
    response = await fake.wait_for_interaction_response(interaction["id"])
    assert response.data is not None
    [first] = response.data["embeds"]
    pages = int(first["title"].rpartition("/")[2].rstrip(")")) if "/" in first["title"] else 1
    followups = await fake.wait_for_followups(interaction["id"], pages - 1) if pages > 1 else []
    return [{"flags": response.data.get("flags"), "embed": first}] + [
        {"flags": m.payload.get("flags"), "embed": embed} for m in followups for embed in m.embeds
    ]


async def eventually(check: Callable[[], Awaitable[T]], *, within: float = 5.0, what: str) -> T:
    """Poll an async ``check`` every 20 ms until it returns something truthy (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await check()
        if result:
            return result
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.02)


async def considered(archive: Archive, count: int, *, within: float = 5.0) -> None:
    """Wait until ``count`` articles are stored and the alert scan has looked at all of them;
    what it queued for them is then in the outbox (the scan writes both in one transaction)."""

    async def done() -> bool:
        # The count first: the newest article is then read after the last one was stored (read
        # before, it could miss one stored meanwhile, and the scan seem done before it was).
        if await archive.articles.count() != count:
            return False
        newest = await archive.alerts.articles_after(0, 1, newest_first=True)
        return bool(newest) and await archive.alerts.watermark() >= newest[0]["id"]

    await eventually(done, within=within, what=f"{count} articles stored and scanned")
