"""Sentence splitting tuned for news prose: abbreviations, initials, decimals and quotes."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "inc",
        "ltd",
        "co",
        "corp",
        "bros",
        "vs",
        "etc",
        "al",
        "approx",
        "est",
        "dept",
        "gov",
        "gen",
        "sen",
        "rep",
        "rev",
        "sgt",
        "capt",
        "lt",
        "col",
        "maj",
        "no",
        "nos",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "d.c",
        "n.y",
        "l.a",
    ]
)
# The stop is matched rather than looked behind for: a pattern that starts with a character set
# lets the regex engine skip ahead to the next stop instead of trying every position.
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9$£€])""")


def _ends_with_abbreviation(text: str) -> bool:
    last_word = text.rsplit(None, 1)[-1].rstrip(".").lower().lstrip("(\"'“")
    if last_word in _ABBREVIATIONS:
        return True
    # Initials such as "J." or "U.S." in the middle of a name.
    return len(last_word) == 1 and last_word.isalpha()


def _split_normalised(text: str) -> list[str]:
    """:func:`split_sentences` for a paragraph whose whitespace is already normalised."""
    sentences: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        end = boundary.start() + 1  # just after the stop
        # Only the last word decides; looking at a short window keeps long paragraphs linear.
        # A "!" or "?" always ends a sentence: no abbreviation ends with one.
        if text[end - 1] == "." and _ends_with_abbreviation(text[max(start, end - 24) : end]):
            continue
        sentences.append(text[start : boundary.end()].strip())
        start = boundary.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping each sentence's own punctuation."""
    return _split_normalised(" ".join(text.split()))


def split_paragraphs(text: str) -> list[str]:
    """Split text into non-empty paragraphs (separated by line breaks), whitespace normalised."""
    return [" ".join(line.split()) for line in text.splitlines() if line and not line.isspace()]


def split_text(text: str) -> list[str]:
    """Every sentence of a text, paragraph by paragraph (a line break always ends a sentence)."""
    return sentences_of(split_paragraphs(text))


def sentences_of(paragraphs: Iterable[str]) -> list[str]:
    """Every sentence of paragraphs whose whitespace is normalised (as ``split_paragraphs``
    gives them)."""
    return [sentence for paragraph in paragraphs for sentence in _split_normalised(paragraph)]
