"""Questions: ``/ask``, messages that mention the bot, and direct messages."""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat import render
from bot.chat.exts.errors import describe_error
from bot.search import Answer

if TYPE_CHECKING:
    from bot.chat.bot import NewsBot

log = logging.getLogger(__name__)

COOLDOWN_SECONDS = 5.0
MAX_QUESTION_LENGTH = 500
_MENTION_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>")
HOW_TO_ASK = (
    "Ask me about tech news, for example: `how much is Meta spending on AI?` — "
    "mention me with your question, send it in a direct message, or use `/ask`."
)


def question_from(message: discord.Message) -> str:
    """The question in a message, without mention markup."""
    return " ".join(_MENTION_MARKUP.sub(" ", message.content).split())


class Ask(commands.Cog):
    """Answers questions with quotes from the archive."""

    def __init__(self, bot: NewsBot):
        self.bot = bot
        self.cooldowns = commands.CooldownMapping.from_cooldown(
            1, COOLDOWN_SECONDS, commands.BucketType.user
        )

    async def answer(self, question: str, guild: discord.Guild | None) -> Answer:
        """Ask the engine, logging one line per question (never the question's author)."""
        started = time.perf_counter()
        answer = await self.bot.engine.answer(question)
        log.info(
            "question answered=%s guild=%s latency_ms=%.0f article=%s",
            answer.answered,
            guild.id if guild else "dm",
            (time.perf_counter() - started) * 1000,
            answer.citations[0].article_id if answer.citations else "-",
        )
        return answer

    @app_commands.command(name="ask", description="Ask the news archive a question")
    @app_commands.describe(
        question="What you want to know, e.g. how much is Meta spending on AI?",
        private="Only you see the answer (default: everyone in the channel)",
    )
    @app_commands.checks.cooldown(1, COOLDOWN_SECONDS, key=lambda i: i.user.id)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_LENGTH],
        private: bool = False,
    ) -> None:
        """Answer with quoted snippets and their sources."""
        await interaction.response.defer(ephemeral=private, thinking=True)
        async with self.bot.in_flight():
            answer = await self.answer(question, interaction.guild)
            await interaction.followup.send(ephemeral=private, **_reply(answer))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer messages that mention the bot, direct messages and configured channels."""
        if message.author.bot or not self.bot.accepting or not self._addressed(message):
            return
        question = question_from(message)
        if not question:
            await self._send(message, content=HOW_TO_ASK)
            return
        if len(question) > MAX_QUESTION_LENGTH:
            await self._send(
                message,
                content=f"That question is too long; please keep it under "
                f"{MAX_QUESTION_LENGTH} characters.",
            )
            return
        if retry_after := self.cooldowns.get_bucket(message).update_rate_limit():
            await self._send(
                message, content=f"Slow down a little: you can ask again in {retry_after:.0f} s."
            )
            return
        async with self.bot.in_flight():
            try:
                answer = await self.answer(question, message.guild)
            except Exception as error:  # one reply, whatever failed
                await self._send(message, content=describe_error(error, "message question"))
                return
            await self._send(message, **_reply(answer))

    def _addressed(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True
        me = self.bot.user
        if me is not None and me in message.mentions:
            return True
        return self.bot.settings.message_content and (
            message.channel.id in self.bot.settings.question_channels
        )

    async def _send(self, message: discord.Message, **reply: object) -> None:
        """Reply in the channel; a channel the bot may not write to is logged, not fatal."""
        if isinstance(reply.get("content"), str):
            reply["content"] = render.plain(reply["content"])  # type: ignore[arg-type]
        try:
            await message.reply(mention_author=False, **reply)  # type: ignore[arg-type]
        except discord.Forbidden:
            log.warning("no permission to reply in channel %s", message.channel.id)
        except discord.HTTPException as error:
            log.warning("could not reply in channel %s: %s", message.channel.id, error)


def _reply(answer: Answer) -> dict[str, object]:
    reply: dict[str, object] = {"embed": render.answer_embed(answer)}
    if view := render.source_buttons(answer.citations):
        reply["view"] = view
    return reply


async def setup(bot: NewsBot) -> None:
    """Load the extension."""
    await bot.add_cog(Ask(bot))
