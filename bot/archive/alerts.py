"""Subscriptions and the delivery outbox: the storage half of exactly-once topic alerts.

The order of writes is what makes delivery exactly-once:
1. ``record_matches``: in one transaction, the new articles' deliveries are written 'pending'
   and the scan watermark moves past those articles. A crash before the commit repeats the scan;
   after it, the deliveries exist. Nothing is skipped.
2. ``claim_batches``: pending deliveries of a channel are grouped under a batch nonce and marked
   'sending' (in one transaction). A batch that is already 'sending' (a crash happened mid-send)
   is returned again unchanged, with the same nonce and articles.
3. ``fix_message``: before the first send, the batch's message is stored and the articles
   that did not fit in it go back to 'pending' (in one transaction), so every attempt sends the
   same message with the batch's nonce (discord.py sets ``enforce_nonce``): a re-send after a
   crash or a lost response is recognised by Discord, which returns the message it made,
   instead of posting a second one. (Discord remembers nonces for a few minutes only: a crash
   right after Discord accepted a message, followed by an outage longer than that, can still
   post that one message twice. Nothing is ever skipped.)
4. ``mark_sent`` records the message, whose articles are exactly the batch's.
   Discord refusing a channel outright (403) pauses its subscriptions instead, and the
   /subscribe that resumes them queues the newest matches of the articles stored meanwhile (the
   ones Discord refused included), in the transaction that resumes; a deleted channel
   (404 Unknown Channel, or the gateway's channel delete event) loses its subscriptions and
   unsent alerts; a message Discord rejects as malformed is dropped, not retried forever.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import aiosqlite

from bot.archive.database import Database

WATERMARK_KEY = "alerts:last_article_id"
# What topic matching reads of an article: its title, key points and tags.
_ARTICLE_TEXTS = """SELECT a.id, a.title, a.sort_at, a.ingested_at, a.story_id,
      (SELECT json_group_array(text) FROM (SELECT text FROM snippets
        WHERE article_id = a.id AND kind = 'key_point' ORDER BY position)) AS key_points,
      (SELECT json_group_array(topic) FROM article_topics WHERE article_id = a.id) AS tags
   FROM articles a"""
# Articles read at a time when a resumed channel's missed articles are matched.
_MISSED_CHUNK = 1000
# Where a match may be queued: its subscription, as it was matched, is still there and active,
# and the channel has no alert yet of the article or of another article of its story. (The
# story's few articles are looked up first, then each among the channel's deliveries by key:
# a busy channel's whole history is never read.)
_QUEUEABLE = """FROM subscriptions s
   WHERE s.id = :subscription AND s.exclude = :exclude AND s.paused_reason IS NULL
     AND NOT EXISTS (
       SELECT 1 FROM deliveries d
       WHERE d.channel_id = s.channel_id AND d.article_id IN (
         SELECT id FROM articles WHERE id = :story
         UNION ALL SELECT id FROM articles WHERE story_id = :story))"""


@dataclass(frozen=True, slots=True)
class Subscription:
    """A channel's subscription to a topic."""

    id: int
    guild_id: int
    channel_id: int
    topic: str
    exclude: str
    role_id: int | None
    created_by: int
    created_at: str
    after_article_id: int
    paused_reason: str | None
    # While paused: the articles after this one were stored after the pause (None: unknown).
    paused_after_article_id: int | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """One article matched for one subscription (a delivery to write)."""

    subscription: Subscription
    article_id: int
    matched_words: Sequence[str]
    story_id: int | None = None  # the story's first article, if this one joined its story


# Which of these articles (rows as ``articles_after`` gives them) other subscriptions match.
Rematch = Callable[[Sequence[Subscription], Sequence[aiosqlite.Row]], Sequence[Match]]


@dataclass(frozen=True, slots=True)
class Resumed:
    """What a /subscribe did in a paused channel: how many of its subscriptions it resumed,
    and of the matches among the articles stored while they were paused, how many it queued
    and how many more it left out (the cap). ``queued`` is None when the pause began is
    unknown (it predates the record of it): then nothing missed was looked for."""

    subscriptions: int = 0
    queued: int | None = None
    left_out: int = 0


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One article in a batch, with the subscription it matched and the words that matched."""

    article_id: int
    subscription_id: int
    matched_words: list[str]


@dataclass(frozen=True, slots=True)
class Batch:
    """The deliveries that go out as one message to one channel."""

    channel_id: int
    nonce: str
    items: list[BatchItem]


def _now_iso(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


class AlertStore:
    """Subscriptions, scan watermark and deliveries."""

    def __init__(self, db: Database):
        self._db = db

    # -- subscriptions --------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        guild_id: int,
        channel_id: int,
        topic: str,
        exclude: str | None,
        role_id: int | None,
        created_by: int,
        now: datetime,
        max_per_channel: int,
        max_per_guild: int,
        rematch: Rematch | None = None,
        missed_cap: int = 0,
    ) -> tuple[Subscription, bool, Resumed]:
        """Add a channel's subscription to a topic, starting after the newest stored article,
        or update the one it has: the exclusions and role given replace its own, and those not
        given (None) are kept, so that re-running /subscribe to change one, or to resume, loses
        neither. A paused channel resumes, all of its subscriptions: they were paused together,
        because the bot could not post there, which the command has just found it can. Of the
        articles stored while they were paused, the newest ``missed_cap`` that ``rematch``
        matches are queued, in the same transaction: a restart cannot resume a channel and
        lose what it missed.

        Returns the subscription, whether it already existed, and what was resumed. Raises
        ``LimitReached`` when a cap would be exceeded."""
        async with self._db.transaction() as conn:
            caps = (guild_id, channel_id, topic, max_per_channel, max_per_guild)
            if problem := await _cap_exceeded(conn, *caps):
                raise LimitReached(problem)
            existed = await _subscription_id(conn, channel_id, topic) is not None
            newest = await _scalar(conn, "SELECT coalesce(max(id), 0) FROM articles")
            # (In DO UPDATE, a bare column is the stored row's value.)
            await conn.execute(
                """INSERT INTO subscriptions (guild_id, channel_id, topic, exclude, role_id,
                   created_by, created_at, after_article_id)
                   VALUES (:guild, :channel, :topic, coalesce(:exclude, ''), :role, :by, :at,
                           :after)
                   ON CONFLICT (channel_id, topic) DO UPDATE SET
                   exclude = coalesce(:exclude, exclude), role_id = coalesce(:role, role_id)""",
                {
                    "guild": guild_id,
                    "channel": channel_id,
                    "topic": topic,
                    "exclude": exclude,
                    "role": role_id,
                    "by": created_by,
                    "at": _now_iso(now),
                    "after": newest,
                },
            )
            resumed = await _resume(conn, channel_id, rematch, missed_cap, now)
            async with conn.execute(
                "SELECT * FROM subscriptions WHERE channel_id = ? AND topic = ?",
                (channel_id, topic),
            ) as cursor:
                return Subscription(*await cursor.fetchone()), existed, resumed

    async def cap_exceeded(
        self,
        *,
        guild_id: int,
        channel_id: int,
        topic: str,
        max_per_channel: int,
        max_per_guild: int,
    ) -> str | None:
        """Which cap subscribing would exceed, or None: a read that never waits for a writer
        (``subscribe`` checks again in its transaction)."""
        caps = (guild_id, channel_id, topic, max_per_channel, max_per_guild)
        return await _cap_exceeded(self._db.reader, *caps)

    async def unsubscribe(
        self, channel_id: int, topic: str, rematch: Rematch | None = None
    ) -> bool:
        """Remove a channel's subscription; False when there was none.

        Its alerts not yet being sent go to the channel's other subscriptions that ``rematch``
        matches them with (a channel gets one alert per article, so another topic's match of
        the same article was never queued), and are dropped otherwise: in the same
        transaction, so that a failure half-way loses no alert. (A batch already 'sending'
        still goes out: it may have been posted.)"""
        async with self._db.transaction() as conn:
            subscription_id = await _subscription_id(conn, channel_id, topic)
            if subscription_id is None:
                return False
            pending = "FROM deliveries WHERE subscription_id = ? AND status = 'pending'"
            async with conn.execute(f"SELECT article_id {pending}", (subscription_id,)) as cursor:
                dropped = [row[0] for row in await cursor.fetchall()]
            if dropped and rematch is not None:
                await _hand_over(conn, subscription_id, channel_id, dropped, rematch)
            await conn.execute(f"DELETE {pending}", (subscription_id,))
            await conn.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
            return True

    async def subscriptions(
        self, *, guild_id: int | None = None, channel_id: int | None = None, active: bool = False
    ) -> list[Subscription]:
        """Subscriptions of a channel, of a server, or all; ``active`` leaves out paused ones."""
        clauses, params = ["1"], []
        if guild_id is not None:
            clauses.append("guild_id = ?")
            params.append(guild_id)
        if channel_id is not None:
            clauses.append("channel_id = ?")
            params.append(channel_id)
        if active:
            clauses.append("paused_reason IS NULL")
        async with self._db.reader.execute(
            f"SELECT * FROM subscriptions WHERE {' AND '.join(clauses)} ORDER BY channel_id, topic",
            params,
        ) as cursor:
            return [Subscription(*row) for row in await cursor.fetchall()]

    async def pause_channel(
        self, channel_id: int, reason: str, *, refused_unsent: bool = False
    ) -> None:
        """Pause a channel's subscriptions (the bot lost access to it), and note from which
        article on the channel hears of nothing, so that resuming it queues what it missed.

        Its alerts not yet posted leave the outbox, to be matched again on resume: the pending
        ones, and the batch being sent if ``refused_unsent`` (Discord refused its first send,
        so it was never posted). A batch sent before, whose answer was lost, may have been
        posted: it is given up instead, so that a resume never posts it twice."""
        async with self._db.transaction() as conn:
            unsent = """FROM deliveries WHERE channel_id = ?
                        AND (status = 'pending' OR status = 'sending' AND ?)"""
            params = (channel_id, refused_unsent)
            oldest = await _scalar(conn, f"SELECT min(article_id) {unsent}", *params)
            # The scan considers articles in id order: those past its watermark it has not
            # matched yet, and will match while the channel is paused.
            after = await _watermark(conn)
            if oldest is not None:
                after = min(after, oldest - 1)
            await conn.execute(f"DELETE {unsent}", params)
            await conn.execute(
                """UPDATE deliveries SET status = 'undeliverable'
                   WHERE channel_id = ? AND status = 'sending'""",
                (channel_id,),
            )
            await _forget_messages(conn, channel_id)
            # A channel paused again before it was resumed keeps its first pause's start.
            await conn.execute(
                """UPDATE subscriptions SET paused_reason = ?,
                   paused_after_article_id = coalesce(paused_after_article_id, ?)
                   WHERE channel_id = ?""",
                (reason, after, channel_id),
            )

    async def forget_channel(self, channel_id: int) -> int:
        """Remove a deleted channel's subscriptions and its alerts not yet sent (they can never
        be); returns how many subscriptions were removed. Sent alerts stay, as the record."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM deliveries WHERE channel_id = ? AND status IN ('pending', 'sending')",
                (channel_id,),
            )
            await _forget_messages(conn, channel_id)
            cursor = await conn.execute(
                "DELETE FROM subscriptions WHERE channel_id = ?", (channel_id,)
            )
            return cursor.rowcount

    # -- scanning -------------------------------------------------------------------------

    async def watermark(self) -> int:
        """The id of the last article the alert scan has considered (0 before the first scan;
        each subscription's ``after_article_id`` keeps the backlog out of its alerts)."""
        return await _watermark(self._db.reader)

    async def articles_after(
        self, article_id: int, limit: int, *, newest_first: bool = False
    ) -> list[aiosqlite.Row]:
        """Articles stored after ``article_id`` (id, title, sort_at, story_id, key points, tags),
        in id order, or the newest ``limit`` of them."""
        order = "DESC" if newest_first else ""
        async with self._db.reader.execute(
            f"{_ARTICLE_TEXTS} WHERE a.id > ? ORDER BY a.id {order} LIMIT ?", (article_id, limit)
        ) as cursor:
            return list(await cursor.fetchall())

    async def record_matches(
        self, matches: Sequence[Match], now: datetime, *, watermark: int | None = None
    ) -> int:
        """Write pending deliveries and move the watermark (if given), together or not at all;
        returns how many deliveries were written.

        A channel hears of a story once: a match for an article the channel already has a
        delivery for (from another topic, or an earlier subscription), or for another article of
        the same story (another outlet's copy, say), writes nothing. Nor does a match whose
        subscription was paused, removed or given other exclusions since the scan read it: the
        scan matched a snapshot, and this write is what counts."""
        async with self._db.transaction() as conn:
            queued = await _queue(conn, matches, now)
            if watermark is not None:
                await conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (WATERMARK_KEY, str(watermark)),
                )
            return queued

    # -- delivering -----------------------------------------------------------------------

    async def claim_batches(self, per_message: int) -> list[Batch]:
        """One batch per channel with work: an unfinished 'sending' batch, else up to
        ``per_message`` pending deliveries, oldest first, marked 'sending' under a new nonce."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                """SELECT DISTINCT channel_id FROM deliveries
                   WHERE status IN ('pending', 'sending')"""
            ) as cursor:
                channels = [row[0] for row in await cursor.fetchall()]
            batches = []
            for channel_id in channels:
                rows = await _rows(
                    conn,
                    """SELECT article_id, subscription_id, matched_words, batch FROM deliveries
                       WHERE channel_id = ? AND status = 'sending' ORDER BY article_id""",
                    channel_id,
                )
                if rows:
                    nonce = rows[0][3]
                else:
                    rows = await _rows(
                        conn,
                        """SELECT article_id, subscription_id, matched_words, NULL
                           FROM deliveries WHERE channel_id = ? AND status = 'pending'
                           ORDER BY article_id LIMIT ?""",
                        channel_id,
                        per_message,
                    )
                    ids = [row[0] for row in rows]
                    nonce = _nonce(channel_id, ids)
                    await conn.executemany(
                        """UPDATE deliveries SET status = 'sending', batch = ?
                           WHERE channel_id = ? AND article_id = ?""",
                        [(nonce, channel_id, article_id) for article_id in ids],
                    )
                items = [BatchItem(a, s, json.loads(words)) for a, s, words, _ in rows]
                batches.append(Batch(channel_id, nonce, items))
            return batches

    async def batch_message(self, batch: Batch) -> str | None:
        """The message a batch goes out as, if it was fixed already (see :meth:`fix_message`)."""
        async with self._db.reader.execute(
            "SELECT message FROM alert_messages WHERE channel_id = ? AND batch = ?",
            (batch.channel_id, batch.nonce),
        ) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def fix_message(self, batch: Batch, message: str, held_back: Sequence[int]) -> None:
        """Fix the message a batch goes out as, before its first send: every retry sends this
        one, under the same nonce. The ``held_back`` articles, which did not fit in it, leave
        the batch and are pending again: the next batch takes them."""
        async with self._db.transaction() as conn:
            await conn.executemany(
                """UPDATE deliveries SET status = 'pending', batch = NULL
                   WHERE channel_id = ? AND batch = ? AND article_id = ?""",
                [(batch.channel_id, batch.nonce, article_id) for article_id in held_back],
            )
            await conn.execute(
                """INSERT OR REPLACE INTO alert_messages (channel_id, batch, message)
                   VALUES (?, ?, ?)""",
                (batch.channel_id, batch.nonce, message),
            )

    async def mark_sent(self, batch: Batch, message_id: int, now: datetime) -> None:
        """Record that Discord accepted the batch's message."""
        await self._finish(
            batch.channel_id,
            """UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?
               WHERE channel_id = ? AND batch = ?""",
            (_now_iso(now), message_id, batch.channel_id, batch.nonce),
            batch=batch.nonce,
        )

    async def mark_batch_undeliverable(self, batch: Batch) -> None:
        """Give up on one batch that Discord refuses outright (so it does not block the rest)."""
        await self._finish(
            batch.channel_id,
            """UPDATE deliveries SET status = 'undeliverable'
               WHERE channel_id = ? AND batch = ? AND status = 'sending'""",
            (batch.channel_id, batch.nonce),
            batch=batch.nonce,
        )

    async def _finish(
        self, channel_id: int, sql: str, params: Sequence[object], *, batch: str | None = None
    ) -> None:
        """Apply ``sql`` to deliveries and forget the fixed messages of the batches it ended
        (``batch``, or all of the channel's)."""
        async with self._db.transaction() as conn:
            await conn.execute(sql, params)
            await _forget_messages(conn, channel_id, batch)

    async def delivery_counts(self) -> dict[str, int]:
        """How many deliveries are in each state."""
        async with self._db.reader.execute(
            "SELECT status, count(*) FROM deliveries GROUP BY status"
        ) as cursor:
            return {status: n for status, n in await cursor.fetchall()}


class LimitReached(ValueError):
    """A subscription cap would be exceeded; the message says which."""


def _nonce(channel_id: int, article_ids: Sequence[int]) -> str:
    # Discord accepts nonces of up to 25 characters.
    digest = hashlib.sha256(f"{channel_id}:{article_ids}".encode()).hexdigest()
    return "nb" + digest[:23]


async def _cap_exceeded(
    conn: aiosqlite.Connection,
    guild_id: int,
    channel_id: int,
    topic: str,
    max_per_channel: int,
    max_per_guild: int,
) -> str | None:
    """Which cap a new subscription would exceed (replacing one exceeds none), or None."""
    if await _subscription_id(conn, channel_id, topic) is not None:
        return None
    in_channel = await _scalar(
        conn, "SELECT count(*) FROM subscriptions WHERE channel_id = ?", channel_id
    )
    if in_channel >= max_per_channel:
        return f"this channel already has {in_channel} subscriptions"
    in_guild = await _scalar(
        conn, "SELECT count(*) FROM subscriptions WHERE guild_id = ?", guild_id
    )
    if in_guild >= max_per_guild:
        return f"this server already has {in_guild} subscriptions"
    return None


async def _resume(
    conn: aiosqlite.Connection,
    channel_id: int,
    rematch: Rematch | None,
    missed_cap: int,
    now: datetime,
) -> Resumed:
    """Resume a channel's paused subscriptions, queueing the newest ``missed_cap`` of the
    matches ``rematch`` finds among the articles each missed (those stored after its pause)."""
    async with conn.execute(
        "SELECT * FROM subscriptions WHERE channel_id = ? AND paused_reason IS NOT NULL",
        (channel_id,),
    ) as cursor:
        paused = [Subscription(*row) for row in await cursor.fetchall()]
    if not paused:
        return Resumed()
    await conn.execute(
        """UPDATE subscriptions SET paused_reason = NULL, paused_after_article_id = NULL
           WHERE channel_id = ? AND paused_reason IS NOT NULL""",
        (channel_id,),
    )
    # Each from its own pause, but never before its own start.
    missing = [
        replace(s, after_article_id=max(s.after_article_id, s.paused_after_article_id))
        for s in paused
        if s.paused_after_article_id is not None
    ]
    if not missing or rematch is None:
        return Resumed(len(paused))
    matches: list[Match] = []
    after = min(s.after_article_id for s in missing)
    while rows := await _rows_after(conn, after):
        matches += await asyncio.to_thread(rematch, missing, rows)
        after = rows[-1]["id"]
    # Newest first: the cap leaves out the oldest. Every rule of a scan's match holds (one
    # alert per article and story in a channel), so what is counted as left out is what
    # would have been queued.
    queued, left_out, stories = 0, 0, set()
    for match in sorted(matches, key=lambda m: m.article_id, reverse=True):
        story = match.story_id or match.article_id
        if queued < missed_cap:
            queued += await _queue(conn, [match], now)
        elif story not in stories and await _queueable(conn, match, now):
            left_out += 1
        stories.add(story)
    return Resumed(len(paused), queued, left_out)


async def _rows_after(conn: aiosqlite.Connection, article_id: int) -> list[aiosqlite.Row]:
    """The next articles after ``article_id``, as ``articles_after`` gives them."""
    async with conn.execute(
        f"{_ARTICLE_TEXTS} WHERE a.id > ? ORDER BY a.id LIMIT ?", (article_id, _MISSED_CHUNK)
    ) as cursor:
        return list(await cursor.fetchall())


async def _queue(conn: aiosqlite.Connection, matches: Sequence[Match], now: datetime) -> int:
    """Write the pending deliveries of the matches that may be queued (``_QUEUEABLE``);
    returns how many were written."""
    cursor = await conn.executemany(
        f"""INSERT OR IGNORE INTO deliveries (channel_id, article_id, subscription_id,
            matched_words, created_at)
            SELECT s.channel_id, :article, s.id, :words, :now {_QUEUEABLE}""",
        [_queue_params(m, now) for m in matches],
    )
    return cursor.rowcount  # rows inserted: the ignored ones count 0


async def _queueable(conn: aiosqlite.Connection, match: Match, now: datetime) -> bool:
    """Whether ``_queue`` would write this match's delivery."""
    async with conn.execute(f"SELECT 1 {_QUEUEABLE}", _queue_params(match, now)) as cursor:
        return await cursor.fetchone() is not None


def _queue_params(match: Match, now: datetime) -> dict[str, object]:
    return {
        "article": match.article_id,
        "words": json.dumps(list(match.matched_words)),
        "now": _now_iso(now),
        "subscription": match.subscription.id,
        "exclude": match.subscription.exclude,
        "story": match.story_id or match.article_id,
    }


async def _watermark(conn: aiosqlite.Connection) -> int:
    """The alert scan's watermark (see ``AlertStore.watermark``)."""
    async with conn.execute("SELECT value FROM settings WHERE key = ?", (WATERMARK_KEY,)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _hand_over(
    conn: aiosqlite.Connection,
    subscription_id: int,
    channel_id: int,
    articles: Sequence[int],
    rematch: Rematch,
) -> None:
    """Move a subscription's pending alerts to the channel's other active subscriptions that
    ``rematch`` matches them with."""
    async with conn.execute(
        "SELECT * FROM subscriptions WHERE channel_id = ? AND id != ? AND paused_reason IS NULL",
        (channel_id, subscription_id),
    ) as cursor:
        others = [Subscription(*row) for row in await cursor.fetchall()]
    if not others:
        return
    marks = ",".join("?" * len(articles))
    async with conn.execute(
        f"{_ARTICLE_TEXTS} WHERE a.id IN ({marks}) ORDER BY a.id", list(articles)
    ) as cursor:
        rows = list(await cursor.fetchall())
    for match in rematch(others, rows):  # (an article another topic also matches moves once)
        await conn.execute(
            """UPDATE deliveries SET subscription_id = ?, matched_words = ?
               WHERE subscription_id = ? AND article_id = ? AND status = 'pending'""",
            (
                match.subscription.id,
                json.dumps(list(match.matched_words)),
                subscription_id,
                match.article_id,
            ),
        )


async def _forget_messages(
    conn: aiosqlite.Connection, channel_id: int, batch: str | None = None
) -> None:
    """Drop the fixed messages of a channel's batches (or of one): they are sent or given up."""
    if batch is None:
        await conn.execute("DELETE FROM alert_messages WHERE channel_id = ?", (channel_id,))
    else:
        await conn.execute(
            "DELETE FROM alert_messages WHERE channel_id = ? AND batch = ?", (channel_id, batch)
        )


async def _subscription_id(conn: aiosqlite.Connection, channel_id: int, topic: str) -> int | None:
    return await _scalar(
        conn, "SELECT id FROM subscriptions WHERE channel_id = ? AND topic = ?", channel_id, topic
    )


async def _scalar(conn: aiosqlite.Connection, sql: str, *params: object) -> int:
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None  # type: ignore[return-value]


async def _rows(conn: aiosqlite.Connection, sql: str, *params: object) -> list[tuple]:
    async with conn.execute(sql, params) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]
