"""``/help``: what the bot does, in a few lines."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat import render

HELP_TEXT = """\
I keep an archive of tech-news articles and answer questions with short quotes from them, \
each with its source.

**Ask** — `/ask question:…`, mention me with a question, or send me a direct message. \
Example: *how much is Meta spending on AI?* A reply to my answer is a new question when it \
reads as one (with a question mark).
**Headlines** — `/latest` shows the newest articles; add `topic:` or `source:` to narrow it.
**Alerts** — `/subscribe topic:…` posts each new matching article in this channel \
(needs Manage Channels); one topic each time: a word or phrase such as *electric vehicles*, \
in double quotes if it has *or* or a comma in it: *"pay or consent"*. \
Run it again to change the topic's role or exclusions; to drop them, `/unsubscribe` first. \
`/subscriptions` lists what this channel follows.
**Feeds** — `/feeds add url:…` follows an RSS or Atom feed, or the feed a site's page links to \
(needs Manage Server); `/feeds list` shows each feed's state, `/feeds remove` stops one.

When the archive does not hold the answer, I say so instead of guessing."""


class Help(commands.Cog):
    """Explains the bot."""

    @app_commands.command(name="help", description="What this bot does and how to ask it")
    async def help(self, interaction: discord.Interaction) -> None:
        """Explain the bot, privately."""
        embed = discord.Embed(title="newsbot", description=HELP_TEXT, colour=render.COLOUR)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the extension."""
    await bot.add_cog(Help())
