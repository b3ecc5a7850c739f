"""Key points for articles that come without them: the few sentences that carry the facts.

Deterministic and model-free: a sentence scores for coming early, for figures (amounts, percentages,
dates) and for names, and loses for depending on a previous sentence ("It said...").
"""

from __future__ import annotations

import re

# An amount of money, a percentage, a large number or a year. Each alternative begins at the
# match's first character, a currency sign or a digit, which the regex engine can skip to; the
# plain form (\d+..., \b(?:19|20)...) is three times slower, as it is tried at every position.
_FIGURE = re.compile(
    r"""[$£€\d](?:
          (?<=[$£€])\s?\d                                                 # $5, € 20
        | (?<=\d)(?:\.\d+)?\s?(?:%|(?i:percent|million|billion|trillion)\b)  # 12.5 million, 4%
        | (?<=[12])(?<!\w.)(?:(?<=1)9|(?<=2)0)\d\d\b                       # 1999, 2024
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"\d")
# A capitalised word (or run of them) that neither starts the text nor follows a full stop. The
# capital comes first and the look-behinds after it, so the regex engine can skip to capitals.
_NAME = re.compile(r"[A-Z](?<=\W[A-Z])(?<![.!?]\s[A-Z])[a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)*")
_DEPENDENT_START = re.compile(
    r"^(?:it|he|she|they|this|that|these|those|but|and|also|however|still|meanwhile|so)\b",
    re.IGNORECASE,
)
# Dates and times as an "Updated ..." line gives them: 3:45 p.m. ET, Jan. 14, 2026.
_DATE_WORD = (
    r"(?:\d+|[ap]\.?m|jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec"
    r"|january|february|march|april|june|july|august|september|october|november|december"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day|[ecmp][sd]?t|gmt|utc|bst|cest?|at|on)"
)
# What a page carries around its story, never a fact of it: prompts, ads, when it was updated,
# who wrote and edited it, copyright notices, links to other stories and to the outlet's
# accounts. Scraped text keeps these lines, and with their dates, figures and names they outscore
# the story's own sentences. Each is recognised by a start no news sentence has, or as a whole
# sentence: "Updated 3:45 p.m. ET" is a time stamp, "Updated figures show..." a fact.
_NOT_FACTUAL = re.compile(
    rf"""^(?:
        (?:sign\ up|subscribe|click|read\ more|watch|photo|image)\b
      | advertisement(?:\s*[-–—:|]\s*(?:scroll|continue|story)\b.*)?[.!]?$
      | (?:(?:last|first)\s+)?(?:updated|published|posted)\s*:?\s*
            {_DATE_WORD}(?:[\s,.:/|-]+{_DATE_WORD})*[\s.]*$
      | (?:additional\s+)?(?:reporting|writing|editing|written|edited|compiled)\s+by\b
      | ©|\(c\)|copyright\s*(?:©|\(c\)|\d{{4}})
      | all\s+rights\s+reserved|this\s+material\s+may\s+not\b
      | (?:related(?:\s+\w+)?|see\s+also|also\s+read|more|contributing)\s*:
      | follow\s+(?:us\b|.*\bon\s+(?:twitter|x|facebook|instagram|linkedin|bluesky|threads)\b)
      | share\s+(?:this|on)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def sentence_score(sentence: str, position: int) -> float:
    """How much a sentence (whitespace-normalised) looks like a standalone fact; higher is
    better, 0 means never pick."""
    if not 5 <= sentence.count(" ") <= 59 or _NOT_FACTUAL.match(sentence) or sentence.endswith("?"):
        return 0.0
    score = 1.0 / (1 + 0.35 * position)  # the lead carries the story
    if _NUMBER.search(sentence):  # (every figure has a digit: most sentences skip the long search)
        score += 0.6 if _FIGURE.search(sentence) else 0.25
    score += min(len(_NAME.findall(sentence)), 4) * 0.12
    if _DEPENDENT_START.match(sentence):
        score *= 0.4
    return score


# Facts worth a key point sit near the top of a news story; scoring the rest costs time for nothing.
CANDIDATE_SENTENCES = 40


def extract_key_points(sentences: list[str], limit: int = 4) -> list[str]:
    """Pick up to ``limit`` fact-bearing sentences, returned in the article's own order
    (sentences as the splitter returns them: whitespace normalised)."""
    scored = [(sentence_score(s, i), i) for i, s in enumerate(sentences[:CANDIDATE_SENTENCES])]
    best = sorted((item for item in scored if item[0] > 0), reverse=True)[:limit]
    return [sentences[i] for _, i in sorted(best, key=lambda item: item[1])]
