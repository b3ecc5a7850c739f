"""The Discord face of newsbot: a ``commands.Bot`` that opens the archive and loads one cog per
feature. It holds no logic of its own beyond start-up, command sync and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator

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
IN_FLIGHT_GRACE_SECONDS = 10.0


def _intents(settings: Settings) -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = settings.message_content  # privileged: only when configured
    intents.members = False
    intents.presences = False
    return intents


class NewsBot(commands.Bot):
    """newsbot's Discord client. ``archive`` and ``engine`` exist once ``setup_hook`` has run."""

    archive: Archive
    engine: Engine

    def __init__(self, settings: Settings, **options: object) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=_intents(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            **options,  # type: ignore[arg-type]
        )
        self.settings = settings
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.accepting = True

    async def setup_hook(self) -> None:
        """Open the archive, load the feature cogs, and sync slash commands if they changed."""
        self.archive = await open_archive(self.settings)
        self.engine = Engine(self.archive)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands_if_changed()

    async def sync_commands_if_changed(self) -> bool:
        """Sync the command tree only when its definitions differ from the last sync's."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"command_sync:{self.application_id}:{guild.id if guild else 'global'}"
        if await self.archive.settings.get(key) == digest:
            log.info("slash commands unchanged since the last sync; not syncing")
            return False
        await self.tree.sync(guild=guild)
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
        """Stop taking questions, let replies in flight finish, then close Discord and archive."""
        self.accepting = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), IN_FLIGHT_GRACE_SECONDS)
        await super().close()
        if hasattr(self, "archive"):
            await self.archive.close()


def create_bot(settings: Settings) -> NewsBot:
    """The bot ``newsbot run`` runs (sharded automatically when NEWSBOT_SHARDED is set)."""
    if settings.sharded:
        return ShardedNewsBot(settings)
    return NewsBot(settings)


class ShardedNewsBot(NewsBot, commands.AutoShardedBot):
    """newsbot for large deployments: one process, as many gateway shards as Discord advises."""
