"""Scoring helpers shared by the benchmarks: answer normalisation, matching, rates, percentiles."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
_SPACE = re.compile(r"\s+")


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def normalise_text(text: str) -> str:
    """Lower-case, curly quotes made straight, whitespace collapsed (RealTimeQA's README)."""
    return _SPACE.sub(" ", text.lower().translate(_QUOTES)).strip()


def normalise_answer(text: str) -> str:
    """As :func:`normalise_text`, and Unicode punctuation stripped at both ends."""
    text = normalise_text(text)
    start, end = 0, len(text)
    while start < end and _is_punctuation(text[start]):
        start += 1
    while end > start and _is_punctuation(text[end - 1]):
        end -= 1
    return text[start:end].strip()


def find(needle: str, haystack: str) -> int:
    """The first offset where ``needle`` occurs in ``haystack`` with no letter or digit right
    before or after it, or -1. Both should already be normalised."""
    if not needle:
        return -1
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        before = haystack[start - 1] if start else " "
        after = haystack[end] if end < len(haystack) else " "
        if not before.isalnum() and not after.isalnum():
            return start
        start = haystack.find(needle, start + 1)
    return -1


def occurs(needle: str, haystack: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` on word boundaries (see :func:`find`)."""
    return find(needle, haystack) != -1


def earliest_choice(choices: Sequence[str], snippets: Sequence[str]) -> int | None:
    """The index of the choice found earliest in the snippets (by snippet rank, then offset;
    the longer choice wins a tie, e.g. "King Charles III" over "King Charles"), or None."""
    best: tuple[int, int, int] | None = None
    chosen = None
    wanted = [normalise_answer(c) for c in choices]
    for rank, snippet in enumerate(normalise_text(s) for s in snippets):
        for index, choice in enumerate(wanted):
            offset = find(choice, snippet)
            if offset == -1:
                continue
            key = (rank, offset, -len(choice))
            if best is None or key < best:
                best, chosen = key, index
        if chosen is not None:
            return chosen
    return None


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of the values; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def rate(hits: int, total: int) -> float:
    """``hits / total`` rounded for reports; 0 when there is nothing to count."""
    return round(hits / total, 4) if total else 0.0
