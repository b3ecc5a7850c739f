"""One error handler for every command: a short, friendly reply, and the traceback in the log."""

from __future__ import annotations

import logging
import secrets
import sqlite3

import discord
from discord import app_commands
from discord.ext import commands

from bot.archive import StorageError
from bot.archive.database import is_locked
from bot.chat import render

log = logging.getLogger(__name__)


def describe_error(error: BaseException, where: str) -> str:
    """What to tell the user about an error; unexpected ones are logged with an error id."""
    if isinstance(error, app_commands.CommandInvokeError | commands.CommandInvokeError):
        error = error.original
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: you can ask again in {max(error.retry_after, 1):.0f} s."
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(permission_name(p) for p in error.missing_permissions)
        return f"You need the {needed} permission to do that here."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command works in a server channel, not in direct messages."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here."
    if isinstance(error, sqlite3.OperationalError) and is_locked(error):
        # A read that waited out the busy timeout (another program holding the archive, e.g.
        # a backup or an ingest): nothing is broken, asking again shortly works.
        log.warning("archive busy in %s: %s", where, error)
        return "The news archive is busy right now; please try again in a few seconds."
    if isinstance(error, StorageError):
        log.error("storage problem in %s: %s", where, error)
        return f"The news archive is unavailable right now ({error}). Please try again later."
    error_id = secrets.token_hex(4)
    log.error("error %s in %s", error_id, where, exc_info=error)
    return f"Sorry, something went wrong on my side (error id `{error_id}`)."


def permission_name(permission: str) -> str:
    """A permission as Discord's apps name it: ``manage_guild`` is "Manage Server" there."""
    return " ".join("Server" if word == "guild" else word.title() for word in permission.split("_"))


async def reply_privately(interaction: discord.Interaction, text: str) -> None:
    """Answer an interaction with an ephemeral note, whether or not it was deferred."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(render.plain(text), ephemeral=True)
        else:
            await interaction.response.send_message(render.plain(text), ephemeral=True)
    except discord.HTTPException as error:
        log.warning("could not send an error reply: %s", error)


class Errors(commands.Cog):
    """Installs the error handler of the slash-command tree."""

    def __init__(self, bot: commands.Bot):
        self.bot = bot
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Tell the user briefly what went wrong; log unexpected errors with their traceback."""
        name = interaction.command.qualified_name if interaction.command else "unknown command"
        await reply_privately(interaction, describe_error(error, f"/{name}"))


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Errors(bot))
