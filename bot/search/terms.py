"""Question words as search terms: each word with the archive's spellings of it and its weight."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.archive.index import fts_word
from bot.search.inflection import forms_of
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
    name: bool = False  # part of a name or figure in the question: it says which story is meant


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
        named = word in question.name_words
        if named:
            weight *= name_weight
        group = TermGroup(word, frozenset(forms), frozenset(related), weight, documents, named)
        groups.append(group)
    return groups


@dataclass(frozen=True, slots=True)
class IndexQuery:
    """One full-text query of a search: the term groups its matches hold, and how many of its
    matching snippets (newest first) to read."""

    groups: tuple[int, ...]
    expression: str  # FTS5
    limit: int
    forwards: bool = False  # read whole, oldest first (SnippetIndex.postings): it matches few


# A pair whose rarer word is in at most this many snippets is read whole, oldest first
# (SnippetIndex.postings): the same snippets, in about three quarters of the time at 100,000
# articles (RealTimeQA dev), since two words that rarely meet make a backward read walk both
# lists to their ends anyway. The bound caps what a pair that often meets costs that way.
PAIR_READ_WHOLE = 20_000


def search_plan(
    groups: list[TermGroup],
    *,
    budget: int,
    per_term: int,
    min_terms: int,
    paired: int,
    max_documents: int,
) -> list[IndexQuery]:
    """The index queries of a question: its rare words, rarest first, and their pairs.

    Rare words narrow the search and are cheap to look up; common ones ("year", "people")
    would read a large share of the index, so they only rerank. A word is read up to
    ``per_term`` snippets, and words are added while the total stays within ``budget``, but
    at least ``min_terms`` of them are searched: in a large archive every word is in many
    snippets, and a search driven by one word alone misses the story. Each pair of the
    ``paired`` rarest words is also read (``a AND b``, up to ``per_term`` snippets holding
    both): the likeliest snippets, whose article the single-word reads may have cut off (so
    not when both words are read in full).

    The rarest words are often not the story's, though: "exploded", "shortly" and "lifting"
    in "What is the name of SpaceX's rocket, which exploded shortly after lifting off?", and
    in a large archive the budget reads no other word. So when the question names something
    beyond three or more paired words ("SpaceX"), that name is read with each of the two
    rarest words, in place of the pair of the two least rare ones. On RealTimeQA dev (356
    questions) at 100,000 articles: recall@3 +2 and multiple choice@5 +5 questions, on average
    over three draws, for about 0.4 ms more of index reads; on the source archive, recall@3
    the same and multiple choice@5 -2.
    """
    known = sorted(
        (i for i, g in enumerate(groups) if g.documents > 0), key=lambda i: groups[i].documents
    )
    chosen: list[int] = []
    spent = 0
    for i in known:
        cost = min(groups[i].documents, per_term)
        if len(chosen) >= min_terms and (
            groups[i].documents > max_documents or spent + cost > budget
        ):
            continue
        chosen.append(i)
        spent += cost
    # Two words that are both read in full already give every snippet holding both.
    whole = {i for i in chosen if groups[i].documents <= per_term}
    rarest = known[:paired]
    pairs = [(a, b) for at, a in enumerate(rarest) for b in rarest[at + 1 :]]
    story = next(
        (i for i in known[paired:] if groups[i].name and groups[i].documents <= max_documents),
        None,
    )
    if story is not None and len(rarest) >= 3:
        pairs = [*pairs[:-1], (rarest[0], story), (rarest[1], story)]
    pairs = [(a, b) for a, b in pairs if not (a in whole and b in whole)]
    return [IndexQuery((i,), _any_form(groups[i]), per_term) for i in chosen] + [
        IndexQuery(
            (a, b),
            f"({_any_form(groups[a])}) AND ({_any_form(groups[b])})",
            per_term,
            forwards=min(groups[a].documents, groups[b].documents) <= PAIR_READ_WHOLE,
        )
        for a, b in pairs
    ]


def _any_form(group: TermGroup) -> str:
    return " OR ".join(fts_word(form) for form in sorted(group.forms))


def unknown_name_share(
    question: Question, groups: list[TermGroup], known: set[str] | frozenset[str] = frozenset()
) -> float:
    """The share of the names in a question (capitalised words, acronyms) that the archive has
    never seen: "the capital of Peru" in a tech archive. Outlet names (``known``) and figures
    do not count: an archive may hold a story without quoting its outlet or its date.

    A name of several words is one name. News names a thing again by its last word ("the
    Bills", "McCall"), so a name whose last word the archive lacks is unseen whole ("Super
    Bowl" in an archive that only says "Super Heavy"), and one that lacks only other words is
    unseen in part ("Oliver McCall" where the archive says "McCall": half). A name's word is
    seen as itself or as the correction of a typo ("Nvida"), not as another form of it, which
    for a name is another word ("Cook" is not "cooking").
    """
    seen = {g.word for g in groups if _holds_as_a_name(g)}
    names = [
        words
        for name in question.names
        if (words := [w for w in name if w.isalpha() and w not in known])
    ]
    if not names:
        return 0.0
    return sum(_unseen_share(words, seen) for words in names) / len(names)


def _holds_as_a_name(group: TermGroup) -> bool:
    """Whether the archive holds a question word as written or as a typo's correction, rather
    than only in another of its forms."""
    if not group.documents:
        return False
    return group.word in group.forms or not group.forms <= set(forms_of(group.word))


def _unseen_share(name: list[str], seen: set[str]) -> float:
    """How much of a name (its words) the archive has never seen, 0..1; see
    ``unknown_name_share``."""
    unseen = [word not in seen for word in name]
    return 1.0 if unseen[-1] else sum(unseen) / len(unseen)
