"""Every message the bot sends is built here: embeds within Discord's limits, no stray mentions.

Discord limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits):
message content 2,000; embed title 256, description 4,096, field name 256, field value 1,024,
footer 2,048, author 256, 25 fields, 6,000 characters across an embed; link buttons: label 80,
URL 512, five to a row.

Text from articles and from users is untrusted: it is put on one line, its Markdown escaped where
Discord renders Markdown (bare links left whole, so that they still work), its mentions defused
(``@everyone``, ``<@id>`` and ``<@&id>`` become inert text), and it is cut at a word boundary
with an ellipsis when it is too long. Links are re-encoded so that they can neither break out of
a Markdown link nor carry a mention.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

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
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
BUTTON_LABEL_LIMIT = 80
BUTTON_URL_LIMIT = 512
SOURCE_BUTTONS = 5  # one row of link buttons; every source is listed in the embed anyway
QUOTE_LIMIT = 900
COLOUR = discord.Colour.from_rgb(88, 101, 242)
QUIET_COLOUR = discord.Colour.light_grey()
# A zero-width space after "@" or "<" keeps text from being read as a mention anywhere.
_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")
_MARKDOWN = re.compile(r"([\\*_~|`\[\]])")
# A bare link as Discord autolinks it (discord.utils' URL pattern): http(s)://, then at least two
# characters, none of them whitespace (as JavaScript reads it: U+FEFF too) or "<", the last not
# punctuation. Discord shows such a link verbatim, backslashes included, so the "*", "_" and "~"
# in it are left alone. The run stops before the characters escaped everywhere ([ ] \ ` |): no
# masked link or spoiler can be made with the help of a link.
_NOT_IN_LINK = r"\s\ufeff<\[\]\\`|"
_BARE_LINK = re.compile(rf"https?://[^{_NOT_IN_LINK}]+[^{_NOT_IN_LINK}.,:;\"')]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
# Characters kept as they are in a link's path, query and fragment; everything else
# (spaces, brackets, parentheses, "<", ">", "@", quotes, non-ASCII) is percent-encoded.
_URL_SAFE = "/%:=&?+,;!$'-._~"


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
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rstrip().rfind(" ")]
    return cut.rstrip(" ,.;:-\\") + "…"


def safe(text: str, limit: int) -> str:
    """Text ready to quote in Discord: mentions defused, then cut to the limit."""
    return shorten(defuse_mentions(text), limit)


def one_line(text: str) -> str:
    """``text`` without control characters, its runs of whitespace (newlines too) one space."""
    return " ".join(_CONTROL.sub("", text).split())


def escape_markdown(text: str) -> str:
    """Backslash-escape the characters that would format text (or open a link) in Discord.

    Bare http(s) links are kept as they are (Discord links them whole, so an escape in one would
    end up in the address), except that "[", "]", "\\", "`" and "|" are escaped everywhere.
    """
    escaped, start = [], 0
    for link in _BARE_LINK.finditer(text):
        escaped += [_MARKDOWN.sub(r"\\\1", text[start : link.start()]), link.group()]
        start = link.end()
    escaped.append(_MARKDOWN.sub(r"\\\1", text[start:]))
    return "".join(escaped)


def quoted(text: str, limit: int) -> str:
    """Untrusted text for a place that renders Markdown (a description, a field, an embed's
    title: "__init__" would be underlined there): one line, escaped, inert, cut."""
    return shorten(defuse_mentions(escape_markdown(one_line(text))), limit)


def inert(text: str, limit: int) -> str:
    """Untrusted text for a place that shows it verbatim (footers, button labels)."""
    return shorten(defuse_mentions(one_line(text)), limit)


def link_url(url: str | None) -> str | None:
    """``url`` made safe for a Markdown link and a link button, or None if it is not usable.

    Only absolute http(s) URLs are kept; user info is dropped, the host must be a plain (IDNA)
    name or an IP address, and the rest is percent-encoded so that ``)``, spaces or ``@`` cannot
    end the link early or form a mention. URLs longer than a button allows are dropped.
    """
    if not url:
        return None
    try:
        parts = urlsplit(one_line(url))
        host, port = parts.hostname, parts.port
        host = host.encode("idna").decode("ascii") if host else None
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if not _HOST.fullmatch(host):
        return None
    link = f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")
    link += quote(parts.path, safe=_URL_SAFE) or "/"
    if parts.query:
        link += "?" + quote(parts.query, safe=_URL_SAFE)
    if parts.fragment:
        link += "#" + quote(parts.fragment, safe=_URL_SAFE)
    return link if len(link) <= BUTTON_URL_LIMIT else None


def _date(value: str | None) -> str:
    match = _ISO_DATE.match(value or "")
    return match.group() if match else "undated"


def _linked(title: str, url: str | None, limit: int) -> str:
    """A title as Markdown link text, linked when the URL is usable."""
    text = quoted(title, limit) or "untitled"
    link = link_url(url)
    return f"[{text}]({link})" if link else text


def _outlet(source: str | None) -> str:
    return quoted(source or "", 80) or "unknown outlet"


def join_within(lines: Sequence[str], limit: int) -> str:
    """As many whole lines as fit in ``limit`` characters, then how many were left out."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    kept = fitting(lines, limit - len("\n…and 0000000 more"))
    if not kept:
        return shorten(text, limit)
    return "\n".join(lines[:kept]) + f"\n…and {len(lines) - kept} more"


def fitting(lines: Sequence[str], limit: int) -> int:
    """How many of the first ``lines``, joined by newlines, fit in ``limit`` characters."""
    size = -1
    for count, line in enumerate(lines):
        size += 1 + len(line)
        if size > limit:
            return count
    return len(lines)


def _citation_line(number: int, citation: Citation) -> str:
    linked = _linked(citation.title, citation.url, 200)
    return f"**{number}.** {linked} — {_outlet(citation.source)}, {_date(citation.published_at)}"


def confidence_label(confidence: float) -> str:
    """How sure the match is, in words."""
    if confidence >= 0.85:
        return "high"
    if confidence >= 0.65:
        return "medium"
    return "low"


def answer_message(answer: Answer, asked: str | None = None) -> dict[str, object]:
    """The reply to a question: the answer embed and, when sources have links, their buttons.

    ``asked`` is the question as the user typed it (echoed, inert); it defaults to the text the
    engine was given.
    """
    reply: dict[str, object] = {"embed": answer_embed(answer, asked)}
    if answer.answered and (view := source_buttons(answer.sources()[1])):
        reply["view"] = view
    return reply


def answer_embed(answer: Answer, asked: str | None = None) -> discord.Embed:
    """One embed for an answer: quotes with numbered sources, or a clear 'not in the archive'."""
    if not answer.answered:
        return not_found_embed(answer)
    numbers, sources = answer.sources()
    quotes = []
    for number, citation in zip(numbers, answer.citations, strict=True):
        quote_text = f"{citation.context} {citation.text}" if citation.context else citation.text
        quotes.append(f"> {quoted(quote_text, QUOTE_LIMIT)} **[{number}]**")
    if not quotes:
        quotes.append(f"> {quoted(answer.text, QUOTE_LIMIT)}")
    embed = discord.Embed(
        title=quoted(asked if asked is not None else answer.question, TITLE_LIMIT) or "Answer",
        description=join_within(quotes, DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    if sources:
        lines = [_citation_line(n, c) for n, c in enumerate(sources, start=1)]
        embed.add_field(name="Sources", value=join_within(lines, FIELD_VALUE_LIMIT), inline=False)
    confidence = answer.confidence if math.isfinite(answer.confidence) else 0.0
    confidence = min(max(confidence, 0.0), 1.0)
    embed.set_footer(
        text=f"Match confidence: {confidence_label(confidence)} ({confidence:.0%}) · "
        "quoted from the archive's articles"
    )
    return fit(embed)


def embed_as_text(embed: discord.Embed, limit: int = CONTENT_LIMIT) -> str:
    """An embed as one plain message, for where the bot may not post embeds (no Embed Links:
    Discord refuses a bot's embed-only message there): the title in bold, the description, each
    field's name in bold over its value, and the footer in small print, within ``limit``.

    The description's last lines give way to the rest, so that an answer keeps its sources.
    """
    head = [f"**{one_line(embed.title)}**"] if embed.title else []  # (escaped as a title)
    tail = []
    for field in embed.fields:
        tail += [f"**{escape_markdown(one_line(field.name or ''))}**", field.value or ""]
    if embed.footer.text:
        tail.append(f"-# {escape_markdown(one_line(embed.footer.text))}")
    room = limit - len("\n".join(head + tail)) - 2  # the newlines around the description
    lines = (embed.description or "").splitlines()
    body = join_within(lines, room) if lines and room > 0 else ""
    return shorten("\n".join([*head, *([body] if body else []), *tail]), limit)


def not_found_embed(answer: Answer) -> discord.Embed:
    """The reply when the archive does not hold the answer (or the question can't be searched):
    why, what was searched, the closest headlines, and a pointer to ``/latest``."""
    head = [quoted(answer.message or "The archive has no article that answers this.", 500)]
    if answer.searched_terms:
        head.append(f"Searched for: {quoted(', '.join(answer.searched_terms), 500)}")
    tail = "\nTry `/latest` to see the newest articles in the archive."
    headlines = [
        f"• {_linked(h.title, h.url, 200)} — {_outlet(h.source)}, {_date(h.published_at)}"
        for h in answer.headlines
    ]
    text = "\n".join(head)
    if headlines:
        budget = DESCRIPTION_LIMIT - len(text) - len(tail) - len("\n\nClosest headlines:\n")
        text += "\n\nClosest headlines:\n" + join_within(headlines, budget)
    embed = discord.Embed(
        title="Not in the archive", description=text + "\n" + tail, colour=QUIET_COLOUR
    )
    return fit(embed)


def source_buttons(sources: Sequence[Citation]) -> discord.ui.View | None:
    """Link buttons to the cited articles (``Answer.sources``, those with a usable link),
    numbered like the sources.

    At most one row; a second article at the same link gets no second button.
    """
    view = discord.ui.View(timeout=None)
    seen: set[str] = set()
    for number, citation in enumerate(sources, start=1):
        url = link_url(citation.url)
        if url is None or url in seen:
            continue
        seen.add(url)
        label = inert(f"{number}. {one_line(citation.source or '') or 'Article'}", 80)
        view.add_item(discord.ui.Button(label=label, url=url))
        if len(view.children) == SOURCE_BUTTONS:
            break
    return view if view.children else None


def headlines_embed(
    articles: Sequence[StoredArticle],
    heading: str,
    *,
    topic: str | None = None,
    source: str | None = None,
) -> discord.Embed:
    """A list of headlines (for /latest), newest first, each with outlet, date and link; when
    none match, which of the filters (``topic``, ``source``) to change."""
    embed = discord.Embed(title=quoted(heading, TITLE_LIMIT) or "Latest headlines", colour=COLOUR)
    if not articles:
        embed.description = _no_headlines(topic, source)
        return fit(embed)
    blocks = []
    for article in articles:
        block = f"**{_linked(article.title, article.url, 200)}**\n"
        block += f"{_outlet(article.source)} · {article.date_label}"
        if article.key_points:
            block += f"\n> {quoted(article.key_points[0], 300)}"
        blocks.append(block)
    embed.description = join_within(blocks, DESCRIPTION_LIMIT)
    return fit(embed)


def _no_headlines(topic: str | None, source: str | None) -> str:
    """What /latest says when nothing matches: which of its filters to change."""
    about = f"about **{quoted(topic, 100)}**" if topic else ""
    outlet = f"from an outlet named like **{quoted(source, 100)}**" if source else ""
    if topic and source:
        return f"No articles {about} {outlet}. Try another topic or outlet, or `/latest` alone."
    if topic:
        return f"No articles {about}. Try another topic, or `/latest` with no topic."
    if source:
        return f"No articles {outlet}. Pick an outlet `source:` suggests, or leave it out."
    return "The archive holds no articles yet."


def fit(embed: discord.Embed) -> discord.Embed:
    """Cut an embed's parts to Discord's limits, then its description (and, if that is not
    enough, its last fields) until the total fits."""
    if embed.title:
        embed.title = shorten(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = shorten(embed.description, DESCRIPTION_LIMIT)
    if embed.author.name:
        embed.set_author(
            name=shorten(embed.author.name, AUTHOR_LIMIT),
            url=embed.author.url,
            icon_url=embed.author.icon_url,
        )
    while len(embed.fields) > FIELD_COUNT_LIMIT:
        embed.remove_field(-1)
    for index, field in enumerate(embed.fields):
        embed.set_field_at(
            index,
            name=shorten(field.name or "", FIELD_NAME_LIMIT) or "\u200b",
            value=shorten(field.value or "", FIELD_VALUE_LIMIT) or "\u200b",
            inline=bool(field.inline),
        )
    if embed.footer.text:
        embed.set_footer(
            text=shorten(embed.footer.text, FOOTER_LIMIT), icon_url=embed.footer.icon_url
        )
    overflow = len(embed) - EMBED_TOTAL_LIMIT
    if overflow > 0 and embed.description:
        embed.description = shorten(embed.description, max(len(embed.description) - overflow, 1))
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(-1)
    overflow = len(embed) - EMBED_TOTAL_LIMIT
    if overflow > 0 and embed.footer.text:
        embed.set_footer(text=shorten(embed.footer.text, max(len(embed.footer.text) - overflow, 1)))
    return embed


def plain(text: str) -> str:
    """A short plain-text reply, mention-safe and within the message limit."""
    return safe(text, CONTENT_LIMIT)


def alert_message(
    items: Sequence[tuple[StoredArticle, str, list[str], int | None]],
) -> tuple[dict[str, object], int]:
    """One alert message for a channel: a single article, or a digest of several; and how many
    of ``items`` (the first ones) it shows. A digest shows as many as fit in full: the caller
    sends the rest in a later message, so that none is lost to "…and 2 more".

    ``items`` are (article, subscribed topic, matched words, the subscription's role or None).
    Each article is cited with its title, link, outlet and date, and the words that matched are
    named. The roles of the articles shown are the only mentions the message allows (and the
    only ones in it).
    """
    lines = [
        f"**{_linked(article.title, article.url, 200)}**\n"
        f"{_outlet(article.source)} · {article.date_label} · "
        f"matched {_words(words)} ({quoted(topic, 100)})"
        for article, topic, words, _ in items
    ]
    # (One line always fits: its parts are capped well below the limit.)
    items = items[: max(fitting(lines, DESCRIPTION_LIMIT), 1)]
    roles = list(dict.fromkeys(role for *_, role in items if role))
    content = " ".join(f"<@&{role}>" for role in roles)
    if len(items) == 1:
        article, topic, words, _ = items[0]
        embed = discord.Embed(
            title=quoted(article.title, TITLE_LIMIT) or "untitled",
            url=link_url(article.url),
            colour=COLOUR,
        )
        lines = []
        if article.key_points:
            lines.append(f"> {quoted(article.key_points[0], QUOTE_LIMIT)}")
        elif article.summary:
            lines.append(f"> {quoted(article.summary, QUOTE_LIMIT)}")
        lines.append(f"Matched {_words(words)} for topic **{quoted(topic, 100)}**")
        embed.description = "\n".join(lines)
        embed.set_footer(
            text=f"{inert(article.source or '', 80) or 'unknown outlet'} · {article.date_label}"
        )
    else:
        topics = ", ".join(dict.fromkeys(topic for _, topic, _, _ in items))
        embed = discord.Embed(
            title=quoted(f"{len(items)} new articles on {topics}", TITLE_LIMIT), colour=COLOUR
        )
        embed.description = "\n".join(lines[: len(items)])
    return _alert(content or None, fit(embed), roles), len(items)


def alert_to_json(message: dict[str, object]) -> str:
    """An alert message (as :func:`alert_message` gives it) as JSON, to store with its batch."""
    embed = message["embed"]
    allowed = message["allowed_mentions"]
    assert isinstance(embed, discord.Embed) and isinstance(allowed, discord.AllowedMentions)
    roles = [role.id for role in allowed.roles] if isinstance(allowed.roles, list) else []
    return json.dumps({"content": message["content"], "embed": embed.to_dict(), "roles": roles})


def alert_from_json(stored: str) -> dict[str, object]:
    """The keyword arguments of ``send`` for an alert stored by :func:`alert_to_json`."""
    message = json.loads(stored)
    return _alert(message["content"], discord.Embed.from_dict(message["embed"]), message["roles"])


def _alert(content: str | None, embed: discord.Embed, roles: Sequence[int]) -> dict[str, object]:
    """An alert's ``send`` arguments: it may mention its roles and nobody else."""
    return {
        "content": content,
        "embed": embed,
        "allowed_mentions": discord.AllowedMentions(
            everyone=False,
            users=False,
            replied_user=False,
            roles=[discord.Object(role) for role in roles],
        ),
    }


def _words(words: Sequence[str]) -> str:
    return ", ".join(f"“{quoted(word, 60)}”" for word in words[:5])


def subscriptions_embeds(
    subscriptions: Sequence[Subscription], *, everywhere: bool
) -> list[discord.Embed]:
    """A channel's (or a server's) subscriptions, with why any of them is paused, in as many
    embeds as it takes, each for a message of its own (Discord allows 6,000 characters across a
    message's embeds): every subscription is listed, even at the caps, none left to "…and 26
    more". They are grouped by channel, and a pause reason is said once for its channel, which
    is paused as a whole."""
    title = "Subscriptions in this server" if everywhere else "Subscriptions in this channel"
    groups = []
    # (A stable sort: the topics stay in order within each channel and pause reason.)
    ordered = sorted(subscriptions, key=lambda s: (s.channel_id, s.paused_reason or ""))
    for (channel_id, reason), group in itertools.groupby(
        ordered, key=lambda s: (s.channel_id, s.paused_reason)
    ):
        heading = [f"<#{channel_id}>"] if everywhere else []
        if reason:
            heading.append(f"⏸ paused: {quoted(reason, 300)}")
        groups.append((heading, [_subscription_line(s) for s in group]))
    return _paged_embeds(title, groups, empty="None yet. Add one with `/subscribe topic:…`.")


def _paged_embeds(
    title: str, groups: Sequence[tuple[list[str], list[str]]], *, empty: str
) -> list[discord.Embed]:
    """Groups of lines as embeds of one page each (see :func:`_pages`), numbered when several;
    one embed saying ``empty`` when there are none."""
    pages = _pages(groups, DESCRIPTION_LIMIT) if groups else [empty]
    return [
        fit(
            discord.Embed(
                title=f"{title} ({n}/{len(pages)})" if len(pages) > 1 else title,
                description=page,
                colour=COLOUR,
            )
        )
        for n, page in enumerate(pages, 1)
    ]


def _subscription_line(subscription: Subscription) -> str:
    line = f"**{quoted(subscription.topic, 100)}**"
    if subscription.role_id:
        line += f" · mentions <@&{subscription.role_id}>"
    if subscription.exclude:
        line += f" · except {quoted(subscription.exclude, 300)}"  # 200 typed, ", " separators
    return line


def _pages(groups: Sequence[tuple[list[str], list[str]]], limit: int) -> list[str]:
    """Groups of lines (a heading, then items) as pages of at most ``limit`` characters, cut
    between items; a group continued on a new page has its heading again, so that each page
    says which channel its items are in. (An item and its heading fit well within a page.)"""
    pages: list[list[str]] = [[]]
    size = 0
    for heading, items in groups:
        headed = False  # whether the current page has this group's heading yet
        for item in items:
            lines = [item] if headed else [*heading, item]
            added = len("\n".join(lines)) + (1 if pages[-1] else 0)
            if pages[-1] and size + added > limit:
                pages.append([])
                lines = [*heading, item]
                added = len("\n".join(lines))
                size = 0
            pages[-1] += lines
            size += added
            headed = True
    return ["\n".join(page) for page in pages]


def feeds_embeds(feeds: Sequence[Feed]) -> list[discord.Embed]:
    """A server's feeds with their polling state: healthy, failing (and when it is retried), or
    disabled and why; in as many embeds as it takes, each for a message of its own (as
    :func:`subscriptions_embeds`), so that every feed is listed even at the cap."""
    title = "Feeds followed by this server"
    blocks = []
    for feed in feeds:
        name = quoted(feed.title or "", 200) or "untitled feed"
        if feed.disabled_reason:
            state = f"⛔ {quoted(feed.disabled_reason, 400)}"
        elif feed.last_error:
            times = f" ({feed.failures}x)" if feed.failures else ""  # (0: the archive's fault)
            state = (
                f"⚠ failing{times}: {quoted(feed.last_error, 300)}; "
                f"next try {_when(feed.next_poll_at)}"
            )
        else:
            state = f"✅ last polled {_when(feed.last_polled_at)}"
        blocks.append(f"**{name}**\n{quoted(feed.url, 300)}\n{state}")
    groups = [([], [block]) for block in blocks]
    return _paged_embeds(title, groups, empty="None yet. Add one with `/feeds add url:…`.")


def _when(iso: str | None) -> str:
    """A stored ISO time as a Discord timestamp ("3 minutes ago", in each reader's zone)."""
    if not iso:
        return "not yet"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return quoted(iso, 40)
    return discord.utils.format_dt(moment if moment.tzinfo else moment.replace(tzinfo=UTC), "R")
