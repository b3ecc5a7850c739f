"""Question words as search terms: each word with the archive's spellings of it and its weight."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.archive.index import fts_phrase
from bot.search.question import RELATED_WORDS, Question
from bot.search.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class TermGroup:
    """One question word, the archive words that stand for it, and how much it counts."""

    word: str
    forms: frozenset[str]  # the word as the archive spells it: inflections, typo corrections
    related: frozenset[str] = frozenset()  # other words for it ("invest" for "spend")
    weight: float = 1.0  # idf, more for names and figures
    documents: int = 0  # snippets holding one of the forms (at most)

    def match(self, words: set[str] | frozenset[str], related_weight: float) -> float:
        """1 if a text's words include a form, ``related_weight`` for a related word, else 0."""
        if not self.forms.isdisjoint(words):
            return 1.0
        if self.related and not self.related.isdisjoint(words):
            return related_weight
        return 0.0


def idf(documents: int, total: int) -> float:
    """Inverse document frequency (BM25's, never negative); an unknown word weighs the most."""
    return math.log(1 + (total - documents + 0.5) / (documents + 0.5))


def term_groups(
    question: Question, vocabulary: Vocabulary, *, name_weight: float
) -> list[TermGroup]:
    """A group per question word: its spellings in the archive, related words, and weight.

    Rare words weigh more (idf over snippets), and names and figures ("Nvidia", "2028") more
    still, since they say which story is meant.
    """
    total = max(vocabulary.snippets, 1)
    groups = []
    for word in question.words:
        forms = vocabulary.variants(word) or [word]
        related = {
            variant
            for form in dict.fromkeys([word, *forms])  # "spendng" -> "spending" -> "invest"
            for like in RELATED_WORDS.get(form, ())
            for variant in vocabulary.variants(like)
        } - set(forms)
        documents = sum(vocabulary.frequency(f) for f in forms)
        weight = idf(min(documents, total), total)
        if word in question.names:
            weight *= name_weight
        groups.append(TermGroup(word, frozenset(forms), frozenset(related), weight, documents))
    return groups


def search_groups(
    groups: list[TermGroup], *, budget: int, max_documents: int
) -> list[tuple[int, str]]:
    """The groups that drive the search, rarest first, as (group index, FTS5 expression).

    Rare words narrow the search and are cheap to look up; common ones ("year", "people")
    would read a large share of the index, so they only rerank. The total number of index
    entries read stays within ``budget``; the rarest known word is always used.
    """
    known = sorted(
        (i for i, g in enumerate(groups) if g.documents > 0), key=lambda i: groups[i].documents
    )
    chosen: list[int] = []
    spent = 0
    for i in known:
        documents = groups[i].documents
        if chosen and (documents > max_documents or spent + documents > budget):
            continue
        chosen.append(i)
        spent += documents
    return [(i, " OR ".join(fts_phrase(f) for f in sorted(groups[i].forms))) for i in chosen]


def unknown_name_share(
    question: Question, groups: list[TermGroup], known: set[str] | frozenset[str] = frozenset()
) -> float:
    """The share of the names in a question (capitalised words, acronyms) that the archive has
    never seen: "the capital of Peru" in a tech archive. Outlet names (``known``) and figures
    do not count: an archive may hold a story without quoting its outlet or its date."""
    names = [
        g for g in groups if g.word in question.names and g.word.isalpha() and g.word not in known
    ]
    if not names:
        return 0.0
    return sum(1 for g in names if g.documents == 0) / len(names)
