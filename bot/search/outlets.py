"""Outlets named in a question ("what did The Verge say", "according to CNN")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.search.text import tokens

# A name counts as the outlet being asked about only next to one of these words: "founded
# CNN" or "Apple's TechCrunch Disrupt talk" is about something else.
_BEFORE = frozenset(["to", "by", "from", "in", "did", "does", "on", "at", "per", "via"])
_AFTER = frozenset(
    [
        "say",
        "said",
        "says",
        "report",
        "reported",
        "reports",
        "reporting",
        "article",
        "articles",
        "story",
        "stories",
        "piece",
        "coverage",
        "wrote",
        "writes",
        "write",
        "claim",
        "claims",
        "claimed",
        "suggest",
        "suggests",
        "noted",
        "notes",
    ]
)
_DOMAIN_END = re.compile(r"\.(?:com|org|net|co|co\.uk|uk|io|news|tv)$", re.I)


def outlet_names(source: str) -> list[list[str]]:
    """The ways a question may name an outlet: its name as words, and a domain's main label
    ("cnn.com" -> "cnn", "theweek.co.uk" -> "theweek")."""
    names = [tokens(source)]
    label = _DOMAIN_END.sub("", source.strip().removeprefix("www."))
    if label != source:
        names.append(tokens(label.rsplit(".", 1)[-1]))
    return [name for name in names if name]


def named_outlets(question: str, sources: Iterable[str]) -> list[str]:
    """The archive's outlets (lower-cased) that the question names as a source."""
    words = tokens(question)
    named = []
    for source in sources:
        if any(_attributed(words, name) for name in outlet_names(source)):
            named.append(source.casefold())
    return named


def _attributed(words: list[str], name: list[str]) -> bool:
    size = len(name)
    for start in range(len(words) - size + 1):
        if words[start : start + size] != name:
            continue
        before = words[start - 1] if start else ""
        after = words[start + size] if start + size < len(words) else ""
        if before in _BEFORE or after in _AFTER or not before:
            return True
    return False
