"""The SQLite connection: opening, pragmas, numbered migrations and write transactions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import aiosqlite

log = logging.getLogger(__name__)


class StorageError(RuntimeError):
    """The archive cannot be read or written (read-only or full disk, locked, corrupt)."""


def _migrations() -> list[tuple[int, str, str]]:
    """The numbered ``migrations/NNNN_name.sql`` scripts, in order."""
    folder = resources.files("bot.archive") / "migrations"
    scripts = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, name = entry.name.partition("_")
            scripts.append((int(number), name.removesuffix(".sql"), entry.read_text("utf-8")))
    return sorted(scripts)


def sqlite_files(path: Path) -> tuple[Path, Path, Path]:
    """The files SQLite keeps for a database in WAL mode: the database, its write-ahead log
    (which may hold much of what was written lately) and its shared-memory index."""
    return path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def bytes_on_disk(path: Path) -> int:
    """Bytes of a database and its write-ahead log, as far as they exist."""
    return sum(part.stat().st_size for part in sqlite_files(path)[:2] if part.exists())


class BackupCopy(NamedTuple):
    """A backup written by :meth:`Database.backup`."""

    path: Path
    articles: int
    size_bytes: int


class Database:
    """One SQLite file with a writer connection and a reader connection (WAL lets them overlap).

    All writes go through :meth:`transaction`, which holds a lock so that a batch is atomic and
    readers never see half of it.
    """

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self.writer = writer
        self.reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating if needed, owner-only) and migrate the archive at ``path``."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                # Created before SQLite touches it, so the file is never world-readable.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            writer = await _connect(path)
        except (OSError, aiosqlite.Error) as error:
            raise StorageError(f"cannot open the archive at {path}: {error}") from error
        try:
            await _migrate(writer)
            reader = await _connect(path)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        """Close both connections (waiting for a running write to finish)."""
        async with self._write_lock:
            for connection in (self.reader, self.writer):
                with contextlib.suppress(aiosqlite.Error, ValueError):
                    await connection.close()

    async def backup(self, target: Path) -> BackupCopy:
        """Write a consistent copy of the archive to ``target``, a new file (owner-only), while
        it stays in use; says how many articles the copy holds (read back from it).

        ``VACUUM INTO`` reads one snapshot, so writes made meanwhile wait for the next backup
        rather than tearing this one. A failed copy leaves no file behind."""
        target = Path(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Created empty first (SQLite accepts an empty file), so it is never world-readable
            # and an existing file is refused rather than overwritten.
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise StorageError(f"{target} already exists; back up to a new file") from None
        except OSError as error:
            raise StorageError(f"cannot create the backup {target}: {error}") from error
        try:
            await self.reader.execute("VACUUM INTO ?", (str(target),))
            return await asyncio.to_thread(_read_back, target)
        except BaseException as error:
            target.unlink(missing_ok=True)
            if isinstance(error, sqlite3.Error):
                raise StorageError(f"the backup could not be written: {error}") from error
            raise

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: everything inside commits together or not at all."""
        async with self._write_lock:
            try:
                await self.writer.execute("BEGIN IMMEDIATE")
            except aiosqlite.Error as error:
                raise _storage_error(error) from error
            try:
                yield self.writer
            except sqlite3.OperationalError as error:
                # Disk full, read-only file, lock timeout: the batch is rolled back as a whole.
                with contextlib.suppress(aiosqlite.Error):
                    await self.writer.rollback()
                raise _storage_error(error) from error
            except BaseException:
                with contextlib.suppress(aiosqlite.Error):
                    await self.writer.rollback()
                raise
            try:
                await self.writer.commit()
            except aiosqlite.Error as error:
                with contextlib.suppress(aiosqlite.Error):
                    await self.writer.rollback()
                raise _storage_error(error) from error


def _read_back(path: Path) -> BackupCopy:
    """What a backup holds, read without writing to it (no WAL, no migration)."""
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        articles = int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
    return BackupCopy(path, articles, path.stat().st_size)


def is_locked(error: BaseException) -> bool:
    """Whether an SQLite error says another connection held the archive past the busy timeout
    (nothing is broken: trying again shortly works)."""
    message = str(error)
    return "locked" in message or "busy" in message


def _storage_error(error: aiosqlite.Error) -> StorageError:
    message = str(error)
    if is_locked(error):
        return StorageError("the archive is locked by another program; try again shortly")
    if "readonly" in message or "read-only" in message:
        return StorageError("the archive is read-only; check the file's permissions")
    if "full" in message:
        return StorageError("the disk holding the archive is full")
    return StorageError(f"the archive could not be written: {message}")


async def _use_wal(connection: aiosqlite.Connection, attempts: int = 50) -> None:
    """Switch to WAL. On a new file that takes a lock SQLite does not wait for (the busy timeout
    does not apply), so a process opening the same new archive at that moment tries again."""
    for attempt in range(attempts):
        try:
            await connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.1)


async def _connect(path: Path) -> aiosqlite.Connection:
    connection = await aiosqlite.connect(path, isolation_level=None)
    try:
        connection.row_factory = aiosqlite.Row
        await connection.execute("PRAGMA busy_timeout = 5000")
        await _use_wal(connection)
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA cache_size = -65536")
        # No memory-mapped reads: at 100,000 articles they were no faster (answers, ingest) and
        # the mapped pages counted up to 256 MB per connection in the bot's resident memory.
        await connection.execute("PRAGMA mmap_size = 0")
        await connection.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        # Each connection runs in a thread that keeps the process alive until it is closed: a
        # file that is not SQLite ("file is not a database") would leave `newsbot` hanging
        # after printing its error.
        with contextlib.suppress(aiosqlite.Error, ValueError):
            await connection.close()
        raise
    return connection


async def _migrate(connection: aiosqlite.Connection) -> None:
    """Apply every migration newer than ``PRAGMA user_version``, each in its own transaction;
    an archive of a newer schema than this code knows is refused (a StorageError), untouched.

    The version is read again once the transaction holds the write lock: of several processes
    upgrading one archive at once (the bot and ``newsbot ingest``), the first applies each
    migration and the others find it applied.
    """
    current = await _user_version(connection)
    migrations = _migrations()
    known = migrations[-1][0]
    if current > known:
        # Written by a newer newsbot (then downgraded, or an old install sharing NEWSBOT_DB):
        # this code does not know that schema, and writing to it could damage the archive.
        raise StorageError(
            f"the archive is from a newer version of newsbot (schema {current}; this version "
            f"knows up to {known}); upgrade newsbot, or point NEWSBOT_DB at another archive"
        )
    for number, name, script in migrations:
        if number <= current:
            continue
        try:
            await connection.execute("BEGIN IMMEDIATE")
            if await _user_version(connection) < number:
                log.info("applying archive migration %04d_%s", number, name)
                for statement in _statements(script):
                    await connection.execute(statement)
                await connection.execute(f"PRAGMA user_version = {number}")
            await connection.commit()
        except aiosqlite.Error as error:
            with contextlib.suppress(aiosqlite.Error):
                await connection.rollback()
            raise _storage_error(error) from error


def _statements(script: str) -> list[str]:
    """A migration script's statements, one by one (a trigger's body stays whole)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():  # a last statement without its semicolon, or a closing comment
        statements.append(pending.strip())
    return statements


async def _user_version(connection: aiosqlite.Connection) -> int:
    async with connection.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return row[0] if row else 0
