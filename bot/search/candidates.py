"""Candidate generation: index postings of the rare question words -> articles -> snippets.

Reads only snippet ids from the full-text index (bounded by ``RankConfig.postings_budget``),
maps them to articles in memory, keeps the articles that match best overall (article-level
BM25, recency, a named outlet), and returns the ids of their matching snippets to rerank.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat

from bot.search import rank
from bot.search.catalogue import ArticleFacts, Catalogue
from bot.search.config import RankConfig
from bot.search.terms import TermGroup


@dataclass(frozen=True, slots=True)
class Window:
    """The time span and outlets an article must fall in (POSIX seconds; None = open)."""

    since: float | None = None
    until: float | None = None
    sources: tuple[str, ...] = ()  # lower-case; an article's outlet must contain one of them

    def admits(self, facts: ArticleFacts) -> bool:
        """Whether an article is inside the window."""
        if self.until is not None and facts.timestamp > self.until:
            return False
        if self.since is not None and facts.timestamp < self.since:
            return False
        if self.sources:
            source = (facts.source or "").casefold()
            return any(s in source for s in self.sources)
        return True


@dataclass(slots=True)
class ArticleEvidence:
    """How an article matched the searched words, and its scores before snippets are read."""

    facts: ArticleFacts
    counts: dict[int, int] = field(default_factory=dict)  # group index -> matching snippets
    relevance: float = 0.0  # rank.ArticleRelevance, relative to the best article
    recency: float = 0.0  # rank.recency
    outlet: float = 0.0  # rank.outlet_match
    prior: float = 0.0  # the weighted sum of the three


@dataclass(slots=True)
class Matches:
    """The postings of the searched groups, with the article of each matching snippet."""

    groups: list[int]  # the term group each posting list belongs to
    ids: list[list[int]]  # matching snippet ids, per searched group
    owners: list[list[int]]  # the article of each of those snippets (0 = unknown)


def match(postings: Sequence[tuple[int, list[int]]], catalogue: Catalogue) -> Matches:
    """Look up the article of every matching snippet."""
    return Matches(
        groups=[group for group, _ in postings],
        ids=[ids for _, ids in postings],
        owners=[catalogue.owners(ids) for _, ids in postings],
    )


def collect(matches: Matches, catalogue: Catalogue, window: Window) -> dict[int, ArticleEvidence]:
    """Count, per article inside the window, how many of its snippets match each group."""
    pairs: Counter[tuple[int, int]] = Counter()
    for group, owners in zip(matches.groups, matches.owners, strict=True):
        pairs.update(zip(owners, repeat(group)))  # counted in C: this is the hot loop
    found: dict[int, ArticleEvidence] = {}
    refused: set[int] = {0}
    facts = catalogue.articles
    for (article_id, group), count in pairs.items():
        if article_id in refused:
            continue
        evidence = found.get(article_id)
        if evidence is None:
            if not window.admits(facts[article_id]):
                refused.add(article_id)
                continue
            evidence = found[article_id] = ArticleEvidence(facts[article_id])
        evidence.counts[group] = count
    return found


def choose_articles(
    found: dict[int, ArticleEvidence],
    groups: Sequence[TermGroup],
    *,
    catalogue: Catalogue,
    now: float,
    half_life_days: float,
    outlets: Sequence[str],
    config: RankConfig,
) -> list[ArticleEvidence]:
    """Score every matching article and keep the ``article_pool`` best, best first."""
    relevance = rank.ArticleRelevance(
        groups, catalogue.mean_snippets, k1=config.bm25_k1, b=config.bm25_b
    )
    for evidence in found.values():
        evidence.relevance = relevance(evidence.counts, evidence.facts.snippets)
    # Relative to the best match, so that relevance and recency trade off on one scale
    # whatever the question's length.
    best = max((e.relevance for e in found.values()), default=0.0) or 1.0
    for evidence in found.values():
        evidence.relevance /= best
        evidence.recency = rank.recency(evidence.facts.timestamp, now, half_life_days)
        evidence.outlet = rank.outlet_match(evidence.facts.source, outlets)
        evidence.prior = (
            config.article * evidence.relevance
            + config.recency * evidence.recency
            + config.outlet * evidence.outlet
        )
    ranked = sorted(found.values(), key=lambda e: (e.prior, e.facts.timestamp), reverse=True)
    return ranked[: config.article_pool]


def snippet_pool(
    matches: Matches,
    articles: Sequence[ArticleEvidence],
    groups: Sequence[TermGroup],
    limit: int,
) -> list[int]:
    """The ids of the chosen articles' matching snippets (and their titles), at most ``limit``,
    preferring snippets that hold more of the rare words in better articles."""
    total = sum(g.weight for g in groups) or 1.0
    prior = {e.facts.article_id: e.prior for e in articles}
    share: dict[int, float] = defaultdict(float)  # snippet id -> weight of the groups it holds
    owner: dict[int, int] = {}
    for group, ids, owners in zip(matches.groups, matches.ids, matches.owners, strict=True):
        weight = groups[group].weight / total
        for snippet_id, article_id in zip(ids, owners, strict=True):
            if article_id in prior:
                share[snippet_id] += weight
                owner[snippet_id] = article_id
    scored = {snippet_id: prior[owner[snippet_id]] + 3 * w for snippet_id, w in share.items()}
    for evidence in articles:
        scored.setdefault(evidence.facts.title_id, evidence.prior)
    return sorted(scored, key=scored.__getitem__, reverse=True)[:limit]


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
    article_of = dict(zip(sources, catalogue.owners(sources), strict=True))
    near_owners = catalogue.owners([n for _, n in pairs])
    wanted = dict.fromkeys(ids)
    for (source, snippet_id), article_id in zip(pairs, near_owners, strict=True):
        if article_id and article_id == article_of[source]:
            wanted.setdefault(snippet_id)
    return list(wanted)
