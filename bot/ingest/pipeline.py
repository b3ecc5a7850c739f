"""The one path into the archive: files and feed entries become prepared, deduplicated articles."""

from __future__ import annotations

import asyncio
import collections
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from bot.archive import Archive
from bot.ingest.parse import ParseError, parse_file
from bot.ingest.prepare import fill_missing, prepare_batch
from bot.ingest.urls import article_key
from bot.ingest.worker import SnippetWorker
from bot.models import Article, IngestReport

# Articles cut into snippets at a time: small enough that writing starts early. (A batch
# crosses to and from a worker process in smaller pieces: see ``bot.ingest.worker.PIECE``.)
BATCH_SIZE = 250
# An import that adds at least this many articles ends by compacting the full-text index.
COMPACT_AFTER = 2000
CUT_AHEAD = 4  # batches cut, or being cut, ahead of the writes (one transaction takes them all)
ARTICLE_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson")
_GLOB_MAGIC = re.compile(r"[*?[]")

Progress = Callable[[int, int], None]


async def ingest_articles(
    archive: Archive,
    articles: Sequence[Article],
    *,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    worker: SnippetWorker | None = None,
) -> IngestReport:
    """Store articles in batches; returns what was added or updated.

    Cutting the next batches into snippets (CPU work, off the event loop) overlaps with writing
    the ones already cut, in one transaction per write. Cutting runs in ``worker`` if given;
    otherwise an ingest of more than one batch starts worker processes for it (see
    :mod:`bot.ingest.worker`), and a single batch, not worth a process, is cut in a thread.

    Articles are stored oldest first (undated ones last, as new): the index reads the newest
    stored first, so stored order should follow publication, whatever order a file or a feed
    lists them in. Of records that share a URL (their identity: see
    :func:`bot.ingest.urls.article_key`), only the newest is stored (the others count as
    duplicates): stored in turn, each would overwrite the last on every import and poll.
    """
    articles, superseded = _newest_per_url(sorted(articles, key=_publication_order))
    batches = [articles[i : i + batch_size] for i in range(0, len(articles), batch_size)]
    if worker is not None or len(batches) < 2:
        report = await _ingest_batches(archive, batches, now, progress, worker)
    else:
        async with await SnippetWorker.start() as started:
            report = await _ingest_batches(archive, batches, now, progress, started)
    report.duplicates += superseded
    return report


def _newest_per_url(articles: list[Article]) -> tuple[list[Article], int]:
    """``articles`` (in publication order) less those a later one with the same identity
    supersedes, and how many were left out."""
    # (The article's identity, not its link: the entries of a changelog or a status page that
    # share one link are articles of their own.)
    keys = [article_key(a.url, a.entry_key) or i for i, a in enumerate(articles)]
    last = {key: i for i, key in enumerate(keys)}
    # What the newest lacks comes from the ones it supersedes, as from a stored article: an
    # undated title-only record must not drop the full text listed before it.
    merged: dict[object, Article] = {}
    for article, key in zip(articles, keys, strict=True):
        earlier = merged.get(key)
        merged[key] = article if earlier is None else fill_missing(article, earlier)
    kept = [merged[key] for i, key in enumerate(keys) if last[key] == i]
    return kept, len(articles) - len(kept)


async def _ingest_batches(
    archive: Archive,
    batches: Sequence[Sequence[Article]],
    now: datetime,
    progress: Progress | None,
    worker: SnippetWorker | None,
) -> IngestReport:
    report = IngestReport()
    if not batches:
        return report
    total = sum(len(batch) for batch in batches)
    cut = worker.prepare if worker else functools.partial(asyncio.to_thread, prepare_batch)
    # Batches are cut ahead of the writes, and every batch already cut when a write starts goes
    # into that one transaction: a writer that falls behind catches up with larger transactions,
    # which cost less per article (each one writes an index segment that must later be merged).
    pending = collections.deque(asyncio.ensure_future(cut(b)) for b in batches[:CUT_AHEAD])
    queued = len(pending)
    done = 0
    try:
        while pending:
            prepared = list(await pending.popleft())
            # (A batch whose cutting failed is not taken: the batches before it are written
            # first, and awaiting it raises.)
            while pending and pending[0].done() and pending[0].exception() is None:
                prepared += pending.popleft().result()
            for batch in batches[queued : queued + CUT_AHEAD - len(pending)]:
                pending.append(asyncio.ensure_future(cut(batch)))
                queued += 1
            report.merge(await archive.articles.upsert(prepared, now=now))
            done += len(prepared)
            if progress:
                progress(done, total)
    finally:
        for future in pending:
            future.cancel()
    return report


def expand_paths(
    patterns: Iterable[str],
) -> tuple[list[Path], list[tuple[str, str]], list[Path]]:
    """Files named by paths, folders (searched recursively) and glob patterns; the misses; and
    the files that folders and patterns held but that are not article files.

    A path that exists is taken as named, never as a pattern (``rep[1].json`` is that file,
    not ``rep1.json``), and a file named is read whatever its name ends in. A folder and a
    pattern pick the same files: article files (``ARTICLE_SUFFIXES``), the others passed over,
    so that ``inbox/`` and ``inbox/*`` read the same. A folder or pattern that holds files but
    none of them article files is a miss: an import that read nothing must not look like one
    that found nothing new. Neither a folder nor a ``**`` pattern is searched through a
    symlinked folder (a link to a parent would loop), and a file reached twice (through a link,
    or by two patterns) is read once.
    """
    files: dict[Path, Path] = {}  # resolved path -> the path as first reached
    skipped: dict[Path, Path] = {}
    missing: list[tuple[str, str]] = []
    for pattern in patterns:
        try:
            found = _files_named(pattern)
        except OSError as error:  # a name too long for the system, for one
            missing.append((pattern, error.strerror or str(error)))
            continue
        if found is None:
            missing.append((pattern, "no such file or folder"))
            continue
        articles, others = found
        if others and not articles:
            missing.append((pattern, "no article files there"))
        for path in articles:
            files.setdefault(path.resolve(), path)
        for path in others:
            skipped.setdefault(path.resolve(), path)
    return list(files.values()), missing, [p for key, p in skipped.items() if key not in files]


def _files_named(pattern: str) -> tuple[list[Path], list[Path]] | None:
    """The article files one path or pattern names and the other files it holds (see
    :func:`expand_paths`), or None if it names nothing."""
    named = Path(pattern)
    literal = named.exists() or not _GLOB_MAGIC.search(pattern)
    files: list[Path] = []
    others: list[Path] = []
    named_something = False
    for match in [named] if literal else _glob(pattern):
        if match.is_dir():
            found = _visible_files(match)
        elif match.is_file():
            found = [match]
        else:  # a broken link a pattern matched is skipped, as the folder walk skips it
            continue
        named_something = True
        for path in found:
            # A file named by its own path is read whatever its name ends in: it was chosen.
            chosen = path is named or path.suffix.lower() in ARTICLE_SUFFIXES
            (files if chosen else others).append(path)
    return (files, others) if named_something else None


def _visible_files(folder: Path) -> list[Path]:
    """The files under ``folder``; ``rglob`` does not descend into symlinked folders."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and _visible(p, folder))


def _visible(path: Path, base: Path) -> bool:
    """Whether nothing below ``base`` on the way to ``path`` is hidden (``.git``, ``._x.json``
    that macOS leaves on other disks), as a shell's ``*`` and the glob module see it."""
    return not any(part.startswith(".") for part in path.relative_to(base).parts)


def _glob(pattern: str) -> list[Path]:
    """What a glob pattern matches, searched as :func:`_visible_files` searches a folder.

    pathlib's ``glob``, unlike the ``glob`` module, does not follow symlinked folders for
    ``**``, so a link to a parent folder is not walked round and round.
    """
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if _GLOB_MAGIC.search(part))
    # As in a shell (and the glob module), ``**`` inside a name (``**.txt``) is a plain ``*``;
    # pathlib refuses it.
    rest = [part if part == "**" else re.sub(r"\*{2,}", "*", part) for part in parts[first:]]
    base = Path(*parts[:first])
    found = base.glob("/".join(rest))
    if any(part.startswith(".") for part in rest):  # a pattern that names hidden files
        return sorted(found)
    return sorted(path for path in found if _visible(path, base))


async def ingest_paths(
    archive: Archive,
    patterns: Iterable[str],
    *,
    now: datetime,
    progress: Progress | None = None,
) -> IngestReport:
    """Parse and store every article file named; unreadable files are reported, not fatal."""
    files, missing, skipped = expand_paths(patterns)
    report = IngestReport(failed=list(missing), skipped=[str(path) for path in skipped])
    articles: list[Article] = []
    for path in files:
        try:
            parsed = await asyncio.to_thread(parse_file, path, now=now)
        except ParseError as error:
            report.failed.append((str(path), str(error)))
            continue
        articles += parsed.articles
        report.failed += [(str(path), reason) for reason in parsed.errors]
    report.merge(await ingest_articles(archive, articles, now=now, progress=progress))
    await compact_after_import(archive, report.added)
    return report


def _publication_order(article: Article) -> tuple[bool, float]:
    published = article.published_at
    return (published is None, published.timestamp() if published else 0.0)


async def compact_after_import(archive: Archive, added: int) -> None:
    """Compact the full-text index if an import added enough articles to be worth it (see
    ``SnippetIndex.compact``); feed polls add a few at a time and never do."""
    if added >= COMPACT_AFTER:
        await archive.index.compact()
