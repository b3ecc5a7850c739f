"""Questions: ``/ask``, messages that mention the bot, and direct messages."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.chat import render
from bot.chat.exts.errors import describe_error
from bot.search import Answer
from bot.search.question import MAX_QUESTION_CHARS, is_small_talk

if TYPE_CHECKING:
    from bot.chat.bot import NewsBot

log = logging.getLogger(__name__)

# Mentions, channel links and custom emoji carry no words to search for.
_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b")
_WORD = re.compile(r"\w")
HOW_TO_ASK = (
    "Ask me about tech news, for example: `how much is Meta spending on AI?` — "
    "mention me with your question, send it in a direct message, or use `/ask`."
)
TOO_LONG = (
    f"That question is too long; please keep it under {MAX_QUESTION_CHARS} characters "
    "(one question at a time works best)."
)
SHUTTING_DOWN = "I'm restarting; please ask again in a minute."
# A reply Discord did not take (503, connection lost, 5xx after discord.py's own retries) is
# tried this many times in all, waiting 0.5 s, then 1 s, then 2 s: within the shutdown grace.
REPLY_ATTEMPTS = 4
REPLY_RETRY_SECONDS = 0.5
# Only what people write can be a question: system messages (pins, joins, new threads) are not,
# and Discord refuses replies to them.
QUESTION_TYPES = (discord.MessageType.default, discord.MessageType.reply)
# A reply to the bot pings it by default, so "thanks!" would get "not in the archive": such a
# reply is a question only if it reads as one (or names the bot).
_READS_AS_QUESTION = re.compile(
    r"\?|^\W*(?:what|when|where|which|who|whom|whose|why|how|is|are|was|were|do|does|did|can"
    r"|could|will|would|should|has|have|had|any|tell|show)\b",
    re.I,
)


def searchable(text: str) -> str:
    """The words of a question: mentions, channel links and custom emoji removed."""
    return " ".join(_MARKUP.sub(" ", text).split())


def without_bot_mention(text: str, bot_id: int | None) -> str:
    """A message's text without the mention that addressed the bot (other mentions stay)."""
    if bot_id is not None:
        text = re.sub(rf"<@!?{bot_id}>", " ", text)
    return " ".join(text.split())


class Ask(commands.Cog):
    """Answers questions with quotes from the archive."""

    def __init__(self, bot: NewsBot):
        self.bot = bot
        rate, per = bot.question_rate
        # One budget per user, shared by /ask, mentions and direct messages.
        self.cooldowns = commands.CooldownMapping.from_cooldown(rate, per, lambda user: user.id)
        # A refusal sent to a channel ("slow down", how to ask) is itself a message: without a
        # budget of its own, someone posting a question a second would get a "slow down" a
        # second, the bot doubling the flood. One notice per user per window; the rest of
        # what they send in it gets no reply.
        self.notices = commands.CooldownMapping.from_cooldown(1, per, lambda user: user.id)

    def retry_after(self, user: discord.abc.User) -> float | None:
        """Seconds until ``user`` may ask again, or None if this question may go ahead."""
        return self.cooldowns.get_bucket(user).update_rate_limit()

    async def answer(self, question: str, guild: discord.Guild | None, via: str) -> Answer:
        """Ask the engine, logging one line per question (never the question or its author)."""
        started = time.perf_counter()
        answer = await self.bot.engine.answer(question)
        log.info(
            "question via=%s guild=%s answered=%s latency_ms=%.0f article=%s",
            via,
            guild.id if guild else "dm",
            answer.answered,
            (time.perf_counter() - started) * 1000,
            answer.citations[0].article_id if answer.citations else "-",
        )
        return answer

    @app_commands.command(name="ask", description="Ask the news archive a question")
    @app_commands.describe(
        question="What you want to know, e.g. how much is Meta spending on AI?",
        private="Only you see the answer (default: everyone in the channel)",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        """Answer with quoted snippets and their sources."""
        refusal = self._refusal(question, interaction.user)
        if refusal is not None:
            await interaction.response.send_message(render.plain(refusal), ephemeral=True)
            return
        async with self.bot.in_flight():
            await interaction.response.defer(ephemeral=private, thinking=True)
            answer = await self.answer(searchable(question), interaction.guild, "slash")
            await interaction.followup.send(
                ephemeral=private, **render.answer_message(answer, asked=question)
            )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer messages that mention the bot, direct messages and configured channels."""
        if message.author.bot or not self.bot.accepting or not self._addressed(message):
            return
        me = self.bot.user
        asked = without_bot_mention(message.content, me.id if me else None)
        refusal = self._refusal(asked, message.author)
        if refusal is not None:
            if self.notices.get_bucket(message.author).update_rate_limit() is None:
                await self._send(message, content=refusal)
            return
        async with self.bot.in_flight():
            try:
                answer = await self.answer(searchable(asked), message.guild, "message")
                reply = render.answer_message(answer, asked=asked)
            except Exception as error:  # one reply, whatever failed
                await self._send(message, content=describe_error(error, "message question"))
                return
            if not may_embed(message):
                reply["content"] = render.embed_as_text(reply.pop("embed"))  # type: ignore[arg-type]
            await self._send(message, **reply)

    def _refusal(self, question: str, user: discord.abc.User) -> str | None:
        """Why a question is not answered (with what to do instead), or None to answer it."""
        if not self.bot.accepting:
            return SHUTTING_DOWN
        if not _WORD.search(searchable(question)) or is_small_talk(searchable(question)):
            return HOW_TO_ASK
        if len(question) > MAX_QUESTION_CHARS:
            return TOO_LONG
        if retry_after := self.retry_after(user):
            return f"Slow down a little: you can ask again in {max(retry_after, 1):.0f} s."
        return None

    def _addressed(self, message: discord.Message) -> bool:
        if message.type not in QUESTION_TYPES:
            return False
        if message.guild is None:
            return True
        me = self.bot.user
        if me is not None and me in message.mentions:
            return not _replies_to(message, me) or bool(
                re.search(rf"<@!?{me.id}>", message.content)
                or _READS_AS_QUESTION.search(message.content)
            )
        return self.bot.settings.message_content and (
            message.channel.id in self.bot.settings.question_channels
        )

    async def _send(self, message: discord.Message, **reply: object) -> None:
        """Reply to ``message`` once; a channel the bot may not write to is logged, not fatal.

        discord.py retries rate limits (429) and 500/502/504 itself, but not a 503, a dropped
        connection, or a 5xx that outlasted its retries: those are retried here, a bounded number
        of times. Every attempt carries the same nonce, derived from the question's id, with
        ``enforce_nonce``: when Discord created the message but its response was lost, the next
        attempt gets that message back instead of posting a second one. When Discord refuses the
        message as a reply (no Read Message History here, a system message), it is sent once more
        without the reference, so that the answer still arrives. When it refuses an embed (Embed
        Links taken away since the bot last heard, an embed it finds invalid), the same reply is
        sent once more as plain text: a 400 or 403 leaves nobody without an answer.
        """
        if isinstance(reply.get("content"), str):
            reply["content"] = render.plain(reply["content"])  # type: ignore[arg-type]
        reference: discord.MessageReference | None = message.to_reference(fail_if_not_exists=False)
        nonce = reply_nonce(message.id)
        attempt = 1
        while True:
            try:
                await message.channel.send(  # type: ignore[call-overload]
                    reference=reference, mention_author=False, nonce=nonce, **reply
                )
                return
            except discord.HTTPException as error:
                if reference is not None and refuses_reference(error):
                    # The answer matters more than its being a reply: it goes to the channel
                    # as a plain message (mentioning nobody, like the reply), once.
                    log.info(
                        "reply in channel %s refused (%s %s); sending it without the reference",
                        message.channel.id,
                        error.status,
                        error.code,
                    )
                    reference = None
                    continue
                if "embed" in reply and error.status in (400, 403):
                    log.info(
                        "reply in channel %s refused with its embed (%s %s); sending it as text",
                        message.channel.id,
                        error.status,
                        error.code,
                    )
                    embed = reply.pop("embed")
                    reply.pop("view", None)  # the buttons may be what was refused
                    reply["content"] = render.embed_as_text(embed)  # type: ignore[arg-type]
                    continue
                if isinstance(error, discord.Forbidden):
                    log.warning(
                        "no permission to reply in channel %s (%s %s): %s",
                        message.channel.id,
                        error.status,
                        error.code,
                        error.text,
                    )
                    return
                why = f"{error.status} {error.code}: {error.text}"
                transient = error.status >= 500 or error.status == 429
            except (aiohttp.ClientError, OSError, TimeoutError) as error:
                why, transient = f"{type(error).__name__}: {error}", True
            if not transient or attempt == REPLY_ATTEMPTS or self.bot.is_closed():
                log.warning("could not reply in channel %s (%s)", message.channel.id, why)
                return
            log.info(
                "reply in channel %s failed (%s); retrying (attempt %d of %d)",
                message.channel.id,
                why,
                attempt + 1,
                REPLY_ATTEMPTS,
            )
            await asyncio.sleep(REPLY_RETRY_SECONDS * 2 ** (attempt - 1))
            attempt += 1


def may_embed(message: discord.Message) -> bool:
    """Whether the bot may post embeds where ``message`` is (Embed Links; always in DMs).

    Without it Discord refuses a bot's embed-only message with a 403, so the answer is sent as
    text instead. Where the bot's permissions are not known (no cached member or channel), an
    embed is tried: :meth:`Ask._send` falls back to text if it is refused.
    """
    guild, channel = message.guild, message.channel
    if guild is None or guild.me is None:
        return True
    if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return True
    return channel.permissions_for(guild.me).embed_links


def _replies_to(message: discord.Message, user: discord.abc.User) -> bool:
    """Whether ``message`` is a reply to one of ``user``'s messages."""
    replied = message.reference.resolved if message.reference else None
    return isinstance(replied, discord.Message) and replied.author.id == user.id


def refuses_reference(error: discord.HTTPException) -> bool:
    """Whether Discord may have refused a message only for replying: a 403 (it answers 160002
    when the bot lacks Read Message History; a plain message may still be allowed) or a 400 that
    names ``message_reference`` (e.g. a reply to a system message)."""
    return error.status == 403 or (error.status == 400 and "message_reference" in error.text)


def reply_nonce(message_id: int) -> str:
    """The nonce of the reply to a message: the same for every attempt (at most 25 characters)."""
    return f"re{message_id}"


async def setup(bot: NewsBot) -> None:
    """Load the extension."""
    await bot.add_cog(Ask(bot))
