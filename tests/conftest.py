"""Fixtures shared by the whole suite: real archives in temporary SQLite files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.archive import Archive
from bot.ingest.pipeline import ingest_paths
from bot.settings import bundled_data_dir

# The fakes' fixtures (a fake Discord server, a local feed server) are available to every test.
pytest_plugins = ["tests.fakes.fixtures"]

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
async def archive(tmp_path: Path) -> AsyncIterator[Archive]:
    """An empty archive in a fresh SQLite file."""
    opened = await Archive.open(tmp_path / "archive.db")
    yield opened
    await opened.close()


@pytest.fixture
async def bundled_archive(archive: Archive) -> Archive:
    """An archive holding the bundled articles of data/."""
    report = await ingest_paths(archive, [str(bundled_data_dir())], now=NOW)
    assert not report.failed
    return archive
