"""The article parsers: the seed text format and its variations, JSON and JSON Lines."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.archive import Archive
from bot.ingest.parse import ParseError, parse_bytes, parse_file, parse_text
from bot.ingest.pipeline import ingest_paths
from bot.ingest.prepare import prepare
from bot.models import Article
from bot.search.engine import Engine
from tests.conftest import NOW, REPO

SEED = REPO / "data" / "000_meta_cloud_business.txt"


def test_seed_file_parts() -> None:
    article = parse_file(SEED).articles[0]
    assert article.title == "Meta Enters Cloud Business to Monetize AI Investments"
    assert article.source == "WireByte"
    assert article.topics[:2] == ("meta", "ai")
    assert len(article.key_points) == 5
    assert "$600 billion to AI by 2028" in article.key_points[1]
    assert article.summary.startswith("Meta is reportedly developing a cloud")


def test_seed_repeated_summary_is_not_kept_twice_in_the_body() -> None:
    prepared = prepare(parse_file(SEED).articles[0])
    body = [text for kind, text in prepared.snippets if kind == "body"]
    assert body[0].startswith("Meta's decision to enter the cloud business")


def test_content_hash_ignores_spacing_and_a_repeated_summary_paragraph() -> None:
    plain = Article(title="Title", summary="The summary.", body="One.\nTwo.")
    messy = replace(plain, body="  The   summary. \n\n One.  \r\n\n\tTwo.\n")
    assert prepare(messy).content_hash == prepare(plain).content_hash
    edited = replace(plain, body="One.\nThree.")
    assert prepare(edited).content_hash != prepare(plain).content_hash


def test_a_sentence_too_long_to_quote_is_cut_into_pieces() -> None:
    words = " ".join(f"word{i}" for i in range(200)) + "."
    run = "".join(chr(ord("a") + i % 26) for i in range(2500))  # no spaces at all
    prepared = prepare(Article(title="Long", body=f"{words}\n\n{run}"))
    body = [text for kind, text in prepared.snippets if kind != "title"]
    assert all(len(text.split()) <= 80 and len(text) <= 1000 for text in body)
    assert "".join(t for t in body if " " not in t and t != words) == run  # nothing is lost


def test_a_summary_sentence_repeated_in_the_body_is_one_key_point() -> None:
    lede = "Acme Motors said on Monday it is recalling 20,000 cars in 12 states."
    prepared = prepare(Article(title="Recall", summary=lede, body=f"{lede} Dealers were told."))
    points = [text for kind, text in prepared.snippets if kind == "key_point"]
    assert points.count(lede) <= 1 and len(points) == len(set(points))


def test_a_long_sentence_of_long_words_is_cut_between_words() -> None:
    words = " ".join(f"{i:03d}" + "x" * 40 for i in range(60)) + "."  # 60 words, 2,600 chars
    prepared = prepare(Article(title="Long", body=words))
    pieces = [text for kind, text in prepared.snippets if kind != "title"]
    assert len(pieces) > 1 and all(len(text) <= 1000 for text in pieces)
    assert sorted(" ".join(pieces).split()) == sorted(words.split())  # no word cut in two


def test_seed_sources_boilerplate_is_dropped() -> None:
    article = parse_file(SEED).articles[0]
    assert "editorial team" not in article.body
    assert "Sources" not in article.body


def test_header_gives_url_date_and_topics() -> None:
    text = (
        "url: https://example.com/a?utm_source=x\nsource: CNN\npublished: 2026-01-05\n"
        "topics: AI, Chips\n\nTitle\nSummary sentence.\nKey points\n- One point.\nBody text."
    )
    article = parse_text(text)
    assert article.url == "https://example.com/a?utm_source=x"
    assert article.published_at == datetime(2026, 1, 5, tzinfo=UTC)
    assert article.topics == ("ai", "chips")
    assert article.key_points == ("One point.",)
    assert article.body == "Body text."


def test_windows_line_endings_and_extra_blank_lines() -> None:
    text = (
        "Title\r\n\r\n\r\nThe summary.\r\n\r\n"
        "Key points\r\n- A point.\r\n\r\n- B point.\r\n\r\nBody."
    )
    article = parse_text(text)
    assert article.title == "Title"
    assert article.summary == "The summary."
    assert article.key_points == ("A point.", "B point.")
    assert article.body == "Body."


def test_missing_key_points_keeps_summary_and_body() -> None:
    article = parse_text("Title\nSummary here.\nFirst body paragraph.\nSecond one.")
    assert article.key_points == ()
    assert article.summary == "Summary here."
    assert article.body == "First body paragraph.\nSecond one."


# As `lynx -dump`, e-mail and `fold` write an article: lines broken at about 70 columns, a
# bullet's continuation indented under it.
WRAPPED = """url: https://example.com/2026/01/16/tsmc-arizona
source: Example News
published: 2026-01-16

TSMC Opens Second Arizona Plant
TSMC said on Friday it has started production at its second Arizona
plant, which will make 3-nanometer chips for Apple and Nvidia.

Key points
- TSMC began production at its second Arizona plant, which makes
  3-nanometer chips.
- The company has committed $165 billion to its U.S. operations.

The plant employs 3,000 workers and will produce 20,000 wafers a
month by the end of 2026, the company said.
"""


async def test_a_hard_wrapped_file_is_quoted_in_whole_sentences(
    archive: Archive, tmp_path: Path
) -> None:
    # Every line break ended a paragraph: the key point was "...plant, which makes" and the
    # answer quoted "...will produce 20,000 wafers a".
    (tmp_path / "wrapped.txt").write_text(WRAPPED, encoding="utf-8")
    report = await ingest_paths(archive, [str(tmp_path / "wrapped.txt")], now=NOW)
    assert (report.added, report.failed) == (1, [])
    (article,) = await archive.articles.latest()
    assert article.summary == (
        "TSMC said on Friday it has started production at its second Arizona plant, "
        "which will make 3-nanometer chips for Apple and Nvidia."
    )
    assert article.key_points == (
        "TSMC began production at its second Arizona plant, which makes 3-nanometer chips.",
        "The company has committed $165 billion to its U.S. operations.",
    )
    answer = await Engine(archive).answer("How many wafers will the plant produce?")
    assert answer.answered
    assert "20,000 wafers a month by the end of 2026" in answer.text


@pytest.mark.parametrize("path", sorted((REPO / "data").glob("*.txt")), ids=lambda p: p.name)
def test_the_bundled_format_keeps_one_paragraph_per_line(path: Path) -> None:
    # Its lines are not wrapped: none may be joined to the one before it.
    (article,) = parse_file(path).articles
    lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n")]
    bullets = tuple(line.removeprefix("- ") for line in lines if line.startswith("- "))
    assert article.key_points == bullets
    body = article.body.split("\n")
    assert body and all(paragraph in lines for paragraph in body)


def test_a_title_a_heading_or_a_sentence_end_is_never_joined_to_the_next_line() -> None:
    article = parse_text(
        "iPhone Sales Slow\niPhone sales fell 3%.\nKey points\n- Sales fell:\n"
        "- 1X shipped robots.\nThe quarter ended.\neBay sales rose.\n"
    )
    assert (article.title, article.summary) == ("iPhone Sales Slow", "iPhone sales fell 3%.")
    assert article.key_points == ("Sales fell:", "1X shipped robots.")
    assert article.body == "The quarter ended.\neBay sales rose."


def test_a_line_that_looks_like_a_header_but_is_text_stays_text() -> None:
    article = parse_text("Breaking: Nvidia hits $5 trillion\nSummary.")
    assert article.title == "Breaking: Nvidia hits $5 trillion"
    # Followed by a blank line it is still the title: a header names at least one known key.
    article = parse_text("Breaking: Nvidia hits $5 trillion\n\nSummary.")
    assert article.title == "Breaking: Nvidia hits $5 trillion"


def test_an_unknown_header_key_is_ignored_and_the_known_ones_read() -> None:
    text = (
        "url: https://example.com/au\nauthor: Jane Doe\npublished: 2026-11-10\n"
        "x-lang: en\n\nAu Title\nThe summary.\nBody text."
    )
    article = parse_text(text)
    assert article.title == "Au Title"
    assert article.url == "https://example.com/au"
    assert article.published_at == datetime(2026, 11, 10, tzinfo=UTC)
    assert (article.summary, article.body) == ("The summary.", "Body text.")


def test_a_title_in_the_header_is_refused_rather_than_the_summary_taken_for_it() -> None:
    with pytest.raises(ParseError, match="the header has a 'title' line"):
        parse_text("url: https://example.com/t\ntitle: Real Title\n\nThe summary.\nBody.")


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_json_records_use_text_or_body(suffix: str) -> None:
    records = [
        {
            "title": "A",
            "text": "Body A.",
            "url": "https://a.example/1",
            "published_at": "2025-03-01",
        },
        {"title": "B", "body": "Body B.", "key_points": ["K."], "topics": ["ai"]},
    ]
    raw = (
        json.dumps(records) if suffix == ".json" else "\n".join(json.dumps(r) for r in records)
    ).encode()
    articles = parse_bytes(raw, suffix=suffix).articles
    assert [a.body for a in articles] == ["Body A.", "Body B."]
    assert articles[1].key_points == ("K.",)
    assert articles[0].published_at == datetime(2025, 3, 1, tzinfo=UTC)


def test_jsonl_bad_line_is_reported_and_the_rest_kept() -> None:
    raw = b'{"title": "Good", "text": "x"}\n{not json\n[1, 2]\n' + b"[" * 100_000 + b"\n"
    parsed = parse_bytes(raw, suffix=".jsonl")
    assert [a.title for a in parsed.articles] == ["Good"]
    assert parsed.errors == [
        "line 2: invalid JSON (Expecting property name enclosed in double quotes)",
        "line 3: expected an object with a title, got list",
        "line 4: invalid JSON (nested too deeply)",
    ]


def test_jsonl_line_of_bad_bytes_is_reported_and_the_rest_kept() -> None:
    raw = (
        b'{"title": "First", "text": "x"}\n'
        + '{"title": "Caf\u00e9", "text": "y"}'.encode("latin-1")
        + b'\n{"title": "Third", "text": "z"}\n'
    )
    parsed = parse_bytes(raw, suffix=".jsonl")
    assert [a.title for a in parsed.articles] == ["First", "Third"]
    assert parsed.errors == [
        "line 2: not valid UTF-8 (byte 15 of the line); save the file as UTF-8"
    ]


async def test_a_record_cut_mid_emoji_is_stored_not_the_ingest_crashed(
    archive: Archive, tmp_path: Path
) -> None:
    # json.loads accepts half a UTF-16 pair (a tweet cut mid-emoji); hashing it for storage
    # raised UnicodeEncodeError, and the whole ingest ended in a traceback, storing nothing.
    path = tmp_path / "tweets.jsonl"
    path.write_text(
        '{"title": "Launch day \\ud83d", "url": "https://ex.com/1?tag=\\ud83d", "text": "Go."}\n'
        '{"title": "Second", "url": "https://ex.com/2", "text": "Also."}\n',
        encoding="utf-8",
    )
    report = await ingest_paths(archive, [str(path)], now=NOW)
    assert (report.added, report.failed) == (2, [])
    titles = {article.title for article in await archive.articles.latest()}
    assert titles == {"Launch day \ufffd", "Second"}


def test_controls_and_invisible_characters_are_dropped_and_an_invisible_title_refused() -> None:
    records = [
        {
            "title": "Nvidia\u0000 earn\u00adings",
            "summary": "Revenue\u200brose\u001b.",
            "text": "x",
        },
        {"title": "\u200b\ufeff", "text": "A headline nobody can see."},
    ]
    parsed = parse_bytes(json.dumps(records).encode(), suffix=".json")
    assert [(a.title, a.summary) for a in parsed.articles] == [("Nvidia earnings", "Revenue rose.")]
    assert parsed.errors == ["record 2: missing title"]
    # A line of invisible characters ends a text file's header, as the blank line it looks like.
    article = parse_text("url: https://ex.com/a\n\u200b\nTitle\nSummary.")
    assert (article.url, article.title) == ("https://ex.com/a", "Title")


def test_html_in_a_record_is_read_as_the_text_a_browser_shows() -> None:
    # Scrapers store HTML: "&amp;", "<em>" and a <script> were stored and quoted as written, and
    # with ".</p><p>" between two sentences no sentence break was found.
    record = {
        "title": "Nvidia &amp; AMD <em>race</em> for chips",
        "summary": "<p>Both are racing.</p>",
        "key_points": ["Nvidia <b>leads</b> the race."],
        "body": "<p>Nvidia rose 5%.</p><p>AMD&#8217;s chip follows.</p><script>ad();</script>",
    }
    (article,) = parse_bytes(json.dumps(record).encode(), suffix=".json").articles
    assert (article.title, article.summary) == ("Nvidia & AMD race for chips", "Both are racing.")
    assert article.key_points == ("Nvidia leads the race.",)
    body = [text for kind, text in prepare(article).snippets if kind == "body"]
    assert body == ["Nvidia rose 5%.", "AMD\u2019s chip follows."]


def test_text_that_only_looks_like_html_is_kept_as_written() -> None:
    article = parse_text("AT&T beats T-Mobile; R&D up\nIt said a < b.\nList<T> & Co. <3\nLast.")
    assert article.title == "AT&T beats T-Mobile; R&D up"
    assert (article.summary, article.body) == ("It said a < b.", "List<T> & Co. <3\nLast.")
    # Inline HTML in a text file keeps the lines, which are the file's paragraphs.
    article = parse_text("Title\nSummary.\nOne <em>big</em> step\nAnother paragraph")
    assert article.body == "One big step\nAnother paragraph"


def test_newsapi_records_keep_their_outlet_date_and_text() -> None:
    # NewsAPI's source object was refused ("source must be text, got dict"), and its publishedAt
    # and content were not read: the articles showed as added today, without their text.
    document = {
        "status": "ok",
        "articles": [
            {
                "source": {"id": "reuters", "name": "Reuters"},
                "author": "Jane Doe",
                "title": "Nvidia unveils Rubin chips",
                "description": "Nvidia unveiled its Rubin chips.",
                "url": "https://www.reuters.com/technology/nvidia-rubin",
                "urlToImage": None,
                "publishedAt": "2026-01-05T18:30:00Z",
                # NewsAPI cuts the text and says by how much: the mark is not quoted.
                "content": "LAS VEGAS (Reuters) - Nvidia on Monday unveiled its Rubin chips. "
                "It said… [+2345 chars]",
            },
            {"source": {"id": None, "name": None}, "title": "RSS-shaped", "pubDate": "2026-01-07"},
        ],
    }
    parsed = parse_bytes(json.dumps(document).encode(), suffix=".json")
    assert parsed.errors == []
    newsapi, rss = parsed.articles
    assert (newsapi.source, newsapi.published_at) == (
        "Reuters",
        datetime(2026, 1, 5, 18, 30, tzinfo=UTC),
    )
    assert newsapi.summary == "Nvidia unveiled its Rubin chips."
    assert newsapi.body == (
        "LAS VEGAS (Reuters) - Nvidia on Monday unveiled its Rubin chips. It said…"
    )
    assert (rss.source, rss.published_at) == (None, datetime(2026, 1, 7, tzinfo=UTC))


def test_a_timestamp_of_zero_is_the_epoch_not_undated() -> None:
    raw = b'{"title": "Epoch", "published_at": 0, "date": "2026-01-05"}'
    (article,) = parse_bytes(raw, suffix=".json").articles
    assert article.published_at == datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Mon, 05 Jan 2026 14:30:00 +0000", datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
        ("Mon, 05 Jan 2026 09:30:00 EST", datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
        ("1767225600", datetime(2026, 1, 1, tzinfo=UTC)),
        ("20260105", datetime(2026, 1, 5, tzinfo=UTC)),
    ],
)
def test_a_header_dated_as_feeds_or_timestamps_write_it_keeps_its_date(
    written: str, read: datetime
) -> None:
    # An RFC 2822 date (as RSS and e-mail write them) or a Unix timestamp, which JSON already
    # took, refused the whole text file ("invalid date").
    article = parse_text(f"url: https://ex.com/a\npublished: {written}\n\nTitle\nSummary.")
    assert article.published_at == read


@pytest.mark.parametrize("suffix", [".txt", ".json"])
def test_a_date_more_than_a_day_ahead_leaves_the_article_undated(suffix: str) -> None:
    # A typo (2062) pinned the article to the top of /latest for decades; feeds drop such dates.
    def published(day: str) -> datetime | None:
        text = f"published: {day}\n\nTitle\nSummary."
        raw = json.dumps({"title": "Title", "date": day}) if suffix == ".json" else text
        return parse_bytes(raw.encode(), suffix=suffix, now=NOW).articles[0].published_at

    assert published("2062-01-15") is None
    assert published("2026-11-28T00:00:00Z") is None
    # Hours ahead is a time zone typed by hand, or a clock a little fast: kept.
    assert published("2026-11-27T06:00:00Z") == datetime(2026, 11, 27, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        lambda text: text.encode("utf-8-sig"),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-8-bom"],
)
def test_a_file_saved_as_unicode_is_read(encode: Callable[[str], bytes]) -> None:
    # What Notepad saves as "Unicode" and Windows PowerShell's ">" writes (UTF-16 with a
    # byte-order mark) was refused as "binary file, not text".
    text = "published: 2026-01-05\n\nCaf\u00e9 prices rise in Z\u00fcrich\nOwners said so.\n"
    (article,) = parse_bytes(encode(text), suffix=".txt").articles
    assert (article.title, article.summary) == (
        "Caf\u00e9 prices rise in Z\u00fcrich",
        "Owners said so.",
    )
    lines = '{"title": "Caf\u00e9 one"}\r\n{"title": "Z\u00fcrich two"}\r\n'
    parsed = parse_bytes(encode(lines), suffix=".jsonl")
    assert [a.title for a in parsed.articles] == ["Caf\u00e9 one", "Z\u00fcrich two"]


def test_json_list_keeps_its_good_records_and_names_each_bad_one() -> None:
    records = [
        {"title": "Good", "text": "Kept."},
        {"summary": "no title"},
        5,
        {"title": "Also good", "published": "2026-01-05"},
        {"title": "x", "published": "soon"},
        {"title": 5, "text": []},
    ]
    parsed = parse_bytes(json.dumps({"articles": records}).encode(), suffix=".json")
    assert [a.title for a in parsed.articles] == ["Good", "Also good"]
    assert parsed.errors == [
        "record 2: missing title",
        "record 3: expected an object with a title, got int",
        "record 5: invalid date 'soon' (expected ISO 8601, e.g. 2026-01-31)",
        "record 6: body must be text, got list",
    ]


@pytest.mark.parametrize(
    ("raw", "suffix", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", ".txt", "binary file"),
        (b"caf\xe9 au lait", ".txt", r"not valid UTF-8 \(byte 3\); save it as UTF-8"),
        (b"\xff\xfe broken", ".txt", r"not valid UTF-16 \(byte 8\); save it as UTF-8"),
        (b"[]", ".json", "holds no articles"),
        (b"\n \n", ".jsonl", "holds no records"),
        (b'[{"title": "x"}', ".json", "invalid JSON"),
        (b"   \n\n  ", ".txt", "no text"),
        (b"[" * 100_000 + b"]" * 100_000, ".json", r"invalid JSON \(nested too deeply\)"),
        (b'{"title": "x", "published": 1' + b"0" * 5000 + b"}", ".json", "invalid JSON"),
        (
            b"published: 0001-01-01T00:00:00+01:00\n\nTitle\nSummary.\n",
            ".txt",
            "invalid date '0001-01-01T00:00:00\\+01:00' \\(out of range\\)",
        ),
    ],
)
def test_not_an_article_raises_parse_error_with_reason(
    raw: bytes, suffix: str, reason: str
) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_bytes(raw, suffix=suffix)


def test_empty_and_huge_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"):
        parse_file(empty)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(ParseError, match="too large"):
        parse_file(huge)
