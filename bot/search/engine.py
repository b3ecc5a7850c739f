"""The answer engine: question -> candidates from the index -> reranked snippets -> an answer.

The steps, each in its own module: read the question (``question``), turn its words into
weighted term groups (``terms``), read the postings of the rare ones and pick articles
(``candidates``), score their snippets with the ranking rules (``rank``, ``scoring``), then
compose the answer or abstain (``compose``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter

from bot.archive import Archive
from bot.archive.index import SnippetRow
from bot.search import candidates, compose, english, rank
from bot.search.answer import Answer, Citation, Filters, Headline
from bot.search.catalogue import Catalogue
from bot.search.config import RankConfig
from bot.search.question import MAX_QUESTION_CHARS, Question, analyse, is_small_talk
from bot.search.scoring import Scored, diversify, score_snippets
from bot.search.terms import TermGroup, search_plan, term_groups, unknown_name_share
from bot.search.text import fold, same_text_key, tokens
from bot.search.vocabulary import Vocabulary

__all__ = ["Engine", "RankConfig", "Ranking", "Response"]


@dataclass(slots=True)
class Ranking:
    """The analysed question and its candidates, best first."""

    question: Question
    groups: list[TermGroup]
    scored: list[Scored]
    outlets: list[str]  # outlets the question names (their articles rank higher)
    unknown_names: float = 0.0  # share of the question's names the archive has never seen

    def top(self, k: int) -> list[Scored]:
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
        self.catalogue = Catalogue(archive)

    async def warm_up(self) -> None:
        """Load the vocabulary, the article catalogue, its headlines and the common English
        words now rather than on the first question (waiting for the whole vocabulary, whatever
        the archive's size)."""
        newest = await self.archive.index.snippet_count()
        await self.vocabulary.refresh(newest)
        await self.catalogue.refresh(newest)
        await self.catalogue.load_headlines()
        await asyncio.to_thread(english.common_words)

    async def close(self) -> None:
        """Stop the engine's background work; call it before closing the archive."""
        await self.vocabulary.close()

    async def answer(self, text: str, filters: Filters | None = None) -> Answer:
        """Answer a question with cited snippets, or abstain with the closest headlines."""
        return (await self.respond(text, filters)).answer

    async def respond(self, text: str, filters: Filters | None = None) -> Response:
        """The answer and the ranking behind it."""
        if problem := _unanswerable(text):
            answer = Answer(question=text, answered=False, text="", confidence=0.0, message=problem)
            return Response(answer, None)
        ranking = await self.rank(text, filters)
        answer = await self._answer(text, ranking)
        self.vocabulary.catch_up()
        return Response(answer, ranking)

    async def rank(self, text: str, filters: Filters | None = None) -> Ranking:
        """Every candidate snippet for a question, scored and ordered best first."""
        filters = filters or Filters()
        config = self.config
        question = analyse(text, now=filters.now)
        newest = await self.archive.index.snippet_count()
        # Never waits for a full vocabulary load of a large archive (see vocabulary.py).
        vocabulary = await self.vocabulary.current(newest, question.words)
        await self.catalogue.refresh(newest)
        outlets = self.catalogue.outlets.named(question.text)
        groups = term_groups(question, vocabulary, name_weight=config.name_weight)
        plan = search_plan(
            groups,
            budget=config.postings_budget,
            per_term=config.term_postings,
            min_terms=config.min_search_terms,
            paired=config.paired_terms,
            max_documents=max(int(config.max_term_share * vocabulary.snippets), 50),
        )
        # Nothing dated after "now" (or the filters' end) can answer: a question asked as of
        # the past reads the index back from then, not from the newest articles. (The period
        # the question names narrows only the choice of articles, which may fall back to this.)
        wide = _window(filters, None)
        postings = await self.archive.index.postings(
            [q.expression for q in plan],
            limits=[q.limit for q in plan],
            forwards=[q.forwards for q in plan],
            up_to=None if wide.until is None else self.catalogue.last_snippet_until(wide.until),
        )
        matches = candidates.match(list(zip(plan, postings, strict=True)), self.catalogue)
        now = filters.now.timestamp()
        half_life = config.recent_half_life_days if question.recent else config.half_life_days

        async def choose(window: candidates.Window) -> list[candidates.ArticleEvidence]:
            scored = candidates.score_articles(
                matches,
                groups,
                catalogue=self.catalogue,
                window=window,
                now=now,
                half_life_days=half_life,
                outlets=outlets,
                config=config,
            )
            if scored is None:
                return []
            contenders = scored.contenders(config)
            wanted = scored.article_ids(contenders) if config.per_story else []
            headlines = await self.catalogue.headline_words(wanted)
            return candidates.choose_articles(
                scored, contenders, headlines, catalogue=self.catalogue, config=config
            )

        articles = await choose(_window(filters, question))
        if not articles and (question.since or question.until):
            # The period the question names holds nothing ("founded in 1994"): search all.
            articles = await choose(wide)
        # Read more candidates than are scored: copies of one text (syndicated stories, an
        # outlet's updates) would otherwise fill the scored pool and crowd out other snippets.
        # The best candidates' neighbouring sentences come in the same read.
        ids = candidates.snippet_pool(
            matches, articles, groups, config.snippet_pool * config.pool_overread
        )
        wanted = candidates.with_neighbours(
            ids, self.catalogue, best=config.context_pool, reach=config.context_reach
        )
        fetched = await self.archive.index.fetch(wanted)
        neighbours = set(wanted[len(ids) :])
        # How well each article matches the question, its age aside (see _distinct_texts).
        topical = {
            e.facts.article_id: config.article * e.relevance + config.outlet * e.outlet
            for e in articles
        }
        rows = _distinct_texts(fetched, ids, topical, limit=config.snippet_pool)
        rows = sorted(rows + [row for row in fetched if row.id in neighbours], key=attrgetter("id"))
        scored = score_snippets(
            question, groups, rows, {e.facts.article_id: e for e in articles}, config
        )
        scored = diversify(scored, per_article=config.per_article_top)
        unknown = unknown_name_share(question, groups, self.catalogue.outlets.words)
        return Ranking(question, groups, scored, outlets, unknown)

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
        confidence = compose.confidence(ranking.scored, ranking.unknown_names, ranking.question)
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
        cited = compose.supporting(
            ranking.scored,
            share=self.config.supporting_share,
            per_article=self.config.per_article_cited,
        )
        citations = await self._citations(cited)
        return Answer(
            question=text,
            answered=True,
            text=citations[0].text,
            confidence=confidence,
            citations=citations,
            searched_terms=searched,
        )

    async def _citations(self, cited: list[Scored]) -> list[Citation]:
        articles = await self.archive.index.heads(c.hit.article_id for c in cited)
        # A sentence that leans on the one before ("It said the cuts...") is quoted after it,
        # or after its title when it opens the text.
        leaning = {
            c.hit.snippet_id
            for c in cited
            if c.hit.kind in rank.RUNNING_TEXT and rank.needs_context(c.hit.text)
        }
        previous = await self.archive.index.running_text(
            (c.hit.article_id, c.hit.position - 1) for c in cited if c.hit.snippet_id in leaning
        )
        citations = []
        for c in cited:
            article = articles[c.hit.article_id]
            context = None
            if c.hit.snippet_id in leaning:
                context = previous.get((c.hit.article_id, c.hit.position - 1), article.title)
            citations.append(
                Citation(
                    text=c.hit.text,
                    title=article.title,
                    source=article.source,
                    published_at=article.published_at,
                    url=article.url,
                    score=round(c.score, 4),
                    article_id=article.id,
                    kind=c.hit.kind,
                    context=context,
                )
            )
        return citations

    async def _headlines(self, scored: list[Scored], limit: int = 3) -> list[Headline]:
        ids = list(dict.fromkeys(s.hit.article_id for s in scored))[:limit]
        articles = await self.archive.index.heads(ids)
        return [
            Headline(a.title, a.source, a.published_at, a.url, a.id)
            for a in (articles[i] for i in ids if i in articles)
        ]


def _window(filters: Filters, question: Question | None) -> candidates.Window:
    """The filters' period and outlets, narrowed by the period the question names."""
    until = [filters.now, filters.until, question.until if question else None]
    since = [filters.since, question.since if question else None]
    return candidates.Window(
        since=max((m.timestamp() for m in since if m is not None), default=None),
        until=min(m.timestamp() for m in until if m is not None),
        sources=tuple(s.casefold() for s in filters.sources),
    )


def _distinct_texts(
    rows: list[SnippetRow], order: list[int], topical: Mapping[int, float], *, limit: int
) -> list[SnippetRow]:
    """The first ``limit`` distinct texts of ``rows`` in the order of ``order`` (snippet ids),
    each at its first copy's place but read in the copy whose article is the most ``topical``
    (by article id; the first copy on a tie).

    A text that a wire story, an outlet's update and a roundup all carry is one candidate.
    Read in the best-placed copy, which the recency prior makes the newest, it would often be
    scored as a roundup's body sentence, among other stories' sentences; read in the article
    about the question, it is scored with that article's key points and neighbouring
    sentences, and quoted under that article's headline.
    """
    by_id = {row.id: row for row in rows}
    read_in: dict[str, SnippetRow] = {}  # each text's copy to read, in order of first copy
    for snippet_id in order:
        row = by_id.get(snippet_id)
        if row is None:
            continue
        key = same_text_key(row.text)
        kept = read_in.get(key)
        if kept is None:
            if len(read_in) == limit:
                continue  # a later text: no place left, but copies of those kept still count
            read_in[key] = row
        elif topical.get(row.article_id, 0.0) > topical.get(kept.article_id, 0.0):
            read_in[key] = row
    return list(read_in.values())


def _unanswerable(text: str) -> str | None:
    """A reason the text cannot be searched at all, or None."""
    if not text or not text.strip():
        return "The question is empty. Ask about a company, product or event in the news."
    if len(" ".join(text.split())) > MAX_QUESTION_CHARS:
        return f"The question is too long; please keep it under {MAX_QUESTION_CHARS} characters."
    if not tokens(fold(text)):
        return "The question has no words to search for."
    if is_small_talk(text):
        return (
            "Ask about a company, product or event in the news, "
            "e.g. how much is Meta spending on AI?"
        )
    return None
