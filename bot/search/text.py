"""Words: tokenising questions and snippets the same way, stop words, figures and names."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")
_APOSTROPHE = re.compile(r"['’]")

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "know",
        "let",
        "like",
        "me",
        "more",
        "most",
        "much",
        "my",
        "myself",
        "new",
        "news",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "really",
        "said",
        "say",
        "says",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "tell",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "week",
        "weeks",
        "month",
        "year",
        "years",
        "today",
        "yesterday",
        "tomorrow",
        "recently",
        "latest",
        "last",
        "next",
        "ago",
        "happened",
        "happening",
        "going",
        "announced",
        "announce",
        "report",
        "reported",
        "reportedly",
        "according",
    ]
)
QUESTION_WORDS = frozenset(["what", "when", "where", "which", "who", "whom", "whose", "why", "how"])


def fold(text: str) -> str:
    """Lower-case and strip accents, the way the full-text index does."""
    if text.isascii():  # most text: nothing to decompose (and this is the hot path)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """The words of a text, folded, possessives dropped ("Nvidia's" -> "nvidia")."""
    folded = fold(text)
    words = _TOKEN.findall(folded)
    if "'" not in folded and "’" not in folded:
        return words
    split = []
    for word in words:
        if "'" in word or "’" in word:
            word = _POSSESSIVE.sub("", word)
            split.extend(part for part in _APOSTROPHE.split(word) if part)
        else:
            split.append(word)
    return split


def content_words(text: str) -> list[str]:
    """Tokens that carry meaning: no stop words, no one-letter words (numbers kept)."""
    return [t for t in tokens(text) if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]
