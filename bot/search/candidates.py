"""Candidate generation: index postings of the rare question words -> articles -> snippets.

Reads only snippet ids from the full-text index (as many as ``terms.search_plan`` allows),
maps them to articles in memory, keeps the articles that match best overall (article-level
BM25, recency, a named outlet), and returns the ids of their matching snippets to rerank.
The postings are handled as arrays (numpy): a question's thousands of postings cost a few
array operations rather than a Python loop each.

Copies of one story (a wire story in many outlets, an outlet's updates of it) match a question
alike and fill the articles chosen. With ``RankConfig.per_story`` set, a story enters with that
many articles at most, told apart by their headlines (``same_story``), so that other stories get
a place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.search import rank
from bot.search.catalogue import ArticleFacts, Catalogue
from bot.search.config import RankConfig
from bot.search.terms import IndexQuery, TermGroup

# Two headlines are one story when this share of the shorter one's words is in the other
# ("Update: Acme recalls e-bikes" and "Acme recalls e-bikes, report says").
SAME_STORY_SHARE = 0.8
# The headlines read per article chosen: enough to pass over the copies of a few stories.
CONTENDERS_PER_PLACE = 3


@dataclass(frozen=True, slots=True)
class Window:
    """The time span and outlets an article must fall in (POSIX seconds; None = open)."""

    since: float | None = None
    until: float | None = None
    sources: tuple[str, ...] = ()  # lower-case; an article's outlet must contain one of them

    def admits(self, catalogue: Catalogue, articles: np.ndarray) -> np.ndarray:
        """Which of these articles (ids) are inside the window, as a boolean array."""
        keep = np.ones(len(articles), dtype=bool)
        if self.until is not None:
            keep &= catalogue.timestamps[articles] <= self.until
        if self.since is not None:
            keep &= catalogue.timestamps[articles] >= self.since
        if self.sources:
            named = [(name or "").casefold() for name in catalogue.source_names]
            allowed = np.array([any(s in name for s in self.sources) for name in named])
            keep &= allowed[catalogue.source_codes[articles]]
        return keep


@dataclass(slots=True)
class ArticleEvidence:
    """How an article matched the searched words, and its scores before snippets are read."""

    facts: ArticleFacts
    relevance: float = 0.0  # rank.ArticleRelevance, relative to the best article
    recency: float = 0.0  # rank.recency
    outlet: float = 0.0  # rank.outlet_match
    prior: float = 0.0  # the weighted sum of the three


@dataclass(slots=True)
class Matches:
    """The postings of the searched groups: one entry per matching snippet and group."""

    groups: np.ndarray  # the term group of each posting
    ids: np.ndarray  # the matching snippet id
    owners: np.ndarray  # the article of that snippet (0 = unknown)
    cut_off: frozenset[int] = frozenset()  # groups read only in part (their newest postings)


def match(postings: Sequence[tuple[IndexQuery, np.ndarray]], catalogue: Catalogue) -> Matches:
    """Look up the article of every matching snippet; ``postings`` pairs each index query
    with the snippet ids it read. A snippet found by several queries counts once per group."""
    ids = np.concatenate(
        [found for q, found in postings for _ in q.groups] or [np.zeros(0, dtype=np.int64)]
    )
    groups = np.repeat(
        np.array([g for q, _ in postings for g in q.groups], dtype=np.int64),
        [len(found) for q, found in postings for _ in q.groups],
    )
    # Unique (group, snippet) entries, in the order first found.
    span = int(groups.max(initial=0)) + 1
    first = np.sort(np.unique(ids * span + groups, return_index=True)[1])
    ids, groups = ids[first], groups[first]
    cut_off = frozenset(
        q.groups[0] for q, found in postings if len(q.groups) == 1 and len(found) >= q.limit
    )
    return Matches(groups, ids, catalogue.owners(ids).astype(np.int64), cut_off)


@dataclass(frozen=True, slots=True)
class Contenders:
    """Positions in an ``ArticleScores``, best first: by prior, and by relevance alone."""

    by_prior: list[int]
    by_relevance: list[int]


@dataclass(slots=True)
class ArticleScores:
    """Every matching article inside the window, scored, as columns."""

    articles: np.ndarray  # article ids
    relevance: np.ndarray  # rank.ArticleRelevance, relative to the best article
    recency: np.ndarray
    outlet: np.ndarray
    prior: np.ndarray  # the weighted sum of the three
    timestamps: np.ndarray

    def contenders(self, config: RankConfig) -> Contenders:
        """The articles each pool may take, best first: the pool's size, or with
        ``per_story`` a few times it (their headlines are read to tell stories apart)."""
        per_place = CONTENDERS_PER_PLACE if config.per_story else 1
        return Contenders(
            self._best(self.prior, per_place * config.article_pool),
            self._best(self.relevance, per_place * config.relevance_pool),
        )

    def article_ids(self, contenders: Contenders) -> list[int]:
        """The ids of the contending articles, each once."""
        positions = dict.fromkeys(contenders.by_prior + contenders.by_relevance)
        return self.articles[list(positions)].tolist()

    def _best(self, values: np.ndarray, k: int) -> list[int]:
        return _top(values, self.timestamps, self.articles, k) if k else []


def score_articles(
    matches: Matches,
    groups: Sequence[TermGroup],
    *,
    catalogue: Catalogue,
    window: Window,
    now: float,
    half_life_days: float,
    outlets: Sequence[str],
    config: RankConfig,
) -> ArticleScores | None:
    """Score every matching article inside the window (None when there is none)."""
    owners, group_of = matches.owners, matches.groups
    inside = owners != 0
    inside[inside] = window.admits(catalogue, owners[inside])
    owners, group_of = owners[inside], group_of[inside]
    if not owners.size:
        return None
    # Per (article, group): how many of the article's snippets hold the group's words.
    pairs, counts = np.unique(owners * len(groups) + group_of, return_counts=True)
    pair_articles, pair_groups = np.divmod(pairs, len(groups))
    # A word read only in part shows in the newest articles holding it and not in older
    # ones: counted in full, it would favour whichever articles were read.
    weighed = [
        replace(g, weight=g.weight * config.cut_off_word) if i in matches.cut_off else g
        for i, g in enumerate(groups)
    ]
    relevance = rank.ArticleRelevance(
        weighed, catalogue.mean_snippets, k1=config.bm25_k1, b=config.bm25_b
    )
    parts = relevance.parts(pair_groups, counts, catalogue.sizes[pair_articles])
    articles, pair_article = np.unique(pair_articles, return_inverse=True)
    scores = np.bincount(pair_article, weights=parts)
    # Relative to the best match, so that relevance and recency trade off on one scale
    # whatever the question's length.
    scores /= scores.max() or 1.0
    timestamps = catalogue.timestamps[articles]
    recency = rank.recency(timestamps, now, half_life_days)
    by_outlet = np.array([rank.outlet_match(n, outlets) for n in catalogue.source_names])
    outlet = by_outlet[catalogue.source_codes[articles]]
    prior = config.article * scores + config.recency * recency + config.outlet * outlet
    return ArticleScores(articles, scores, recency, outlet, prior, timestamps)


def choose_articles(
    scored: ArticleScores,
    contenders: Contenders,
    headlines: Mapping[int, tuple[str, ...]],
    *,
    catalogue: Catalogue,
    config: RankConfig,
) -> list[ArticleEvidence]:
    """The ``article_pool`` best articles, best first (ties: the newer, then the later
    stored), then up to ``relevance_pool`` more: the best of the rest by relevance alone;
    ``per_story`` of one story at most in each (``headlines``, the content words of each
    article's headline by article id, tell stories apart; an article without one is a story
    of its own)."""

    def headline_of(position: int) -> tuple[str, ...]:
        return headlines.get(int(scored.articles[position]), ())

    def best(ranked: list[int], k: int) -> list[int]:
        if not config.per_story:
            return ranked[:k]
        return _one_story_at_most(ranked, headline_of, k=k, per_story=config.per_story)

    chosen = best(contenders.by_prior, config.article_pool)
    if config.relevance_pool:
        # The best matches whatever their age: in a large archive, recent articles that
        # match a word or two would otherwise fill the pool ahead of an older, exact match.
        taken = set(chosen)
        relevant = best(contenders.by_relevance, config.relevance_pool)
        chosen += [i for i in relevant if i not in taken]
    columns = zip(
        catalogue.facts(scored.articles[chosen]),
        scored.relevance[chosen].tolist(),
        scored.recency[chosen].tolist(),
        scored.outlet[chosen].tolist(),
        scored.prior[chosen].tolist(),
        strict=True,
    )
    return [ArticleEvidence(*evidence) for evidence in columns]


def same_story(headline: Collection[str], other: Collection[str]) -> bool:
    """Whether two headlines (their distinct content words) tell one story: nearly all of the
    shorter one's words are in the other."""
    return _alike(len(set(headline).intersection(other)), len(headline), len(other))


def _alike(shared: int, size: int, other_size: int) -> bool:
    shorter = min(size, other_size)
    return shorter > 0 and shared >= SAME_STORY_SHARE * shorter


def _one_story_at_most(
    ranked: list[int],
    headline_of: Callable[[int], tuple[str, ...]],
    *,
    k: int,
    per_story: int,
) -> list[int]:
    """The first ``k`` of ``ranked`` (positions), at most ``per_story`` of one story (the first
    story whose headline is ``same_story`` as the article's); the stories' extra articles only
    when too few others are left. Stories are found through their headlines' words, not by
    comparing every pair (a few hundred articles are read per question)."""
    chosen: list[int] = []
    extra: list[int] = []
    sizes: list[int] = []  # words of each story's headline
    taken: list[int] = []  # articles chosen of each story
    stories_of: dict[str, list[int]] = defaultdict(list)
    for position in ranked:
        headline = headline_of(position)
        shared: dict[int, int] = {}
        for word in headline:
            for story in stories_of.get(word, ()):
                shared[story] = shared.get(story, 0) + 1
        story = min(
            (s for s, n in shared.items() if _alike(n, len(headline), sizes[s])), default=None
        )
        if story is None:
            story = len(sizes)
            sizes.append(len(headline))
            taken.append(0)
            for word in headline:
                stories_of[word].append(story)
        if taken[story] == per_story:
            extra.append(position)
            continue
        taken[story] += 1
        chosen.append(position)
        if len(chosen) == k:
            return chosen
    return (chosen + extra)[:k]


def _top(values: np.ndarray, timestamps: np.ndarray, articles: np.ndarray, k: int) -> list[int]:
    """The positions of the ``k`` highest ``values``, best first; ties go to the newer, then to
    the later stored article. Only the values that can make the top ``k`` are sorted."""
    if len(values) > k > 0:
        (contenders,) = np.nonzero(values >= np.partition(values, len(values) - k)[len(values) - k])
    else:
        contenders = np.arange(len(values))
    order = np.lexsort((-articles[contenders], -timestamps[contenders], -values[contenders]))
    return contenders[order[:k]].tolist()


def snippet_pool(
    matches: Matches,
    articles: Sequence[ArticleEvidence],
    groups: Sequence[TermGroup],
    limit: int,
) -> list[int]:
    """The ids of the chosen articles' matching snippets (and their titles), at most ``limit``,
    preferring snippets that hold more of the rare words in better articles."""
    if not articles:
        return []
    total = sum(g.weight for g in groups) or 1.0
    weights = np.array([g.weight / total for g in groups], dtype=np.float64)
    chosen = np.array([e.facts.article_id for e in articles], dtype=np.int64)
    priors = np.array([e.prior for e in articles], dtype=np.float64)
    order = np.argsort(chosen)
    at = np.minimum(np.searchsorted(chosen[order], matches.owners), len(chosen) - 1)
    held = chosen[order][at] == matches.owners
    # A snippet's share: the weight of the groups it holds (one posting per group).
    ids, first, which = np.unique(matches.ids[held], return_index=True, return_inverse=True)
    share = np.bincount(which, weights=weights[matches.groups[held]])
    scores = priors[order][at[held]][first] + 3 * share
    titles = np.array([e.facts.title_id for e in articles], dtype=np.int64)
    untouched = ~np.isin(titles, ids)
    ids = np.concatenate([ids, titles[untouched]])
    scores = np.concatenate([scores, priors[untouched]])
    return ids[np.lexsort((-ids, -scores))[:limit]].tolist()


def with_neighbours(
    ids: Sequence[int], catalogue: Catalogue, *, best: int, reach: int
) -> list[int]:
    """``ids`` and, for the ``best`` first of them, the snippets up to ``reach`` places before
    and after in the same article: the sentence that answers often follows (or precedes) the
    one that names the story without repeating its words ("It will spend $600 billion...")."""
    if reach <= 0 or best <= 0:
        return list(ids)
    sources = list(ids[:best])
    pairs = [(i, n) for i in sources for n in range(i - reach, i + reach + 1) if n > 0 and n != i]
    article_of = dict(zip(sources, catalogue.owners(sources).tolist(), strict=True))
    near_owners = catalogue.owners([n for _, n in pairs]).tolist()
    wanted = dict.fromkeys(ids)
    for (source, snippet_id), article_id in zip(pairs, near_owners, strict=True):
        if article_id and article_id == article_of[source]:
            wanted.setdefault(snippet_id)
    return list(wanted)
