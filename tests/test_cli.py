"""The newsbot command end to end, as a separate process on a fresh archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO


def newsbot(db: Path, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSBOT_DB": str(db), **environment}
    env.pop("DISCORD_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        errors="replace",
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.mark.parametrize(
    "question", ["how much is Meta spending on AI?", "how much is meta spendng on ai"]
)
def test_first_ask_fills_the_archive_and_quotes_the_figure(db: Path, question: str) -> None:
    result = newsbot(db, "ask", question)
    assert result.returncode == 0, result.stderr
    first_line = result.stdout.splitlines()[0]
    assert "$600 billion" in first_line
    assert "Meta Enters Cloud Business to Monetize AI Investments — WireByte" in result.stdout
    assert "Traceback" not in result.stderr


def test_two_quotes_of_one_article_share_its_number_and_its_source_lines(db: Path) -> None:
    result = newsbot(db, "ask", "how much is Meta spending on AI?")
    assert result.returncode == 0, result.stderr
    numbers = [line.split(" ", 1)[0] for line in result.stdout.splitlines() if line[:1] == "["]
    assert numbers == ["[1]", "[1]", "[2]"]
    assert result.stdout.count("Meta Enters Cloud Business to Monetize AI Investments") == 1


def test_unknown_topic_says_not_in_the_archive(db: Path) -> None:
    result = newsbot(db, "ask", "what is the capital of Peru?")
    assert result.returncode == 0
    assert "in the archive" in result.stdout.splitlines()[0]
    assert "Searched for: capital, peru" in result.stdout
    assert "newsbot latest" in result.stdout
    assert (
        json.loads(newsbot(db, "ask", "--json", "what is the capital of Peru?").stdout)["answered"]
        is False
    )


def test_ask_json_is_one_document(db: Path) -> None:
    result = newsbot(db, "ask", "--json", "how much is Meta spending on AI?")
    answer = json.loads(result.stdout)
    assert answer["answered"] is True
    assert "$600 billion" in answer["citations"][0]["text"]
    assert answer["citations"][0]["source"] == "WireByte"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "The question is empty"),
        ("?!?", "no words"),
        ("x" * 10_000, "too long"),
        ("please " * 72 + "what did Microsoft cut?", "too long"),  # 527 characters
        ('"NEAR( OR * -:', ""),
    ],
)
def test_bad_questions_get_a_message_not_a_traceback(db: Path, question: str, message: str) -> None:
    result = newsbot(db, "ask", question)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() and message in result.stdout


def test_latest_lists_newest_first_and_filters(db: Path) -> None:
    result = newsbot(db, "latest", "--topic", "starship", "--limit", "5")
    lines = [line for line in result.stdout.splitlines() if not line.startswith("    ")]
    assert [line[:10] for line in lines] == ["2026-05-27", "2026-04-09", "2026-03-20"]
    assert "SpaceX Starship Launch Delayed Again in Texas" in lines[1]
    everything = newsbot(db, "latest", "--limit", "3").stdout
    assert everything.count("\n    https://") == 2  # each headline with its link (seed has none)
    # The seed article has no date: it is listed by when it was stored, and says so.
    assert everything.startswith("added ")
    assert "Meta Enters Cloud Business" in everything.splitlines()[0]
    assert newsbot(db, "latest", "--source", "_").stdout == "No articles match.\n"  # no wildcard
    refused = newsbot(db, "latest", "--limit", "0")
    assert refused.returncode == 2
    assert "--limit: must be a whole number from 1 to 50, got '0'" in refused.stderr


def test_latest_about_only_common_words_is_refused(db: Path) -> None:
    refused = newsbot(db, "latest", "--topic", "the")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "--topic: 'the' would match nearly every article; try e.g. nvidia." in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["latest", "--limit", "51"], "--limit: must be a whole number from 1 to 50, got '51'"),
        (
            ["ask", "--now", "yesterday", "x"],
            "--now: expected an ISO 8601 date or date-time, e.g. 2026-01-31 or "
            "2026-01-31T09:30Z, got 'yesterday'",
        ),
        # 0 printed a table of zeros and -1 left out the last question.
        (
            ["eval", "multihop-rag", "--data", ".", "--limit", "0"],
            "--limit: must be a whole number of 1 or more, got '0'",
        ),
        (
            ["eval", "multihop-rag", "--data", ".", "--limit", "-1"],
            "--limit: must be a whole number of 1 or more, got '-1'",
        ),
    ],
)
def test_a_bad_option_value_is_refused_with_what_is_expected(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_ingest_mixed_folder_stores_good_files_and_names_bad_ones(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "url: https://example.com/quantum\nsource: Example\npublished: 2026-11-20\n\n"
        "Quantum Startup Raises $300 Million\nQubitCo raised $300 million on Friday.\n"
        "Key points\n- QubitCo raised $300 million in a Series C round led by Sequoia.\n"
    )
    (folder / "Good.JSONL").write_text(  # a suffix in capitals is still an article file
        json.dumps(
            {"title": "Robotaxi Fleet Doubles", "text": "Zoox doubled its fleet to 500 cars."}
        )
        + "\n"
    )
    (folder / "empty.txt").write_text("")
    (folder / "numbers.json").write_text("[1, 2, 3]")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02garbage")
    (folder / "latin1.txt").write_bytes("Caf\xe9 news".encode("latin-1"))
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    before = json.loads(newsbot(db, "stats").stdout)["articles"]

    result = newsbot(db, "ingest", str(folder))

    assert result.returncode == 1
    assert "added 2, updated 0, unchanged 0, failed 7" in result.stdout  # numbers.json: 3
    for name, reason in [
        ("empty.txt", "file is empty"),
        ("numbers.json", "record 1: expected an object with a title, got int"),
        ("numbers.json", "record 3: expected an object with a title, got int"),
        ("binary.txt", "binary file"),
        ("latin1.txt", "not valid UTF-8"),
        ("deep.json", "invalid JSON (nested too deeply)"),
    ]:
        assert f"{folder / name}: {reason}" in result.stdout
    assert json.loads(newsbot(db, "stats").stdout)["articles"] == before + 2
    answer = newsbot(db, "ask", "how much did QubitCo raise?").stdout
    assert "$300 million" in answer.splitlines()[0]


def test_ingest_stores_the_good_records_of_a_file_and_lists_the_bad_ones(
    db: Path, tmp_path: Path
) -> None:
    good = {"title": "Robotaxi Fleet Doubles", "text": "Zoox doubled its fleet to 500 cars."}
    onebad = tmp_path / "onebad.json"
    onebad.write_text(json.dumps([good, {"summary": "no title"}]))
    lines = tmp_path / "lines.jsonl"
    lines.write_bytes(
        json.dumps(
            {"title": "Quantum Startup Raises", "text": "QubitCo raised $300 million."}
        ).encode()
        + b"\n"
        + "Caf\u00e9 news".encode("latin-1")  # one line of bad bytes: that line, not the file
        + b"\n{not json" * 20
    )
    before = json.loads(newsbot(db, "stats").stdout)["articles"]

    result = newsbot(db, "ingest", str(onebad), str(lines))

    assert result.returncode == 1
    assert "added 2, updated 0, unchanged 0, failed 22" in result.stdout
    assert f"{onebad}: record 2: missing title" in result.stdout
    assert f"{lines}: line 2: not valid UTF-8 (byte 4 of the line)" in result.stdout
    assert f"{lines}: line 3: invalid JSON" in result.stdout
    # Every failure is counted, but a file's list stops at 10 so that a bad file cannot flood
    # the terminal.
    assert result.stdout.count(f"failed: {lines}: ") == 11
    assert f"{lines}: and 11 more" in result.stdout
    assert json.loads(newsbot(db, "stats").stdout)["articles"] == before + 2
    assert "Robotaxi Fleet Doubles" in newsbot(db, "latest", "--limit", "50").stdout


def test_ingest_twice_reports_unchanged(db: Path) -> None:
    data = str(REPO / "data")
    newsbot(db, "stats")  # first use fills the archive from data/
    result = newsbot(db, "ingest", data)
    assert result.returncode == 0
    assert "added 0, updated 0, unchanged 28, failed 0" in result.stdout


def test_missing_path_is_reported(db: Path) -> None:
    result = newsbot(db, "ingest", "/nonexistent/*.json")
    assert result.returncode == 1
    assert "/nonexistent/*.json: no such file or folder" in result.stdout


def test_a_folder_without_article_files_is_reported(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("a.md", "b.md", "export.csv"):
        (folder / name).write_text("Acme Raises Money\nAcme raised $40 million.\n")
    result = newsbot(db, "ingest", str(folder))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "added 0, updated 0, unchanged 0, failed 1",
        "  skipped 3 files not ending in .txt, .json, .jsonl or .ndjson: 2 .md, 1 .csv",
        f"  failed: {folder}: no article files there",
    ]


def test_duplicates_within_one_import_are_not_called_unchanged(db: Path, tmp_path: Path) -> None:
    # Three records of one URL, on three days, in one import of a fresh archive.
    for day in (1, 2, 3):
        (tmp_path / f"{day}.txt").write_text(
            f"url: https://example.com/acme\npublished: 2026-01-0{day}\n\n"
            f"Acme Recalls Cars\nAcme recalled {day},000 cars.\n"
        )
    result = newsbot(db, "ingest", str(tmp_path / "*.txt"), NEWSBOT_NO_BUNDLED="1")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "added 1, updated 0, unchanged 0, failed 0",
        "  2 duplicates of other records in this import (same URL): merged into the newest",
    ]


def test_a_reader_that_stops_early_gets_no_traceback(db: Path) -> None:
    env = {**os.environ, "NEWSBOT_DB": str(db)}
    env.pop("DISCORD_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "latest"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    assert process.stdout is not None
    process.stdout.close()  # like `newsbot latest | head -0`: nobody reads the headlines
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 1
    assert b"Traceback" not in errors and b"Exception ignored" not in errors, errors


def test_a_console_that_cannot_show_a_character_gets_no_traceback(db: Path) -> None:
    # The seed answer is quoted in curly quotes, which ASCII cannot show.
    result = newsbot(db, "ask", "how much is Meta spending on AI?", PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert "$600 billion" in result.stdout
    assert "Traceback" not in result.stderr


def test_stats_counts_what_is_still_in_the_write_ahead_log(db: Path) -> None:
    # The first use fills the archive, and stats reads its size before anything is checkpointed.
    stats = json.loads(newsbot(db, "stats").stdout)
    assert stats["articles"] >= 28
    assert stats["database_bytes"] > 100_000


def test_backup_writes_a_copy_that_answers_and_never_overwrites(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "newsbot-backup.db"
    result = newsbot(db, "backup", str(copy))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"backed up 28 articles to {copy} (")
    assert "$600 billion" in newsbot(copy, "ask", "how much is Meta spending on AI?").stdout
    again = newsbot(db, "backup", str(copy))
    assert again.returncode == 1
    assert f"newsbot: {copy} already exists; back up to a new file" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize(
    "content", [b"hello, not a database\n", b"SQLite format 3\x00" + b"\xff" * 200]
)
def test_a_file_that_is_not_an_archive_is_refused_and_left_alone(db: Path, content: bytes) -> None:
    db.write_bytes(content)
    result = newsbot(db, "stats")  # hung after the message, its connection thread left running
    assert result.returncode == 1
    assert result.stderr.startswith(f"newsbot: cannot open the archive at {db}: ")
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == content


class _Unavailable(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_error(503)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


def test_poll_output_never_shows_a_feed_urls_credentials(db: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        url = f"http://reader:hunter2@127.0.0.1:{port}/feed.xml?apikey=SECRETKEY"
        # (A server error at add time is no reason to refuse the feed: the polls retry it.)
        added = newsbot(db, "feeds", "add", url, NEWSBOT_NO_BUNDLED="1")
        result = newsbot(db, "poll", "--once", NEWSBOT_NO_BUNDLED="1")
    finally:
        server.shutdown()
        server.server_close()
    assert added.returncode == 0, added.stderr
    assert added.stderr == (
        f"newsbot: http://127.0.0.1:{port}/feed.xml could not be checked just now (HTTP 503); "
        "the polls will retry it\n"
    )
    assert result.returncode == 0, result.stderr
    # Printed to what a service keeps as its log, as the log line beside it shows the URL.
    assert result.stdout == f"http://127.0.0.1:{port}/feed.xml: failed: HTTP 503\n"
    assert "hunter2" not in result.stderr and "SECRETKEY" not in result.stderr
