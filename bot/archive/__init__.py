"""The archive: one SQLite file holding articles, snippets, their index and the bot's state.

All SQL lives in this package. :class:`Archive` is the narrow async interface the rest of the
code uses; each attribute groups the queries of one concern.
"""

from __future__ import annotations

from pathlib import Path

from bot.archive.alerts import AlertStore
from bot.archive.articles import ArticleStore, PreparedArticle
from bot.archive.database import BackupCopy, Database, StorageError
from bot.archive.feeds import FeedStore
from bot.archive.index import SnippetHit, SnippetIndex
from bot.archive.settings_store import SettingsStore

__all__ = ["Archive", "PreparedArticle", "SnippetHit", "StorageError"]


class Archive:
    """An open archive. Use ``async with await Archive.open(path)`` or call :meth:`close`."""

    def __init__(self, db: Database):
        self.db = db
        self.articles = ArticleStore(db)
        self.index = SnippetIndex(db)
        self.settings = SettingsStore(db)
        self.alerts = AlertStore(db)
        self.feeds = FeedStore(db)

    @classmethod
    async def open(cls, path: Path | str) -> Archive:
        """Open (creating and migrating if needed) the archive file at ``path``."""
        return cls(await Database.open(Path(path)))

    @property
    def path(self) -> Path:
        """The archive's SQLite file."""
        return self.db.path

    async def backup(self, target: Path | str) -> BackupCopy:
        """Copy the archive, as it is now, to the new file ``target`` (see Database.backup)."""
        return await self.db.backup(Path(target))

    async def close(self) -> None:
        """Close the archive's connections."""
        await self.db.close()

    async def __aenter__(self) -> Archive:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
