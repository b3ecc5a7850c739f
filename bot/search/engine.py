"""The answer engine: question -> candidates from the index -> reranked snippets -> an answer."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from rapidfuzz import fuzz

from bot.archive import Archive, SnippetHit
from bot.search import rank
from bot.search.answer import Answer, Citation, Filters, Headline
from bot.search.question import MAX_QUESTION_CHARS, RELATED_WORDS, Question, analyse
from bot.search.text import fold, tokens
from bot.search.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class RankConfig:
    """The weights of the ranking rules and the abstention threshold (tuned on the dev split)."""

    candidates: int = 400
    coverage: float = 3.0
    article: float = 1.0
    kind: float = 1.0
    intent: float = 0.5
    recency: float = 0.4
    fuzzy: float = 0.3
    half_life_days: float = 30.0
    max_term_share: float = 0.05
    abstain_below: float = 0.55
    supporting_share: float = 0.8


@dataclass(slots=True)
class Ranking:
    """The analysed question and its candidates, best first."""

    question: Question
    groups: list[rank.TermGroup]
    scored: list[rank.Scored]

    def top(self, k: int) -> list[rank.Scored]:
        """The ``k`` best candidates."""
        return self.scored[:k]


@dataclass(slots=True)
class Response:
    """An answer and the ranking it was made from (the evaluation reads both)."""

    answer: Answer
    ranking: Ranking | None


class Engine:
    """Answers questions from an archive. Holds the archive's vocabulary between questions."""

    def __init__(self, archive: Archive, config: RankConfig | None = None):
        self.archive = archive
        self.config = config or RankConfig()
        self.vocabulary = Vocabulary(archive)
        self._sources: list[str] = []
        self._sources_at = -1

    async def rank(self, text: str, filters: Filters | None = None) -> Ranking:
        """Every candidate snippet for a question, scored and sorted best first."""
        filters = filters or Filters()
        question = analyse(text, now=filters.now)
        await self.vocabulary.refresh()
        filters, question = await self._outlets_named(question, filters)
        groups = self._term_groups(question)
        hits = await self.archive.index.search(
            self._search_terms(groups),
            limit=self.config.candidates,
            until=_earliest(filters.now, filters.until, question.until),
            since=_latest(filters.since, question.since),
            sources=filters.sources,
        )
        scored = await asyncio.to_thread(self._score, question, groups, hits, filters.now)
        return Ranking(question, groups, scored)

    async def warm_up(self) -> None:
        """Load the vocabulary now rather than on the first question."""
        await self.vocabulary.refresh()

    async def answer(self, text: str, filters: Filters | None = None) -> Answer:
        """Answer a question with cited snippets, or abstain with the closest headlines."""
        return (await self.respond(text, filters)).answer

    async def respond(self, text: str, filters: Filters | None = None) -> Response:
        """The answer and the ranking behind it."""
        if problem := _unanswerable(text):
            answer = Answer(question=text, answered=False, text="", confidence=0.0, message=problem)
            return Response(answer, None)
        ranking = await self.rank(text, filters)
        return Response(await self._answer(text, ranking), ranking)

    async def _answer(self, text: str, ranking: Ranking) -> Answer:
        searched = [g.word for g in ranking.groups]
        if not ranking.scored:
            return Answer(
                question=text,
                answered=False,
                text="",
                confidence=0.0,
                searched_terms=searched,
                message="Nothing in the archive matches this question.",
            )
        best = ranking.scored[0]
        confidence = round(self._confidence(best), 3)
        if confidence < self.config.abstain_below:
            return Answer(
                question=text,
                answered=False,
                text="",
                confidence=confidence,
                headlines=await self._headlines(ranking.scored),
                searched_terms=searched,
                message="The archive has no article that answers this question.",
            )
        cited = self._compose(ranking.scored)
        citations = await self._citations(cited)
        return Answer(
            question=text,
            answered=True,
            text=citations[0].text,
            confidence=confidence,
            citations=citations,
            searched_terms=searched,
        )

    # -- question words -------------------------------------------------------------------

    async def _outlets_named(
        self, question: Question, filters: Filters
    ) -> tuple[Filters, Question]:
        """An outlet named in the question ("what did CNN say") filters by that outlet."""
        if self._sources_at != self.vocabulary.snippets:
            self._sources = await self.archive.articles.sources()
            self._sources_at = self.vocabulary.snippets
        folded = f" {' '.join(tokens(question.text))} "
        named = [s for s in self._sources if s and f" {' '.join(tokens(s))} " in folded]
        if not named:
            return filters, question
        outlet_words = {w for s in named for w in tokens(s)}
        words = [w for w in question.words if w not in outlet_words]
        filters = replace(filters, sources=tuple(dict.fromkeys([*filters.sources, *named])))
        return filters, replace(question, words=words)

    def _term_groups(self, question: Question) -> list[rank.TermGroup]:
        vocabulary = self.vocabulary
        total = max(self._snippet_total(), 1)
        groups = []
        for word in question.words:
            forms = vocabulary.variants(word) or [word]
            related = [
                variant
                for form in forms
                for word_like in RELATED_WORDS.get(form, ())
                for variant in vocabulary.variants(word_like)
            ]
            documents = max((vocabulary.frequency(f) for f in forms), default=0)
            groups.append(
                rank.TermGroup(word, frozenset(forms + related), rank.idf(documents, total))
            )
        return groups

    def _snippet_total(self) -> int:
        return self.vocabulary.snippets

    def _search_terms(self, groups: list[rank.TermGroup]) -> list[str]:
        """The forms to look up: rare enough to narrow the search (the rest only rerank)."""
        limit = self.config.max_term_share * self._snippet_total()
        terms = [
            f
            for g in groups
            for f in sorted(g.forms)
            if 0 < self.vocabulary.frequency(f) <= max(limit, 50)
        ]
        if not terms:  # only common words: search the rarest of them
            known = [f for g in groups for f in g.forms if self.vocabulary.frequency(f)]
            terms = sorted(known, key=self.vocabulary.frequency)[:3]
        return terms

    # -- scoring --------------------------------------------------------------------------

    def _score(
        self,
        question: Question,
        groups: list[rank.TermGroup],
        hits: list[SnippetHit],
        now: datetime,
    ) -> list[rank.Scored]:
        config = self.config
        partial = []
        article_matched: dict[int, set[str]] = defaultdict(set)
        for hit in hits:
            cover, matched = rank.coverage(groups, set(tokens(hit.text)))
            article_matched[hit.article_id] |= matched
            partial.append((hit, cover, matched))
        weights = {g.word: g.weight for g in groups}
        total = sum(weights.values()) or 1.0
        scored = []
        for hit, cover, matched in partial:
            article_cover = sum(weights[w] for w in article_matched[hit.article_id]) / total
            score = (
                config.coverage * cover
                + config.article * article_cover
                + config.kind * rank.KIND_WEIGHT.get(hit.kind, 0.5)
                + config.intent * rank.intent_bonus(question, hit.text)
                + config.recency * rank.recency(hit.sort_at, now, config.half_life_days)
                + config.fuzzy * rank.fuzzy_similarity(question, hit.text)
            )
            scored.append(rank.Scored(hit, score, cover, matched))
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def _confidence(self, best: rank.Scored) -> float:
        return best.coverage

    # -- composing the answer -------------------------------------------------------------

    def _compose(self, scored: list[rank.Scored]) -> list[rank.Scored]:
        """The best snippet, and up to two from other articles that score nearly as well."""
        best = scored[0]
        cited = [best]
        for candidate in scored[1:]:
            if len(cited) == 3 or candidate.score < best.score * self.config.supporting_share:
                break
            if any(candidate.hit.article_id == c.hit.article_id for c in cited):
                continue
            if any(fuzz.token_set_ratio(candidate.hit.text, c.hit.text) > 90 for c in cited):
                continue
            cited.append(candidate)
        return cited

    async def _citations(self, cited: list[rank.Scored]) -> list[Citation]:
        articles = await self.archive.articles.get_many(c.hit.article_id for c in cited)
        previous = await self.archive.index.snippets(
            (c.hit.article_id, c.hit.position - 1)
            for c in cited
            if c.hit.kind in ("body", "summary") and rank.needs_context(c.hit.text)
        )
        citations = []
        for c in cited:
            article = articles[c.hit.article_id]
            context = previous.get((c.hit.article_id, c.hit.position - 1))
            if context is None and rank.needs_context(c.hit.text) and c.hit.kind != "key_point":
                context = article.title
            citations.append(
                Citation(
                    text=c.hit.text,
                    title=article.title,
                    source=article.source,
                    published_at=_isoformat(article.published_at),
                    url=article.url,
                    score=round(c.score, 4),
                    article_id=article.id,
                    kind=c.hit.kind,
                    context=context,
                )
            )
        return citations

    async def _headlines(self, scored: list[rank.Scored], limit: int = 3) -> list[Headline]:
        ids = list(dict.fromkeys(s.hit.article_id for s in scored))[:limit]
        articles = await self.archive.articles.get_many(ids)
        return [
            Headline(a.title, a.source, _isoformat(a.published_at), a.url, a.id)
            for a in (articles[i] for i in ids if i in articles)
        ]


def _unanswerable(text: str) -> str | None:
    """A reason the text cannot be searched at all, or None."""
    if not text or not text.strip():
        return "The question is empty. Ask about a company, product or event in the news."
    if len(text) > MAX_QUESTION_CHARS * 4:
        return f"The question is too long; please keep it under {MAX_QUESTION_CHARS} characters."
    if not tokens(fold(text)):
        return "The question has no words to search for."
    return None


def _isoformat(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _earliest(*moments: datetime | None) -> datetime | None:
    return min((m for m in moments if m is not None), default=None)


def _latest(*moments: datetime | None) -> datetime | None:
    return max((m for m in moments if m is not None), default=None)
