"""Turning a ranking into an answer: confidence, the cited snippets, and abstention."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.search import rank
from bot.search.question import Question
from bot.search.scoring import Scored

# Two snippets at least this similar (rapidfuzz token-set ratio) say the same thing: cite one.
SAME_TEXT_SIMILARITY = 90.0


def confidence(scored: Sequence[Scored], unknown_names: float, question: Question) -> float:
    """How sure the engine is that the archive answers the question, 0..1.

    The share of the question's (idf-weighted) words that the best snippet's article holds,
    scaled down by the share of the question's names the archive has never seen: an article
    that matches "capital" is no answer to "the capital of Peru" when "Peru" is unknown. 0
    when the question asks who holds a role at an organisation and the best snippet does not
    say: "Scale AI CEO Alexandr Wang" in an article that mentions OpenAI is no answer to "who
    is the CEO of OpenAI?".
    """
    if not scored:
        return 0.0
    if question.role and not rank.names_role(question.role, scored[0].hit.text):
        return 0.0
    return round(scored[0].support * (1 - unknown_names), 3)


def supporting(
    scored: Sequence[Scored], *, share: float, per_article: int, limit: int = 3
) -> list[Scored]:
    """The best snippet and up to ``limit - 1`` more that score nearly as well and add something
    (not the same sentence again), at most ``per_article`` of one article; a second one of an
    article is never its title, which the article's source line shows."""
    if not scored:
        return []
    best = scored[0]
    cited = [best]
    for candidate in scored[1:]:
        if len(cited) == limit or candidate.score < best.score * share:
            break
        quoted = sum(c.hit.article_id == candidate.hit.article_id for c in cited)
        if quoted == per_article or (quoted and candidate.hit.kind == "title"):
            continue
        if any(
            fuzz.token_set_ratio(candidate.hit.text, c.hit.text) > SAME_TEXT_SIMILARITY
            for c in cited
        ):
            continue
        cited.append(candidate)
    return cited
