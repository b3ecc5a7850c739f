"""A small synthetic tech-news corpus with answerable quiz questions, for runs without the
RealTimeQA data (a fresh clone, CI). The same corpus every time, as a data file would be.

Each article announces one fact (a company's investment in a field, and the city of the new
site) in its first paragraph, surrounded by filler paragraphs built from the same vocabulary;
each question asks for one article's figure or city, with three wrong choices.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from typing import Any

ARTICLES = 240
QUESTION_EVERY = 4  # one question per this many articles
COMPANIES = (
    "Nvidia", "Meta", "Apple", "Microsoft", "Alphabet", "Amazon", "Tesla", "OpenAI", "Intel",
    "Samsung", "TSMC", "Anthropic", "Oracle", "IBM", "Qualcomm", "AMD", "Netflix", "Uber",
)  # fmt: skip
FIELDS = (
    "AI data centers", "chip factories", "cloud computing", "robotaxis", "smart glasses",
    "satellite internet", "quantum computing", "cybersecurity", "humanoid robots", "batteries",
)  # fmt: skip
CITIES = (
    "Austin", "Phoenix", "Dublin", "Osaka", "Munich", "Toronto", "Singapore", "Denver",
    "Lisbon", "Seoul", "Columbus", "Atlanta",
)  # fmt: skip
SOURCES = ("usatoday.com", "cnn.com", "theweek.co.uk")
FILLER = (
    "Analysts said the plan would take several years to pay off.",
    "Shares of {company} rose {pct} percent in early trading on {weekday}.",
    "The company did not say how many people it expects to hire for the project.",
    "Rivals including {other} have announced similar plans in recent months.",
    "Regulators in Washington and Brussels are watching the sector closely.",
    "{company} reported quarterly revenue of ${revenue} billion last month.",
    "Critics warned that demand for {field} could cool if interest rates stay high.",
    "The announcement came a day after {other} unveiled its own roadmap.",
    "Local officials welcomed the investment and promised faster permits.",
    "The project still needs approval from the city council, according to a filing.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
START = date(2025, 1, 6)


def _id(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _article(rng: random.Random, number: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """One article record and the facts a question can ask about."""
    company, field = rng.choice(COMPANIES), rng.choice(FIELDS)
    other = rng.choice([c for c in COMPANIES if c != company])
    amount, city = rng.randrange(2, 400), rng.choice(CITIES)
    published = START + timedelta(days=number // 2)
    source = SOURCES[number % len(SOURCES)]
    values = {
        "company": company,
        "other": other,
        "field": field,
        "pct": rng.randrange(1, 12),
        "weekday": rng.choice(WEEKDAYS),
        "revenue": rng.randrange(5, 120),
    }
    lede = (
        f"{company} said on {values['weekday']} it will invest ${amount} billion in {field}, "
        f"with its first new site in {city}."
    )
    paragraphs = [lede]
    for _ in range(rng.randrange(6, 11)):
        sentences = rng.sample(FILLER, k=rng.randrange(2, 4))
        paragraphs.append(" ".join(s.format(**values) for s in sentences))
    slug = f"{company}-{field}-{city}".lower().replace(" ", "-")
    url = f"https://www.{source}/{published:%Y/%m/%d}/tech/{slug}-{number}"
    record = {
        "id": _id(url),
        "url": url,
        "title": f"{company} to invest ${amount} billion in {field}",
        "source": source,
        "published_at": published.isoformat(),
        "text": "\n\n".join(paragraphs),
    }
    return record, {"company": company, "field": field, "amount": amount, "city": city}


def _question(rng: random.Random, record: dict[str, Any], facts: dict[str, Any]) -> dict:
    asked = date.fromisoformat(record["published_at"]) + timedelta(days=2)
    if rng.random() < 0.5:
        text = f"How much did {facts['company']} say it would invest in {facts['field']}?"
        answer = f"${facts['amount']} billion"
        wrong = {f"${n} billion" for n in rng.sample(range(2, 400), 6)} - {answer}
    else:
        text = f"Which city will host the first new {facts['field']} site of {facts['company']}?"
        answer = facts["city"]
        wrong = set(CITIES) - {answer}
    choices = [answer, *rng.sample(sorted(wrong), 3)]
    rng.shuffle(choices)
    return {
        "id": f"{asked:%Y%m%d}_{record['id'][:6]}",
        "date": asked.isoformat(),
        "question": text,
        "choices": choices,
        "answer": answer,
        "answer_index": choices.index(answer),
        "article_ids": [record["id"]],
        "answer_in_corpus": True,
        "tech_related": True,
    }


def corpus() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Article records (``articles.jsonl`` format) and question records (``questions.jsonl``)."""
    rng = random.Random("synthetic")
    articles, questions = [], []
    for number in range(ARTICLES):
        record, facts = _article(rng, number)
        articles.append(record)
        if number % QUESTION_EVERY == 0:
            # Every fourth question is held out, as RealTimeQA's test split is.
            split = "test" if len(questions) % 4 == 3 else "dev"
            questions.append({**_question(rng, record, facts), "split": split})
    return articles, questions
