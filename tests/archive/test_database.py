"""Opening an archive: migrations from an empty file, pragmas, permissions, clear errors."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.archive import Archive, StorageError
from bot.archive.database import _migrations, bytes_on_disk, sqlite_files
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from bot.search import Engine
from tests.conftest import NOW

# One article, as any version of the schema stores it.
CHIPS_ARTICLE = """INSERT INTO articles (id, title, title_key, ingested_at, sort_at, story_day,
                                         content_hash)
    VALUES (1, 'Chips ship', 'chips ship', '2026-05-01', '2026-05-01', '2026-05-01', 'h');"""


def _archive_at(path: Path, version: int, rows: str) -> None:
    """An archive file as migration ``version`` left it, holding ``rows`` (SQL)."""
    connection = sqlite3.connect(path)
    for number, _, script in _migrations()[:version]:
        connection.executescript(f"{script}\nPRAGMA user_version = {number};")
    connection.executescript(rows)
    connection.close()


async def test_new_file_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.db"
    async with await Archive.open(path):
        pass
    connection = sqlite3.connect(path)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert version == _migrations()[-1][0]
    assert {"articles", "snippets", "snippets_fts", "settings"} <= tables
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_opening_one_new_archive_several_times_at_once_succeeds(tmp_path: Path) -> None:
    # As `newsbot run` and `newsbot poll` started together do: all see version 0 and migrate.
    path = tmp_path / "new.db"
    opened = await asyncio.gather(*(Archive.open(path) for _ in range(4)), return_exceptions=True)
    for archive in opened:
        if isinstance(archive, Archive):
            await archive.close()
    assert [a for a in opened if not isinstance(a, Archive)] == []
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == _migrations()[-1][0]


async def test_reopening_does_not_migrate_again_or_lose_data(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    async with await Archive.open(path) as archive, archive.db.transaction() as conn:
        await conn.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
    async with (
        await Archive.open(path) as archive,
        archive.db.reader.execute("SELECT value FROM settings") as cursor,
    ):
        assert [row[0] for row in await cursor.fetchall()] == ["v"]


async def test_an_archive_of_a_newer_version_is_refused_and_left_as_it_is(
    tmp_path: Path,
) -> None:
    # As a newer newsbot leaves it, for an older one (a downgrade, an old install beside it).
    path = tmp_path / "newer.db"
    newer = _migrations()[-1][0] + 1
    _archive_at(path, len(_migrations()), f"{CHIPS_ARTICLE}\nPRAGMA user_version = {newer};")
    with pytest.raises(StorageError, match=rf"newer version of newsbot \(schema {newer};"):
        await Archive.open(path)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == newer
    assert connection.execute("SELECT title FROM articles").fetchall() == [("Chips ship",)]


async def test_an_older_archive_keeps_its_snippets_searchable_after_upgrading(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    _archive_at(
        path,
        2,
        CHIPS_ARTICLE
        + """
           INSERT INTO snippets (id, article_id, position, kind, text)
           VALUES (1, 1, 0, 'title', 'Chips ship'), (2, 1, 1, 'body', 'Nvidia ships chips.');
           INSERT INTO snippets_fts (rowid, text) SELECT id, text FROM snippets;""",
    )
    async with await Archive.open(path) as archive:
        found = await archive.index.postings(['"chips"', '"nvidia"', '"intel"'], limits=[10] * 3)
        assert [ids.tolist() for ids in found] == [[2, 1], [2], []]
        assert await archive.index.document_frequencies(["chips", "ships"]) == {
            "chips": 2,
            "ships": 1,
        }


async def test_an_older_archive_keeps_what_its_exclusions_meant_after_upgrading(
    tmp_path: Path,
) -> None:
    # Before migration 6, "/subscribe exclude:crypto, nft" was stored as "crypto nft".
    path = tmp_path / "old.db"
    _archive_at(
        path,
        5,
        """INSERT INTO subscriptions (guild_id, channel_id, topic, exclude, created_by,
                                      created_at, after_article_id)
           VALUES (1, 10, 'apple', 'crypto nft', 5, '2026-05-01', 0),
                  (1, 11, 'tesla', '', 5, '2026-05-01', 0);""",
    )
    # Opened by several processes at once (the bot and `newsbot ingest`): upgraded once.
    opened = await asyncio.gather(*(Archive.open(path) for _ in range(4)))
    found = await opened[0].alerts.subscriptions(guild_id=1)
    for archive in opened:
        await archive.close()
    assert [(s.topic, s.exclude) for s in found] == [("apple", "crypto, nft"), ("tesla", "")]


async def test_an_older_archive_never_gives_a_used_subscription_id_again(
    tmp_path: Path,
) -> None:
    # Before migration 7, SQLite gave a removed subscription's id (the highest) to the next
    # one, which inherited the alerts still queued under it.
    path = tmp_path / "old.db"
    _archive_at(
        path,
        6,
        CHIPS_ARTICLE
        + """
           INSERT INTO subscriptions (id, guild_id, channel_id, topic, created_by, created_at,
                                      after_article_id)
           VALUES (1, 1, 10, 'apple', 5, '2026-05-01', 0);
           -- an alert still queued under subscription 3, removed before the upgrade
           INSERT INTO deliveries (channel_id, article_id, subscription_id, matched_words,
                                   status, batch, created_at)
           VALUES (10, 1, 3, '["chips"]', 'sending', 'n', '2026-05-01');""",
    )
    async with await Archive.open(path) as archive:

        async def subscribe(topic: str) -> int:
            subscription, *_ = await archive.alerts.subscribe(
                guild_id=1, channel_id=10, topic=topic, exclude="", role_id=None, created_by=5,
                now=NOW, max_per_channel=10, max_per_guild=50,
            )  # fmt: skip
            return subscription.id

        (kept,) = await archive.alerts.subscriptions()
        assert (kept.id, kept.topic) == (1, "apple")
        assert await subscribe("tesla") == 4  # above the removed subscription 3
        await archive.alerts.unsubscribe(10, "tesla")
        assert await subscribe("crypto") == 5  # not 4 again


async def test_an_older_archive_keeps_the_body_sentences_drawn_as_its_key_points(
    tmp_path: Path,
) -> None:
    # Before migration 10 the archive did not record whether key points were given or drawn
    # from the body; a body sentence drawn as one is stored only as a key point. Taken as drawn,
    # it stays part of the text when a record gives other key points without a body.
    path = tmp_path / "old.db"
    _archive_at(
        path,
        9,
        """INSERT INTO articles (id, url, url_key, title, title_key, ingested_at, sort_at,
                                 story_day, content_hash)
           VALUES (1, 'https://cars.example/acme', 'https://cars.example/acme', 'Acme recalls',
                   'acme recalls', '2026-05-01', '2026-05-01', '2026-05-01', 'h');
           INSERT INTO snippets (id, article_id, position, kind, text)
           VALUES (1, 1, 0, 'title', 'Acme recalls'),
                  (2, 1, 1, 'key_point', 'Acme Motors is recalling 20,000 cars in Ohio.'),
                  (3, 1, 2, 'body', 'Dealers will replace the sensor.');
           INSERT INTO snippets_fts (rowid, text) SELECT id, text FROM snippets;""",
    )
    async with await Archive.open(path) as archive:
        pointed = Article(
            title="Acme recalls",
            url="https://cars.example/acme",
            key_points=("Acme recalls cars.",),
        )
        assert (await ingest_articles(archive, [pointed], now=NOW)).updated == 1
        rows = await archive.db.reader.execute_fetchall(
            "SELECT kind, text FROM snippets ORDER BY position"
        )
        assert [tuple(row) for row in rows] == [
            ("title", "Acme recalls"),
            ("key_point", "Acme recalls cars."),
            ("body", "Acme Motors is recalling 20,000 cars in Ohio."),
            ("body", "Dealers will replace the sensor."),
        ]


@pytest.mark.parametrize("version", range(2, len(_migrations())))
async def test_an_archive_of_every_older_version_keeps_its_rows_after_upgrading(
    tmp_path: Path, version: int
) -> None:
    # What a self-hoster's archive holds at each older version: an article and its snippets,
    # a subscription with a queued alert, a followed feed, a setting.
    path = tmp_path / f"v{version}.db"
    _archive_at(
        path,
        version,
        CHIPS_ARTICLE
        + """
           INSERT INTO snippets (id, article_id, position, kind, text)
           VALUES (1, 1, 0, 'title', 'Chips ship'), (2, 1, 1, 'body', 'Nvidia ships chips.');
           INSERT INTO snippets_fts (rowid, text) SELECT id, text FROM snippets;
           INSERT INTO subscriptions (id, guild_id, channel_id, topic, exclude, created_by,
                                      created_at, after_article_id)
           VALUES (7, 1, 10, 'nvidia', 'rumor', 5, '2026-05-01', 0);
           INSERT INTO deliveries (channel_id, article_id, subscription_id, matched_words,
                                   created_at)
           VALUES (10, 1, 7, '["nvidia"]', '2026-05-01');
           INSERT INTO feeds (url, interval_seconds, next_poll_at, added_at)
           VALUES ('https://chips.example/feed', 900, '2026-05-01', '2026-05-01');
           INSERT INTO settings (key, value) VALUES ('command_sync:1:global', 'h');""",
    )
    async with await Archive.open(path) as archive:
        assert await archive.articles.count() == 1
        (found,) = await archive.index.postings(['"nvidia"'], limits=[10])
        assert found.tolist() == [2]
        (subscription,) = await archive.alerts.subscriptions()
        assert (subscription.id, subscription.topic) == (7, "nvidia")
        assert [feed.url for feed in await archive.feeds.list()] == ["https://chips.example/feed"]
        assert await archive.settings.get("command_sync:1:global") == "h"
        async with archive.db.reader.execute("SELECT subscription_id FROM deliveries") as cursor:
            assert [row[0] for row in await cursor.fetchall()] == [7]


async def test_foreign_keys_are_enforced(archive: Archive) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with archive.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO snippets (article_id, position, kind, text) "
                "VALUES (999, 0, 'body', 'x')"
            )


async def test_database_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    async with await Archive.open(path):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_the_size_on_disk_counts_what_is_still_in_the_write_ahead_log(
    bundled_archive: Archive,
) -> None:
    database, wal, _ = sqlite_files(bundled_archive.path)
    assert wal.stat().st_size > 0  # the bundled articles, not yet checkpointed
    assert bytes_on_disk(bundled_archive.path) == database.stat().st_size + wal.stat().st_size
    await bundled_archive.db.writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert bytes_on_disk(bundled_archive.path) == database.stat().st_size > 100_000


async def test_unwritable_location_gives_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot open the archive"):
        await Archive.open(blocker / "archive.db")


async def test_a_backup_is_a_searchable_copy_taken_while_a_write_is_open(
    bundled_archive: Archive, tmp_path: Path
) -> None:
    # The bot keeps writing while a backup runs: the copy holds what was committed, not the
    # write in progress, and the write is not lost or blocked.
    target = tmp_path / "backups" / "copy.db"
    async with bundled_archive.db.transaction() as conn:
        await conn.execute("INSERT INTO settings (key, value) VALUES ('pending', 'x')")
        copy = await bundled_archive.backup(target)
    assert copy.articles == await bundled_archive.articles.count() == 28
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    async with await Archive.open(target) as restored:
        engine = Engine(restored)
        answer = await engine.answer("how much is Meta spending on AI?")
        await engine.close()
        assert "$600 billion" in answer.text
        assert await restored.settings.get("pending") is None
    assert await bundled_archive.settings.get("pending") == "x"


async def test_a_backup_never_overwrites_a_file(bundled_archive: Archive, tmp_path: Path) -> None:
    target = tmp_path / "keep.db"
    target.write_text("an older backup")
    with pytest.raises(StorageError, match="already exists; back up to a new file"):
        await bundled_archive.backup(target)
    assert target.read_text() == "an older backup"


async def test_a_failed_backup_leaves_no_file(bundled_archive: Archive, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    await bundled_archive.db.reader.close()  # the copy cannot be read: as if the disk failed
    with pytest.raises((StorageError, ValueError)):
        await bundled_archive.backup(target)
    assert not target.exists()
