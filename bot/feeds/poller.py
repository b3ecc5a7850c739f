"""Polling feeds: fetch each due feed, parse it, and store its entries through the ingest path.

One feed's failure never touches another's: every poll ends in a recorded outcome, with
exponential backoff after a failure and the feed disabled once it has kept failing for days.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import aiohttp

from bot.archive import Archive, StorageError
from bot.archive.feeds import Feed
from bot.feeds.fetch import (
    FeedState,
    FetchResult,
    UrlGuard,
    backoff_delay,
    fetch_article_text,
    fetch_feed,
    public_only_session,
    public_url_guard,
)
from bot.feeds.parse import FeedError, parse_feed
from bot.ingest.pipeline import ingest_articles
from bot.ingest.urls import article_key, redacted_url
from bot.models import Article
from bot.settings import MAX_INTERVAL

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollLimits:
    """How hard the poller may try: per fetch, per feed, and before giving up on a feed."""

    timeout_seconds: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    max_entries: int = 500
    # A feed is disabled once it has failed this many polls in a row over at least this long.
    # The time matters as much as the count: an outage of the bot's own network or DNS fails
    # every feed at once, and the backoff counts five failures in 15 minutes.
    max_failures: int = 5
    disable_after_failing_seconds: float = 3 * 86400.0
    backoff_base_seconds: float = 60.0
    backoff_cap_seconds: float = 6 * 3600.0
    retry_after_cap_seconds: float = 86400.0  # a server's Retry-After is honoured up to this
    concurrency: int = 4
    # Entries whose text is shorter than this may have the article page fetched (if enabled).
    short_entry_chars: int = 400


@dataclass(frozen=True, slots=True)
class Sessions:
    """The HTTP sessions of a round of polls. ``public`` (:func:`public_only_session`) connects
    to public addresses only: it fetches feeds added from Discord (unless private addresses are
    allowed), their redirects and their article pages; ``trusted`` fetches the operator's."""

    trusted: aiohttp.ClientSession
    public: aiohttp.ClientSession


@dataclass(slots=True)
class PollOutcome:
    """What one poll of one feed did."""

    feed: Feed
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: bool = False
    error: str | None = None
    disabled: bool = False
    skipped: list[str] = field(default_factory=list)


class FeedPoller:
    """Polls the archive's feeds. Feeds added from Discord are held to public addresses unless
    ``allow_private`` is set; feeds added on the command line are trusted."""

    def __init__(
        self,
        archive: Archive,
        *,
        allow_private: bool = False,
        fetch_full_text: bool = False,
        limits: PollLimits | None = None,
    ):
        self.archive = archive
        self.allow_private = allow_private
        self.fetch_full_text = fetch_full_text
        self.limits = limits or PollLimits()

    async def poll_due(self, now: datetime) -> list[PollOutcome]:
        """Poll every feed whose time has come, a few at a time."""
        feeds = await self.archive.feeds.due(now)
        if not feeds:
            return []
        semaphore = asyncio.Semaphore(self.limits.concurrency)
        async with aiohttp.ClientSession() as trusted, public_only_session() as public:
            sessions = Sessions(trusted, public)

            async def one(feed: Feed) -> PollOutcome:
                async with semaphore:
                    try:
                        return await self.poll(sessions, feed, now)
                    except Exception as error:  # e.g. the archive is locked by another program
                        log.exception("polling feed %s failed", redacted_url(feed.url))
                        outcome = PollOutcome(feed, error=f"{type(error).__name__}: {error}")
                        # The archive's own trouble (locked by a long import) is not the
                        # feed's: it backs off, but is never disabled for it.
                        feeds_fault = not isinstance(error, StorageError)
                        await self._record_failure(feed, outcome, now, may_disable=feeds_fault)
                        return outcome

            return list(await asyncio.gather(*(one(feed) for feed in feeds)))

    async def poll(self, sessions: Sessions, feed: Feed, now: datetime) -> PollOutcome:
        """Fetch, parse and store one feed, and record how it went."""
        outcome = PollOutcome(feed)
        held_to_public = not self.allow_private and feed.guild_id is not None
        # The guard vets each URL before its request, and the public session what a name
        # resolves to when it connects: a name cannot answer the one public and the other
        # private (DNS rebinding).
        guard = public_url_guard if held_to_public else None
        session = sessions.public if held_to_public else sessions.trusted
        result = await fetch_feed(
            session,
            FeedState(feed.url, feed.etag, feed.last_modified),
            timeout=self.limits.timeout_seconds,
            max_bytes=self.limits.max_bytes,
            url_guard=guard,
        )
        title = None
        if result.status == "ok":
            try:
                parsed = await asyncio.to_thread(
                    parse_feed,
                    result.body,
                    feed_url=result.final_url,
                    max_entries=self.limits.max_entries,
                    now=now,
                    charset=result.charset,
                )
            except FeedError as error:
                outcome.error = str(error)
            except Exception as error:  # a parser bug must not stop the other feeds
                log.exception("parsing feed %s failed", redacted_url(feed.url))
                outcome.error = f"could not parse the feed ({type(error).__name__}: {error})"
            else:
                title = parsed.title or None
                outcome.skipped = parsed.skipped
                articles = parsed.articles
                if pages := parsed.unshared_pages():
                    shared = await self.archive.feeds.pages_with_entries(pages)
                    articles = parsed.sharing(shared) if shared else articles
                if self.fetch_full_text:
                    articles = await self._with_full_text(session, articles, guard)
                report = await ingest_articles(self.archive, articles, now=now)
                outcome.added, outcome.updated = report.added, report.updated
                outcome.unchanged = report.unchanged + report.duplicates
                outcome.skipped += [f"{name}: {reason}" for name, reason in report.failed]
            if outcome.error:
                # The validators of a document that could not be read must not be kept: the
                # next poll would get "304 Not Modified" and count the broken feed as healthy.
                result.etag, result.last_modified = feed.etag, feed.last_modified
        elif result.status == "not_modified":
            outcome.not_modified = True
        else:
            outcome.error = result.error or "fetch failed"
        await self._record(feed, outcome, result, title, now)
        return outcome

    async def _record_failure(
        self, feed: Feed, outcome: PollOutcome, now: datetime, *, may_disable: bool
    ) -> None:
        """Record a poll that raised like any failed one: unrecorded, the feed would be fetched
        again every tick, never backed off nor disabled, and listed as healthy. If recording
        fails too (the archive still locked), that is only logged: the next tick tries again."""
        # The validators the feed had: a 304 must not answer the next poll when what this fetch
        # brought may not have been stored.
        result = FetchResult("error", feed.url, etag=feed.etag, last_modified=feed.last_modified)
        try:
            await self._record(feed, outcome, result, None, now, may_disable=may_disable)
        except Exception:
            outcome.disabled = False  # not stored: nobody should be told it was disabled
            log.exception("could not record the failed poll of feed %s", redacted_url(feed.url))

    async def _record(
        self,
        feed: Feed,
        outcome: PollOutcome,
        result: FetchResult,
        title: str | None,
        now: datetime,
        *,
        may_disable: bool = True,
    ) -> None:
        # When this run of failures began: set by its first failure, cleared by a success.
        began = datetime.fromisoformat(feed.failing_since) if feed.failing_since else None
        if not outcome.error:
            failures, began = 0, None
        elif may_disable:
            failures, began = feed.failures + 1, began or now
        else:  # the archive's own trouble is not the feed's: it neither counts nor disables
            failures = feed.failures
        if outcome.error:
            delay = backoff_delay(
                max(failures, 1), self.limits.backoff_base_seconds, self.limits.backoff_cap_seconds
            )
            delay = max(delay, min(result.retry_after or 0.0, self.limits.retry_after_cap_seconds))
            shown = redacted_url(feed.url)
            log.warning("feed %s failed (%d in a row): %s", shown, failures, outcome.error)
        else:
            delay = min(feed.interval_seconds, MAX_INTERVAL)  # (older versions stored any)
        disabled = None
        failing_long = began is not None and now - began >= timedelta(
            seconds=self.limits.disable_after_failing_seconds
        )
        if may_disable and failures >= self.limits.max_failures and failing_long:
            disabled = f"disabled after {failures} failed polls; last error: {outcome.error}"
            outcome.disabled = True
        await self.archive.feeds.record_poll(
            feed.id,
            now=now,
            next_poll_at=now + timedelta(seconds=delay),
            etag=result.etag,
            last_modified=result.last_modified,
            title=title,
            url=result.final_url if result.permanent_redirect else None,
            error=outcome.error,
            failures=failures,
            failing_since=began,
            disabled_reason=disabled,
        )

    async def _with_full_text(
        self, session: aiohttp.ClientSession, articles: list[Article], guard: UrlGuard | None
    ) -> list[Article]:
        """New entries with only a short summary get their page's main text, when it can be
        had. Entries already stored are left out: fetching their pages again on every poll would
        be wasteful, and re-storing the feed's short summary would replace the full text. So are
        entries whose link is not their own (see ``Article.entry_key``): the page they link to
        (a changelog, a status page's home page) is not their text."""
        keys = [article_key(article.url, article.entry_key) for article in articles]
        stored = await self.archive.feeds.stored_url_keys(key for key in keys if key)
        completed = []
        for article, key in zip(articles, keys, strict=True):
            if key in stored:
                continue
            own_page = article.url and article.entry_key is None
            if own_page and len(article.body) < self.limits.short_entry_chars:
                text = await fetch_article_text(
                    session,
                    article.url,
                    timeout=self.limits.timeout_seconds,
                    max_bytes=self.limits.max_bytes,
                    url_guard=guard,
                )
                if text:
                    article = replace(article, body=text)
            completed.append(article)
        return completed
