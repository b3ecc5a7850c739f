"""The Discord face of newsbot: a ``commands.Bot`` that opens the archive and loads one cog per
feature. It holds no logic of its own beyond start-up, command sync and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
from discord.ext import commands

from bot.archive import Archive
from bot.ingest.bundled import open_archive
from bot.search import Engine
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.chat.exts.errors",
    "bot.chat.exts.ask",
    "bot.chat.exts.latest",
    "bot.chat.exts.help",
    "bot.chat.exts.alerts",
    "bot.chat.exts.feeds",
)
# How long a shutdown waits for replies already being written.
IN_FLIGHT_GRACE_SECONDS = 8.0  # within `docker stop`'s 10 s before SIGKILL
# Per-user cooldown on questions: this many per this many seconds.
QUESTION_RATE = (1, 5.0)
# newsbot has no voice features; don't warn at start-up that voice libraries are missing.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False


def _intents(settings: Settings) -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = settings.message_content  # privileged: only when configured
    intents.members = False
    intents.presences = False
    return intents


class NewsBot(commands.Bot):
    """newsbot's Discord client. ``archive`` and ``engine`` exist once ``setup_hook`` has run.

    ``question_rate`` is the per-user cooldown: (questions, per seconds). Other keyword options
    go to ``commands.Bot`` (tests pass e.g. ``guild_ready_timeout``).
    """

    archive: Archive
    engine: Engine

    def __init__(
        self,
        settings: Settings,
        *,
        question_rate: tuple[int, float] = QUESTION_RATE,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=_intents(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.settings = settings
        self.question_rate = question_rate
        self.accepting = True
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._shutdown: asyncio.Task[None] | None = None

    async def setup_hook(self) -> None:
        """Open the archive, load the feature cogs, and sync slash commands if they changed."""
        self.archive = await open_archive(self.settings)
        self.engine = Engine(self.archive)
        await self.engine.warm_up()  # the first question should not pay for loading the index
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands_if_changed()
        # What is loaded by now (the engine's vocabulary and catalogue, discord.py, the cogs)
        # lasts as long as the bot. Frozen, it is left out of the garbage collector's full
        # collections, which walked all of it and held the event loop 30 to 45 ms each while
        # an import ran (3 to 8 ms frozen). Unfrozen when the bot closes.
        gc.collect()
        gc.freeze()

    async def on_message(self, message: discord.Message, /) -> None:
        """Questions are answered by the ``ask`` extension; newsbot has no prefix commands, so
        a mention is not parsed as one (which would log "command not found" for every question).
        """

    async def sync_commands_if_changed(self) -> bool:
        """Sync the command tree only when its definitions differ from the last sync's.

        The hash of the synced definitions is kept in the archive, per application and scope
        (the dev guild, or global). A failed sync is logged and retried at the next start; the
        bot keeps serving with the commands Discord already has.
        """
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"command_sync:{self.application_id}:{guild.id if guild else 'global'}"
        if await self.archive.settings.get(key) == digest:
            log.info("slash commands unchanged since the last sync; not syncing")
            return False
        try:
            await self.tree.sync(guild=guild)
        except discord.HTTPException as error:
            log.error(
                "could not sync slash commands (%s %s: %s); will retry at the next start",
                error.status,
                error.code,
                error.text,
            )
            return False
        await self.archive.settings.set(key, digest)
        log.info("synced %d slash commands (%s)", len(payload), "dev guild" if guild else "global")
        return True

    @contextlib.asynccontextmanager
    async def in_flight(self) -> AsyncIterator[None]:
        """Mark a reply as being written, so that a shutdown waits for it to be sent."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def close(self) -> None:
        """Stop taking questions, let replies in flight finish, then close Discord and archive.

        Safe to call more than once and from several places (a signal, ``async with``): every
        call waits for the one shutdown to complete.
        """
        if self._shutdown is None:
            self._shutdown = asyncio.create_task(self._shut_down(), name="newsbot-shutdown")
        await asyncio.shield(self._shutdown)

    async def _shut_down(self) -> None:
        self.accepting = False
        if self._in_flight:
            log.info("shutting down: waiting for %d repl(ies) in flight", self._in_flight)
        try:
            await asyncio.wait_for(self._idle.wait(), IN_FLIGHT_GRACE_SECONDS)
        except TimeoutError:
            log.warning("shutting down with %d repl(ies) unfinished", self._in_flight)
        try:
            await super().close()
        finally:
            if hasattr(self, "engine"):
                await self.engine.close()
            if hasattr(self, "archive"):
                await self.archive.close()
            gc.unfreeze()


def create_bot(settings: Settings) -> NewsBot:
    """The bot ``newsbot run`` runs (sharded automatically when NEWSBOT_SHARDED is set)."""
    if settings.sharded:
        return ShardedNewsBot(settings)
    return NewsBot(settings)


class ShardedNewsBot(NewsBot, commands.AutoShardedBot):
    """newsbot for large deployments: one process, as many gateway shards as Discord advises."""
