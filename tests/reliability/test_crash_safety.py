"""Killing `newsbot ingest` at random moments never corrupts the archive or half-stores an article.

CI runs 50 kills on a small corpus; NEWSBOT_SLOW=1 runs 200 on a larger one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

SLOW = os.environ.get("NEWSBOT_SLOW") == "1"
KILLS = 200 if SLOW else 50
ARTICLES = 6000 if SLOW else 2500
WORDS = [
    "nvidia",
    "apple",
    "google",
    "meta",
    "chips",
    "cloud",
    "spending",
    "billion",
    "revenue",
    "quarter",
    "launch",
    "robot",
    "data",
    "center",
    "model",
    "market",
    "shares",
    "users",
    "app",
    "security",
    "breach",
    "startup",
    "funding",
    "regulators",
    "court",
]


def write_corpus(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w") as handle:
        for n in range(count):
            sentences = [
                " ".join(rng.choices(WORDS, k=rng.randint(8, 16))).capitalize()
                + f" in {2000 + n % 26} for ${rng.randint(1, 900)} million."
                for _ in range(rng.randint(10, 30))
            ]
            record = {
                "title": f"Report {n}: " + " ".join(rng.choices(WORDS, k=6)),
                "url": f"https://crash.example/{n}",
                "published_at": f"2026-0{1 + n % 9}-1{n % 10}",
                "text": " ".join(sentences),
            }
            handle.write(json.dumps(record) + "\n")


def check_archive(db: Path) -> int:
    """integrity_check is ok and every article has its title snippet and is indexed."""
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if connection.execute("PRAGMA user_version").fetchone()[0] == 0:
            # Killed before the first migration committed (a slow start): the file is empty,
            # and the next run creates the archive in it.
            assert not connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            return 0
        orphans = connection.execute(
            """SELECT count(*) FROM articles a WHERE NOT EXISTS
               (SELECT 1 FROM snippets s WHERE s.article_id = a.id AND s.kind = 'title')"""
        ).fetchone()[0]
        assert orphans == 0
        snippets = connection.execute("SELECT count(*) FROM snippets").fetchone()[0]
        indexed = connection.execute(
            "SELECT count(*) FROM snippets_fts WHERE snippets_fts MATCH 'million OR report'"
        ).fetchone()[0]
        assert indexed <= snippets
        connection.execute("INSERT INTO snippets_fts (snippets_fts) VALUES ('integrity-check')")
        return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        connection.close()


def test_sigkill_during_ingest_never_corrupts_and_a_rerun_completes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, ARTICLES)
    db = tmp_path / "crash.db"
    env = {**os.environ, "NEWSBOT_DB": str(db), "NEWSBOT_NO_BUNDLED": "1"}
    command = [sys.executable, "-m", "bot", "ingest", str(corpus)]
    rng = random.Random(2026)
    stored = 0
    finished_early = 0
    for _ in range(KILLS):
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.25, 1.2))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        else:
            finished_early += 1
        process.wait(timeout=30)
        count = check_archive(db)
        assert count >= stored  # what was committed stays committed
        stored = count
        if stored == ARTICLES:
            break

    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert check_archive(db) == ARTICLES
    assert "failed 0" in result.stdout


# Starts the workers a large ingest cuts articles in, prints their pids, then dies as a kill would.
KILLED_WITH_A_WORKER = """
import asyncio, os
from bot.ingest.worker import SnippetWorker

async def main():
    worker = await SnippetWorker.start()
    await worker.prepare([])  # the workers are up (one answers, then the other)
    await worker.prepare([])
    print(*(process.process.pid for process in worker._processes), flush=True)
    os.kill(os.getpid(), 9)

asyncio.run(main())
"""


def _stat(pid: int | str) -> list[str] | None:
    """A process's fields after its name in /proc (state, parent, process group, ...), or None
    once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _running(pid: int | str) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has exited


def _assert_all_end(pids: list[int]) -> None:
    deadline = time.monotonic() + 30
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_running, pids))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_killed_ingest_leaves_no_worker_process_behind() -> None:
    result = subprocess.run(
        [sys.executable, "-c", KILLED_WITH_A_WORKER],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    workers = [int(pid) for pid in result.stdout.split()]
    assert workers
    _assert_all_end(workers)


def _children(pid: int) -> list[int]:
    """The running processes whose parent is ``pid`` and that have left its process group
    (read from /proc)."""
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        fields = _stat(folder.name)
        if fields and fields[0] != "Z" and int(fields[1]) == pid and int(fields[2]) != pid:
            found.append(int(folder.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_stops_an_ingest_quietly_and_keeps_what_it_stored(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 4 * ARTICLES)  # (seconds of cutting: it is still running at Ctrl-C)
    db = tmp_path / "interrupted.db"
    env = {**os.environ, "NEWSBOT_DB": str(db), "NEWSBOT_NO_BUNDLED": "1"}
    # A process group of its own, as a terminal's job: Ctrl-C signals every process in it.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(corpus)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        workers = _children(process.pid)
        assert len(workers) == 2, "the ingest never started its worker processes"
        assert process.poll() is None, "the ingest ended before Ctrl-C"
        os.killpg(process.pid, signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130
    assert "Traceback" not in errors
    _assert_all_end(workers)
    check_archive(db)
