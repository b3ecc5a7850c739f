"""The archive's own words, used to correct typos and expand question words to their variants."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from bot.archive import Archive
from bot.search.text import STOP_WORDS

# A question word is corrected to an archive word at least this similar (rapidfuzz ratio).
TYPO_SIMILARITY = 80.0
# A known but rare word is also read as a much more common look-alike ("nvida" -> "nvidia").
COMMON_FACTOR = 30
# Shorter words are not corrected: one wrong letter in four is another word ("peru" -> "per").
MIN_CORRECTED_LENGTH = 5
_SUFFIXES = ("s", "es", "ed", "ing", "er", "ers", "'s")


class Vocabulary:
    """Term -> snippet count for the archive, loaded on first use and reloaded when it grows."""

    def __init__(self, archive: Archive):
        self._archive = archive
        self._frequency: dict[str, int] = {}
        self._by_length: dict[int, list[str]] = {}
        self._loaded_at = -1
        self._lock = asyncio.Lock()

    async def refresh(self, count: int | None = None) -> None:
        """Reload the vocabulary if snippets were added since it was loaded (``count`` is the
        newest snippet id, when the caller has just read it)."""
        if count is None:
            count = await self._archive.index.snippet_count()
        if count == self._loaded_at:
            return
        async with self._lock:
            if count == self._loaded_at:
                return
            terms = await self._archive.index.vocabulary()
            by_length: dict[int, list[str]] = defaultdict(list)
            for term, _ in terms:
                if term.isalpha():
                    by_length[len(term)].append(term)
            self._frequency = dict(terms)
            self._by_length = dict(by_length)
            self._loaded_at = count

    @property
    def snippets(self) -> int:
        """How many snippets the archive had when the vocabulary was loaded."""
        return max(self._loaded_at, 0)

    def frequency(self, term: str) -> int:
        """In how many snippets the term occurs (0 when it does not)."""
        return self._frequency.get(term, 0)

    def variants(self, word: str) -> list[str]:
        """The word, its plural/singular and inflected forms, and typo corrections, as the archive
        spells them; empty when nothing close exists."""
        found = [form for form in _inflections(word) if form in self._frequency]
        if not word.isalpha() or len(word) < MIN_CORRECTED_LENGTH:
            return found
        best = max((self._frequency[f] for f in found), default=0)
        if best * COMMON_FACTOR < 1000:  # unknown or rare: look for a common look-alike
            for term in self._similar(word):
                if self._frequency[term] > best * COMMON_FACTOR and term not in found:
                    found.append(term)
                    found += [f for f in _inflections(term) if f in self._frequency]
        return list(dict.fromkeys(found))

    def _similar(self, word: str) -> Iterable[str]:
        """Archive words one letter longer or shorter at most, and at least TYPO_SIMILARITY
        alike, most alike first (searched per length so that no big list is built)."""
        matches = [
            match
            for n in range(len(word) - 1, len(word) + 2)
            for match in process.extract(
                word,
                self._by_length.get(n, ()),
                scorer=fuzz.ratio,
                score_cutoff=TYPO_SIMILARITY,
                limit=3,
            )
        ]
        matches.sort(key=lambda match: -match[1])
        return [term for term, _, _ in matches[:3] if term not in STOP_WORDS]


def _inflections(word: str) -> list[str]:
    forms = [word]
    for suffix in _SUFFIXES:
        forms.append(word + suffix)
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            forms += [stem, stem + "e"]
    if word.endswith("y"):
        forms.append(word[:-1] + "ies")
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    return list(dict.fromkeys(forms))
