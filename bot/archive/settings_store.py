"""Small named values the bot keeps between runs (e.g. the hash of the last command sync)."""

from __future__ import annotations

from bot.archive.database import Database


class SettingsStore:
    """A key/value table in the archive."""

    def __init__(self, db: Database):
        self._db = db

    async def get(self, key: str) -> str | None:
        """The stored value, or None."""
        async with self._db.reader.execute("SELECT value FROM settings WHERE key = ?", (key,)) as c:
            row = await c.fetchone()
        return row[0] if row else None

    async def set(self, key: str, value: str) -> None:
        """Store a value, replacing any previous one."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
