"""Every message the bot sends is built here: embeds within Discord's limits, no stray mentions.

Discord limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
message content 2,000; embed title 256, description 4,096, field name 256, field value 1,024,
footer 2,048, author 256, 25 fields, 6,000 characters across an embed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot.archive.alerts import Subscription
from bot.archive.feeds import Feed
from bot.models import StoredArticle
from bot.search import Answer, Citation

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
BUTTON_LABEL_LIMIT = 80
COLOUR = discord.Colour.from_rgb(88, 101, 242)
QUIET_COLOUR = discord.Colour.light_grey()
# A zero-width space after "@" or "<" keeps text from being read as a mention anywhere.
_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")
_LINK_TEXT = re.compile(r"([\[\]])")


def defuse_mentions(text: str) -> str:
    """Make ``@everyone``, ``@here``, ``<@user>``, ``<@&role>`` and ``<#channel>`` inert text."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "@\u200b" + match.group(1)
        return f"<\u200b{match.group(2)}{match.group(3)}>"

    return _MENTION.sub(replace, text)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def safe(text: str, limit: int) -> str:
    """Text ready to quote in Discord: mentions defused, then cut to the limit."""
    return shorten(defuse_mentions(text), limit)


def _date(value: str | None) -> str:
    return value[:10] if value else "undated"


def _citation_line(number: int, citation: Citation) -> str:
    title = _LINK_TEXT.sub(r"\\\1", safe(citation.title, 200))
    linked = f"[{title}]({citation.url})" if citation.url else title
    outlet = safe(citation.source or "unknown outlet", 80)
    return f"**{number}.** {linked} — {outlet}, {_date(citation.published_at)}"


def confidence_label(confidence: float) -> str:
    """How sure the match is, in words."""
    if confidence >= 0.85:
        return "high"
    if confidence >= 0.65:
        return "medium"
    return "low"


def answer_embed(answer: Answer) -> discord.Embed:
    """One embed for an answer: quotes with numbered sources, or a clear 'not in the archive'."""
    if not answer.answered:
        return not_found_embed(answer)
    quotes = []
    for number, citation in enumerate(answer.citations, start=1):
        quote = f"{citation.context} {citation.text}" if citation.context else citation.text
        quotes.append(f"> {safe(quote, 900)} **[{number}]**")
    embed = discord.Embed(
        title=safe(answer.question, TITLE_LIMIT),
        description=shorten("\n".join(quotes), DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    sources = "\n".join(_citation_line(n, c) for n, c in enumerate(answer.citations, start=1))
    embed.add_field(name="Sources", value=shorten(sources, FIELD_VALUE_LIMIT), inline=False)
    embed.set_footer(
        text=f"Match confidence: {confidence_label(answer.confidence)} "
        f"({answer.confidence:.0%}) · quoted from the archive's articles"
    )
    return fit(embed)


def not_found_embed(answer: Answer) -> discord.Embed:
    """The reply when the archive does not hold the answer (or the question can't be searched)."""
    lines = [safe(answer.message or "The archive has no article that answers this.", 500)]
    if answer.searched_terms:
        lines.append(f"Searched for: {safe(', '.join(answer.searched_terms), 500)}")
    if answer.headlines:
        lines.append("\nClosest headlines:")
        for headline in answer.headlines:
            title = _LINK_TEXT.sub(r"\\\1", safe(headline.title, 200))
            linked = f"[{title}]({headline.url})" if headline.url else title
            outlet = safe(headline.source or "unknown outlet", 80)
            lines.append(f"• {linked} — {outlet}, {_date(headline.published_at)}")
    lines.append("\nTry `/latest` to see the newest articles in the archive.")
    embed = discord.Embed(
        title="Not in the archive",
        description=shorten("\n".join(lines), DESCRIPTION_LIMIT),
        colour=QUIET_COLOUR,
    )
    return fit(embed)


def source_buttons(citations: Sequence[Citation]) -> discord.ui.View | None:
    """Link buttons to the cited articles (those that have a link), numbered like the sources."""
    view = discord.ui.View(timeout=None)
    for number, citation in enumerate(citations, start=1):
        if citation.url and citation.url.startswith(("http://", "https://")):
            label = shorten(f"{number}. {citation.source or 'Article'}", BUTTON_LABEL_LIMIT)
            view.add_item(discord.ui.Button(label=label, url=citation.url))
    return view if view.children else None


def headlines_embed(articles: Sequence[StoredArticle], heading: str) -> discord.Embed:
    """A list of headlines (for /latest), newest first, each with outlet, date and link."""
    embed = discord.Embed(title=safe(heading, TITLE_LIMIT), colour=COLOUR)
    if not articles:
        embed.description = "No articles match. Try another topic, or `/latest` with no topic."
        return embed
    lines = []
    for article in articles:
        title = _LINK_TEXT.sub(r"\\\1", safe(article.title, 200))
        linked = f"[{title}]({article.url})" if article.url else title
        outlet = safe(article.source or "unknown outlet", 80)
        lines.append(f"**{linked}**\n{outlet} · {article.date.date().isoformat()}")
        if article.key_points:
            lines.append(f"> {safe(article.key_points[0], 300)}")
    embed.description = shorten("\n".join(lines), DESCRIPTION_LIMIT)
    return fit(embed)


def fit(embed: discord.Embed) -> discord.Embed:
    """Cut an embed's parts to Discord's limits, then its description until the total fits."""
    if embed.title:
        embed.title = shorten(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = shorten(embed.description, DESCRIPTION_LIMIT)
    for index, field in enumerate(embed.fields[:25]):
        embed.set_field_at(
            index,
            name=shorten(field.name or "\u200b", FIELD_NAME_LIMIT),
            value=shorten(field.value or "\u200b", FIELD_VALUE_LIMIT),
            inline=field.inline,
        )
    while len(embed.fields) > 25:
        embed.remove_field(-1)
    if embed.footer.text:
        embed.set_footer(text=shorten(embed.footer.text, FOOTER_LIMIT))
    overflow = len(embed) - EMBED_TOTAL_LIMIT
    if overflow > 0 and embed.description:
        embed.description = shorten(embed.description, max(len(embed.description) - overflow, 1))
    return embed


def plain(text: str) -> str:
    """A short plain-text reply, mention-safe and within the message limit."""
    return safe(text, CONTENT_LIMIT)


def alert_message(
    items: Sequence[tuple[StoredArticle, str, list[str]]], role_ids: Sequence[int]
) -> dict[str, object]:
    """One alert message for a channel: a single article, or a digest of several.

    ``items`` are (article, subscribed topic, matched words). The roles a subscription asked to
    ping are the only mentions the message allows.
    """
    roles = list(dict.fromkeys(role_ids))
    topics = list(dict.fromkeys(topic for _, topic, _ in items))
    content = " ".join(f"<@&{role}>" for role in roles)
    if len(items) == 1:
        article, topic, words = items[0]
        title = _LINK_TEXT.sub(r"\\\1", safe(article.title, TITLE_LIMIT))
        embed = discord.Embed(title=title, url=article.url or None, colour=COLOUR)
        lines = []
        if article.key_points:
            lines.append(f"> {safe(article.key_points[0], 900)}")
        elif article.summary:
            lines.append(f"> {safe(article.summary, 900)}")
        lines.append(f"Matched {_words(words)} for topic **{safe(topic, 100)}**")
        embed.description = shorten("\n".join(lines), DESCRIPTION_LIMIT)
        outlet = article.source or "unknown outlet"
        embed.set_footer(text=safe(f"{outlet} · {article.date.date().isoformat()}", 200))
    else:
        embed = discord.Embed(
            title=safe(f"{len(items)} new articles on {', '.join(topics)}", TITLE_LIMIT),
            colour=COLOUR,
        )
        lines = []
        for article, topic, words in items:
            title = _LINK_TEXT.sub(r"\\\1", safe(article.title, 200))
            linked = f"[{title}]({article.url})" if article.url else title
            outlet = safe(article.source or "unknown outlet", 80)
            lines.append(
                f"**{linked}**\n{outlet} · {article.date.date().isoformat()} · "
                f"matched {_words(words)} ({safe(topic, 100)})"
            )
        embed.description = shorten("\n".join(lines), DESCRIPTION_LIMIT)
    return {
        "content": content or None,
        "embed": fit(embed),
        "allowed_mentions": discord.AllowedMentions(
            everyone=False,
            users=False,
            replied_user=False,
            roles=[discord.Object(role) for role in roles],
        ),
    }


def _words(words: Sequence[str]) -> str:
    return ", ".join(f"“{safe(word, 60)}”" for word in words[:5])


def subscriptions_embed(
    subscriptions: Sequence[Subscription], *, everywhere: bool
) -> discord.Embed:
    """A channel's (or a server's) subscriptions, with why any of them is paused."""
    embed = discord.Embed(
        title="Subscriptions in this server" if everywhere else "Subscriptions in this channel",
        colour=COLOUR,
    )
    if not subscriptions:
        embed.description = "None yet. Add one with `/subscribe topic:…`."
        return embed
    lines = []
    for s in subscriptions:
        line = f"**{safe(s.topic, 100)}**"
        if everywhere:
            line += f" in <#{s.channel_id}>"
        if s.role_id:
            line += f" · mentions <@&{s.role_id}>"
        if s.exclude:
            line += f" · except {safe(s.exclude, 100)}"
        if s.paused_reason:
            line += f"\n⏸ paused: {safe(s.paused_reason, 200)}"
        lines.append(line)
    embed.description = shorten("\n".join(lines), DESCRIPTION_LIMIT)
    return fit(embed)


def feeds_embed(feeds: Sequence[Feed]) -> discord.Embed:
    """A server's feeds with their polling state."""
    embed = discord.Embed(title="Feeds followed by this server", colour=COLOUR)
    if not feeds:
        embed.description = "None yet. Add one with `/feeds add url:…`."
        return embed
    lines = []
    for feed in feeds:
        name = safe(feed.title or feed.url, 200)
        if feed.disabled_reason:
            state = f"⛔ {safe(feed.disabled_reason, 300)}"
        elif feed.last_error:
            state = f"⚠ failing ({feed.failures}x): {safe(feed.last_error, 300)}"
        else:
            state = f"✅ last polled {feed.last_polled_at or 'not yet'}"
        lines.append(f"**{name}**\n{safe(feed.url, 300)}\n{state}")
    embed.description = shorten("\n".join(lines), DESCRIPTION_LIMIT)
    return fit(embed)
