"""Helpers for driving the real NewsBot through the fake Discord."""

from __future__ import annotations

import re
from typing import Any

from bot.chat.bot import NewsBot
from bot.settings import Settings
from tests.fakes import FakeDiscord, SentMessage

# A token that would be easy to spot in a log; the fake accepts only this one.
TOKEN = "MTA5.newsbot-test-token.c2VjcmV0LXRva2Vu"
SEED_QUESTION = "how much is Meta spending on AI?"
SEED_TITLE = "Meta Enters Cloud Business to Monetize AI Investments"
SEED_FIGURE = "$600 billion"
ACTIVE_MENTION = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>")


def new_bot(settings: Settings, **options: Any) -> NewsBot:
    """The real bot, without discord.py's 2 s wait for more guilds after READY."""
    options.setdefault("guild_ready_timeout", 0.05)
    return NewsBot(settings, **options)


async def reply_to(fake: FakeDiscord, incoming: dict[str, Any]) -> SentMessage:
    """The bot's message replying to ``incoming`` (a message the fake sent on a user's behalf)."""

    def found() -> SentMessage | None:
        for message in fake.messages:
            reference = message.payload.get("message_reference") or {}
            if str(reference.get("message_id")) == str(incoming["id"]):
                return message
        return None

    return await fake.wait_for(found, timeout=5.0, what=f"a reply to {incoming['id']}")


async def ask_by_mention(fake: FakeDiscord, question: str, **options: Any) -> SentMessage:
    """Mention the bot with ``question`` in the default channel and wait for its reply."""
    incoming = await fake.send_message(f"{fake.bot_user.mention} {question}", **options)
    return await reply_to(fake, incoming)


def embed_text(message: SentMessage | dict[str, Any]) -> str:
    """Every piece of text a user sees in a message: content, embeds, button labels."""
    data = message.message if isinstance(message, SentMessage) else message
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f.get('name')}\n{f.get('value')}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text") or "")
    for row in data.get("components") or []:
        parts += [c.get("label") or "" for c in row.get("components") or []]
    return "\n".join(parts)


def link_buttons(message: SentMessage) -> list[dict[str, Any]]:
    """The link buttons under a message."""
    return [c for row in message.components for c in row.get("components") or []]
