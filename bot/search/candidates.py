"""Candidate generation: index postings of the rare question words -> articles -> snippets.

Reads only snippet ids from the full-text index (bounded by ``RankConfig.postings_budget``),
maps them to articles in memory, keeps the articles that match best overall (article-level
BM25, recency, a named outlet), and returns the ids of their matching snippets to rerank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

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
    snippet_groups: dict[int, list[int]] = field(default_factory=dict)  # snippet id -> groups
    relevance: float = 0.0  # rank.article_relevance
    recency: float = 0.0  # rank.recency
    outlet: float = 0.0  # rank.outlet_match
    prior: float = 0.0  # the weighted sum of the three


def collect(
    postings: Sequence[tuple[int, list[int]]], catalogue: Catalogue, window: Window
) -> dict[int, ArticleEvidence]:
    """Group the matching snippet ids by article, keeping articles inside the window."""
    found: dict[int, ArticleEvidence] = {}
    refused: set[int] = set()
    for group, ids in postings:
        for snippet_id in ids:
            article_id = catalogue.article_of(snippet_id)
            if article_id is None or article_id in refused:
                continue
            evidence = found.get(article_id)
            if evidence is None:
                facts = catalogue.articles[article_id]
                if not window.admits(facts):
                    refused.add(article_id)
                    continue
                evidence = found[article_id] = ArticleEvidence(facts)
            evidence.counts[group] = evidence.counts.get(group, 0) + 1
            evidence.snippet_groups.setdefault(snippet_id, []).append(group)
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
    for evidence in found.values():
        evidence.relevance = rank.article_relevance(
            evidence.counts,
            groups,
            evidence.facts.snippets,
            catalogue.mean_snippets,
            k1=config.bm25_k1,
            b=config.bm25_b,
        )
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
    articles: Sequence[ArticleEvidence], groups: Sequence[TermGroup], limit: int
) -> list[int]:
    """The ids of the chosen articles' matching snippets (and their titles), at most ``limit``,
    preferring snippets that hold more of the rare words in better articles."""
    total = sum(g.weight for g in groups) or 1.0
    scored: dict[int, float] = defaultdict(float)
    for evidence in articles:
        for snippet_id, matched in evidence.snippet_groups.items():
            share = sum(groups[i].weight for i in matched) / total
            scored[snippet_id] = max(scored[snippet_id], evidence.prior + 3 * share)
        scored.setdefault(evidence.facts.title_id, evidence.prior)
    best = sorted(scored, key=scored.__getitem__, reverse=True)
    return best[:limit]
