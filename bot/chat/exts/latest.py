"""``/latest``: the newest headlines, optionally about a topic or from one outlet."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.matching import unsearchable
from bot.chat import render

if TYPE_CHECKING:
    from bot.chat.bot import NewsBot


class Latest(commands.Cog):
    """Headlines from the archive."""

    def __init__(self, bot: NewsBot):
        self.bot = bot

    @app_commands.command(name="latest", description="The newest articles in the archive")
    @app_commands.describe(
        topic="Only articles about this topic",
        count="How many headlines (1-10, default 5)",
        source="Only articles from this outlet",
    )
    async def latest(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 100] | None = None,
        count: app_commands.Range[int, 1, 10] = 5,
        source: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        """List the newest headlines."""
        async with self.bot.in_flight():
            if topic and (reason := unsearchable(topic)):  # as /subscribe refuses it
                refusal = f"**{render.quoted(topic, 100)}** {reason}"
                await interaction.response.send_message(render.plain(refusal), ephemeral=True)
                return
            await interaction.response.defer(thinking=True)
            articles = await self.bot.archive.articles.latest(
                limit=count, topic=topic, source=source
            )
            heading = "Latest headlines" + (f" about {topic}" if topic else "")
            heading += f" from {source}" if source else ""
            await interaction.followup.send(
                embed=render.headlines_embed(articles, heading, topic=topic, source=source)
            )

    @latest.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics the archive has, starting with what was typed."""
        topics = await self.bot.archive.articles.topics(current.strip().lower(), limit=25)
        return [
            app_commands.Choice(name=topic[:100], value=topic[:100]) for topic in topics if topic
        ]

    @latest.autocomplete("source")
    async def source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Outlets the archive has, containing what was typed."""
        sources = await self.bot.archive.articles.sources(current, limit=25)
        return [app_commands.Choice(name=name[:100], value=name[:100]) for name in sources]


async def setup(bot: NewsBot) -> None:
    """Load the extension."""
    await bot.add_cog(Latest(bot))
