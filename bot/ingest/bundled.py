"""Filling a new, empty archive with the articles shipped with newsbot."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.archive import Archive
from bot.ingest.pipeline import ingest_paths
from bot.settings import Settings, bundled_data_dir


async def open_archive(settings: Settings) -> Archive:
    """Open the configured archive; on first use fill it from the bundled articles."""
    archive = await Archive.open(settings.db_path)
    try:
        if settings.seed_bundled and await archive.articles.count() == 0:
            data = bundled_data_dir()
            if data.is_dir():
                await ingest_paths(archive, [str(data)], now=datetime.now(UTC))
    except BaseException:
        await archive.close()
        raise
    return archive
