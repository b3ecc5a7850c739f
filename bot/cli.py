"""The ``newsbot`` command: parses arguments, calls the engine, prints. No logic of its own."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.alerts.matching import unsearchable
from bot.archive import Archive, StorageError
from bot.archive.database import bytes_on_disk
from bot.archive.feeds import Feed
from bot.feeds.discover import (
    describe_found,
    describe_unchecked,
    find_feed_to_follow,
    with_assumed_scheme,
)
from bot.feeds.poller import FeedPoller, PollOutcome
from bot.ingest.bundled import open_archive
from bot.ingest.pipeline import ARTICLE_SUFFIXES, ingest_paths
from bot.ingest.urls import canonical_url, redacted_url
from bot.models import IngestReport, StoredArticle
from bot.search import Answer, Engine, Filters
from bot.settings import MAX_INTERVAL, MIN_FEED_INTERVAL, Settings, SettingsError

# Failed records listed per file: enough to see what is wrong, few enough that a file of a
# million bad lines does not flood the terminal (the count says how many failed).
FAILURES_SHOWN = 10


LATEST_MAX = 50  # headlines `newsbot latest` lists at most


def _whole_number(maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from 1 (to ``maximum``), refused with the range."""
    wanted = f"from 1 to {maximum}" if maximum else "of 1 or more"

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1 or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"must be a whole number {wanted}, got {text!r}")
        return value

    return whole_number


def _iso_date(text: str) -> datetime:
    """An argparse type: an ISO 8601 date or date-time (UTC unless it gives an offset)."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 date or date-time, e.g. 2026-01-31 or 2026-01-31T09:30Z, "
            f"got {text!r}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _searchable_topic(text: str) -> str:
    """A topic /latest can look for: as /subscribe, not one only of words like "the"."""
    if reason := unsearchable(text):
        raise argparse.ArgumentTypeError(f"{text!r} {reason}")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Answer questions about a local archive of tech-news articles.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question with cited snippets")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON document")
    ask.add_argument("--now", type=_iso_date, help="answer as if asked at this ISO date")

    latest = commands.add_parser("latest", help="list the newest articles")
    latest.add_argument("--topic", type=_searchable_topic, help="only articles about this topic")
    latest.add_argument("--source", help="only articles from this outlet")
    latest.add_argument(
        "--limit",
        type=_whole_number(LATEST_MAX),
        default=5,
        help=f"how many (default 5, at most {LATEST_MAX})",
    )

    ingest = commands.add_parser("ingest", help="store article files (text, JSON, JSON Lines)")
    ingest.add_argument("paths", nargs="+", help="files, folders or glob patterns")

    commands.add_parser("stats", help="show what the archive holds")
    backup = commands.add_parser("backup", help="copy the archive to a new file, even while in use")
    backup.add_argument("target", help="the new file (refused if it exists)")

    feeds = commands.add_parser("feeds", help="follow RSS/Atom feeds")
    feed_actions = feeds.add_subparsers(dest="action", required=True, metavar="ACTION")
    feed_add = feed_actions.add_parser("add", help="follow a feed")
    feed_add.add_argument("url")
    feed_add.add_argument("--interval", type=int, help="seconds between polls")
    feed_remove = feed_actions.add_parser("remove", help="stop following a feed")
    feed_remove.add_argument("url", help="the feed's URL, or its number from `feeds list`")
    feed_actions.add_parser("list", help="list followed feeds and their state")

    poll = commands.add_parser("poll", help="poll due feeds (without Discord)")
    poll.add_argument("--once", action="store_true", help="one pass, then exit")
    commands.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")

    evaluate = commands.add_parser("eval", help="measure answer quality on a public benchmark")
    evaluate.add_argument("benchmark", choices=["realtimeqa", "multihop-rag"])
    evaluate.add_argument("--data", required=True, help="the benchmark's folder")
    evaluate.add_argument("--split", choices=["dev", "test"], default="dev")
    evaluate.add_argument("--limit", type=_whole_number(), help="only the first N questions")
    evaluate.add_argument("--json", dest="json_out", help="also write the figures to this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    # Articles quote every script: a console that cannot show a character gets a "?", not a
    # traceback (PYTHONIOENCODING=ascii, an old Windows code page).
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "run":
        from bot.chat.runner import run_bot

        return run_bot(settings)
    if args.command == "eval":
        from bot.evaluation import run_evaluation

        return asyncio.run(run_evaluation(args))
    try:
        return asyncio.run(_run(args, settings))
    except BrokenPipeError:
        # The reader went away (`newsbot latest | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except StorageError as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    archive = await open_archive(settings)
    try:
        handler = {
            "ask": _ask,
            "latest": _latest,
            "ingest": _ingest,
            "stats": _stats,
            "backup": _backup,
            "feeds": _feeds,
            "poll": _poll,
        }
        args.settings = settings
        return await handler[args.command](archive, args)
    finally:
        await archive.close()


async def _ask(archive: Archive, args: argparse.Namespace) -> int:
    filters = Filters(now=args.now) if args.now else Filters()
    engine = Engine(archive)
    try:
        answer = await engine.answer(args.question, filters)
    finally:
        await engine.close()
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer))
    return 0


def format_answer(answer: Answer) -> str:
    """An answer as plain text: the quote, then each cited sentence, numbered by article, with
    its article once."""
    if not answer.answered:
        lines = [answer.message or "Not in the archive."]
        if answer.searched_terms:
            lines.append(f"Searched for: {', '.join(answer.searched_terms)}")
        if answer.headlines:
            lines.append("Closest headlines:")
            lines += [
                f"  - {h.title} ({_outlet_and_date(h.source, h.published_at)})"
                for h in answer.headlines
            ]
        lines.append("Try `newsbot latest` to see what the archive holds.")
        return "\n".join(lines)
    lines = [answer.text, ""]
    numbers, sources = answer.sources()
    for number, citation in zip(numbers, answer.citations, strict=True):
        quote = f"{citation.context} {citation.text}" if citation.context else citation.text
        lines.append(f"[{number}] “{quote}”")
        if citation is not sources[number - 1]:  # a second quote of an article already shown
            continue
        lines.append(
            f"    {citation.title} — {_outlet_and_date(citation.source, citation.published_at)}"
        )
        lines.append(f"    {citation.url or '(no link)'}")
    lines.append(f"\nconfidence {answer.confidence:.2f}")
    return "\n".join(lines)


def _outlet_and_date(source: str | None, published_at: str | None) -> str:
    date = published_at[:10] if published_at else "undated"
    return f"{source or 'unknown outlet'}, {date}"


async def _latest(archive: Archive, args: argparse.Namespace) -> int:
    articles = await archive.articles.latest(limit=args.limit, topic=args.topic, source=args.source)
    if not articles:
        print("No articles match." if args.topic or args.source else "The archive is empty.")
        return 0
    for article in articles:
        print(format_headline(article))
    return 0


def format_headline(article: StoredArticle) -> str:
    """One article as a headline line with outlet, date and link."""
    link = f"\n    {article.url}" if article.url else ""
    return f"{article.date_label}  {article.title} — {article.source or 'unknown outlet'}{link}"


async def _ingest(archive: Archive, args: argparse.Namespace) -> int:
    report = await ingest_paths(archive, args.paths, now=_utcnow(), progress=_progress_printer())
    print(format_report(report))
    return 1 if report.failed else 0


def format_report(report: IngestReport) -> str:
    """The counts of an ingest, the files passed over (how many, of which kinds), and each
    failure with its reason (the first few of each file)."""
    lines = [
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"failed {len(report.failed)}"
    ]
    if report.duplicates:
        lines.append(
            f"  {report.duplicates} duplicate{'s' * (report.duplicates != 1)} of other records "
            "in this import (same URL): merged into the newest"
        )
    if report.skipped:
        kinds = Counter(Path(name).suffix.lower() or "no suffix" for name in report.skipped)
        count = len(report.skipped)
        *others, last = ARTICLE_SUFFIXES
        lines.append(
            f"  skipped {count} file{'s' * (count != 1)} not ending in {', '.join(others)} or "
            f"{last}: " + ", ".join(f"{n} {suffix}" for suffix, n in kinds.most_common())
        )
    reasons: dict[str, list[str]] = {}
    for name, reason in report.failed:
        reasons.setdefault(name, []).append(reason)
    for name, of_file in reasons.items():
        lines += [f"  failed: {name}: {reason}" for reason in of_file[:FAILURES_SHOWN]]
        if len(of_file) > FAILURES_SHOWN:
            lines.append(f"  failed: {name}: and {len(of_file) - FAILURES_SHOWN:,} more")
    return "\n".join(lines)


def _progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total >= 1000:
            width = 30
            filled = width * done // total
            bar = "#" * filled + "-" * (width - filled)
            print(f"\r[{bar}] {done}/{total} articles", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)

    return show


async def _stats(archive: Archive, args: argparse.Namespace) -> int:
    stats = await archive.articles.stats()
    stats["database"] = str(archive.path)
    # With its write-ahead log: right after an import, most of what it wrote may still be there.
    stats["database_bytes"] = bytes_on_disk(archive.path)
    print(json.dumps(stats, indent=2))
    return 0


async def _backup(archive: Archive, args: argparse.Namespace) -> int:
    copy = await archive.backup(args.target)
    print(f"backed up {copy.articles} articles to {copy.path} ({copy.size_bytes / 1e6:.1f} MB)")
    return 0


async def _feeds(archive: Archive, args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    if args.action == "add":
        url = with_assumed_scheme(args.url)
        if canonical_url(url) is None:
            print(f"newsbot: not an http(s) URL: {args.url}", file=sys.stderr)
            return 2
        if args.interval is not None and not MIN_FEED_INTERVAL <= args.interval <= MAX_INTERVAL:
            print(
                f"newsbot: --interval must be from {MIN_FEED_INTERVAL} to {MAX_INTERVAL} seconds",
                file=sys.stderr,
            )
            return 2
        # The operator's feeds are trusted (private addresses too), at add time as when polled.
        found = await find_feed_to_follow(url, public_only=False)
        if found.url is None:
            print(f"newsbot: can't follow that feed: {found.refusal}", file=sys.stderr)
            return 1
        feed, new = await archive.feeds.add(
            found.url,
            interval_seconds=args.interval or settings.feed_interval,
            now=_utcnow(),
            keep_interval=args.interval is None,
        )
        state = "following" if new else "already following (re-enabled)"
        print(f"{state} {feed.url}, polled every {feed.interval_seconds} s")
        if found_on := describe_found(found):
            print(found_on)
        if unchecked := describe_unchecked(found):
            print(f"newsbot: {redacted_url(feed.url)} {unchecked}", file=sys.stderr)
        return 0
    if args.action == "remove":
        removed = await archive.feeds.remove(args.url)
        print(f"stopped following {args.url}" if removed else f"not following {args.url}")
        return 0 if removed else 1
    for feed in await archive.feeds.list():
        print(format_feed(feed))
    return 0


def format_feed(feed: Feed) -> str:
    """One feed and where its polling stands."""
    if feed.disabled_reason:
        state = f"DISABLED: {feed.disabled_reason}"
    elif feed.last_error:
        times = f" ({feed.failures}x)" if feed.failures else ""
        state = f"failing{times}: {feed.last_error}"
    else:
        state = f"ok, last polled {feed.last_polled_at or 'never'}"
    return f"{feed.id}. {feed.url}  [{feed.title or 'untitled'}]  {state}"


async def _poll(archive: Archive, args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    poller = FeedPoller(
        archive,
        allow_private=settings.allow_private_feeds,
        fetch_full_text=settings.feed_full_text,
    )
    while True:
        for outcome in await poller.poll_due(_utcnow()):
            print(format_poll(outcome), flush=True)
        if args.once:
            return 0
        await asyncio.sleep(settings.feed_tick)


def format_poll(outcome: PollOutcome) -> str:
    """What one poll did, on one line (plus skipped entries). The feed's URL is shown without
    its credentials and query key, as the log shows it: `newsbot poll` runs as a service whose
    output is kept (journald, `docker logs`)."""
    shown = redacted_url(outcome.feed.url)
    if outcome.error:
        line = f"{shown}: failed: {outcome.error}"
        return line + (" (feed disabled)" if outcome.disabled else "")
    if outcome.not_modified:
        return f"{shown}: not modified"
    line = f"{shown}: added {outcome.added}, updated {outcome.updated}"
    return "\n".join([line, *(f"  skipped: {reason}" for reason in outcome.skipped)])


def _utcnow() -> datetime:
    return datetime.now(UTC)
