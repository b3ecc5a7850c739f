"""What the engine returns: an answer with its cited snippets, as plain data (JSON-ready)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a question: the moment it is asked, outlets, and a time window."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    sources: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """One quoted snippet and the article it comes from."""

    text: str
    title: str
    source: str | None
    published_at: str | None  # ISO 8601 UTC date-time, or None when the article has no date
    url: str | None
    score: float
    article_id: int
    kind: str
    context: str | None = None  # the sentence before, when the snippet needs it to stand alone


@dataclass(frozen=True, slots=True)
class Headline:
    """An article offered instead of an answer when the engine abstains."""

    title: str
    source: str | None
    published_at: str | None
    url: str | None
    article_id: int


@dataclass(frozen=True, slots=True)
class Answer:
    """The engine's reply to one question."""

    question: str
    answered: bool
    text: str
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)
    searched_terms: list[str] = field(default_factory=list)
    message: str | None = None  # why there is no answer (empty question, nothing found...)

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON-ready data (what ``newsbot ask --json`` prints)."""
        return asdict(self)

    def sources(self) -> tuple[list[int], list[Citation]]:
        """Each citation's source number (from 1), and the sources so numbered: one citation
        per article, in the order first cited (two quotes of one article share a source)."""
        numbers: dict[int, int] = {}
        firsts: list[Citation] = []
        for citation in self.citations:
            if citation.article_id not in numbers:
                firsts.append(citation)
                numbers[citation.article_id] = len(firsts)
        return [numbers[c.article_id] for c in self.citations], firsts
