"""``newsbot feeds add|list|remove`` and ``newsbot poll``: separate processes, local feeds."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.alerts.harness import Publisher, entry
from tests.conftest import REPO
from tests.fakes.feed_server import FeedServer


async def newsbot(db: Path, *args: str) -> tuple[int, str, str]:
    """Run the command (without blocking the loop that serves the feeds)."""
    env = {**os.environ, "NEWSBOT_DB": str(db), "NEWSBOT_NO_BUNDLED": "1"}
    env.pop("DISCORD_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        env=env, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_follow_poll_list_and_remove_feeds_from_the_command_line(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    db = tmp_path / "news.db"
    feed = Publisher(feed_server, "/rss")
    feed.publish(entry("rubin", "Nvidia ships Rubin"), entry("tsmc", "TSMC raises prices"))
    feed_server.serve("/down", b"oops", status=503, content_type="text/plain")
    down = feed_server.url("/down")

    code, out, _ = await newsbot(db, "feeds", "add", feed.url)
    assert (code, out) == (0, f"following {feed.url}, polled every 900 s\n")
    code, out, _ = await newsbot(db, "feeds", "add", down, "--interval", "60")
    assert (code, out) == (0, f"following {down}, polled every 60 s\n")
    # Added again: re-enabled, with the interval asked for (and without one, the feed's own).
    code, out, _ = await newsbot(db, "feeds", "add", down, "--interval", "120")
    assert (code, out) == (0, f"already following (re-enabled) {down}, polled every 120 s\n")
    code, out, _ = await newsbot(db, "feeds", "add", down)
    assert (code, out) == (0, f"already following (re-enabled) {down}, polled every 120 s\n")
    code, _, err = await newsbot(db, "feeds", "add", "file:///etc/passwd")
    assert (code, err) == (2, "newsbot: not an http(s) URL: file:///etc/passwd\n")
    code, _, err = await newsbot(db, "feeds", "add", down, "--interval", "99999999999")
    assert (code, err) == (2, "newsbot: --interval must be from 10 to 2592000 seconds\n")

    code, out, _ = await newsbot(db, "poll", "--once")
    assert code == 0
    assert sorted(out.splitlines()) == sorted(
        [f"{feed.url}: added 2, updated 0", f"{down}: failed: HTTP 503"]
    )

    code, out, _ = await newsbot(db, "feeds", "list")
    failing, healthy = out.splitlines()  # in URL order
    assert failing == f"2. {down}  [untitled]  failing (1x): HTTP 503"
    assert healthy.startswith(f"1. {feed.url}  [Chip Wire]  ok, last polled 20")

    code, out, _ = await newsbot(db, "latest", "--source", "Chip Wire")
    assert "Nvidia ships Rubin — Chip Wire" in out and "TSMC raises prices — Chip Wire" in out

    assert await newsbot(db, "feeds", "remove", "2") == (0, "stopped following 2\n", "")
    code, out, _ = await newsbot(db, "feeds", "remove", down)
    assert (code, out) == (1, f"not following {down}\n")


async def test_the_command_line_follows_the_feed_a_site_links_to(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    db = tmp_path / "news.db"
    feed = Publisher(feed_server, "/blog/feed.xml")
    feed.publish(entry("rubin", "Nvidia ships Rubin"))
    page = feed_server.url("/blog/")
    link = '<link rel="alternate" type="application/rss+xml" title="Chip Wire" href="feed.xml">'
    html = f"<html><head>{link}</head><body>Hi</body></html>"
    feed_server.serve("/blog/", html.encode(), content_type="text/html")
    feed_server.serve("/", b"<html><head></head><body>Home</body></html>", content_type="text/html")

    code, out, _ = await newsbot(db, "feeds", "add", page)
    assert (code, out) == (
        0,
        f"following {feed.url}, polled every 900 s\n"
        f"It is the RSS feed “Chip Wire” that {page} links to.\n",
    )
    code, out, err = await newsbot(db, "feeds", "add", feed_server.url("/"))
    assert (code, out) == (1, "")
    assert err == (
        f"newsbot: can't follow that feed: {feed_server.url('/')} is a web page without a feed "
        "link; paste the feed's address (often /feed, /rss or /atom.xml)\n"
    )
    code, out, _ = await newsbot(db, "poll", "--once")
    assert (code, out) == (0, f"{feed.url}: added 1, updated 0\n")
    code, out, _ = await newsbot(db, "feeds", "list")
    assert out.startswith(f"1. {feed.url}  [Chip Wire]  ok") and len(out.splitlines()) == 1
