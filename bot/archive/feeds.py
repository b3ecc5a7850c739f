"""The RSS/Atom feeds the poller follows, and each one's polling state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from bot.archive.database import Database


@dataclass(frozen=True, slots=True)
class Feed:
    """A followed feed and where its polling stands."""

    id: int
    url: str
    title: str | None
    guild_id: int | None
    notify_channel_id: int | None
    etag: str | None
    last_modified: str | None
    interval_seconds: int
    next_poll_at: str
    last_polled_at: str | None
    last_error: str | None
    failures: int
    disabled_reason: str | None
    added_at: str
    failing_since: str | None  # when its current run of failed polls began


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class FeedStore:
    """Adding, listing and updating feeds."""

    def __init__(self, db: Database):
        self._db = db

    async def add(
        self,
        url: str,
        *,
        interval_seconds: int,
        now: datetime,
        guild_id: int | None = None,
        notify_channel_id: int | None = None,
        keep_interval: bool = True,
    ) -> tuple[Feed, bool]:
        """Follow a feed (polled at once); an existing one is re-enabled, and polled every
        ``interval_seconds`` from now on unless ``keep_interval``. Returns (feed, new).

        Given a ``guild_id`` (an add from Discord), a feed that the bot's operator or another
        server follows is left as it is (the returned feed shows whose it is)."""
        url = feed_address(url)
        async with self._db.transaction() as conn:
            async with conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)) as cursor:
                existed = await cursor.fetchone() is not None
            await conn.execute(
                """INSERT INTO feeds (url, guild_id, notify_channel_id, interval_seconds,
                   next_poll_at, added_at) VALUES (:url, :guild, :channel, :interval, :now, :now)
                   ON CONFLICT (url) DO UPDATE SET disabled_reason = NULL, failures = 0,
                   failing_since = NULL,
                   next_poll_at = excluded.next_poll_at,
                   notify_channel_id = coalesce(excluded.notify_channel_id, notify_channel_id),
                   interval_seconds = CASE WHEN :keep THEN interval_seconds
                                      ELSE excluded.interval_seconds END
                   WHERE :guild IS NULL OR feeds.guild_id = :guild""",
                {
                    "url": url,
                    "guild": guild_id,
                    "channel": notify_channel_id,
                    "interval": interval_seconds,
                    "now": _iso(now),
                    "keep": keep_interval,
                },
            )
            async with conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)) as cursor:
                return Feed(*await cursor.fetchone()), not existed

    async def get(self, url: str) -> Feed | None:
        """The feed followed at ``url``, if any."""
        url = feed_address(url)
        async with self._db.reader.execute("SELECT * FROM feeds WHERE url = ?", (url,)) as c:
            row = await c.fetchone()
        return Feed(*row) if row else None

    async def remove(self, url: str, *, guild_id: int | None = None) -> Feed | None:
        """Stop following a feed, named by URL or by id (only one added from ``guild_id``, when
        given). Returns the feed removed, or None."""
        where = "(url = ? OR CAST(id AS TEXT) = ?)"
        params: tuple[object, ...] = (feed_address(url), url)
        if guild_id is not None:
            where += " AND guild_id = ?"
            params += (guild_id,)
        async with self._db.transaction() as conn:
            # (Read, then deleted, in one transaction: not DELETE ... RETURNING, which needs
            # SQLite 3.35.)
            async with conn.execute(f"SELECT * FROM feeds WHERE {where}", params) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            feed = Feed(*row)
            await conn.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    async def list(self, *, guild_id: int | None = None) -> list[Feed]:
        """Every feed, or those added from one server."""
        clause, params = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        async with self._db.reader.execute(
            f"SELECT * FROM feeds {clause} ORDER BY url", params
        ) as c:
            return [Feed(*row) for row in await c.fetchall()]

    async def stored_url_keys(self, url_keys: Iterable[str]) -> set[str]:
        """Which of these canonical article URLs the archive already holds."""
        wanted = list(dict.fromkeys(url_keys))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            async with self._db.reader.execute(
                f"SELECT url_key FROM articles WHERE url_key IN ({','.join('?' * len(chunk))})",
                chunk,
            ) as cursor:
                found.update(row[0] for row in await cursor.fetchall())
        return found

    async def pages_with_entries(self, pages: Iterable[str]) -> set[str]:
        """Which of these canonical links the archive holds feed entries of: articles whose
        identity is the link and an entry key (see :func:`bot.ingest.urls.article_key`)."""
        wanted = list(dict.fromkeys(pages))
        found: set[str] = set()
        for start in range(0, len(wanted), 100):
            chunk = wanted[start : start + 100]
            # A range per page, "link#" up to "link$" ("$" follows "#"): every key of the
            # page's entries, read from the url_key index.
            ranges = " OR ".join(["(url_key >= ? AND url_key < ?)"] * len(chunk))
            bounds = [bound for page in chunk for bound in (f"{page}#", f"{page}$")]
            async with self._db.reader.execute(
                f"SELECT DISTINCT substr(url_key, 1, instr(url_key, '#') - 1) FROM articles "
                f"WHERE {ranges}",
                bounds,
            ) as cursor:
                found.update(row[0] for row in await cursor.fetchall())
        return found & set(wanted)

    async def due(self, now: datetime) -> list[Feed]:
        """Enabled feeds whose next poll time has come."""
        async with self._db.reader.execute(
            """SELECT * FROM feeds WHERE disabled_reason IS NULL AND next_poll_at <= ?
               ORDER BY next_poll_at""",
            (_iso(now),),
        ) as cursor:
            return [Feed(*row) for row in await cursor.fetchall()]

    async def record_poll(
        self,
        feed_id: int,
        *,
        now: datetime,
        next_poll_at: datetime,
        etag: str | None,
        last_modified: str | None,
        title: str | None = None,
        url: str | None = None,
        error: str | None = None,
        failures: int = 0,
        failing_since: datetime | None = None,
        disabled_reason: str | None = None,
    ) -> None:
        """Store the outcome of a poll: validators, errors, backoff, when the feed began
        failing, and a new URL after a permanent redirect."""
        if url is not None:
            # Written as `add` writes it (no fragment...): `get` and `remove` look a feed up by
            # that form, so a redirect to "/feed#main" would make the feed impossible to remove.
            url = feed_address(url)
        async with self._db.transaction() as conn:
            await conn.execute(
                """UPDATE feeds SET etag = :etag, last_modified = :last_modified,
                   title = coalesce(:title, title),
                   url = CASE WHEN :url IS NOT NULL
                              AND NOT EXISTS (SELECT 1 FROM feeds WHERE url = :url)
                         THEN :url ELSE url END,
                   last_polled_at = :now, next_poll_at = :next_poll_at, last_error = :error,
                   failures = :failures, failing_since = :failing_since,
                   disabled_reason = :disabled_reason WHERE id = :id""",
                {
                    "etag": etag,
                    "last_modified": last_modified,
                    "title": title,
                    "url": url,
                    "now": _iso(now),
                    "next_poll_at": _iso(next_poll_at),
                    "error": error,
                    "failures": failures,
                    "failing_since": _iso(failing_since) if failing_since else None,
                    "disabled_reason": disabled_reason,
                    "id": feed_id,
                },
            )


def feed_address(url: str) -> str:
    """A feed's URL as it is followed: scheme and host in lower case and no fragment (which
    never reaches the server), so that ``HTTP://Example.com/rss#top`` is the feed
    ``http://example.com/rss``. The path and query stay as given: they may select the feed."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = parts.netloc.rpartition("@")
    netloc = host[0] + host[1] + host[2].lower()  # (a user name or password keeps its case)
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))
