"""``newsbot run``: a clear error for a missing or rejected token, and a real process that answers
a question and stops cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.chat.endpoints import current_discord_endpoints, use_discord_endpoints
from bot.chat.runner import MISSING_TOKEN, REJECTED_TOKEN, configure_logging, run_bot
from bot.cli import main
from bot.settings import Settings
from tests.fakes import FakeDiscord

from .helpers import SEED_FIGURE, SEED_QUESTION, SEED_TITLE, TOKEN

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def restore_process_state() -> Iterator[None]:
    """run_bot points discord.py at other endpoints and sets up logging, process-wide."""
    endpoints = current_discord_endpoints()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    use_discord_endpoints(*endpoints)
    root.handlers[:] = handlers
    root.setLevel(level)


def test_missing_token_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("NEWSBOT_DB", str(tmp_path / "newsbot.db"))

    assert main(["run"]) == 2
    assert capsys.readouterr().err.strip() == f"newsbot: {MISSING_TOKEN}"
    assert not (tmp_path / "newsbot.db").exists()  # nothing was started


@pytest.mark.parametrize(
    ("token", "what"),
    [
        ("MTA5.one-line\nMTA5.another", "a space or line break at character 14"),
        ('"MTA5.quoted.c2VjcmV0"', "a quote (set it without quotes"),
        ("Bot MTA5.prefixed.c2VjcmV0", 'the prefix "Bot " (set the token alone)'),
        ("MTA5.tok\u00e9n.c2VjcmV0", "the character U+00E9 at character 9"),
    ],
)
def test_a_malformed_token_is_a_clear_error_that_does_not_show_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    token: str,
    what: str,
) -> None:
    # A line break in it ended in a traceback from aiohttp's header check.
    monkeypatch.setenv("DISCORD_TOKEN", token)
    monkeypatch.setenv("NEWSBOT_DB", str(tmp_path / "newsbot.db"))
    monkeypatch.setenv("DISCORD_API_BASE", "http://127.0.0.1:9/api/v10")  # never reached

    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsbot: DISCORD_TOKEN is malformed: it holds ") and what in err
    assert "MTA5" not in err and "Traceback" not in err
    assert not (tmp_path / "newsbot.db").exists()  # nothing was started


async def run_against(fake: FakeDiscord, tmp_path: Path, token: str) -> int:
    """``run_bot`` with ``token`` against the fake; its exit code."""
    settings = Settings(
        db_path=tmp_path / "newsbot.db",
        token=token,
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
    )
    # run_bot runs its own event loop; the fake serves from this one.
    return await asyncio.wait_for(asyncio.to_thread(run_bot, settings), 15)


async def test_rejected_token_is_a_clear_error(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        wrong = "MTA5.wrong-token.d3JvbmctdG9rZW4"
        code = await run_against(fake, tmp_path, wrong)
        assert [r.status for r in fake.requests_to("GET /users/@me")] == [401]
    assert code == 1
    err = capfd.readouterr().err
    assert f"newsbot: {REJECTED_TOKEN}" in err
    assert wrong not in err and "Traceback" not in err


async def test_discord_refusing_the_login_is_a_clear_error(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # A 5xx is retried for about 25 s before it surfaces the same way; a 403 surfaces at once.
    async with FakeDiscord(token=TOKEN) as fake:
        fake.fail_next("GET /users/@me", 403)
        code = await run_against(fake, tmp_path, TOKEN)
    assert code == 1
    err = capfd.readouterr().err
    assert f"newsbot: Discord is not available at {fake.api_base}: 403" in err
    assert "Traceback" not in err


def _env(fake: FakeDiscord, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "NEWSBOT_"))}
    env.update(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        NEWSBOT_DB=str(db),
        NEWSBOT_LOG_LEVEL="DEBUG",  # the most verbose logging still never shows the token
        PYTHONPATH=str(REPO),
    )
    return env


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
async def test_newsbot_run_process_answers_then_stops_cleanly(
    tmp_path: Path, stop: signal.Signals
) -> None:
    db, log_path = tmp_path / "newsbot.db", tmp_path / "newsbot.log"
    async with FakeDiscord(token=TOKEN) as fake:
        with log_path.open("wb") as log_file:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=_env(fake, db),
                cwd=tmp_path,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
            )
            try:
                await fake.wait_until_ready(timeout=30)
                incoming = await fake.send_message(f"{fake.bot_user.mention} {SEED_QUESTION}")
                [reply] = await fake.wait_for_messages(fake.channel_id, 1, timeout=15)
                assert reply.payload["message_reference"]["message_id"] == int(incoming["id"])
                assert SEED_FIGURE in reply.embeds[0]["description"]
                assert SEED_TITLE in reply.embeds[0]["fields"][0]["value"]

                # A second question is being answered (Discord is slow to take the reply) when
                # the signal arrives: the reply is still sent, then the process exits.
                fake.delay_next("POST /channels/{id}/messages", 0.5)
                await fake.send_message(
                    f"{fake.bot_user.mention} did Nvidia beat earnings?", author=fake.admin_user
                )
                await fake.wait_for(
                    lambda: len(fake.requests_to("POST /channels/{id}/messages")) == 2,
                    timeout=15,
                    what="the second reply being sent",
                )
                started = time.monotonic()
                process.send_signal(stop)
                code = await asyncio.wait_for(process.wait(), 15)
                stopped_in = time.monotonic() - started
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
        assert [r.status for r in fake.requests_to("POST /channels/{id}/messages")] == [200, 200]
        assert len(fake.messages) == 2
        assert fake.connections[-1].closed

    log = log_path.read_text(errors="replace")
    assert code == 0, log[-3000:]
    assert stopped_in < 5
    assert "newsbot stopped cleanly" in log
    assert "Traceback" not in log
    assert TOKEN not in log and "c2VjcmV0LXRva2Vu" not in log
    assert log.count("newsbot stopped cleanly") == 1  # each line logged once
    assert_archive_intact(db)


def assert_archive_intact(db: Path) -> None:
    """The archive passes SQLite's integrity check, holds the bundled articles, and was closed
    cleanly (its write-ahead log checkpointed away)."""
    with sqlite3.connect(db) as archive:
        assert archive.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert archive.execute("SELECT count(*) FROM articles").fetchone()[0] > 20
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_log_lines_redact_the_token_should_anything_log_it(
    capfd: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", TOKEN)
    logger = logging.getLogger("bot.test")
    logger.info("connecting with %s", TOKEN)
    try:
        raise RuntimeError(f"bad header Bot {TOKEN}")
    except RuntimeError:
        logger.exception("failed")

    err = capfd.readouterr().err
    assert "connecting with [token]" in err and "RuntimeError: bad header Bot [token]" in err
    assert TOKEN not in err
    assert err.count("connecting with") == 1
