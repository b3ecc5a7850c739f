"""Words: tokenising questions and snippets the same way, stop words, figures and names."""

from __future__ import annotations

import re
import unicodedata

from bot.words import split_words

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_POSSESSIVE = re.compile(r"(?<=[^\W_])['’]s\b")

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
    # Only the non-ASCII characters (a few per sentence) are looked at for combining marks.
    return _NON_ASCII.sub(_drop_combining, decomposed)


def same_text_key(text: str) -> str:
    """What two copies of one text have in common: case and spacing set aside."""
    return " ".join(text.casefold().split())


def _drop_combining(match: re.Match[str]) -> str:
    char = match.group(0)
    return "" if unicodedata.combining(char) else char


def tokens(text: str) -> list[str]:
    """The words of a text, folded, possessives dropped ("Nvidia's" -> "nvidia"); other
    apostrophes split a word, as in the full-text index ("don't" -> "don", "t"). A name with
    symbols is one word ("c++", ".net", "at&t"), as alerts and /latest read it
    (``bot.words``)."""
    folded = fold(text)
    if "'" in folded or "’" in folded:
        folded = _POSSESSIVE.sub("", folded)
    return split_words(folded)


def content_words(text: str) -> list[str]:
    """Tokens that carry meaning: no stop words, no one-letter words (numbers kept)."""
    return [t for t in tokens(text) if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]
