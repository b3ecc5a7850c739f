"""The alert outbox: scan -> deliveries once per (channel, article), batches, restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.alerts import outbox
from bot.alerts.outbox import backfill, match_articles, scan, unsubscribe
from bot.archive import Archive
from bot.archive.alerts import LimitReached, Resumed
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from tests.conftest import NOW

CHANNEL = 500


def news(title: str, n: int, **fields: object) -> Article:
    article = Article(
        title=title,
        key_points=(f"{title} today.",),
        url=f"https://news.example/{n}",
        source="Example",
        published_at=NOW - timedelta(hours=1),
    )
    return replace(article, **fields)


async def subscribe(archive: Archive, topic: str, channel: int = CHANNEL, **options: object):
    subscription, *_ = await archive.alerts.subscribe(
        guild_id=1,
        channel_id=channel,
        topic=topic,
        exclude=str(options.get("exclude", "")),
        role_id=options.get("role_id"),  # type: ignore[arg-type]
        created_by=7,
        now=NOW,
        max_per_channel=int(options.get("max_per_channel", 10)),
        max_per_guild=int(options.get("max_per_guild", 50)),
    )
    return subscription


async def test_new_subscription_starts_from_now_not_the_backlog(archive: Archive) -> None:
    await ingest_articles(archive, [news("Nvidia earnings beat", 1)], now=NOW)
    await subscribe(archive, "nvidia")
    assert await scan(archive, now=NOW) == 0
    await ingest_articles(archive, [news("Nvidia unveils new GPU", 2)], now=NOW)
    assert await scan(archive, now=NOW) == 1
    (batch,) = await archive.alerts.claim_batches(per_message=10)
    assert batch.channel_id == CHANNEL
    assert [item.matched_words for item in batch.items] == [["nvidia"]]


async def test_each_article_is_queued_once_even_if_scanned_again(archive: Archive) -> None:
    await subscribe(archive, "nvidia")
    await subscribe(archive, "gpu")  # a second topic matching the same article, same channel
    await ingest_articles(archive, [news("Nvidia unveils new GPU", 2)], now=NOW)
    assert await scan(archive, now=NOW) == 1  # the channel gets one alert for the article
    assert await scan(archive, now=NOW) == 0
    (batch,) = await archive.alerts.claim_batches(per_message=10)
    assert len(batch.items) == 1


async def test_unsent_batch_is_claimed_again_with_the_same_nonce(archive: Archive) -> None:
    await subscribe(archive, "nvidia")
    await ingest_articles(archive, [news(f"Nvidia story {n}", n) for n in range(1, 4)], now=NOW)
    await scan(archive, now=NOW)
    (first,) = await archive.alerts.claim_batches(per_message=2)
    (again,) = await archive.alerts.claim_batches(per_message=2)  # e.g. after a crash
    assert (again.nonce, again.items) == (first.nonce, first.items)
    assert len(first.nonce) <= 25
    await archive.alerts.mark_sent(first, message_id=99, now=NOW)
    (rest,) = await archive.alerts.claim_batches(per_message=2)
    assert [item.article_id for item in rest.items] == [3]
    assert rest.nonce != first.nonce
    await archive.alerts.mark_sent(rest, message_id=100, now=NOW)
    assert await archive.alerts.claim_batches(per_message=2) == []
    assert await archive.alerts.delivery_counts() == {"sent": 3}


async def test_articles_held_back_from_a_message_go_out_in_the_next(archive: Archive) -> None:
    await subscribe(archive, "nvidia")
    await ingest_articles(archive, [news(f"Nvidia story {n}", n) for n in range(1, 5)], now=NOW)
    await scan(archive, now=NOW)
    (first,) = await archive.alerts.claim_batches(per_message=3)
    await archive.alerts.fix_message(first, '{"fixed": 1}', held_back=[2, 3])
    assert await archive.alerts.delivery_counts() == {"sending": 1, "pending": 3}
    # Until it is sent, the batch is article 1 alone, with the message fixed for it.
    (again,) = await archive.alerts.claim_batches(per_message=3)
    assert [item.article_id for item in again.items] == [1]
    assert await archive.alerts.batch_message(again) == '{"fixed": 1}'
    await archive.alerts.mark_sent(first, message_id=99, now=NOW)
    assert await archive.alerts.batch_message(first) is None
    (rest,) = await archive.alerts.claim_batches(per_message=3)
    assert [item.article_id for item in rest.items] == [2, 3, 4]
    assert rest.nonce != first.nonce


async def test_excluded_words_old_articles_and_same_story_are_not_alerted(archive: Archive) -> None:
    await subscribe(archive, "nvidia", exclude="rumor")
    await ingest_articles(
        archive,
        [
            news("Nvidia rumor mill churns", 1),
            news("Nvidia earnings from 2019", 2, published_at=NOW - timedelta(days=400)),
            news("Nvidia launches Rubin chip", 3),
            replace(news("Nvidia launches Rubin chips", 4), source="Other outlet"),
        ],
        now=NOW,
    )
    assert await scan(archive, now=NOW) == 1
    (batch,) = await archive.alerts.claim_batches(per_message=10)
    assert [item.article_id for item in batch.items] == [3]


async def test_a_story_alerts_once_even_when_only_a_later_outlet_names_the_topic(
    archive: Archive,
) -> None:
    await subscribe(archive, "nvidia")
    first = news("Chipmaker unveils Rubin GPU at Computex", 1, key_points=("A GPU is shown.",))
    later = replace(
        news("Chipmaker unveils Rubin GPU at Computex", 2, key_points=("Nvidia showed it.",)),
        source="Other outlet",
    )
    also = replace(later, url="https://news.example/3", source="Third outlet")
    await ingest_articles(archive, [first, later, also], now=NOW)
    assert [row["story_id"] for row in await archive.alerts.articles_after(0, 10)] == [None, 1, 1]
    assert await scan(archive, now=NOW) == 1
    (batch,) = await archive.alerts.claim_batches(per_message=10)
    assert [item.article_id for item in batch.items] == [2]


async def test_paused_channel_gets_nothing_new(archive: Archive) -> None:
    await subscribe(archive, "nvidia")
    await archive.alerts.pause_channel(CHANNEL, "channel deleted")
    await ingest_articles(archive, [news("Nvidia unveils new GPU", 2)], now=NOW)
    assert await scan(archive, now=NOW) == 0
    (subscription,) = await archive.alerts.subscriptions(channel_id=CHANNEL)
    assert subscription.paused_reason == "channel deleted"


async def test_a_resume_queues_what_was_never_posted_and_not_a_batch_that_may_have_been(
    archive: Archive,
) -> None:
    # Article 1's batch was sent once already (its answer lost) when Discord refused the
    # retry: it may be on Discord, so it is given up. Article 2, queued behind it, and
    # article 3, stored while paused (for a reason other than permissions), are posted.
    await subscribe(archive, "nvidia")
    await ingest_articles(archive, [news(f"Nvidia story {n}", n) for n in (1, 2)], now=NOW)
    await scan(archive, now=NOW)
    (batch,) = await archive.alerts.claim_batches(per_message=1)
    await archive.alerts.fix_message(batch, '{"fixed": 1}', held_back=[])
    await archive.alerts.pause_channel(CHANNEL, "Discord could not find this channel")
    await ingest_articles(archive, [news("Nvidia story 3", 3)], now=NOW)
    assert await scan(archive, now=NOW) == 0
    assert await archive.alerts.delivery_counts() == {"undeliverable": 1}
    _, _, resumed = await outbox.subscribe(
        archive,
        missed_cap=25,
        now=NOW,
        guild_id=1,
        channel_id=CHANNEL,
        topic="nvidia",
        exclude=None,
        role_id=None,
        created_by=7,
        max_per_channel=10,
        max_per_guild=50,
    )
    assert resumed == Resumed(subscriptions=1, queued=2, left_out=0)
    (batch,) = await archive.alerts.claim_batches(per_message=10)
    assert [item.article_id for item in batch.items] == [2, 3]


async def test_a_deleted_channel_loses_its_subscriptions_and_unsent_alerts(
    archive: Archive,
) -> None:
    await subscribe(archive, "nvidia")
    await subscribe(archive, "gpu")
    await subscribe(archive, "nvidia", channel=CHANNEL + 1)
    await ingest_articles(archive, [news(f"Nvidia GPU {n}", n) for n in (1, 2)], now=NOW)
    await scan(archive, now=NOW)
    await archive.alerts.claim_batches(per_message=1)  # each channel: one 'sending', one pending
    assert await archive.alerts.forget_channel(CHANNEL) == 2
    assert [s.channel_id for s in await archive.alerts.subscriptions()] == [CHANNEL + 1]
    assert await archive.alerts.delivery_counts() == {"sending": 1, "pending": 1}
    assert [b.channel_id for b in await archive.alerts.claim_batches(per_message=1)] == [
        CHANNEL + 1
    ]
    assert await archive.alerts.forget_channel(CHANNEL) == 0


async def test_a_match_for_a_subscription_paused_or_removed_meanwhile_queues_nothing(
    archive: Archive,
) -> None:
    # The scan reads the subscriptions, matches in a worker thread, then writes; a channel
    # paused or a topic unsubscribed in between must not get the alert.
    kept = await subscribe(archive, "nvidia")
    paused = await subscribe(archive, "nvidia", channel=CHANNEL + 1)
    removed = await subscribe(archive, "nvidia", channel=CHANNEL + 2)
    await ingest_articles(archive, [news("Nvidia unveils new GPU", 2)], now=NOW)
    rows = await archive.alerts.articles_after(0, 10)
    matches = match_articles([kept, paused, removed], rows, NOW)
    assert len(matches) == 3
    await archive.alerts.pause_channel(CHANNEL + 1, "I lost permission")
    await archive.alerts.unsubscribe(CHANNEL + 2, "nvidia")
    await archive.alerts.record_matches(matches, NOW, watermark=rows[-1]["id"])
    assert [b.channel_id for b in await archive.alerts.claim_batches(per_message=10)] == [CHANNEL]
    assert await archive.alerts.watermark() == rows[-1]["id"]


async def test_a_match_never_goes_to_a_subscription_made_or_changed_meanwhile(
    archive: Archive,
) -> None:
    # The scan matched a snapshot: a topic removed meanwhile, whose id a new subscription in
    # another channel might have taken, or a topic given an exclusion meanwhile, gets nothing.
    changed = await subscribe(archive, "nvidia")
    removed = await subscribe(archive, "nvidia", channel=CHANNEL + 1)
    await ingest_articles(archive, [news("Nvidia rumor mill churns", 1)], now=NOW)
    matches = match_articles([changed, removed], await archive.alerts.articles_after(0, 10), NOW)
    assert len(matches) == 2
    await archive.alerts.unsubscribe(CHANNEL + 1, "nvidia")
    newcomer = await subscribe(archive, "crypto", channel=CHANNEL + 2)
    await subscribe(archive, "nvidia", exclude="rumor")
    assert newcomer.id not in (changed.id, removed.id)
    assert await archive.alerts.record_matches(matches, NOW) == 0
    assert await archive.alerts.claim_batches(per_message=10) == []


async def test_unsubscribing_keeps_an_alert_another_topic_of_the_channel_wants(
    archive: Archive,
) -> None:
    await subscribe(archive, "nvidia")
    await subscribe(archive, "gpu")
    await subscribe(archive, "tesla")
    await ingest_articles(
        archive, [news("Nvidia unveils new GPU", 1), news("Tesla GPU cluster", 2)], now=NOW
    )
    await scan(archive, now=NOW)  # one alert per article: both were queued under "gpu"
    assert await unsubscribe(archive, CHANNEL, "gpu", NOW)
    (batch,) = await archive.alerts.claim_batches(per_message=10)
    assert [(i.article_id, i.matched_words) for i in batch.items] == [
        (1, ["nvidia"]),
        (2, ["tesla"]),
    ]
    assert not await unsubscribe(archive, CHANNEL, "gpu", NOW)


async def test_unsubscribing_hands_over_alerts_queued_from_the_backlog(archive: Archive) -> None:
    # Two weeks old, queued by /subscribe recent:2 under "nvidia"; "gpu" came later and was
    # given none (one alert per article and channel). Handed over, they skip neither the age
    # limit of new matches nor the start of "gpu": they were queued already.
    old = [news(f"Nvidia GPU part {n}", n, published_at=NOW - timedelta(days=14)) for n in (1, 2)]
    await ingest_articles(archive, old, now=NOW)
    assert await backfill(archive, await subscribe(archive, "nvidia"), 2, NOW) == (2, 2)
    assert await backfill(archive, await subscribe(archive, "gpu"), 2, NOW) == (2, 0)
    assert await unsubscribe(archive, CHANNEL, "nvidia", NOW + timedelta(days=3))
    (batch,) = await archive.alerts.claim_batches(per_message=10)
    assert sorted((i.article_id, i.matched_words) for i in batch.items) == [
        (1, ["gpu"]),
        (2, ["gpu"]),
    ]


async def test_caps_per_channel_and_per_server(archive: Archive) -> None:
    await subscribe(archive, "a1", max_per_channel=2)
    await subscribe(archive, "a2", max_per_channel=2)
    with pytest.raises(LimitReached, match="this channel already has 2 subscriptions"):
        await subscribe(archive, "a3", max_per_channel=2)
    await subscribe(archive, "a1", max_per_channel=2)  # replacing one is fine
    with pytest.raises(LimitReached, match="this server already has 2 subscriptions"):
        await subscribe(archive, "b1", channel=501, max_per_guild=2)


async def test_backfill_queues_the_newest_matches(archive: Archive) -> None:
    await ingest_articles(archive, [news(f"Nvidia story {n}", n) for n in range(1, 6)], now=NOW)
    subscription = await subscribe(archive, "nvidia")
    assert await backfill(archive, subscription, 2, NOW) == (2, 2)
    (batch,) = await archive.alerts.claim_batches(per_message=10)
    assert [item.article_id for item in batch.items] == [4, 5]
    # Another topic of the channel: the two newest are already queued here, so only one more.
    other = await subscribe(archive, "story")
    assert await backfill(archive, other, 3, NOW) == (3, 1)
