"""parse_feed: RSS and Atom into articles, refusals with reasons, caps, dates, HTML to text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.feeds.parse import MAX_TOPICS, FeedError, ParsedFeed, parse_feed
from bot.ingest.fields import html_to_text

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
FEED_URL = "https://feeds.example/tech.xml"


def _parse(data: bytes, **kwargs: object) -> ParsedFeed:
    options: dict = {"feed_url": FEED_URL, "now": NOW, **kwargs}
    return parse_feed(data, **options)


def _rss(items: str, *, title: str = "<title>Test Feed</title>") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>{title}'
        f"<link>https://feeds.example/</link>{items}</channel></rss>"
    ).encode()


# -- RSS 2.0 -------------------------------------------------------------------------------------


@pytest.fixture
def rss2(fixture_bytes: Callable[[str], bytes]) -> ParsedFeed:
    return _parse(fixture_bytes("rss2.xml"))


def test_rss2_feed_title_and_source(rss2: ParsedFeed) -> None:
    assert rss2.title == "Example Tech News"
    assert {article.source for article in rss2.articles} == {"Example Tech News"}


def test_rss2_entry_fields(rss2: ParsedFeed) -> None:
    first = rss2.articles[0]
    assert first.title == "Chipmaker unveils a new 2 nm process"
    assert first.url == "https://news.example/articles/2nm?utm_source=rss"
    assert first.published_at == datetime(2025, 3, 4, 13, 30, tzinfo=UTC)  # +0100 → UTC
    assert first.topics == ("chips", "semiconductors")  # lowercased, repeats dropped
    assert first.key_points == ()
    assert first.summary == "The new process is 15 % faster.\n\nVolume production starts in 2026."


def test_rss2_body_comes_from_content_as_clean_text(rss2: ParsedFeed) -> None:
    body = rss2.articles[0].body
    assert body == (
        "The new process is 15 % faster & uses less power.\n\n"
        "Volume production starts in 2026.\nAnalysts are cautious.\n\nFaster\n\nCheaper"
    )
    assert "<" not in body and "alert" not in body and "&amp;" not in body


def test_rss2_relative_link_resolves_against_the_feed_url(rss2: ParsedFeed) -> None:
    article = rss2.articles[1]
    assert article.url == "https://feeds.example/articles/relative"
    assert article.body == article.summary == "Plain description with AT&T & friends."


def test_rss2_permalink_guid_is_the_link(rss2: ParsedFeed) -> None:
    article = rss2.articles[2]
    assert (article.url, article.body, article.published_at) == (
        "https://news.example/articles/guid",
        "",
        None,
    )


def test_rss2_entry_without_link_is_kept_when_it_has_text(rss2: ParsedFeed) -> None:
    article = rss2.articles[3]
    assert (article.title, article.url, article.body) == (
        "No link but some text",
        None,
        "Only text here.",
    )


def test_rss2_entry_without_title_is_titled_by_its_text(rss2: ParsedFeed) -> None:
    article = rss2.articles[4]
    assert (article.title, article.url, article.body) == (
        "An entry without a title.",
        "https://news.example/articles/untitled",
        "An entry without a title.",
    )


def test_rss2_unusable_entries_are_reported(rss2: ParsedFeed) -> None:
    assert len(rss2.articles) == 5
    assert rss2.skipped == ["entry 5: 'No link and no text' has neither a link nor any text"]


def test_posts_without_titles_are_titled_by_their_first_sentence() -> None:
    # Mastodon, Bluesky and micro.blog posts have a description and no title (RSS 2.0 asks for
    # one or the other): every one of them was left out.
    long = (
        "Nvidia said on Tuesday that its Rubin GPUs, which ship in 2026 with 288 GB of memory, "
        "will cost less than the Blackwell chips they replace. Analysts doubt it."
    )
    items = (
        "<item><link>https://social.example/@chips/1</link><description>&lt;p&gt;TSMC raises "
        "prices by 5%. Customers &lt;b&gt;grumble&lt;/b&gt;.&lt;/p&gt;</description></item>"
        f"<item><link>https://social.example/@chips/2</link><description>{long}</description>"
        "</item><item><link>https://social.example/@chips/3</link></item>"
    )
    parsed = _parse(_rss(items))
    assert [(a.title, a.body) for a in parsed.articles] == [
        ("TSMC raises prices by 5%.", "TSMC raises prices by 5%. Customers grumble."),
        ("Nvidia said on Tuesday that its Rubin GPUs, which ship in 2026 with 288 GB of memory, "
         "will cost…", long),
    ]  # fmt: skip
    assert parsed.skipped == [
        "entry 3: neither a title nor any text (https://social.example/@chips/3)"
    ]


# -- Atom, RSS 1.0, RSS 0.91 ---------------------------------------------------------------------


@pytest.fixture
def atom(fixture_bytes: Callable[[str], bytes]) -> ParsedFeed:
    return _parse(fixture_bytes("atom.xml"))


def test_atom_entry_fields(atom: ParsedFeed) -> None:
    assert atom.title == "Atom <Dev> Blog"  # type="html" title decoded to text
    first = atom.articles[0]
    assert first.title == "Rust 2.0 released"
    assert first.url == "https://atom.example/posts/rust-2"  # rel=alternate, not rel=replies
    assert first.published_at == datetime(2025, 3, 5, 14, 15, tzinfo=UTC)  # published wins
    assert first.topics == ("rust", "programming languages")
    assert first.summary == "A plain-text summary with List<T> in it."  # text, not HTML
    assert first.body == "What is new\n\nFaster builds & better errors."
    assert first.source == "Atom <Dev> Blog"


def test_atom_xhtml_content_and_updated_date(atom: ParsedFeed) -> None:
    second = atom.articles[1]
    assert second.title == "Only an updated date"
    assert second.published_at == datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    assert second.body == "First paragraph.\n\nSecond paragraph."


def test_atom_entry_without_date(atom: ParsedFeed) -> None:
    assert atom.articles[2].published_at is None
    assert atom.skipped == []


def test_rss1_rdf(fixture_bytes: Callable[[str], bytes]) -> None:
    parsed = _parse(fixture_bytes("rss1.xml"))
    [article] = parsed.articles
    assert (parsed.title, article.title, article.url) == (
        "RDF Site",
        "RSS 1.0 item",
        "https://rdf.example/1",
    )
    assert article.published_at == datetime(2025, 2, 1, tzinfo=UTC)
    assert article.topics == ("web",)


def test_rss091_with_public_doctype_and_latin1(fixture_bytes: Callable[[str], bytes]) -> None:
    [article] = _parse(fixture_bytes("rss091.xml")).articles
    assert (article.title, article.body) == ("Café opens", "Naïve text.")


@pytest.mark.parametrize(
    ("start", "encoding"),
    [('<?xml version="1.0" encoding="UTF-8"?>', "utf-8"), ("", "utf-8-sig")],
    ids=["XML declaration", "byte-order mark"],
)
def test_the_documents_own_encoding_outranks_the_servers_charset(start: str, encoding: str) -> None:
    # A server's default charset can be wrong for a feed (here a UTF-8 one) that names its own.
    data = f'{start}<rss version="2.0"><channel><title>Новости</title></channel></rss>'
    parsed = _parse(data.encode(encoding), charset="windows-1251")
    assert parsed.title == "Новости"


def test_source_falls_back_to_the_feed_host() -> None:
    parsed = _parse(_rss("<item><title>A</title><link>https://a.example/1</link></item>", title=""))
    assert parsed.title == ""
    assert parsed.articles[0].source == "feeds.example"


def test_empty_but_valid_feed_has_no_articles() -> None:
    parsed = _parse(_rss(""))
    assert (parsed.title, parsed.articles, parsed.skipped) == ("Test Feed", [], [])


def test_javascript_link_is_dropped() -> None:
    item = (
        "<item><title>A</title><link>javascript:alert(1)</link><description>x</description></item>"
    )
    assert _parse(_rss(item)).articles[0].url is None


@pytest.mark.parametrize(
    "link", ["http://example.com:99999/x", "http://example.com:abc/x", "http://[::1/x"]
)
def test_malformed_link_is_dropped_and_the_entry_kept(link: str) -> None:
    item = f"<item><title>A</title><link>{link}</link><description>x</description></item>"
    [article] = _parse(_rss(item)).articles
    assert (article.title, article.url) == ("A", None)


# -- dates ---------------------------------------------------------------------------------------


def _dated(when: datetime) -> bytes:
    stamp = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return _rss(
        f"<item><title>A</title><link>https://a.example/</link><pubDate>{stamp}</pubDate></item>"
    )


def test_far_future_date_counts_as_undated_at_every_poll() -> None:
    feed = _dated(NOW + timedelta(days=30))
    [article] = _parse(feed).articles
    [later] = _parse(feed, now=NOW + timedelta(minutes=15)).articles
    assert article.published_at is later.published_at is None


def test_slightly_future_date_is_kept() -> None:
    [article] = _parse(_dated(NOW + timedelta(hours=20))).articles
    assert article.published_at == NOW + timedelta(hours=20)


def test_unparseable_date_is_none() -> None:
    item = "<item><title>A</title><link>https://a.example/</link><pubDate>someday</pubDate></item>"
    assert _parse(_rss(item)).articles[0].published_at is None


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "got an HTML page"),
        (b"\xef\xbb\xbf\n<!-- hi -->\n<html lang=en><body>x</body></html>", "got an HTML page"),
        (b"\x00\x01\x02 garbage \xff\xfe", "malformed XML with no entries"),
        (b"<?xml version='1.0'?><note><to>you</to></note>", "no RSS or Atom root element"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel><title>Cut", "malformed XML"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "got JSON"),
    ],
)
def test_non_feeds_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        _parse(data)


def test_truncated_feed_keeps_the_entries_it_has() -> None:
    items = "".join(
        f"<item><title>Item {n}</title><link>https://a.example/{n}</link></item>" for n in range(3)
    )
    data = _rss(items)
    cut = data[: data.index(b"<item><title>Item 2") + 20]  # mid-way through the third item
    titles = [article.title for article in _parse(cut).articles]
    assert titles[:2] == ["Item 0", "Item 1"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://a.example/</link></item></channel></rss>"""


def test_entity_bomb_is_refused() -> None:
    with pytest.raises(FeedError, match="declares XML entities"):
        _parse(BILLION_LAUGHS)


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS.decode().encode("utf-16"),  # with a BOM
        BILLION_LAUGHS.decode().encode("utf-16-be"),  # without one
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<rss version='2.0'><channel><item><title>&xxe;</title></item></channel></rss>",
        b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY % p 'x'>]><rss version='2.0'/>",
        b"<?xml version='1.0'?><!DOCTYPE rss [<! entity a 'x'>]><rss version='2.0'/>",
        # Markup in a quoted literal does not end the doctype early: the entity is still in it.
        b"<?xml version='1.0'?><!DOCTYPE rss SYSTEM 'a>b<rss>' [<!ENTITY a 'x'>]><rss/>",
        b"<?xml version='1.0'?><!DOCTYPE rss [<!ATTLIST rss a CDATA '>]><rss>'>"
        b"<!ENTITY a 'x'>]><rss version='2.0'/>",
    ],
    ids=[
        *("utf16-bom", "utf16-be", "external-entity", "parameter-entity", "odd-spelling"),
        *("markup-in-a-system-literal", "markup-in-an-attribute-default"),
    ],
)
def test_any_entity_declaration_is_refused(data: bytes) -> None:
    with pytest.raises(FeedError, match="declares XML entities"):
        _parse(data)


# -- entry cap -----------------------------------------------------------------------------------


def test_100000_entries_are_capped() -> None:
    items = "".join(
        f"<item><title>Item {n}</title><link>https://a.example/{n}</link>"
        f"<description>Text {n}</description></item>"
        for n in range(100_000)
    )
    data = _rss(items)
    parsed = _parse(data, max_entries=500)
    assert len(parsed.articles) == 500
    assert parsed.articles[-1].title == "Item 499"
    assert parsed.skipped == ["99,500 more entries ignored (limit 500)"]
    assert parsed.title == "Test Feed"  # the document still closes properly after the cut


@pytest.mark.parametrize("prefix", ["", "atom:"])
def test_atom_entries_are_capped_too(prefix: str) -> None:
    entries = "".join(
        f"<{prefix}entry><{prefix}title>E{n}</{prefix}title>"
        f"<{prefix}link href='https://a.example/{n}'/><{prefix}id>{n}</{prefix}id></{prefix}entry>"
        for n in range(30)
    )
    namespace = f"xmlns{':' + prefix[:-1] if prefix else ''}='http://www.w3.org/2005/Atom'"
    data = (
        f"<?xml version='1.0'?><!-- <rss> in a comment -->"
        f"<{prefix}feed {namespace}><{prefix}title>A</{prefix}title>{entries}</{prefix}feed>"
    ).encode()
    parsed = _parse(data, max_entries=10)
    assert [a.title for a in parsed.articles] == [f"E{n}" for n in range(10)]
    assert parsed.skipped == ["20 more entries ignored (limit 10)"]


def test_entry_ends_inside_cdata_or_comments_do_not_count() -> None:
    item = (
        "<item><title>T{n}</title><link>https://a.example/{n}</link>"
        "<description><![CDATA[<p>Closing tags: </item></entry></p>]]></description>"
        "<!-- </item> --></item>"
    )
    parsed = _parse(_rss("".join(item.format(n=n) for n in range(4))), max_entries=2)
    assert [a.title for a in parsed.articles] == ["T0", "T1"]
    assert parsed.articles[0].body == "Closing tags:"
    assert parsed.skipped == ["2 more entries ignored (limit 2)"]


def test_unterminated_cdata_after_the_entries_keeps_them() -> None:
    # (A pattern that backtracked over the 100,000 openings would take minutes here.)
    data = _rss("<item><title>A</title><link>https://a.example/</link></item>" * 3)
    data = data.replace(b"</channel>", b"<![CDATA[" * 100_000 + b"</channel>")
    parsed = _parse(data, max_entries=1)
    assert [a.title for a in parsed.articles] == ["A"]
    assert "unclosed CDATA section" in parsed.skipped[0]
    assert parsed.skipped[-1] == "2 more entries ignored (limit 1)"


def test_skipped_entries_and_cap_are_both_reported() -> None:
    items = "<item><link>https://a.example/x</link></item>" + "".join(
        f"<item><title>T{n}</title><link>https://a.example/{n}</link></item>" for n in range(5)
    )
    parsed = _parse(_rss(items), max_entries=3)
    assert len(parsed.articles) == 2
    assert parsed.skipped == [
        "entry 1: neither a title nor any text (https://a.example/x)",
        "3 more entries ignored (limit 3)",
    ]


def test_nested_entry_elements_do_not_count_as_ignored_entries() -> None:
    items = "".join(
        f"<item><title>T{n}</title><link>https://a.example/{n}</link>"
        f"<x:entry xmlns:x='urn:x'>meta</x:entry></item>"
        for n in range(3)
    )
    parsed = _parse(_rss(items), max_entries=2)
    assert [a.title for a in parsed.articles] == ["T0", "T1"]
    assert parsed.skipped == ["1 more entry ignored (limit 2)"]


def test_one_ignored_entry_is_singular() -> None:
    items = "".join(
        f"<item><title>T{n}</title><link>https://a.example/{n}</link></item>" for n in range(3)
    )
    assert _parse(_rss(items), max_entries=2).skipped == ["1 more entry ignored (limit 2)"]


def _episodes(count: int, *, empty: int | None = None) -> bytes:
    """A feed of ``count`` daily episodes listed oldest first, as podcasts do, the last of them
    published at ``NOW``; episode ``empty`` has neither a title nor show notes."""
    items = "".join(
        f"<item>{'' if n == empty else f'<title>Episode {n}</title>'}"
        f"<link>https://pod.example/{n}</link>"
        f"{'' if n == empty else '<description>Show notes.</description>'}"
        f"<pubDate>{format_datetime(NOW - timedelta(days=count - 1 - n), usegmt=True)}</pubDate>"
        "</item>"
        for n in range(count)
    )
    return _rss(items)


@pytest.mark.parametrize(
    ("count", "max_entries"),
    [(600, 500), (30, 10)],
    ids=["fewer than twice the limit", "more than twice the limit"],
)
def test_a_feed_listing_its_oldest_entries_first_keeps_its_newest(
    count: int, max_entries: int
) -> None:
    # Keeping the first entries would never deliver a new episode: they are appended at the end.
    parsed = _parse(_episodes(count), max_entries=max_entries)
    titles = [article.title for article in parsed.articles]
    assert titles == [f"Episode {n}" for n in range(count - max_entries, count)]
    assert parsed.skipped == [f"{count - max_entries} more entries ignored (limit {max_entries})"]


def test_entries_kept_from_the_end_are_numbered_by_their_place_in_the_feed() -> None:
    parsed = _parse(_episodes(8, empty=6), max_entries=3)
    assert [article.title for article in parsed.articles] == ["Episode 5", "Episode 7"]
    assert parsed.skipped == [
        "entry 7: neither a title nor any text (https://pod.example/6)",
        "5 more entries ignored (limit 3)",
    ]


def test_an_old_entry_pinned_to_the_top_does_not_turn_a_feed_around() -> None:
    pinned = (
        "<item><title>About this site</title><link>https://a.example/about</link>"
        "<pubDate>Mon, 01 Jan 2018 00:00:00 GMT</pubDate></item>"
    )
    items = "".join(
        f"<item><title>News {n}</title><link>https://a.example/{n}</link>"
        f"<pubDate>{format_datetime(NOW - timedelta(days=n), usegmt=True)}</pubDate></item>"
        for n in range(10)
    )
    parsed = _parse(_rss(pinned + items), max_entries=4)
    titles = [article.title for article in parsed.articles]
    assert titles == ["About this site", "News 0", "News 1", "News 2"]


def test_topics_are_capped() -> None:
    tags = "".join(f"<category>Tag {n}</category>" for n in range(100))
    item = f"<item><title>A</title><link>https://a.example/</link>{tags}</item>"
    [article] = _parse(_rss(item)).articles
    assert article.topics == tuple(f"tag {n}" for n in range(MAX_TOPICS))


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        _parse(_rss(""), max_entries=0)


# -- HTML to text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("A&amp;B &lt;tag&gt; &eacute; &#8212; &#x2014;", "A&B <tag> é — —"),
        ("line<br>break<br/>again", "line\nbreak\nagain"),
        ("<div>  lots \n\n of   <b>space</b>  </div>", "lots of space"),
        ("<style>p{}</style><script>x()</script>kept<noscript>no</noscript>", "kept"),
        ("<p></p><p>  </p><p>only</p><div></div>", "only"),
        ("<ul><li>a</li><li>b</li></ul>", "a\n\nb"),
        ("unclosed <b>bold <i>italic", "unclosed bold italic"),
        ("", ""),
    ],
)
def test_html_to_text(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text


@given(st.text())
@example("a\u200bb\u200b")  # a zero-width space reads as a space, as a no-break space does
def test_html_to_text_of_escaped_text_is_that_text(text: str) -> None:
    result = html_to_text(f"<p>{html.escape(text)}</p>")
    assert "\n\n\n" not in result
    assert result == result.strip()
    # Controls other than whitespace and the invisible characters that hide words are dropped.
    unseen = r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u2060\ufeff]"
    printable = re.sub(unseen, "", text).replace("\u200b", " ")
    assert " ".join(result.split()) == " ".join(printable.split())
