"""An import: articles stored in publication order, and at the end of a large one the
full-text index compacted into one segment."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.archive import Archive
from bot.ingest import pipeline
from tests.conftest import NOW, index_segments, store_in_separate_batches


def jsonl(path: Path, count: int) -> Path:
    lines = [
        {"title": f"Import {i}", "url": f"https://news.example/import-{i}", "text": "Chips."}
        for i in range(count)
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    return path


async def test_an_import_stores_articles_oldest_first_and_undated_ones_last(
    archive: Archive, tmp_path: Path
) -> None:
    # Files and feeds often list the newest first; the index is read newest stored first.
    listed = [("Tuesday", "2024-05-07"), ("Undated", None), ("Monday", "2024-05-06")]
    lines = [
        {
            "title": title,
            "url": f"https://news.example/{title}",
            "text": "Chips.",
            "published_at": day,
        }
        for title, day in listed
    ]
    path = tmp_path / "newest-first.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    await pipeline.ingest_paths(archive, [str(path)], now=NOW)
    stored = await archive.db.reader.execute_fetchall("SELECT title FROM articles ORDER BY id")
    assert [title for (title,) in stored] == ["Monday", "Tuesday", "Undated"]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com:99999/x",
        "http://example.com:abc/x",
        "http://[::1/x",
        "javascript:alert(1)",
        7,
    ],
)
async def test_a_record_whose_url_is_no_link_is_reported_and_the_others_stored(
    archive: Archive, tmp_path: Path, url: object
) -> None:
    lines = [
        {"title": "Good", "url": "https://news.example/good", "text": "Chips."},
        {"title": "Bad link", "url": url, "text": "Chips."},
    ]
    path = tmp_path / "links.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    report = await pipeline.ingest_paths(archive, [str(path)], now=NOW)
    stored = await archive.db.reader.execute_fetchall("SELECT title FROM articles ORDER BY id")
    assert [title for (title,) in stored] == ["Good"]
    [(where, why)] = report.failed
    assert "line 2" in f"{where} {why}" and "url is not an http(s) link" in why


async def test_compacting_keeps_every_match_in_one_segment(archive: Archive) -> None:
    await store_in_separate_batches(archive, 5)
    queries = ['"chips"', '"nvidia"', '"week"']
    before = [ids.tolist() for ids in await archive.index.postings(queries, limits=[100] * 3)]
    assert index_segments(archive.path) > 1
    await archive.index.compact()
    assert index_segments(archive.path) == 1
    after = await archive.index.postings(queries, limits=[100] * 3)
    assert [ids.tolist() for ids in after] == before


@pytest.mark.parametrize(("threshold", "compacted"), [(3, True), (4, False)])
async def test_an_import_compacts_the_index_once_it_adds_enough_articles(
    archive: Archive,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    threshold: int,
    compacted: bool,
) -> None:
    await store_in_separate_batches(archive, 5)
    monkeypatch.setattr(pipeline, "COMPACT_AFTER", threshold)
    report = await pipeline.ingest_paths(archive, [str(jsonl(tmp_path / "a.jsonl", 3))], now=NOW)
    assert report.added == 3
    assert (index_segments(archive.path) == 1) is compacted


async def stored_titles(archive: Archive) -> list[str]:
    rows = await archive.db.reader.execute_fetchall("SELECT title FROM articles ORDER BY id")
    return [title for (title,) in rows]


async def test_a_path_that_exists_is_taken_as_named_not_as_a_glob_pattern(
    archive: Archive, tmp_path: Path
) -> None:
    (tmp_path / "rep[1].json").write_text(json.dumps({"title": "Named", "text": "Literally."}))
    (tmp_path / "rep1.json").write_text(json.dumps({"title": "Matched", "text": "By a pattern."}))
    report = await pipeline.ingest_paths(archive, [str(tmp_path / "rep[1].json")], now=NOW)
    assert (report.added, report.failed) == (1, [])
    assert await stored_titles(archive) == ["Named"]
    # A pattern that names no existing path is still a pattern.
    report = await pipeline.ingest_paths(archive, [str(tmp_path / "rep[0-9].json")], now=NOW)
    assert (report.added, report.failed) == (1, [])
    assert await stored_titles(archive) == ["Named", "Matched"]


@pytest.mark.parametrize(
    "patterns", [["{tree}/**/*.txt"], ["{tree}"], ["{tree}", "{tree}/*/*.txt", "{tree}/**"]]
)
async def test_a_symlink_loop_is_not_followed_and_each_file_is_read_once(
    archive: Archive, tmp_path: Path, patterns: list[str]
) -> None:
    tree = tmp_path / "tree"
    (tree / "a").mkdir(parents=True)
    (tree / "a" / "x.txt").write_text("Tree Article\nStored once, however it is reached.\n")
    (tree / "a" / "loop").symlink_to("..", target_is_directory=True)  # a link to a parent
    (tree / "same.txt").symlink_to(tree / "a" / "x.txt")
    report = await pipeline.ingest_paths(
        archive, [pattern.format(tree=tree) for pattern in patterns], now=NOW
    )
    assert (report.added, report.unchanged, report.failed) == (1, 0, [])
    assert await stored_titles(archive) == ["Tree Article"]


async def test_a_name_the_system_cannot_take_is_reported(archive: Archive) -> None:
    name = "a" * 300
    report = await pipeline.ingest_paths(archive, [name], now=NOW)
    assert report.failed == [(name, "File name too long")]


@pytest.mark.parametrize("pattern", ["{tmp}", "{tmp}/*", "{tmp}/**/*.json"])
async def test_hidden_files_and_folders_are_not_read(
    archive: Archive, tmp_path: Path, pattern: str
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / ".git").mkdir(parents=True)
    (inbox / "news.json").write_text(json.dumps({"title": "Seen", "text": "Chips."}))
    (inbox / "._news.json").write_bytes(b"\x00\x05\x16\x07 Mac OS X resource fork")
    (inbox / ".git" / "old.json").write_text(json.dumps({"title": "Hidden", "text": "No."}))
    report = await pipeline.ingest_paths(archive, [pattern.format(tmp=inbox)], now=NOW)
    assert (report.added, report.failed) == (1, [])
    stored = await archive.db.reader.execute_fetchall("SELECT title FROM articles")
    assert [title for (title,) in stored] == ["Seen"]


async def test_records_of_one_url_in_one_import_keep_what_the_newest_lacks(
    archive: Archive, tmp_path: Path
) -> None:
    # The dated full record, then an undated title-only one (stored last, so the newest).
    lines = [
        {
            "title": "Acme recalls cars",
            "url": "https://cars.example/acme",
            "published_at": "2026-05-01",
            "text": "Acme is recalling 20,000 cars over a faulty brake sensor.",
        },
        {"title": "Acme recalls 20,000 cars", "url": "https://cars.example/acme"},
    ]
    path = tmp_path / "recall.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    report = await pipeline.ingest_paths(archive, [str(path)], now=NOW)
    assert report.added == 1
    (stored,) = await archive.articles.latest()
    assert stored.title == "Acme recalls 20,000 cars"
    assert (
        stored.published_at is not None and stored.published_at.date().isoformat() == "2026-05-01"
    )
    texts = await archive.db.reader.execute_fetchall("SELECT text FROM snippets")
    assert any("faulty brake sensor" in text for (text,) in texts)


AMD_TEXT = """url: https://example.com/amd-q4

AMD Revenue Beats Forecast
AMD reported fourth-quarter revenue of $7.7 billion on Tuesday.
Key points
{points}
"""
AMD_JSON = {
    "title": "AMD Revenue Beats Forecast",
    "url": "https://example.com/amd-q4",
    "summary": "AMD reported fourth-quarter revenue of $7.7 billion on Tuesday.",
}
KEPT = "AMD's data center revenue was $3.9 billion."
DELETED = "AMD will cut 4% of its workforce."


@pytest.mark.parametrize("suffix", [".txt", ".json"])
async def test_a_key_point_deleted_from_a_file_is_no_longer_quoted(
    archive: Archive, tmp_path: Path, suffix: str
) -> None:
    # A file of a title, a summary and key points, no body, edited and ingested again.
    path = tmp_path / f"amd{suffix}"

    def write(points: list[str]) -> None:
        if suffix == ".txt":
            path.write_text(AMD_TEXT.format(points="\n".join(f"- {p}" for p in points)))
        else:
            path.write_text(json.dumps({**AMD_JSON, "key_points": points}))

    write([KEPT, DELETED])
    await pipeline.ingest_paths(archive, [str(path)], now=NOW)
    write([KEPT])
    report = await pipeline.ingest_paths(archive, [str(path)], now=NOW)
    assert report.updated == 1
    (stored,) = await archive.articles.latest()
    assert stored.key_points == (KEPT,)
    texts = await archive.db.reader.execute_fetchall("SELECT text FROM snippets")
    assert DELETED not in [text for (text,) in texts]
    # Said again, the file says nothing new.
    assert (await pipeline.ingest_paths(archive, [str(path)], now=NOW)).unchanged == 1


@pytest.mark.parametrize("pattern", ["{inbox}", "{inbox}/*", "{inbox}/**/*"])
async def test_files_that_are_not_article_files_are_reported_not_passed_over_in_silence(
    archive: Archive, tmp_path: Path, pattern: str
) -> None:
    # A folder and a pattern pick the same files.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.md").write_text("Acme Raises Money\nAcme raised $40 million.\n")
    (inbox / "export.csv").write_text("title,url\nX,https://ex.com/x\n")
    report = await pipeline.ingest_paths(archive, [pattern.format(inbox=inbox)], now=NOW)
    assert report.added == 0
    assert report.failed == [(pattern.format(inbox=inbox), "no article files there")]
    assert sorted(report.skipped) == [str(inbox / "a.md"), str(inbox / "export.csv")]
    # Beside an article file, they are still listed, and the article is read.
    (inbox / "b.json").write_text(json.dumps({"title": "Read", "text": "Chips."}))
    report = await pipeline.ingest_paths(archive, [pattern.format(inbox=inbox)], now=NOW)
    assert (report.added, report.failed, len(report.skipped)) == (1, [], 2)
    # A file named by its own path is read whatever its name ends in.
    report = await pipeline.ingest_paths(archive, [str(inbox / "a.md")], now=NOW)
    assert (report.added, report.skipped) == (1, [])


async def test_a_date_ahead_of_the_imports_own_time_leaves_the_article_undated(
    archive: Archive, tmp_path: Path
) -> None:
    # An import run "as of" a moment (as the benchmarks and tests run it) judges dates from
    # then, not from the machine's clock: a date a year after it is a typo, not news.
    path = tmp_path / "ahead.json"
    record = {"title": "Chips ship", "url": "https://news.example/a", "published_at": "2021-01-05"}
    path.write_text(json.dumps([record]), encoding="utf-8")
    await pipeline.ingest_paths(archive, [str(path)], now=datetime(2020, 1, 1, tzinfo=UTC))
    [article] = await archive.articles.latest(limit=1)
    assert article.published_at is None
