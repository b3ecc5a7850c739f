"""Reading a question: its search words, what kind of answer it wants, and any time or outlet."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.search import english
from bot.search.places import places_in
from bot.search.text import content_words, tokens

Intent = Literal[
    "amount", "count", "year", "date", "person", "place", "name", "reason", "definition", "other"
]
MAX_QUESTION_CHARS = 500

# Words of greetings and thanks: a message made only of them ("hi", "help", "thank you") is no
# question, and searched it would quote whatever says "his" or "helped", confidently.
SMALL_TALK = frozenset(
    "hi hello hey hiya yo sup help thanks thank thx ty you ok okay cool nice great good morning "
    "afternoon evening night bye there please test testing ping lol bot newsbot".split()
)
# A request for news rather than a question ("help me find nvidia news", "show me articles
# about AMD"): its words ask for articles and say nothing of which, and searched they quote
# whatever says "find" or "news". Only a request's opening and a kind of article named right
# after it, or as its last word, are set aside: "Did scientists find water?" keeps "find", and
# "... reported by BBC News?" keeps its outlet.
_REQUEST = re.compile(
    r"^(?:(?:please|can you|could you|help me|i want to|i'd like to)\s+)*"
    r"(?:find|show|give|get|tell|search for|search|look up|look for)(?:\s+me)?"
    r"(?:\s+(?:some|any|all|the|about|more))*\s+",
    re.I,
)
_REQUESTED_KIND = r"(?:latest\s+)?(?:news|articles?|stories|headlines|updates)"
_KIND_FIRST = re.compile(rf"^{_REQUESTED_KIND}\s+(?:about|on|for|of|regarding)\s+", re.I)
_KIND_LAST = re.compile(rf"\s+{_REQUESTED_KIND}\W*$")  # lower-case: "BBC News" is an outlet
# A quiz's "which of the following ...?" asks "which ...?": "following" is no word of the story
# (searched, it put a tennis report, "Following Mboko's winning shot...", first for "Which of
# the following is the highest court in the US?").
_OF_THE_CHOICES = re.compile(r"\b(which|who|what)\s+of\s+the\s+following\b", re.I)
_PLACE_NOUN = r"(?:country|countries|nation|state|city|continent|province|region|island|county)"
# "What is DeepSeek?": a short subject and nothing else asks what it is.
_DEFINITION = re.compile(
    r"^\W*what(?:['’]s|\s+(?:is|are))\s+(?:an?\s+|the\s+)?"
    r"(?P<subject>[\w.+#&'’-]+(?:\s+[\w.+#&'’-]+){0,3})\s*\?*\s*$",
    re.I,
)
# What kind of answer a question wants (see intent_of).
_INTENTS: list[tuple[Intent, re.Pattern[str]]] = [
    # "Which European country", "which US state": the noun says what is asked, whatever else
    # the question mentions ("$3.8 billion worth of crypto ... linked to which country?").
    ("place", re.compile(rf"\bwhich (?:\w+ ){{0,2}}{_PLACE_NOUN}\b|\bwhat {_PLACE_NOUN}\b", re.I)),
    (
        "amount",
        re.compile(r"\bhow much\b|\b(?:price|cost|worth|valu(?:e|ation)|revenue|fine)\b", re.I),
    ),
    ("count", re.compile(r"\bhow many\b|\bnumber of\b|\bpercent(?:age)?\b", re.I)),
    ("year", re.compile(r"\b(?:what|which|in what) year\b", re.I)),
    # After a comma, "when", "who" and "where" open a clause that describes something ("Kanye
    # West, who changed his name, is buying which platform?"): the question asks elsewhere.
    ("date", re.compile(r"(?<!,\s)\bwhen\b|\bwhat (?:date|day|month|time)\b|\bhow long\b", re.I)),
    (
        "person",
        re.compile(r"(?<!,\s)\bwho(?:m|se)?\b|\bwhich (?:person|ceo|executive|founder)\b", re.I),
    ),
    ("place", re.compile(r"(?<!,\s)\bwhere\b", re.I)),
    (
        "name",
        re.compile(
            r"\bwhich\b|\bwhat (?:is|was|are|were) the name\b|\bname of\b"
            r"|\bwhat (?:company|companies|firm|startup|brand|app|platform|product|team)\b",
            re.I,
        ),
    ),
    ("reason", re.compile(r"\bwhy\b", re.I)),
    ("definition", _DEFINITION),
    # A yes/no question ("Does the article suggest a higher price ...?") wants no kind of thing;
    # one that goes on to ask a question word ("Do you know who leads OpenAI?") wants its kind.
    (
        "other",
        re.compile(
            r"^\W*(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would)\b"
            r"(?!.*\b(?:who|whom|whose|what|which|when|where|why|how)\b)",
            re.I,
        ),
    ),
]
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_IN_MONTH = re.compile(r"\b(in|during|since) (" + "|".join(_MONTHS) + r")\b(?:\s+(\d{4}))?", re.I)
_IN_YEAR = re.compile(r"\b(?:in|during) ((?:19|20)\d\d)\b")
# "today", unless a name ends with it ("USA Today", "India Today"): a capitalised word, then
# "Today" capitalised too.
_TODAY = re.compile(r"(?:\b([A-Z][\w&'’-]*)\s+)?\b(today)\b", re.I)
# A period that ends with a day ends just before the next one starts (whose date-only
# articles are stored at 00:00): the window's end is inclusive.
_JUST_BEFORE = timedelta(seconds=1)
# Relative times ask for recent news without naming a period: they make recency count more
# (a soft window) rather than filter, since a story is often dated a few days off its week.
_RECENT = re.compile(
    r"\b(?:this|past|last) (?:week|weekend|month)\b|\brecent(?:ly)?\b|\blatest\b|\bnow\b"
    r"|\bthis (?:morning|afternoon|evening)\b|\bon (?:monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday)\b",
    re.I,
)
# What names the story: capitalised words in a row (one name: "Super Bowl", "Golden Gate
# Bridge"), or a figure. A name ends at a possessive ("Apple's Tim Cook" is two) or a stop
# ("Meta. What"). See ``_names`` for a sentence's first word.
_CAPITALISED = r"\b[A-Z][\w&.'’-]*"
_NAME = re.compile(rf"{_CAPITALISED}(?:(?<=\w)(?<!['’]s)\s+{_CAPITALISED})*|\b\d[\d,.]*\b")
_SENTENCE_END = re.compile(r"[.!?:]\s$")
# The roles a question may ask the holder of at a named organisation ("who is the CEO of
# OpenAI?", "OpenAI's CEO?"), as asked -> the role (a key of ROLE_NAMES).
_ROLE_ASKED = {
    "ceo": "ceo",
    "chief executive": "ceo",
    "cfo": "cfo",
    "cto": "cto",
    "founder": "founder",
    "cofounder": "founder",
    "co-founder": "founder",
    "president": "president",
    "chairman": "chair",
    "chairwoman": "chair",
    "chair": "chair",
    "owner": "owner",
}
# What news calls each role (a regular expression, case aside).
ROLE_NAMES = {
    "ceo": r"ceo|chief executive",
    "cfo": r"cfo|chief financial officer",
    "cto": r"cto|chief technology officer",
    "founder": r"(?:co-?)?founders?",
    "president": r"president",
    "chair": r"chair(?:man|woman)?",
    "owner": r"owners?",
}
_ROLE = "(?i:(?P<role>" + "|".join(sorted(_ROLE_ASKED, key=len, reverse=True)) + "))"
_ORGANISATION = rf"(?P<org>{_CAPITALISED}(?:\s+{_CAPITALISED})*)"
# Only as what "who" asks, or as the whole question ("Who is Tesla CEO Elon Musk dating?" names
# the role, it does not ask it).
_WHO_IS = (
    r"^\W*(?i:who(?:['’]s|\s+(?:is|was|are|were|will be|became))\s+(?:the\s+)?"
    r"(?:(?:new|current|next|former|interim|acting)\s+)?)"
)
_ROLE_OF = re.compile(rf"{_WHO_IS}{_ROLE}\s+(?:of|at)\s+{_ORGANISATION}\W*$")
# "Who is OpenAI's CEO?", "OpenAI CEO?"
_ORGANISATION_ROLE = re.compile(rf"(?:{_WHO_IS}|^\W*){_ORGANISATION}\s+{_ROLE}\W*$")

# Related words, so that a question in other words still finds the sentence that answers it.
RELATED_WORDS = {
    "spend": ["invest", "investment", "investments", "commit", "committing", "capex", "budget"],
    "spending": ["invest", "investment", "investments", "committing", "capex", "budget"],
    "buy": ["acquire", "acquisition", "purchase", "deal"],
    "bought": ["acquired", "acquisition", "purchased", "deal"],
    "acquire": ["buy", "acquisition", "purchase", "deal"],
    "fire": ["layoffs", "cuts", "laid"],
    "layoffs": ["cuts", "laid", "jobs", "layoff"],
    "earn": ["revenue", "profit", "earnings", "sales"],
    "make": ["revenue", "profit", "earnings", "sales"],
    "sue": ["lawsuit", "suit", "sued"],
    "sued": ["lawsuit", "suit", "sue"],
    "ceo": ["chief", "executive"],
    "launch": ["release", "unveil", "debut", "launched"],
    "release": ["launch", "unveil", "debut"],
    "price": ["cost", "costs", "priced"],
    "cost": ["price", "priced", "costs"],
    "ai": ["artificial", "intelligence"],
    "public": ["ipo", "listing"],  # "go public"
    "ipo": ["listing", "public"],
}


@dataclass(frozen=True, slots=True)
class Question:
    """A question, analysed."""

    text: str
    words: list[str]
    intent: Intent
    since: datetime | None = None
    until: datetime | None = None
    # What it names (capitalised words, acronyms, figures), each name as its words: "Super
    # Bowl" is one name, ("super", "bowl").
    names: frozenset[tuple[str, ...]] = frozenset()
    recent: bool = False  # "this week", "recently": recent articles count more
    places: frozenset[tuple[str, ...]] = frozenset()  # known places it names (bot.search.places)
    # For "who is the CEO of OpenAI?": the role asked about (a key of ROLE_NAMES) and the
    # organisation's words, ("ceo", ("openai",)).
    role: tuple[str, tuple[str, ...]] | None = None

    @property
    def asked(self) -> frozenset[str]:
        """The question's words as a set."""
        return frozenset(self.words)

    @property
    def name_words(self) -> frozenset[str]:
        """The words of the names it holds ("super", "bowl", "nvidia", "2028")."""
        return frozenset(word for name in self.names for word in name)


def defined_subject(question: Question) -> str | None:
    """What a "what is X?" question asks to have defined ("DeepSeek"), or None."""
    if question.intent != "definition":
        return None
    match = _DEFINITION.match(question.text)
    return match.group("subject") if match else None


def is_small_talk(text: str) -> bool:
    """Whether a message is only greetings, thanks or a call for help, with nothing to search."""
    words = tokens(text)
    return bool(words) and all(word in SMALL_TALK for word in words)


def without_request(text: str) -> str:
    """The question in a request for news ("help me find nvidia news" -> "nvidia"); any other
    question as it is."""
    if not (request := _REQUEST.match(text)):
        return text
    rest = _KIND_FIRST.sub("", text[request.end() :])
    rest = _KIND_LAST.sub("", rest)
    return rest if content_words(rest) else text


def analyse(text: str, *, now: datetime) -> Question:
    """Words to search for, the kind of answer wanted, and a time window named in the question."""
    text = without_request(" ".join(text.split())[:MAX_QUESTION_CHARS])
    text = _OF_THE_CHOICES.sub(r"\1", text)
    words = list(dict.fromkeys(content_words(text)))
    intent = intent_of(text)
    try:
        since, until = time_window(text, now=now)
    except OverflowError:  # "yesterday", asked as of 0001-01-01
        since = until = None
    searched = set(words)
    names = _names(text, searched)
    recent = bool(_RECENT.search(text))
    places = frozenset(places_in(tokens(text)))
    role = role_asked(text)
    return Question(text, words, intent, since, until, names, recent, places, role)


def role_asked(text: str) -> tuple[str, tuple[str, ...]] | None:
    """The role and organisation a question asks about ("the CEO of OpenAI", "OpenAI's CEO"
    -> ("ceo", ("openai",))), or None."""
    for pattern in (_ROLE_OF, _ORGANISATION_ROLE):
        if (match := pattern.match(text)) and (organisation := content_words(match["org"])):
            return _ROLE_ASKED[match["role"].lower()], tuple(organisation)
    return None


def _names(text: str, searched: set[str]) -> frozenset[tuple[str, ...]]:
    """The names in a question, each as its searched words.

    A sentence's first word is capitalised whatever it is: it belongs to a name when more
    capitalised words follow ("Super Bowl winners?", "Sam Altman fired?"; an opening "What"
    is no searched word and drops out), and is one on its own only when it is no common
    English word ("Nvidia earnings?", not "Layoffs at Rivian?") or an acronym ("AI").
    """
    names = set()
    for match in _NAME.finditer(text):
        words = tokens(match.group(0))
        name = tuple(word for word in words if word in searched)
        if not name:  # "What", "Which": no name, and no need to load the common words
            continue
        opens = match.start() == 0 or _SENTENCE_END.search(text, 0, match.start())
        if (
            opens
            and len(words) == 1
            and not match.group(0).isupper()
            and words[0] in english.common_words()
        ):
            continue
        names.add(name)
    return frozenset(names)


def intent_of(text: str) -> Intent:
    """What kind of answer a question wants: the kind its earliest question phrase asks for,
    so that "Which company topped $5 trillion in market value?" wants a name, not an amount
    (ties go to the earlier pattern in ``_INTENTS``, so "which year" is a year)."""
    found = [
        (match.start(), order, name)
        for order, (name, pattern) in enumerate(_INTENTS)
        if (match := pattern.search(text))
    ]
    return min(found)[2] if found else "other"


def time_window(text: str, *, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The period a question names ("yesterday", "in october", "in 2025"), as a filter.

    Relative spans ("this week", "recently") are not filters: see ``Question.recent``.
    """
    lowered = text.lower()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if any(not _names_outlet(m) for m in _TODAY.finditer(text)):
        return day_start, now
    if "yesterday" in lowered:
        return day_start - timedelta(days=1), day_start - _JUST_BEFORE
    if match := _IN_MONTH.search(lowered):
        month = _MONTHS[match.group(2)]
        year = int(match.group(3)) if match.group(3) else now.year - (month > now.month)
        if not 1900 <= year <= 2100:
            return None, None
        start = day_start.replace(year=year, month=month, day=1)
        if match.group(1) == "since":
            return start, now
        end = start.replace(day=calendar.monthrange(year, month)[1]) + timedelta(days=1)
        return start, min(end - _JUST_BEFORE, now)
    if match := _IN_YEAR.search(lowered):
        year = int(match.group(1))
        start = day_start.replace(year=year, month=1, day=1)
        return start, start.replace(year=year + 1) - _JUST_BEFORE
    return None, None


def _names_outlet(today: re.Match[str]) -> bool:
    """Whether a "today" found by ``_TODAY`` ends a name ("USA Today") rather than a period."""
    before, word = today.group(1), today.group(2)
    return bool(before) and before[0].isupper() and word[0].isupper()
