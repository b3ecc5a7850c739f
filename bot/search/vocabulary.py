"""The archive's own words, used to correct typos and expand question words to their variants."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import ChainMap, defaultdict
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process

from bot.archive import Archive
from bot.search import english
from bot.search.inflection import forms_of
from bot.search.question import RELATED_WORDS
from bot.search.text import STOP_WORDS
from bot.words import has_symbols, index_words

log = logging.getLogger(__name__)

# A question word is corrected to an archive word at least this similar (rapidfuzz ratio).
TYPO_SIMILARITY = 80.0
# A known but rare word is also read as a much more common look-alike ("nvida" -> "nvidia").
COMMON_FACTOR = 30
# Shorter words are not corrected: one wrong letter in four is another word ("peru" -> "per").
MIN_CORRECTED_LENGTH = 5

# When the whole vocabulary is loaded. The first time, below SYNC_LOAD_SNIPPETS (about 6,000
# articles), before the first question is read: that takes at most about 0.4 s, and every
# question, even the first of a fresh `newsbot ask` process, gets typo correction. The load
# grows faster than the archive (1.7 s at a million snippets, 3.6 s at 7 million), so a larger
# archive never makes a question wait for it. After that, and for larger archives from the
# start, it loads in the background once a question has been answered, at most once every
# RELOAD_SECONDS while the archive grows (a feed poll or an import adds articles all the time,
# and questions asked meanwhile must not wait for reloads). Until then each question counts its
# own words in the snippets added since the load, and adds them to the loaded counts (one
# query, 1 to 2 ms for a batch of new articles), so word weights stay up to date and new
# articles are found at once; only typo correction and look-alikes ("nvida" -> "nvidia") of
# the newest words wait for the load. (A snippet replaced since the load counts twice until
# the next one.) Before the first load, or once the snippets added since are more than
# ADDED_SHARE of the archive (a large import), a question reads the index's totals for its
# words instead: 35 to 40 ms at 100,000 articles, but not growing with the snippets added.
# A background reload first waits until the archive has not grown for SETTLE_SECONDS (at most
# SETTLE_ROUNDS times): it walks the whole index (3.6 to 4.9 s at 7 million snippets), and while an
# import or a feed poll is storing articles, both cores are theirs and the bot's event loop
# lags behind a third busy thread.
SYNC_LOAD_SNIPPETS = 500_000
RELOAD_SECONDS = 30.0
ADDED_SHARE = 0.25
SETTLE_SECONDS = 5.0
SETTLE_ROUNDS = 12


class Vocabulary:
    """Term -> snippet count for the archive, loaded on first use and reloaded when it grows."""

    def __init__(self, archive: Archive):
        self._archive = archive
        self._frequency: Mapping[str, int] = {}
        self._by_length: dict[int, list[str]] = {}
        self._loaded_at = -1  # the newest snippet id when loaded; -1 = never loaded
        self._lock = asyncio.Lock()
        self._loading: asyncio.Task[None] | None = None
        self._load_started = -float("inf")  # time.monotonic() of the last background load
        self._behind = False  # a question found the archive grown since the last load

    @property
    def loaded(self) -> bool:
        """Whether the whole vocabulary has been loaded at least once."""
        return self._loaded_at >= 0

    async def refresh(self, count: int | None = None) -> None:
        """Reload the vocabulary now if snippets were added since it was loaded (``count`` is
        the newest snippet id, when the caller has just read it). Waits for the whole load."""
        if count is None:
            count = await self._archive.index.snippet_count()
        if count == self._loaded_at:
            return
        async with self._lock:
            if count == self._loaded_at:
                return
            await self._load(count)

    async def current(self, count: int, words: Iterable[str]) -> Vocabulary:
        """The vocabulary to read a question with ``words`` by, now (``count`` is the newest
        snippet id): never waits for a full load of a large archive (see SYNC_LOAD_SNIPPETS)."""
        if count == self._loaded_at:
            return self
        if not self.loaded and count < SYNC_LOAD_SNIPPETS:
            await self.refresh(count)
            return self
        self._behind = True
        terms = self._lookups(words)
        if self.loaded and count - self._loaded_at <= ADDED_SHARE * self._loaded_at:
            added = await self._archive.index.added_frequencies(
                terms, after_id=self._loaded_at, up_to=count
            )
            fresh = {term: self._frequency.get(term, 0) + n for term, n in added.items()}
        else:
            fresh = await self._archive.index.document_frequencies(terms)
        return self._overlaid(fresh, count)

    def catch_up(self) -> None:
        """Start loading the whole vocabulary in the background if a question found it out of
        date (the engine calls this after answering, so that the load does not compete with
        the answer for the CPU), unless a load is running or the last one started too
        recently (RELOAD_SECONDS)."""
        if not self._behind:
            return
        if self._loading is not None and not self._loading.done():
            return
        now = time.monotonic()
        if self.loaded and now - self._load_started < RELOAD_SECONDS:
            return
        self._behind = False
        self._load_started = now
        self._loading = asyncio.create_task(self._load_quietly(), name="vocabulary-load")

    async def close(self) -> None:
        """Stop a background load (before the archive closes under it)."""
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loading

    async def settled(self) -> None:
        """Wait for a background load, if one is running (for tests and benchmarks)."""
        if self._loading is not None:
            await asyncio.shield(self._loading)

    async def _load(self, count: int) -> None:
        terms = await self._archive.index.vocabulary()
        frequency, by_length = await asyncio.to_thread(_tables, terms)
        if count >= self._loaded_at:  # a slower, older load never replaces a newer one
            self._frequency, self._by_length, self._loaded_at = frequency, by_length, count

    async def _load_quietly(self) -> None:
        try:
            count = await self._settled_count()  # read first: the load sees it all
            async with self._lock:
                if count != self._loaded_at:
                    await self._load(count)
        except asyncio.CancelledError:
            raise
        except Exception:  # the next question tries again; answers go on meanwhile
            log.warning("loading the vocabulary failed", exc_info=True)

    async def _settled_count(self) -> int:
        """The newest snippet id, once the archive has not grown for ``SETTLE_SECONDS`` (or
        after ``SETTLE_ROUNDS`` waits, if it keeps growing)."""
        count = await self._archive.index.snippet_count()
        for _ in range(SETTLE_ROUNDS):
            await asyncio.sleep(SETTLE_SECONDS)
            newest = await self._archive.index.snippet_count()
            if newest == count:
                break
            count = newest
        return count

    def _lookups(self, words: Iterable[str]) -> list[str]:
        """The terms whose counts reading these words needs: inflections and related words."""
        wanted: list[str] = []
        for word in words:
            forms = forms_of(word)
            wanted += [part for form in forms for part in index_words(form)]
            for form in forms:
                for like in RELATED_WORDS.get(form, ()):
                    wanted += forms_of(like)
        return list(dict.fromkeys(wanted))

    def _overlaid(self, fresh: dict[str, int], count: int) -> Vocabulary:
        """This vocabulary with up-to-date counts for some terms, as of snippet id ``count``."""
        view = Vocabulary(self._archive)
        view._frequency = ChainMap(fresh, self._frequency) if self._frequency else fresh
        view._by_length = self._by_length
        view._loaded_at = count
        return view

    @property
    def snippets(self) -> int:
        """How many snippets the archive had when the vocabulary was loaded."""
        return max(self._loaded_at, 0)

    def frequency(self, term: str) -> int:
        """In how many snippets the term occurs (0 when it does not). The index holds a name
        with symbols by its letters alone, so for "c++" this is at most: the snippets holding
        all of them ("c", as "Series C" does too)."""
        if not has_symbols(term):
            return self._frequency.get(term, 0)
        return min((self._frequency.get(part, 0) for part in index_words(term)), default=0)

    def variants(self, word: str) -> list[str]:
        """The word, its plural/singular and inflected forms, and typo corrections, as the archive
        spells them; empty when nothing close exists."""
        found = [form for form in forms_of(word) if self.frequency(form)]
        if not word.isalpha() or len(word) < MIN_CORRECTED_LENGTH:
            return found
        best = max((self._frequency[f] for f in found), default=0)
        if best * COMMON_FACTOR < 1000:  # unknown or rare: look for a common look-alike
            # A common English word is no typo: only another form of it can stand for it
            # ("accused" for "accuses", "discussing" for "discussion"), not another word that looks
            # like it ("weather" for "whether", "context" for "content").
            for term in self._similar(word):
                if not english.may_read_as(word, term):
                    continue
                if self._frequency[term] > best * COMMON_FACTOR and term not in found:
                    found.append(term)
                    found += [f for f in forms_of(term) if f in self._frequency]
        return list(dict.fromkeys(found))

    def _similar(self, word: str) -> list[str]:
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


def _tables(terms: list[tuple[str, int]]) -> tuple[dict[str, int], dict[int, list[str]]]:
    """Term -> count, and the alphabetic terms by length (built in a worker thread)."""
    by_length: dict[int, list[str]] = defaultdict(list)
    for term, _ in terms:
        if term.isalpha():
            by_length[len(term)].append(term)
    return dict(terms), dict(by_length)
