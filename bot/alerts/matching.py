"""Does an article fit a subscribed topic? Tolerant of case, plurals, typos and common
spellings ("AI", "A.I.", "artificial intelligence"), vetoed by excluded words, and explainable:
a match says which of the article's words matched.

Matching many subscriptions against many articles goes word by word through an index of the
articles' words, so 1,000 x 1,000 stays well under a second.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.search import english
from bot.search.inflection import singular
from bot.search.text import STOP_WORDS, fold
from bot.words import split_words

TYPO_SIMILARITY = 85.0
MIN_TYPO_LENGTH = 5
_DOTTED_ABBREVIATION = re.compile(r"\b(?:[^\W\d_]\.){2,}", re.UNICODE)
# Spellings of the same topic: each entry lists phrases that mean the same thing.
SAME_MEANING: tuple[tuple[str, ...], ...] = (
    ("ai", "artificial intelligence", "genai", "generative ai"),
    ("ev", "evs", "electric vehicle", "electric vehicles", "electric car", "electric cars"),
    ("crypto", "cryptocurrency", "cryptocurrencies"),
    ("chips", "semiconductors", "chipmaker", "chipmakers"),
    ("llm", "llms", "large language model", "large language models"),
    ("vr", "virtual reality"),
    ("ar", "augmented reality"),
    ("self driving", "autonomous driving", "driverless", "robotaxi", "robotaxis"),
    ("data center", "data centers", "data centre", "data centres", "datacenter", "datacenters"),
)


# Double quotes mark a phrase ("pay or consent"): straight ones, and the typographic ones
# that phone keyboards put in instead (“pay or consent”, „pay or consent“).
_TYPOGRAPHIC_QUOTES = str.maketrans(dict.fromkeys("“”„‟", '"'))
# A quoted part, to its closing quote, or to the end when the quote is left open (a typed
# quote the keyboard did not close still means the rest is one phrase).
_QUOTED = re.compile(r'("[^"]*(?:"|$))')
_COMMA = re.compile(",")


def split_unquoted(text: str, separator: re.Pattern[str]) -> list[str]:
    """``text`` split at each ``separator`` outside double quotes, which keep a phrase whole:
    the parts as typed, quotes included (typographic ones made straight) and not stripped.
    ``'"pay or consent", gdpr'`` split at commas -> ``['"pay or consent"', ' gdpr']``."""
    parts = [""]
    for piece in _QUOTED.split(text.translate(_TYPOGRAPHIC_QUOTES)):
        if piece.startswith('"'):
            parts[-1] += piece
        else:
            first, *rest = separator.split(piece)
            parts[-1] += first
            parts += rest
    return parts


def unquoted(text: str) -> str:
    """A typed topic or exclusion as stored and matched: lower-case, spaces single, its
    double quotes gone (they only said that it is one phrase; ``words_of`` skips them anyway,
    so the phrase matched is the same)."""
    return " ".join(text.translate(_TYPOGRAPHIC_QUOTES).replace('"', " ").lower().split())


def words_of(text: str) -> list[str]:
    """Folded words, with dotted abbreviations joined ("A.I." -> "ai") and "'s" dropped; a name
    with symbols is one word, as everywhere in newsbot ("c#", ".net", "at&t": ``bot.words``)."""
    text = _DOTTED_ABBREVIATION.sub(lambda m: m.group(0).replace(".", "") + " ", fold(text))
    text = re.sub(r"['’]s\b", "", text)
    return split_words(text)


def _spelled(phrase: str) -> tuple[str, ...]:
    return tuple(singular(w) for w in words_of(phrase))


# Each spelling of SAME_MEANING -> all spellings of its group, as matched word tuples.
_SPELLINGS: dict[tuple[str, ...], list[tuple[str, ...]]] = {
    spelling: spellings
    for spellings in ([_spelled(p) for p in group] for group in SAME_MEANING)
    for spelling in spellings
}


def _phrases(topic: str) -> list[tuple[str, ...]]:
    """The topic as word tuples, with every other spelling of the same meaning."""
    own = _spelled(topic)
    if not own:
        return []
    return list(dict.fromkeys([own, *_SPELLINGS.get(own, ())]))


@dataclass(frozen=True, slots=True)
class Topic:
    """A subscription's topic and excluded words, ready to match."""

    phrases: tuple[tuple[str, ...], ...]
    excluded: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, topic: str, exclude: str = "") -> Topic:
        """Read a topic and its exclusions (words or phrases separated by commas, a phrase
        with a comma in it quoted, as ``exclusions`` stores it)."""
        excluded = [p for item in split_unquoted(exclude, _COMMA) for p in _phrases(item)]
        return cls(tuple(_phrases(topic)), tuple(excluded))


def unsearchable(topic: str) -> str | None:
    """Why a topic is no use to look for, said to follow its name ("has no words to watch
    for; ...", "would match nearly every article; ..."), or None. /subscribe, /latest and
    ``newsbot latest`` all refuse such a topic, rather than follow or list every article
    ("the", "news") or none ("!!!")."""
    if not Topic.parse(topic).phrases:
        return "has no words to watch for; try e.g. nvidia."
    if set(words_of(topic)) <= STOP_WORDS:
        return "would match nearly every article; try e.g. nvidia."
    return None


def exclusions(text: str) -> str:
    """Exclusions as a subscription stores them: lower-case words or phrases, each once,
    separated by ", " ("Apple  Watch,rumor" -> "apple watch, rumor"). Quotes are dropped as
    from a topic, except around a phrase with a comma in it ('"1,000 layoffs"'), which without
    them would be read back as two items."""
    items = (unquoted(item) for item in split_unquoted(text, _COMMA))
    kept = dict.fromkeys(item for item in items if item)
    return ", ".join(f'"{item}"' if "," in item else item for item in kept)


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What a topic is matched against: an article's title, key points and tags."""

    article_id: int
    title: str
    key_points: Sequence[str]
    tags: Sequence[str]

    def words(self) -> list[str]:
        """The article's words in order, singular, with tags as words too; an empty word
        ends each field, so that no phrase spans two ("...backs Elon" / "Musk shares...")."""
        words: list[str] = []
        for field in [self.title, *self.key_points, *self.tags]:
            words += [singular(w) for w in words_of(field)]
            words.append("")
        return words


class ArticleIndex:
    """Where each word occurs in a batch of articles, for fast phrase matching."""

    def __init__(self, articles: Iterable[ArticleText]):
        self._positions: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._surface: dict[int, list[str]] = {}
        for article in articles:
            words = article.words()
            self._surface[article.article_id] = words
            for position, word in enumerate(words):
                self._positions[word][article.article_id].append(position)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in self._positions:
            self._by_length[len(word)].append(word)
        self._similar_cache: dict[str, list[str]] = {}

    def _forms(self, word: str) -> list[str]:
        """The batch's words that count as ``word``: itself, and typo-level look-alikes."""
        if word not in self._similar_cache:
            forms = [word] if word in self._positions else []
            if len(word) >= MIN_TYPO_LENGTH and not word.isdigit():
                # A typo changes the length by two letters at most: compare only those words.
                near = [w for n in range(len(word) - 2, len(word) + 3) for w in self._by_length[n]]
                # A word inside another is a different word, not a typo: "space" in "spacex".
                # A common English word, as in questions, stands only for its own forms:
                # "nuclear" is not "unclear", nor "housing" "hosting".
                forms += [
                    candidate
                    for candidate, _, _ in process.extract(
                        word, near, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY, limit=None
                    )
                    if word not in candidate
                    and candidate not in word
                    and english.may_read_as(word, candidate)
                ]
            self._similar_cache[word] = forms
        return self._similar_cache[word]

    def phrase_matches(self, phrase: tuple[str, ...]) -> dict[int, str]:
        """Articles containing the phrase (its words adjacent, in order) -> the words found."""
        found: dict[int, str] = {}
        first, *rest = phrase
        for form in self._forms(first):
            for article_id, positions in self._positions[form].items():
                if article_id in found:
                    continue
                words = self._surface[article_id]
                for position in positions:
                    matched = [form]
                    for offset, word in enumerate(rest, start=1):
                        at = position + offset
                        if at < len(words) and words[at] in self._forms(word):
                            matched.append(words[at])
                        else:
                            break
                    else:
                        found[article_id] = " ".join(matched)
                        break
        return found

    def matches(self, topic: Topic) -> dict[int, list[str]]:
        """Articles fitting the topic and none of its exclusions -> the matched words."""
        hits: dict[int, list[str]] = defaultdict(list)
        for phrase in topic.phrases:
            for article_id, words in self.phrase_matches(phrase).items():
                if words not in hits[article_id]:
                    hits[article_id].append(words)
        vetoed = {a for phrase in topic.excluded for a in self.phrase_matches(phrase)}
        return {a: words for a, words in hits.items() if words and a not in vetoed}


def match_topic(topic: str, article: ArticleText, exclude: str = "") -> list[str]:
    """The words by which one article fits a topic (empty when it does not)."""
    return ArticleIndex([article]).matches(Topic.parse(topic, exclude)).get(article.article_id, [])
