"""Outlets named in a question ("what did The Verge say", "according to CNN")."""

from __future__ import annotations

import re
from collections import defaultdict
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


class Outlets:
    """The archive's outlets and the ways a question may name each, worked out once: a
    question is checked against every outlet (hundreds, with many feeds) by its own words."""

    def __init__(self, sources: Iterable[str]):
        self._sources = [source.casefold() for source in sorted(sources)]
        # The words of every outlet's name: a name in a question that is one of these is an
        # outlet, not a name the archive has never seen (see terms.unknown_name_share).
        self.words = frozenset(word for source in self._sources for word in tokens(source))
        self._by_first_word: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
        for at, source in enumerate(self._sources):
            for name in outlet_names(source):
                self._by_first_word[name[0]].append((at, name))

    def named(self, question: str) -> list[str]:
        """The outlets (lower-cased) that the question names as a source."""
        words = tokens(question)
        found = {
            at
            for start, word in enumerate(words)
            for at, name in self._by_first_word.get(word, ())
            if words[start : start + len(name)] == name and _attributed(words, start, len(name))
        }
        return [self._sources[at] for at in sorted(found)]


def _attributed(words: list[str], start: int, size: int) -> bool:
    """Whether the name at ``words[start : start + size]`` reads as a source ("according to
    CNN", "CNN reported", or the question's first words)."""
    before = words[start - 1] if start else ""
    after = words[start + size] if start + size < len(words) else ""
    return before in _BEFORE or after in _AFTER or not before
