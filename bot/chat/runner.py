"""``newsbot run``: logging, endpoints, signals, and a clear exit code for a bad token."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from bot.chat.bot import create_bot
from bot.chat.endpoints import use_discord_endpoints
from bot.settings import Settings

log = logging.getLogger("bot")

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications, "
    "copy its token, and run: DISCORD_TOKEN=... newsbot run"
)


def run_bot(settings: Settings) -> int:
    """Connect to Discord and serve until SIGTERM or Ctrl-C; returns the process exit code."""
    if not settings.token:
        print(f"newsbot: {MISSING_TOKEN}", file=sys.stderr)
        return 2
    discord.utils.setup_logging(level=getattr(logging, settings.log_level, logging.INFO))
    try:
        use_discord_endpoints(settings.api_base, settings.gateway_url)
    except ValueError as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(settings))
    except KeyboardInterrupt:
        return 0


async def _serve(settings: Settings) -> int:
    bot = create_bot(settings)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.start(settings.token or "")
    except discord.LoginFailure:
        print(
            "newsbot: Discord rejected the token (check DISCORD_TOKEN; it may have been reset).",
            file=sys.stderr,
        )
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "newsbot: NEWSBOT_MESSAGE_CONTENT is on, but the Message Content intent is not "
            "enabled for this bot in the Discord developer portal.",
            file=sys.stderr,
        )
        return 1
    log.info("newsbot stopped cleanly")
    return 0
