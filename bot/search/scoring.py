"""Scoring fetched snippets with the ranking rules, and ordering them for the answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.archive import SnippetHit
from bot.archive.index import SnippetRow
from bot.search import rank
from bot.search.candidates import ArticleEvidence
from bot.search.config import RankConfig
from bot.search.question import Question
from bot.search.terms import TermGroup
from bot.search.text import same_text_key, tokens

# The rules a snippet's score adds up, each weighted by the RankConfig field of the same name.
_RULES = (
    "coverage",
    "context",
    "article_coverage",
    "title",
    "kind",
    "intent",
    "place",
    "fuzzy",
    "article",
    "recency",
    "outlet",
)


@dataclass(slots=True)
class Scored:
    """A candidate snippet with its score and each rule's part in it (for tuning and tests)."""

    hit: SnippetHit
    score: float
    coverage: float  # share of the question's (weighted) words the snippet holds
    matched: frozenset[int]  # indices of the term groups it holds
    support: float = 0.0  # share of the question's words its whole article holds
    parts: dict[str, float] = field(default_factory=dict)


def score_snippets(
    question: Question,
    groups: Sequence[TermGroup],
    rows: Sequence[SnippetRow],
    articles: dict[int, ArticleEvidence],
    config: RankConfig,
) -> list[Scored]:
    """Every fetched snippet scored by the rules, best first."""
    query = " ".join(question.words)
    coverage = rank.Coverage(groups, config.related_weight)
    read: list[tuple[SnippetRow, list[str], float, frozenset[int]]] = []
    article_groups: dict[int, set[int]] = defaultdict(set)
    title_cover: dict[int, float] = {}
    running = {row.id: row for row in rows if row.kind in rank.RUNNING_TEXT}
    word_sets: dict[int, set[str]] = {}
    for row in rows:
        words = tokens(row.text)
        word_set = word_sets[row.id] = set(words)
        cover, matched = coverage(word_set)
        article_groups[row.article_id] |= matched
        if row.kind == "title":
            title_cover[row.article_id] = cover
        read.append((row, words, cover, matched))
    # Share of the question's words each article's fetched snippets hold, together.
    supports = {
        article_id: coverage.share(matched) for article_id, matched in article_groups.items()
    }
    weights = {name: getattr(config, name) for name in _RULES}
    weighted = [(name, weight) for name, weight in weights.items() if weight]
    dates: dict[int, str] = {}
    scored = []
    for row, words, cover, matched in read:
        evidence = articles[row.article_id]
        if row.article_id not in dates:
            dates[row.article_id] = datetime.fromtimestamp(
                evidence.facts.timestamp, UTC
            ).isoformat()
        support = supports[row.article_id]
        parts = {
            "coverage": cover,
            "context": rank.context_gain(
                coverage, row, running, word_sets, config.context_reach, cover
            )
            if weights["context"]
            else 0.0,
            "article_coverage": support,
            "title": title_cover.get(row.article_id, 0.0),
            "kind": rank.kind_weight(row.kind),
            "intent": rank.intent_bonus(question, row.text) if weights["intent"] else 0.0,
            "place": rank.place_answer(question, words) if weights["place"] else 0.0,
            "fuzzy": rank.fuzzy_similarity(query, " ".join(words)) if weights["fuzzy"] else 0.0,
            "article": evidence.relevance,
            "recency": evidence.recency,
            "outlet": evidence.outlet,
        }
        score = sum([weight * parts[name] for name, weight in weighted])
        hit = SnippetHit(
            snippet_id=row.id,
            article_id=row.article_id,
            position=row.position,
            kind=row.kind,
            text=row.text,
            sort_at=dates[row.article_id],
            source=evidence.facts.source,
            rank=0.0,
        )
        scored.append(Scored(hit, score, cover, matched, support, parts))
    scored.sort(key=lambda s: (s.score, s.hit.sort_at), reverse=True)
    return scored


def diversify(scored: list[Scored], *, per_article: int, top: int = 5) -> list[Scored]:
    """Reorder so that the first ``top`` snippets come from several articles (at most
    ``per_article`` each) and repeat no text; the rest keep their order after them."""
    chosen: list[Scored] = []
    later: list[Scored] = []
    taken: dict[int, int] = defaultdict(int)
    seen: set[str] = set()
    for at, item in enumerate(scored):
        if len(chosen) == top:
            return chosen + later + scored[at:]
        key = same_text_key(item.hit.text)
        if key in seen:
            continue
        seen.add(key)
        if taken[item.hit.article_id] < per_article:
            chosen.append(item)
            taken[item.hit.article_id] += 1
        else:
            later.append(item)
    return chosen + later
