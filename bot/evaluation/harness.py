"""What every benchmark run shares: a throw-away archive, timed questions and the printed table."""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.archive import Archive
from bot.ingest.pipeline import compact_after_import, ingest_articles
from bot.models import Article, IngestReport
from bot.search import Engine, Filters
from bot.search.engine import Response


class BenchmarkDataError(ValueError):
    """The benchmark folder is missing a file or holds something unreadable; says which."""


@contextlib.asynccontextmanager
async def temporary_archive() -> AsyncIterator[Archive]:
    """A fresh archive in a temporary folder, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as folder:
        archive = await Archive.open(Path(folder) / "eval.db")
        try:
            yield archive
        finally:
            await archive.close()


async def ingest(archive: Archive, articles: Sequence[Article]) -> tuple[IngestReport, float]:
    """Store the benchmark's articles through the normal ingest path, as an import (index
    compacted at the end); returns the seconds taken."""
    started = time.perf_counter()
    report = await ingest_articles(archive, articles, now=datetime.now(UTC))
    await compact_after_import(archive, report.added)
    return report, time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class Timed:
    """One engine response and how long the engine took, in milliseconds."""

    response: Response
    milliseconds: float


async def ask(engine: Engine, question: str, filters: Filters) -> Timed:
    """Ask the engine one question, timing the engine alone (ranking and answer)."""
    started = time.perf_counter()
    response = await engine.respond(question, filters)
    return Timed(response, (time.perf_counter() - started) * 1000)


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """Every JSON object of a JSON Lines file."""
    if not path.is_file():
        raise BenchmarkDataError(f"{path} not found")
    records = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise BenchmarkDataError(f"{path}:{number}: {error.msg}") from error
    return records


def format_table(title: str, rows: dict[str, dict[str, Any]]) -> str:
    """Figures as a plain-text table: one column per group of results, one row per figure."""
    columns = list(rows)
    names = list(
        dict.fromkeys(
            name
            for figures in rows.values()
            for name, value in figures.items()
            if not isinstance(value, dict)  # nested groups get their own column
        )
    )
    width = max(len(n) for n in names) + 2
    lines = [title, "".ljust(width) + "".join(c.rjust(14) for c in columns)]
    for name in names:
        cells = [_cell(rows[c].get(name)) for c in columns]
        lines.append(name.ljust(width) + "".join(cell.rjust(14) for cell in cells))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}" if value <= 1 else f"{value:.1f}"
    return str(value)


def write_json(path: str | None, figures: dict[str, Any]) -> None:
    """Write the figures to ``path`` (when given) as indented JSON."""
    if path:
        try:
            Path(path).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        except OSError as error:  # e.g. the disk filled up during the run
            raise BenchmarkDataError(f"cannot write {path}: {error.strerror}") from error
