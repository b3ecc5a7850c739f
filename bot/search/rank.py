"""The ranking rules: each a small named function scoring one thing about a snippet, 0..1.

A snippet's score is the weighted sum of these (weights in :class:`RankConfig`); the engine
combines them in :func:`bot.search.scoring.score_snippets`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from rapidfuzz import fuzz

from bot.archive.index import SnippetRow
from bot.search.places import places_in
from bot.search.question import ROLE_NAMES, Question, defined_subject
from bot.search.terms import TermGroup
from bot.search.text import fold, tokens

# Key points are the article's own summary of its facts, so they count more than a sentence
# picked out of the body; a title names the story but rarely holds the answer.
KIND_WEIGHT = {"key_point": 1.0, "summary": 0.8, "body": 0.6, "title": 0.4}
# What the answer-type rule gives a sentence with a new name, against 1 for an amount or a
# date: nearly every sentence has a capitalised word, so it is weaker evidence.
NAME_EVIDENCE = 0.5
# Kinds whose snippets are consecutive sentences of the text, so a neighbour is context.
RUNNING_TEXT = frozenset({"summary", "body"})

_MAGNITUDE = r"(?:%|percent|million|billion|trillion|bn|mn|thousand|hundred)"
_AMOUNT = re.compile(
    rf"[$£€¥]\s?\d|\d[\d,.]*\s?{_MAGNITUDE}\b|\b\d[\d,.]*\s?(?:dollars|euros)\b", re.I
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|hundred|dozens?|hundreds|thousands|millions|half"
)
_COUNT = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}|\b(?:1[5-9]|20)\d\d\b"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:next|last|this) (?:week|month|year|spring|summer|fall|autumn|winter)\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
_PERSON = re.compile(r"\b[A-Z][a-z'’.-]+(?:\s+(?:[A-Z]\.\s*)?[A-Z][a-z'’-]+)+")
_PROPER = re.compile(r"(?<=\s)[A-Z][\w&'’.-]*|\b[A-Z]{2,}\b")
_DEPENDENT_START = re.compile(
    r"^(?:it|he|she|they|this|that|these|those|its|his|her|their|the company|the firm|the move"
    r"|the deal|the decision|the agency|the group|the report|the study)\b",
    re.I,
)


def kind_weight(kind: str) -> float:
    """Rule "key point beats body sentence": how much a snippet of this kind is worth."""
    return KIND_WEIGHT.get(kind, 0.5)


class Coverage:
    """Rule "the snippet says what was asked": the weighted share of question words a text
    holds (related words count less), and the indices of the groups it matched.

    A class so that the per-question constants are worked out once for all snippets.
    """

    def __init__(self, groups: Sequence[TermGroup], related_weight: float):
        self._weights = [g.weight for g in groups]
        self._total = sum(self._weights) or 1.0
        self._terms = [
            (i, g.forms, g.related, g.weight, related_weight * g.weight)
            for i, g in enumerate(groups)
        ]

    def __call__(self, words: set[str] | frozenset[str]) -> tuple[float, frozenset[int]]:
        """The share of the question's weight that ``words`` hold, and the groups matched."""
        got = 0.0
        matched = []
        for i, forms, related, weight, related_part in self._terms:
            if not words.isdisjoint(forms):
                got += weight
                matched.append(i)
            elif related and not words.isdisjoint(related):
                got += related_part
                matched.append(i)
        return got / self._total, frozenset(matched)

    def share(self, matched: Iterable[int]) -> float:
        """The share of the question's weight that these groups hold (each in full)."""
        return sum(self._weights[i] for i in matched) / self._total


def context_gain(
    coverage: Coverage,
    row: SnippetRow,
    running: Mapping[int, SnippetRow],
    word_sets: Mapping[int, set[str]],
    reach: int,
    own: float,
) -> float:
    """Rule "the passage says what was asked": the share of the question's (weighted) words
    that a sentence leaves to its neighbours, up to ``reach`` places around it in the same
    article (those that were fetched), i.e. its passage's coverage less its own (``own``).

    The sentence that holds the answer often leaves the story's names to the one before it
    ("It will spend $600 billion"); a sentence that says it all, or a title or key point
    (which stands alone), gains nothing.
    """
    if row.kind not in RUNNING_TEXT:
        return 0.0
    words = word_sets[row.id]
    window = set(words)
    for other in range(row.id - reach, row.id + reach + 1):
        near = running.get(other)
        if near is not None and near.article_id == row.article_id:
            window |= word_sets[other]
    if window == words:
        return 0.0
    return coverage(window)[0] - own


def intent_bonus(question: Question, text: str) -> float:
    """Rule "answer type": 1 when a snippet holds the kind of thing asked for — an amount for
    "how much", a number for "how many", a date for "when", a sentence that says what the
    subject is for "what is X?", the role at the organisation for "who is the CEO of X?"
    (``names_role``) — and ``NAME_EVIDENCE`` for a new name for other "who"/"which"."""
    intent = question.intent
    if question.role:
        return 1.0 if names_role(question.role, text) else 0.0
    if intent == "amount":
        return 1.0 if _AMOUNT.search(text) else 0.0
    if intent == "count":
        return 1.0 if _COUNT.search(text) else 0.0
    if intent == "year":
        return 1.0 if _YEAR.search(text) else 0.0
    if intent == "date":
        return 1.0 if _DATE.search(text) else 0.0
    if intent == "person":
        return NAME_EVIDENCE if _new_names(question, _PERSON.finditer(text)) else 0.0
    if intent in ("name", "place"):
        return NAME_EVIDENCE if _new_names(question, _PROPER.finditer(text)) else 0.0
    if intent == "definition":
        subject = defined_subject(question)
        return 1.0 if subject and _defines(subject).match(text) else 0.0
    return 0.0


def names_role(role: tuple[str, tuple[str, ...]], text: str) -> bool:
    """Whether a text names the holder of a role at an organisation the way news does: the
    role given to the organisation ("OpenAI CEO Sam Altman", "chief executive of OpenAI"), or
    to no one in a sentence about it ("Amazon cut 14,000 jobs, with CEO Andy Jassy calling
    ..."); not another's ("Scale AI CEO Alexandr Wang ... models from OpenAI")."""
    asked, organisation = role
    if organisation[0] not in tokens(text):
        return False
    for match in _role_named(asked).finditer(text):
        holder = match["after"] or match["before"]
        if holder is None or fold(holder) in organisation:
            return True
    return False


@functools.lru_cache(maxsize=16)
def _role_named(asked: str) -> re.Pattern[str]:
    """A role named in a text, with the name it is given to: the capitalised word just before
    it ("Scale AI CEO", "Meta's CEO"; not "The CEO") or after "of"/"at" ("CEO of the OpenAI
    board")."""
    return re.compile(
        r"(?:(?<![\w&.-])(?!(?:The|Its|Their|His|Her)\b)"
        r"(?P<before>[A-Z][\w&.-]*)(?:['’]s)?\s+)?"
        rf"\b(?i:{ROLE_NAMES[asked]})\b"
        r"(?:\s+(?:of|at)\s+(?:[Tt]he\s+)?(?P<after>[A-Z][\w&.-]*))?"
    )


@functools.lru_cache(maxsize=256)
def _defines(subject: str) -> re.Pattern[str]:
    """A sentence that opens by saying what ``subject`` is: "DeepSeek, a Hangzhou-based
    startup", "DeepSeek is", "The 1X Neo (a humanoid robot)"."""
    return re.compile(
        rf"\W*(?:the\s+)?{re.escape(subject)}(?:\s+(?:is|are|was|were)\b|\s*[,(])", re.I
    )


def place_answer(question: Question, words: Sequence[str]) -> float:
    """Rule "names the place asked for": 1 when a "where" / "which country" question meets a
    snippet naming a known place (bot.search.places) that the question does not name.

    Stronger than the intent rule's capitalised word, which nearly every sentence has."""
    if question.intent != "place":
        return 0.0
    return 1.0 if places_in(words) - question.places else 0.0


def _new_names(question: Question, matches: Iterable[re.Match[str]]) -> bool:
    """Whether a text names something the question does not (the likely answer)."""
    asked = question.asked
    for match in matches:
        name = match.group(0)
        if name.isascii() and name.isalpha():  # one plain word, as most names found are
            if name.lower() not in asked:
                return True
        elif not set(tokens(name)) <= asked:
            return True
    return False


def recency(timestamp: ArrayLike, now: float, half_life_days: float) -> Any:
    """Rule "recent first": 1 for an article from now, halving every ``half_life_days`` (for
    one timestamp or an array of them)."""
    age_days = np.maximum(np.subtract(now, timestamp), 0.0) / 86400
    return 0.5 ** (age_days / half_life_days)


class ArticleRelevance:
    """Rule "the whole article is about it": BM25 over an article's snippets (a word's count
    is how many of its snippets hold it), as a share of the best possible score.

    A class so that the per-question constants are worked out once for all articles.
    """

    def __init__(self, groups: Sequence[TermGroup], mean_snippets: float, *, k1: float, b: float):
        self._weights = np.array([g.weight for g in groups], dtype=np.float64)
        self._k1, self._b = k1, b
        self._mean = max(mean_snippets, 1.0)
        self._best = (float(self._weights.sum()) or 1.0) * (k1 + 1)

    def parts(self, groups: np.ndarray, matches: np.ndarray, snippets: np.ndarray) -> np.ndarray:
        """What each (article, word) pair adds to its article's relevance, given the word's
        group index, how many of the article's snippets hold it, and the article's size; an
        article's relevance is the sum of its pairs' parts."""
        norm = self._k1 * (1 - self._b + self._b * snippets / self._mean)
        return self._weights[groups] * matches / (matches + norm) * (self._k1 + 1) / self._best


def outlet_match(source: str | None, outlets: Sequence[str]) -> float:
    """Rule "what did <outlet> say": 1 for an article from an outlet named in the question."""
    if not source or not outlets:
        return 0.0
    folded = source.casefold()
    return 1.0 if any(outlet in folded for outlet in outlets) else 0.0


def fuzzy_similarity(query: str, text: str) -> float:
    """Rule "close wording": rapidfuzz similarity of the question's words and the snippet, 0..1.

    Token-set similarity ignores word order and the snippet's extra words, so a snippet that
    restates the question in its own order scores high.
    """
    return fuzz.token_set_ratio(query, text, processor=None) / 100


def needs_context(text: str) -> bool:
    """Whether a sentence leans on the one before it ("It said the cuts...")."""
    return bool(_DEPENDENT_START.match(text))


def squash(value: float) -> float:
    """Map a non-negative score to 0..1 (for confidence)."""
    return 1 - math.exp(-max(value, 0.0))
