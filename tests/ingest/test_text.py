"""Sentence splitting, URL canonicalisation and key-point extraction."""

from __future__ import annotations

import pytest

from bot.ingest.keypoints import extract_key_points
from bot.ingest.sentences import split_sentences, split_text
from bot.ingest.urls import canonical_url


def test_sentences_survive_abbreviations_initials_and_decimals() -> None:
    text = (
        "Meta will spend $1.5 billion. The U.S. government agreed. Mr. Smith of Acme Inc. "
        'disagreed! "We will see," he said. J. Doe wrote it.'
    )
    assert split_sentences(text) == [
        "Meta will spend $1.5 billion.",
        "The U.S. government agreed.",
        "Mr. Smith of Acme Inc. disagreed!",
        '"We will see," he said.',
        "J. Doe wrote it.",
    ]


def test_text_splits_at_line_breaks_as_well_as_sentence_ends() -> None:
    text = "A heading without a stop\n\n  The   U.S. agreed. Mr. Smith did not!\r\nIt ended ."
    assert split_text(text) == [
        "A heading without a stop",
        "The U.S. agreed.",
        "Mr. Smith did not!",
        "It ended .",
    ]


def test_canonical_url_ignores_tracking_case_www_and_trailing_slash() -> None:
    assert canonical_url("HTTP://WWW.Example.com/a/b/?utm_source=x&id=2&fbclid=9#top") == (
        "https://example.com/a/b?id=2"
    )
    assert canonical_url("ftp://example.com/x") is None
    assert canonical_url("   ") is None


@pytest.mark.parametrize(
    "edition",
    [
        "https://amp.news.example/2026/chips",
        "https://m.news.example/2026/chips/",
        "https://mobile.news.example/2026/chips",
        "https://news.example/2026/chips/amp",
        "https://news.example/amp/2026/chips",
        "https://news.example/2026/chips?amp",
        "https://news.example/2026/chips?outputType=amp",
    ],
)
def test_an_amp_or_mobile_edition_is_the_same_article(edition: str) -> None:
    # Shared links are often to the AMP or mobile page: stored apart, one story was two
    # articles, and answers cited both.
    assert canonical_url(edition) == canonical_url("https://news.example/2026/chips")
    assert canonical_url("https://news.example/2026/chips.amp.html") == (
        "https://news.example/2026/chips.html"
    )


@pytest.mark.parametrize(
    "other", ["https://news.example/champions", "https://m.ai/x", "https://amp.dev/about"]
)
def test_words_and_hosts_that_only_contain_amp_or_m_are_left_alone(other: str) -> None:
    assert canonical_url(other) == other


def test_extracted_key_points_prefer_facts_and_keep_order() -> None:
    sentences = [
        "Nvidia reported revenue of $46.7 billion on Wednesday.",
        "It was a strong quarter.",
        "Analysts had expected less.",
        "The company said data center sales rose 56% from a year earlier, led by Blackwell chips.",
        "Shares moved little after hours.",
    ]
    points = extract_key_points(sentences, limit=2)
    assert points == [sentences[0], sentences[3]]


def test_a_percentage_counts_as_a_figure_whatever_follows_it() -> None:
    # "4% over" once missed the figure bonus: the word boundary after "%" needs a letter next.
    sentences = [
        "Officials counted 3 new stores in the northern region over the weekend.",
        "Online sales grew 4% over the quarter as shoppers moved away from stores.",
    ]
    assert extract_key_points(sentences, limit=1) == [sentences[1]]


def test_page_boilerplate_is_never_a_key_point() -> None:
    # Scraped pages keep their ad labels, time stamps, credits and copyright lines; with dates,
    # figures and names they outscored the story, and /latest showed the first as its key point.
    body = (
        "Advertisement - Scroll to continue reading. Updated 3:45 p.m. ET, January 14, 2026.\n"
        "Microsoft will cut about 1,900 jobs in its gaming division, an internal memo said.\n"
        "The layoffs affect Activision Blizzard and Xbox teams.\n"
        "Reporting by Jane Doe in San Francisco; Editing by Bill Berkrot and Mark Potter.\n"
        "© 2026 Example Wire Inc. All rights reserved.\n"
        "Related: Microsoft's gaming bet, explained in five charts from 2025\n"
        "Follow Example Wire on X and LinkedIn for the latest updates from New York."
    )
    assert extract_key_points(split_text(body)) == [
        "Microsoft will cut about 1,900 jobs in its gaming division, an internal memo said.",
        "The layoffs affect Activision Blizzard and Xbox teams.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Updated figures show revenue rose 5% to $3 billion in 2025.",
        "Published reports say Intel will cut 15,000 jobs by March 2026.",
        "Writing to shareholders, Nadella said Microsoft would cut 1,900 jobs.",
        "Copyright lawsuits against OpenAI rose to 30 in 2025.",
        "More than 1,900 jobs will be cut, Microsoft said on Monday.",
        "Advertisers spent $3 billion on Meta in the quarter.",
    ],
)
def test_facts_that_open_like_boilerplate_stay_key_points(sentence: str) -> None:
    assert extract_key_points([sentence]) == [sentence]
