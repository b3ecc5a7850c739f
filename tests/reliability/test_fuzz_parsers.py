"""Property tests: the parsers raise only their own documented errors, whatever the bytes."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.feeds.parse import FeedError, parse_feed
from bot.ingest.parse import ParseError, parse_bytes

SUFFIXES = st.sampled_from([".txt", ".json", ".jsonl", ".md"])
NOW = datetime(2026, 11, 26, tzinfo=UTC)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
article_like = st.fixed_dictionaries(
    {},
    optional={
        "title": json_values,
        "text": json_values,
        "body": json_values,
        "summary": json_values,
        "key_points": json_values,
        "topics": json_values,
        "url": json_values,
        "published_at": json_values,
        "source": json_values,
    },
)


@given(st.binary(max_size=4096), SUFFIXES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_article_parser_on_arbitrary_bytes(raw: bytes, suffix: str) -> None:
    with contextlib.suppress(ParseError):
        parse_bytes(raw, suffix=suffix)


@given(st.text(max_size=3000), SUFFIXES)
@settings(max_examples=300, deadline=None)
def test_article_parser_on_arbitrary_text(text: str, suffix: str) -> None:
    with contextlib.suppress(ParseError):
        parse_bytes(text.encode("utf-8", "surrogatepass"), suffix=suffix)


@given(st.lists(article_like | json_values, max_size=5))
@settings(max_examples=300, deadline=None)
def test_article_parser_on_json_shaped_records(records: list[object]) -> None:
    for suffix, raw in (
        (".json", json.dumps(records)),
        (".jsonl", "\n".join(json.dumps(r) for r in records)),
    ):
        with contextlib.suppress(ParseError):
            parse_bytes(raw.encode("utf-8", "surrogatepass"), suffix=suffix)


@given(st.binary(max_size=4096))
@settings(max_examples=200, deadline=None)
def test_feed_parser_on_arbitrary_bytes(raw: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_feed(raw, feed_url="https://feeds.example/rss", now=NOW)


@given(st.text(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_feed_parser_on_xmlish_text(text: str) -> None:
    document = f'<?xml version="1.0"?><rss version="2.0"><channel>{text}</channel></rss>'
    with contextlib.suppress(FeedError):
        parse_feed(
            document.encode("utf-8", "surrogatepass"), feed_url="https://feeds.example/rss", now=NOW
        )
