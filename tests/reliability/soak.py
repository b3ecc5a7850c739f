"""The fault-injection soak: the real ``newsbot run`` process against the fake Discord server.

Questions (mentions, direct messages and ``/ask``) and topic alerts (articles ingested in bursts
by this process into the bot's archive, as ``newsbot ingest`` would) flow while :class:`Chaos`
drops the gateway connection, sends RECONNECT, answers REST calls with 429 (with and without
``global``), 500 and 503 (some of them after the message was created, as when Discord's response
is lost) and slows responses down. :func:`run_soak` then counts, from what the fake recorded,
the replies to each question and the posts of each (channel, article), and measures the bot
process's memory (RSS) after a warm-up and at the end.

The bot runs as its own process so that its memory is its own (the fake keeps a record of every
request) and its log is exactly what ``newsbot run`` writes, token redaction included.
"""

# The wait helpers take a ``timeout`` on purpose: bounded waits are their whole point.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.archive import Archive
from bot.ingest.pipeline import ingest_articles
from bot.models import Article
from tests.conftest import REPO
from tests.fakes import FakeChannel, FakeDiscord, FakeUser, Fault, RecordedRequest, SentMessage

MESSAGES = "POST /channels/{id}/messages"
FOLLOW_UPS = "POST /webhooks/{id}/{token}"
TOKEN = "MTA5.newsbot-soak-token.c29hay1zZWNyZXQ"
ARTICLE_URL = re.compile(r"https://soak\.example/a/(\d+)")
QUESTIONS = (
    "how much is Meta spending on AI?",
    "how much is meta spendng on ai",
    "how many jobs did Microsoft cut?",
    "did Nvidia beat earnings in the second quarter?",
    "when is the SpaceX IPO?",
    "what is the capital of Peru?",
    "what did the zq bulletin say about zq07?",
)
VERBS = ("ships", "delays", "prices", "recalls", "unveils", "audits", "licenses", "opens")
NOUNS = ("a modem", "its cloud", "a chip line", "a robot arm", "the app store", "a data center")


@dataclass(frozen=True)
class Scale:
    """How big a soak is."""

    questions: int  # mentions and direct messages (every tenth is a DM)
    asks: int  # /ask interactions, on top of the questions
    question_channels: int
    alert_channels: int  # across two servers; each subscribes to one topic
    articles: int  # each matches two channels' topics: twice as many alerts
    bursts: int  # the articles are ingested in this many bursts
    questions_per_second: float
    rest_faults_per_second: float
    deadline: float  # seconds for everything to be answered and delivered once faults stop
    warm_up_share: float = 0.1  # of questions and articles, before faults and the memory baseline

    @property
    def alerts(self) -> int:
        return 2 * self.articles


CI = Scale(
    questions=500,
    asks=50,
    question_channels=10,
    alert_channels=50,
    articles=250,
    bursts=10,
    questions_per_second=30.0,
    rest_faults_per_second=7.0,
    deadline=60.0,
)
SLOW = Scale(
    questions=3000,
    asks=300,
    question_channels=20,
    alert_channels=50,
    articles=1500,
    bursts=40,
    questions_per_second=40.0,
    rest_faults_per_second=9.0,
    deadline=180.0,
)
SMALL = Scale(  # a quick run with every kind of fault, e.g. to read the DEBUG log it produces
    questions=60,
    asks=20,
    question_channels=4,
    alert_channels=6,
    articles=24,
    bursts=3,
    questions_per_second=20.0,
    rest_faults_per_second=6.0,
    deadline=45.0,
    warm_up_share=0.2,
)


# ------------------------------------------------------------------------------------------
# Faults
# ------------------------------------------------------------------------------------------


def _is_reply(request: RecordedRequest) -> bool:
    return isinstance(request.json, dict) and bool(request.json.get("message_reference"))


def _is_alert(request: RecordedRequest) -> bool:
    return not _is_reply(request)


@dataclass(frozen=True)
class Target:
    """Where REST faults are aimed: a route, which of its requests, the kinds of fault (with
    their weights), and the share of the soak's fault rate it gets."""

    route: str
    where: Callable[[RecordedRequest], bool] | None
    kinds: dict[str, float]
    share: float = 1.0


MESSAGE_FAULTS = {
    "429": 3,
    "429 global": 1,
    "500": 2,
    "500 after the message was created": 2,
    "503": 3,
    "503 after the message was created": 3,
    "delay": 2,
}
TARGETS = {
    "reply": Target(MESSAGES, _is_reply, MESSAGE_FAULTS),
    "alert": Target(MESSAGES, _is_alert, MESSAGE_FAULTS),
    # No fault after the handler here: a follow-up has no nonce, so Discord could not tell a
    # retried one from a new one (discord.py retries 5xx on webhooks itself). Fewer faults, too:
    # there are ten times fewer follow-ups than replies.
    "follow-up": Target(FOLLOW_UPS, None, {"429": 2, "500": 1, "503": 2, "delay": 1}, 0.4),
}


@dataclass
class Chaos:
    """Injects faults into the fake at random (seeded) until stopped; counts what they hit.

    REST faults are scheduled a few at a time per target (replies, alerts, /ask follow-ups; each
    fault hits the next matching request), at about ``rest_per_second`` per target; every
    0.4-1.2 s the live gateway connection is dropped (with a random close code, or with no
    close frame at all) or told to RECONNECT; now and then every response is slowed down.
    """

    fake: FakeDiscord
    rng: random.Random
    rest_per_second: float
    pending_limit: int = 2
    faults: list[tuple[str, str, Fault]] = field(default_factory=list)
    gateway: Counter[str] = field(default_factory=Counter)
    slow_periods: int = 0
    _decks: dict[str, list[str]] = field(default_factory=dict, repr=False)

    DROP_CODES: tuple[int | None, ...] = (None, 1000, 1001, 1011, 4000, 4008)

    def _schedule(self, target: str, kind: str) -> Fault:
        rng, fake = self.rng, self.fake
        route, where = TARGETS[target].route, TARGETS[target].where
        if kind == "delay":
            return fake.delay_next(route, rng.uniform(0.2, 1.2), where=where)
        return fake.fail_next(
            route,
            int(kind[:3]),
            retry_after=rng.uniform(0.05, 0.3),
            global_=kind.endswith("global"),
            after_handler=kind.endswith("created"),
            where=where,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Inject until ``stop`` is set (then every fault not yet hit is disarmed)."""
        tick = 0.05
        next_gateway = time.monotonic() + self.rng.uniform(0.4, 1.2)
        next_slow = time.monotonic() + self.rng.uniform(1.0, 3.0)
        try:
            while not stop.is_set():
                for target, aim in TARGETS.items():
                    pending = sum(1 for t, _, f in self.faults if t == target and f.remaining)
                    if pending < self.pending_limit and (
                        self.rng.random() < self.rest_per_second * aim.share * tick
                    ):
                        kind = self._draw(target, aim.kinds)
                        self.faults.append((target, kind, self._schedule(target, kind)))
                now = time.monotonic()
                if now >= next_gateway:
                    await self._gateway_fault()
                    next_gateway = now + self.rng.uniform(0.4, 1.2)
                if now >= next_slow:  # every response slowed down for a while, or not
                    slow = self.rng.random() < 0.5
                    self.fake.response_delay = self.rng.uniform(0.01, 0.06) if slow else 0.0
                    self.slow_periods += slow
                    next_slow = now + self.rng.uniform(1.0, 3.0)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), tick)
        finally:
            for _, _, fault in self.faults:
                fault.remaining = 0
            self.fake.response_delay = 0.0

    def _draw(self, target: str, kinds: dict[str, float]) -> str:
        """The next kind of fault for ``target``: drawn from a shuffled deck holding each kind
        as many times as its weight, so that every kind comes up early and in proportion."""
        deck = self._decks.setdefault(target, [])
        if not deck:
            deck += [kind for kind, weight in kinds.items() for _ in range(max(1, round(weight)))]
            self.rng.shuffle(deck)
        return deck.pop()

    async def _gateway_fault(self) -> None:
        try:
            if self.rng.random() < 0.3:
                await self.fake.send_reconnect()
                self.gateway["RECONNECT sent"] += 1
            else:
                code = self.rng.choice(self.DROP_CODES)
                await self.fake.drop_connection(code)
                self.gateway[f"dropped ({code or 'no close frame'})"] += 1
        except RuntimeError:  # no live connection right now (the bot is resuming)
            self.gateway["skipped: not connected"] += 1

    def hits(self) -> dict[str, dict[str, int]]:
        """How many requests each kind of REST fault hit, per target and in total."""
        counts: dict[str, Counter[str]] = {target: Counter() for target in [*TARGETS, "total"]}
        for target, kind, fault in self.faults:
            counts[target][kind] += fault.hits
            counts["total"][kind] += fault.hits
        return {target: dict(sorted(c.items())) for target, c in counts.items()}


# ------------------------------------------------------------------------------------------
# The bot process
# ------------------------------------------------------------------------------------------


def rss_mb(pid: int) -> float | None:
    """The resident set size of a process in MB (Linux), or None where /proc is missing."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


async def sample_rss(pid: int, samples: list[float], stop: asyncio.Event) -> None:
    """Record the process's RSS every half second until ``stop`` is set."""
    while not stop.is_set():
        if (rss := rss_mb(pid)) is not None:
            samples.append(rss)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


@contextlib.asynccontextmanager
async def bot_process(
    fake: FakeDiscord, db: Path, log_path: Path, *, log_level: str, alert_interval: int = 1
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``newsbot run`` against ``fake`` until the block ends (SIGTERM; killed if it hangs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "NEWSBOT_"))}
    env.update(
        DISCORD_TOKEN=fake.token,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        NEWSBOT_DB=str(db),
        NEWSBOT_LOG_LEVEL=log_level,
        NEWSBOT_ALERT_INTERVAL=str(alert_interval),
        PYTHONPATH=str(REPO),
    )
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            env=env, cwd=db.parent, stdin=asyncio.subprocess.DEVNULL,
            stdout=log_file, stderr=log_file,
        )  # fmt: skip
        try:
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 20)
                except TimeoutError:
                    process.kill()
                    await process.wait()


# ------------------------------------------------------------------------------------------
# The world and the traffic
# ------------------------------------------------------------------------------------------


@dataclass
class World:
    """The fake servers, channels and people of a soak."""

    question_channels: list[FakeChannel]
    alert_channels: list[FakeChannel]  # index i subscribes to topic(i)
    people: list[FakeUser]  # one per question: nobody hits the per-user cooldown

    @staticmethod
    def build(fake: FakeDiscord, scale: Scale) -> World:
        news = fake.add_guild("Soak News", owner=fake.admin_user)
        questions = [fake.add_text_channel(f"ask-{i:02d}") for i in range(scale.question_channels)]
        half = scale.alert_channels // 2
        alerts = [fake.add_text_channel(f"alerts-{i:02d}") for i in range(half)]
        alerts += [
            fake.add_text_channel(f"alerts-{i:02d}", guild=news)
            for i in range(half, scale.alert_channels)
        ]
        people = []
        for n in range(scale.questions + scale.asks):
            person = fake.add_user(f"reader{n:05d}")
            fake.add_member(person)
            people.append(person)
        return World(questions, alerts, people)


def topic(index: int) -> str:
    """Channel ``index``'s topic: a short made-up word (exact matches only, no look-alikes)."""
    return f"zq{index:02d}"


def channels_of(article: int, channels: int) -> tuple[int, int]:
    """The two alert channels whose topics article number ``article`` mentions."""
    first = article % channels
    second = (article * 7 + 3) % channels
    return first, second if second != first else (first + 1) % channels


def soak_article(number: int, channels: int) -> Article:
    """Article ``number``: unique title (its number keeps it its own story), two topics."""
    a, b = (topic(i) for i in channels_of(number, channels))
    rng = random.Random(number)
    title = f"Soak bulletin {number:05d}: {a} {rng.choice(VERBS)} {rng.choice(NOUNS)} with {b}"
    return Article(
        title=title,
        summary=f"{title}, a spokesperson said.",
        key_points=(f"{a.upper()} and {b.upper()} signed bulletin {number} on Tuesday.",),
        body=f"Bulletin {number} covers {a} and {b}. Nothing else happened.",
        url=f"https://soak.example/a/{number}",
        source="Soak Wire",
        published_at=datetime.now(UTC),
        topics=(a, b),
    )


@dataclass
class Traffic:
    """What the soak sent, to check what came back against."""

    questions: dict[str, str] = field(default_factory=dict)  # message id -> channel id
    asks: list[str] = field(default_factory=list)  # interaction ids
    interaction_tokens: list[str] = field(default_factory=list)
    articles: dict[int, tuple[str, str]] = field(default_factory=dict)  # number -> channel ids
    next_question: int = 0
    next_article: int = 0


async def send_questions(
    fake: FakeDiscord, world: World, traffic: Traffic, scale: Scale, count: int
) -> None:
    """Ask ``count`` more questions at the scale's pace; one /ask after every tenth."""
    pause = 1 / scale.questions_per_second
    asks_every = max(1, scale.questions // max(scale.asks, 1))
    for _ in range(count):
        n = traffic.next_question
        traffic.next_question += 1
        person = world.people[n]
        text = QUESTIONS[n % len(QUESTIONS)]
        if n % 10 == 9:
            sent = await fake.send_dm(text, author=person)
        else:
            channel = world.question_channels[n % len(world.question_channels)]
            sent = await fake.send_message(
                f"{fake.bot_user.mention} {text}", channel_id=channel.id, author=person
            )
        traffic.questions[sent["id"]] = sent["channel_id"]
        if n % asks_every == asks_every - 1 and len(traffic.asks) < scale.asks:
            asker = world.people[scale.questions + len(traffic.asks)]
            channel = world.question_channels[len(traffic.asks) % len(world.question_channels)]
            payload = await fake.send_interaction(
                "ask", {"question": text}, user=asker, channel_id=channel.id
            )
            traffic.asks.append(payload["id"])
            traffic.interaction_tokens.append(payload["token"])
        await asyncio.sleep(pause)


async def ingest_bursts(
    archive: Archive, world: World, traffic: Traffic, count: int, bursts: int, gap: float
) -> None:
    """Store ``count`` more articles in ``bursts`` bursts, ``gap`` seconds apart."""
    size = -(-count // max(bursts, 1))
    left = count
    while left > 0:
        batch = []
        for _ in range(min(size, left)):
            n = traffic.next_article
            traffic.next_article += 1
            a, b = channels_of(n, len(world.alert_channels))
            traffic.articles[n] = (world.alert_channels[a].id, world.alert_channels[b].id)
            batch.append(soak_article(n, len(world.alert_channels)))
        report = await ingest_articles(archive, batch, now=datetime.now(UTC))
        assert report.added == len(batch), report
        left -= len(batch)
        if left > 0:
            await asyncio.sleep(gap)


# ------------------------------------------------------------------------------------------
# Counting what came back
# ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Replies per question, follow-ups per /ask, posts per (channel, article)."""

    replies: Counter[str]
    follow_ups: Counter[str]
    alerts: Counter[tuple[str, int]]
    alert_messages: int
    reply_kinds: Counter[str]

    @staticmethod
    def of(fake: FakeDiscord, traffic: Traffic) -> Tally:
        replies: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        alerts: Counter[tuple[str, int]] = Counter()
        alert_messages = 0
        for message in list(fake.messages):
            reference = message.payload.get("message_reference")
            if reference:
                replies[str(reference.get("message_id"))] += 1
                kinds[reply_kind(message)] += 1
            else:
                alert_messages += 1
                for number in alerted_articles(message):
                    alerts[(message.channel_id, number)] += 1
        follow_ups = Counter(m.interaction_id for m in fake.followups if m.interaction_id)
        return Tally(replies, follow_ups, alerts, alert_messages, kinds)

    def missing(self, traffic: Traffic) -> dict[str, int]:
        """Questions without a reply, /asks without a follow-up, alerts not posted."""
        return {
            "questions": sum(1 for q in traffic.questions if not self.replies[q]),
            "asks": sum(1 for i in traffic.asks if not self.follow_ups[i]),
            "alerts": sum(
                1
                for number, channels in traffic.articles.items()
                for channel in channels
                if not self.alerts[(channel, number)]
            ),
        }

    def duplicates(self) -> dict[str, int]:
        """How many extra posts there were, of each kind."""
        return {
            "questions": sum(n - 1 for n in self.replies.values() if n > 1),
            "asks": sum(n - 1 for n in self.follow_ups.values() if n > 1),
            "alerts": sum(n - 1 for n in self.alerts.values() if n > 1),
        }


def reply_kind(message: SentMessage) -> str:
    """What a reply was: an answer, "not in the archive", an apology, or something else."""
    if message.embeds:
        return (
            "not in the archive"
            if message.embeds[0].get("title") == "Not in the archive"
            else "answer"
        )
    if message.content.startswith("Sorry, something went wrong"):
        return "apology"
    return f"other: {message.content[:60]}"


def alerted_articles(message: SentMessage) -> list[int]:
    """The soak articles an alert message carries (one, or a digest's list)."""
    numbers = []
    for embed in message.embeds:
        text = (embed.get("url") or "") + "\n" + (embed.get("description") or "")
        numbers += [int(n) for n in ARTICLE_URL.findall(text)]
    return numbers


# ------------------------------------------------------------------------------------------
# The soak
# ------------------------------------------------------------------------------------------


@dataclass
class SoakReport:
    """The figures of one soak (printed, and written as JSON for the docs)."""

    scale: dict[str, Any]
    seed: int
    duration_s: float = 0.0
    faults_s: float = 0.0  # how long faults were injected
    questions: int = 0
    asks: int = 0
    alerts: int = 0
    alert_messages: int = 0
    alert_channels: int = 0
    articles: int = 0
    rest_faults: dict[str, dict[str, int]] = field(default_factory=dict)
    gateway: dict[str, int] = field(default_factory=dict)
    slow_periods: int = 0
    resumes: int = 0
    identifies: int = 0
    reply_requests_by_status: dict[str, int] = field(default_factory=dict)
    alert_requests_by_status: dict[str, int] = field(default_factory=dict)
    follow_up_requests_by_status: dict[str, int] = field(default_factory=dict)
    deduplicated_by_nonce: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    reply_kinds: dict[str, int] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)
    rss_mb: dict[str, float | None] = field(default_factory=dict)
    exit_code: int | None = None
    log: str = field(default="", repr=False)
    interaction_tokens: list[str] = field(default_factory=list, repr=False)
    posted: str = field(default="", repr=False)  # every text the bot posted, errors included

    def summary(self) -> str:
        secret = ("log", "interaction_tokens", "posted")
        figures = {k: v for k, v in asdict(self).items() if k not in secret}
        return json.dumps(figures, indent=2)

    def write(self, path: str | None) -> None:
        if path:
            Path(path).write_text(self.summary() + "\n")


def _statuses(fake: FakeDiscord, route: str, keep: Callable[[Any], bool]) -> dict[str, int]:
    counts = Counter(str(r.status) for r in fake.requests_to(route) if keep(r.json))
    return dict(sorted(counts.items()))


async def wait_until(
    check: Callable[[], Any],
    *,
    timeout: float,
    what: str,
    every: float = 0.1,
    detail: Callable[[], str] = str,
) -> None:
    """Poll ``check`` (sync or async) until truthy; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{detail()}")
        await asyncio.sleep(every)


async def run_soak(
    tmp_path: Path, scale: Scale, *, seed: int = 7, log_level: str = "INFO"
) -> SoakReport:
    """Run a soak at ``scale``; returns its report (the caller asserts on it)."""
    started = time.monotonic()
    rng = random.Random(seed)
    report = SoakReport(scale=asdict(scale), seed=seed)
    db, log_path = tmp_path / "newsbot.db", tmp_path / "newsbot.log"
    async with FakeDiscord(token=TOKEN) as fake:
        world = World.build(fake, scale)
        traffic = Traffic()
        async with bot_process(fake, db, log_path, log_level=log_level) as process:
            await fake.wait_until_ready(timeout=30)
            archive = await Archive.open(db)
            try:
                await _subscribe_all(fake, world)

                def missing() -> dict[str, int]:
                    return Tally.of(fake, traffic).missing(traffic)

                async def all_delivered() -> bool:
                    if any(missing().values()):
                        return False
                    counts = await archive.alerts.delivery_counts()
                    return counts == {"sent": 2 * len(traffic.articles)}

                # Warm-up, without faults: the memory baseline is taken after it.
                warm_questions = max(1, int(scale.questions * scale.warm_up_share))
                warm_articles = max(1, int(scale.articles * scale.warm_up_share))
                await asyncio.gather(
                    send_questions(fake, world, traffic, scale, warm_questions),
                    ingest_bursts(archive, world, traffic, warm_articles, 1, 0),
                )
                await wait_until(
                    all_delivered,
                    timeout=30,
                    what="the warm-up's replies",
                    detail=lambda: f"missing: {missing()}\n{fake.summary()}",
                )
                report.rss_mb["after_warm_up"] = rss_mb(process.pid)

                chaos = Chaos(fake, rng, scale.rest_faults_per_second)
                stop, samples = asyncio.Event(), []
                injecting = asyncio.create_task(chaos.run(stop))
                sampling = asyncio.create_task(sample_rss(process.pid, samples, stop))
                faults_from = time.monotonic()
                try:
                    left = scale.questions - warm_questions
                    gap = left / scale.questions_per_second / max(scale.bursts, 1)
                    await asyncio.gather(
                        send_questions(fake, world, traffic, scale, left),
                        ingest_bursts(
                            archive,
                            world,
                            traffic,
                            scale.articles - warm_articles,
                            scale.bursts,
                            gap,
                        ),
                    )
                finally:
                    stop.set()
                    await asyncio.gather(injecting, sampling)
                report.faults_s = round(time.monotonic() - faults_from, 1)
                await wait_until(
                    all_delivered,
                    timeout=scale.deadline,
                    what="every reply and alert",
                    detail=lambda: (
                        f"missing: {missing()}\n{fake.summary()}\nlog tail:\n"
                        + log_path.read_text(errors="replace")[-3000:]
                    ),
                )
                # Anything still being retried would show up now as a second post.
                await asyncio.sleep(3.0)
                final = Tally.of(fake, traffic)
                report.outbox = await archive.alerts.delivery_counts()
                report.rss_mb["end"] = rss_mb(process.pid)
                report.rss_mb["peak_while_faulting"] = max(samples, default=None)
            finally:
                await archive.close()
            process.send_signal(signal.SIGTERM)
            report.exit_code = await asyncio.wait_for(process.wait(), 20)

        report.duration_s = round(time.monotonic() - started, 1)
        report.questions = len(traffic.questions)
        report.asks = len(traffic.asks)
        report.articles = len(traffic.articles)
        report.alerts = 2 * len(traffic.articles)
        report.alert_channels = len(world.alert_channels)
        report.alert_messages = final.alert_messages
        report.rest_faults = chaos.hits()
        report.gateway = dict(sorted(chaos.gateway.items()))
        report.slow_periods = chaos.slow_periods
        report.resumes = fake.resume_count
        report.identifies = fake.identify_count
        report.reply_requests_by_status = _statuses(
            fake, MESSAGES, lambda body: bool((body or {}).get("message_reference"))
        )
        report.alert_requests_by_status = _statuses(
            fake, MESSAGES, lambda body: not (body or {}).get("message_reference")
        )
        report.follow_up_requests_by_status = _statuses(fake, FOLLOW_UPS, lambda body: True)
        report.deduplicated_by_nonce = {
            "replies": sum(
                m.duplicate_posts for m in fake.messages if m.payload.get("message_reference")
            ),
            "alerts": sum(
                m.duplicate_posts for m in fake.messages if not m.payload.get("message_reference")
            ),
        }
        report.lost = final.missing(traffic)
        report.duplicates = final.duplicates()
        report.reply_kinds = dict(sorted(final.reply_kinds.items()))
        base, end = report.rss_mb.get("after_warm_up"), report.rss_mb.get("end")
        report.rss_mb["growth"] = round(end - base, 1) if base and end else None
        report.log = log_path.read_text(errors="replace")
        report.interaction_tokens = list(traffic.interaction_tokens)
        report.posted = json.dumps(
            [m.message for m in [*fake.messages, *fake.followups]]
            + [c.payload for c in fake.interaction_responses]
        )
    return report


async def _subscribe_all(fake: FakeDiscord, world: World) -> None:
    """Each alert channel subscribes to its topic (/subscribe, as the servers' owner)."""
    for index, channel in enumerate(world.alert_channels):
        interaction = await fake.send_interaction(
            "subscribe", {"topic": topic(index)}, channel_id=channel.id, user=fake.admin_user
        )
        [reply] = await fake.wait_for_followups(interaction["id"], timeout=10)  # it defers
        assert reply.content.startswith("This channel now gets new articles"), reply.content
