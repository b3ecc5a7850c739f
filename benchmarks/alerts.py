"""Alert matching at scale: 1,000 subscriptions against the 1,000 newest articles, through
``bot.alerts.outbox.match_articles`` (what each alert scan runs per batch of new articles).

Topics are drawn from the source articles' titles (single words and adjacent word pairs, by
frequency), the matcher's own multi-spelling topics ("AI", "data centers"), and misspelt
words (the typo path); one in ten subscriptions also excludes a word.
"""

from __future__ import annotations

import itertools
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from benchmarks.corpus import Record
from bot.alerts.matching import SAME_MEANING, words_of
from bot.alerts.outbox import match_articles
from bot.archive import Archive
from bot.archive.alerts import Subscription
from bot.search.text import STOP_WORDS

SUBSCRIPTIONS = 1000
ARTICLES = 1000
PER_CHANNEL = 10
REPEATS = 3


def _misspelt(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) - 2)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def topics(records: Sequence[Record], count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (topic, excluded words) pairs from the records' titles, distinct as far as the
    titles allow."""
    rng = random.Random(f"topics:{seed}")
    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for record in records:
        title = [w for w in words_of(record["title"]) if w not in STOP_WORDS and len(w) > 2]
        words.update(w for w in title if not w.isdigit())
        pairs.update(f"{a} {b}" for a, b in itertools.pairwise(title))
    common = [w for w, _ in words.most_common(2000)]
    spellings = [phrase for group in SAME_MEANING for phrase in group]
    chosen = rng.sample(common, min(len(common), count * 6 // 10))
    chosen += [p for p, n in pairs.most_common(count // 4) if n > 1]
    chosen += spellings
    long_words = [w for w in common if len(w) >= 6]
    chosen += [_misspelt(w, rng) for w in rng.sample(long_words, min(len(long_words), 50))]
    chosen = list(dict.fromkeys(chosen))
    while len(chosen) < count:  # a small corpus: repeat topics in other channels
        chosen.append(rng.choice(chosen or ["ai"]))
    rng.shuffle(chosen)
    return [
        (topic, rng.choice(common) if common and rng.random() < 0.1 else "")
        for topic in chosen[:count]
    ]


def subscriptions(pairs: Sequence[tuple[str, str]]) -> list[Subscription]:
    """Active subscriptions, ``PER_CHANNEL`` per channel, all older than every article."""
    return [
        Subscription(
            id=number + 1,
            guild_id=1,
            channel_id=100 + number // PER_CHANNEL,
            topic=topic,
            exclude=exclude,
            role_id=None,
            created_by=1,
            created_at="2000-01-01T00:00:00+00:00",
            after_article_id=0,
            paused_reason=None,
        )
        for number, (topic, exclude) in enumerate(pairs)
    ]


async def measure(archive: Archive, records: Sequence[Record], seed: int) -> dict[str, Any]:
    """Seconds to match ``SUBSCRIPTIONS`` subscriptions against the ``ARTICLES`` newest
    articles (median of ``REPEATS``; each repeat builds its index afresh, as a scan does)."""
    started = time.perf_counter()
    rows = await archive.alerts.articles_after(0, ARTICLES, newest_first=True)
    read = time.perf_counter() - started
    subs = subscriptions(topics(records, SUBSCRIPTIONS, seed))
    now = max(datetime.fromisoformat(row["sort_at"]) for row in rows)
    seconds, found = [], 0
    for _ in range(REPEATS):
        started = time.perf_counter()
        found = len(match_articles(subs, rows, now, max_age=None))
        seconds.append(time.perf_counter() - started)
    return {
        "alert_match_1000x1000_s": round(statistics.median(seconds), 4),
        "alert_subscriptions": len(subs),
        "alert_articles": len(rows),
        "alert_matches": found,
        "alert_rows_read_s": round(read, 4),
    }
