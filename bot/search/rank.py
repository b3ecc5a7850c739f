"""Scoring candidate snippets against a question: the rules, each a small named function."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz

from bot.archive import SnippetHit
from bot.search.question import Question
from bot.search.text import tokens

KIND_WEIGHT = {"key_point": 1.0, "summary": 0.9, "body": 0.8, "title": 0.55}
_AMOUNT = re.compile(r"[$£€¥]\s?\d|\d[\d,.]*\s?(?:%|percent|million|billion|trillion|bn|m\b)", re.I)
_NUMBER = re.compile(r"\d")
_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b(?:19|20)\d\d\b"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(?:next|last) (?:week|month|year)\b",
    re.I,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+")
_CAPITALISED = re.compile(r"(?<!^)\b[A-Z][A-Za-z0-9&.-]+")
_DEPENDENT_START = re.compile(
    r"^(?:it|he|she|they|this|that|these|those|its|his|her|their|the company|the firm|the move"
    r"|the deal|the decision)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class TermGroup:
    """One question word with the archive words that stand for it, and its weight (idf)."""

    word: str
    forms: frozenset[str]
    weight: float


@dataclass(slots=True)
class Scored:
    """A candidate snippet with its score and the parts that made it (for tuning and tests)."""

    hit: SnippetHit
    score: float
    coverage: float
    matched: frozenset[str]


def idf(documents: int, total: int) -> float:
    """Inverse document frequency, never negative."""
    return math.log(1 + (total - documents + 0.5) / (documents + 0.5))


def coverage(groups: list[TermGroup], words: set[str]) -> tuple[float, frozenset[str]]:
    """The idf-weighted share of question words a text contains, and which ones."""
    total = sum(g.weight for g in groups) or 1.0
    matched = frozenset(g.word for g in groups if g.forms & words)
    return sum(g.weight for g in groups if g.word in matched) / total, matched


def intent_bonus(question: Question, text: str) -> float:
    """A snippet that holds the kind of thing asked for (an amount, a date, a name) scores more."""
    if question.intent == "amount":
        return 1.0 if _AMOUNT.search(text) else 0.0
    if question.intent == "count":
        return 1.0 if _NUMBER.search(text) else 0.0
    if question.intent == "date":
        return 1.0 if _DATE.search(text) else 0.0
    if question.intent in ("person", "name", "place"):
        return 1.0 if _novel_names(question, text) else 0.0
    return 0.0


def _novel_names(question: Question, text: str) -> bool:
    asked = set(question.words)
    pattern = _NAME if question.intent == "person" else _CAPITALISED
    return any(not set(tokens(m.group(0))) <= asked for m in pattern.finditer(text))


def recency(sort_at: str, now: datetime, half_life_days: float) -> float:
    """1 for an article from now, halving every ``half_life_days`` before it."""
    age = (now - datetime.fromisoformat(sort_at)).total_seconds() / 86400
    return 0.5 ** (max(age, 0.0) / half_life_days)


def needs_context(text: str) -> bool:
    """Whether a sentence leans on the one before it ("It said the cuts...")."""
    return bool(_DEPENDENT_START.match(text))


def fuzzy_similarity(question: Question, text: str) -> float:
    """rapidfuzz similarity of the question's words and the snippet, 0..1."""
    return fuzz.token_set_ratio(" ".join(question.words), text, processor=str.lower) / 100
