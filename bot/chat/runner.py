"""``newsbot run``: logging, endpoints, signals, and a clear exit code for a bad token."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import sys
import threading
from collections.abc import Callable

import aiohttp
import discord

from bot.archive import StorageError
from bot.chat.bot import create_bot
from bot.chat.endpoints import use_discord_endpoints
from bot.settings import Settings

log = logging.getLogger("bot")

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications, "
    "copy its token, and run: DISCORD_TOKEN=... newsbot run"
)
REJECTED_TOKEN = (
    "Discord rejected the token (check DISCORD_TOKEN; it may have been reset in the developer "
    "portal)."
)
MISSING_INTENT = (
    "NEWSBOT_MESSAGE_CONTENT is on, but the Message Content intent is not enabled for this bot "
    "in the Discord developer portal."
)
CLOSE_TIMEOUT_SECONDS = 10.0
# A bot token is base64url parts joined by dots: any other character was pasted along with it.
TOKEN_CHARACTER = re.compile(r"[A-Za-z0-9_.\-]")
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"


class RedactToken(logging.Filter):
    """Keeps secrets out of log lines (message and traceback): the bot token, and the tokens of
    interactions and webhooks, which discord.py's DEBUG logging shows in request URLs
    (``/interactions/<id>/<token>/callback``, ``/webhooks/<id>/<token>``) and in the gateway
    events it dumps (``'token': '...'``). Each grants 15 minutes of posting as the bot."""

    URL_TOKEN = re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/?#\s'\"]+")
    FIELD_TOKEN = re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+""")

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def redact(self, text: str) -> str:
        """``text`` with every secret it holds replaced by ``[token]``."""
        if self.token:
            text = text.replace(self.token, "[token]")
        if "/webhooks/" in text or "/interactions/" in text:
            text = self.URL_TOKEN.sub(r"\1[token]", text)
        if "token" in text:
            text = self.FIELD_TOKEN.sub(r"\1[token]", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def configure_logging(level: str, token: str) -> None:
    """One handler on the root logger (stderr), at ``level``, with the token redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactToken(token))
    root = logging.getLogger()
    for old in root.handlers[:]:  # e.g. the CLI's basicConfig: no line logged twice
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level, logging.INFO))


def run_bot(settings: Settings) -> int:
    """Connect to Discord and serve until SIGTERM or Ctrl-C; returns the process exit code."""
    if not settings.token:
        print(f"newsbot: {MISSING_TOKEN}", file=sys.stderr)
        return 2
    if problem := malformed_token(settings.token):
        print(f"newsbot: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.token)
    try:
        use_discord_endpoints(settings.api_base, settings.gateway_url)
    except ValueError as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    if settings.sharded and settings.gateway_url:
        log.warning(
            "DISCORD_GATEWAY_URL is not used with NEWSBOT_SHARDED: the sharded client connects "
            "where GET /gateway/bot (at DISCORD_API_BASE) says"
        )
    try:
        return asyncio.run(_serve(settings, settings.token))
    except KeyboardInterrupt:  # Ctrl-C before the signal handlers were installed
        return 130


def malformed_token(token: str) -> str | None:
    """Why ``token`` cannot be a bot token, without showing any of it; None if it may be one.

    A line break in it made aiohttp refuse the request header with a traceback; quotes (which
    ``docker run --env-file`` keeps as part of the value) or a "Bot " prefix only got
    "Discord rejected the token"."""
    for position, character in enumerate(token, start=1):
        if TOKEN_CHARACTER.fullmatch(character):
            continue
        if character in "\"'":
            what = "a quote (set it without quotes: docker's --env-file keeps them)"
        elif character == " " and token.lower().startswith("bot "):
            what = 'the prefix "Bot " (set the token alone)'
        elif character.isspace():
            what = "a space or line break"
        else:
            what = f"the character U+{ord(character):04X}"
        return (
            f"DISCORD_TOKEN is malformed: it holds {what} at character {position}; a bot token "
            "has only letters, digits, '.', '_' and '-' (copy it again from the developer portal)"
        )
    return None


async def _serve(settings: Settings, token: str) -> int:
    bot = create_bot(settings)
    stop = asyncio.Event()
    _on_signals(stop.set)
    try:
        async with bot:
            started = asyncio.create_task(bot.start(token), name="newsbot-gateway")
            stopping = asyncio.create_task(stop.wait(), name="newsbot-stop-signal")
            await asyncio.wait({started, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping.done():
                log.info("stop requested: closing the gateway and finishing replies in flight")
            stopping.cancel()
            await bot.close()  # the gateway, replies in flight, then the archive
            done, _ = await asyncio.wait({started}, timeout=CLOSE_TIMEOUT_SECONDS)
            if not done:
                started.cancel()
                log.warning("the gateway did not stop within %.0f s", CLOSE_TIMEOUT_SECONDS)
            else:
                started.result()  # re-raises what made it stop (a rejected token, ...)
    except discord.LoginFailure:
        return _fail(REJECTED_TOKEN)
    except discord.PrivilegedIntentsRequired:
        return _fail(MISSING_INTENT)
    except StorageError as error:
        return _fail(str(error))
    except (aiohttp.ClientError, OSError) as error:
        return _fail(f"could not reach Discord at {settings.api_base}: {error}")
    except (discord.HTTPException, discord.GatewayNotFound) as error:  # a 5xx, after retries
        return _fail(f"Discord is not available at {settings.api_base}: {error}")
    log.info("newsbot stopped cleanly")
    return 0


def _fail(message: str) -> int:
    print(f"newsbot: {message}", file=sys.stderr)
    return 1


def _on_signals(callback: Callable[[], object]) -> None:
    """Call ``callback`` on SIGTERM and SIGINT (main thread only; elsewhere: no handlers)."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # e.g. Windows
            loop.add_signal_handler(signum, callback)
