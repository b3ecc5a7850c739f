"""English words: which are common, and which are forms of one word.

A word the archive lacks is corrected to an archive word that looks like it ("mircosoft" to
"microsoft"). But "weather" is no typo of "whether", nor "paris" of "pairs": a small archive
lacks many common words, and reading them as look-alikes answered questions it cannot answer,
with full confidence. So a common English word stands only for other forms of itself ("accused"
for "accuses"; see ``Vocabulary.variants``): common by the English word frequencies of
pyspellchecker, forms of one word by their Snowball stems.
"""

from __future__ import annotations

import functools

import snowballstemmer
from spellchecker import SpellChecker

# Words at least this frequent in pyspellchecker's English list (counts from subtitles; its
# rarest words are counted 50 times) are common words: about 26,000 of its 160,000. Rarer
# entries include misspellings and names ("nvida" is not among them, "tesla" is, at 317).
MIN_COUNT = 500

_STEMMER = snowballstemmer.stemmer("english")


@functools.cache
def common_words() -> frozenset[str]:
    """The common English words, lower-case (loaded once, about 0.2 s: see Engine.warm_up)."""
    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(word for word, count in counts.items() if count >= MIN_COUNT)


def same_stem(word: str, other: str) -> bool:
    """Whether two words are forms of one word ("collected", "collects"), not two words that
    look alike ("context", "content")."""
    return _STEMMER.stemWord(word) == _STEMMER.stemWord(other)


def may_read_as(word: str, look_alike: str) -> bool:
    """Whether a look-alike may stand for ``word`` as its typo or spelling: not when ``word`` is
    a common English word and the look-alike another word ("weather" for "whether"), only when
    it is a form of the same one ("accused" for "accuses")."""
    return word not in common_words() or same_stem(word, look_alike)
