"""Issue #7: a soak through the fake Discord with faults injected at random.

At least 500 questions and 500 alerts while the gateway is dropped and told to RECONNECT, and
REST calls get 429 (with and without ``global``), 500 and 503 (some after Discord created the
message) and slow responses: every question gets exactly one reply, every alert arrives exactly
once, and the bot's memory stays flat. CI runs the size in ``soak.CI`` (well under two minutes);
NEWSBOT_SLOW=1 runs ``soak.SLOW``. ``pytest -s`` prints the figures; NEWSBOT_SOAK_REPORT=path
also writes them as JSON.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from .soak import CI, SLOW, TOKEN, run_soak

SLOW_RUN = os.environ.get("NEWSBOT_SLOW") == "1"
MAX_RSS_GROWTH_MB = 50.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="signals and /proc")


async def test_soak_every_question_answered_once_every_alert_posted_once(tmp_path: Path) -> None:
    scale = SLOW if SLOW_RUN else CI
    report = await run_soak(tmp_path, scale)
    print(f"\nsoak figures:\n{report.summary()}")
    report.write(os.environ.get("NEWSBOT_SOAK_REPORT"))

    assert report.questions >= scale.questions and report.alerts >= scale.alerts
    assert report.lost == {"questions": 0, "asks": 0, "alerts": 0}
    assert report.duplicates == {"questions": 0, "asks": 0, "alerts": 0}
    assert report.outbox == {"sent": report.alerts}
    # The faults did happen: each kind hit replies and alerts, and the gateway went down often.
    for target in ("reply", "alert"):
        hit = report.rest_faults[target]
        assert all(hit.get(kind) for kind in ("429", "429 global", "500", "503")), hit
        assert hit.get("503 after the message was created"), hit
    assert report.rest_faults["follow-up"].get("503"), report.rest_faults
    # A 503 after Discord created the message: the re-send was answered with that message.
    assert report.deduplicated_by_nonce["replies"] and report.deduplicated_by_nonce["alerts"]
    assert sum(n for kind, n in report.gateway.items() if kind.startswith("dropped")) >= 5
    assert report.resumes >= 5 and report.identifies == 1  # resumed each time, nothing missed
    # Every reply is a real one: an answer, "not in the archive", never a refusal.
    assert set(report.reply_kinds) <= {"answer", "not in the archive"}, report.reply_kinds
    # Memory stays flat once warmed up (the growth is in the printed figures).
    if report.rss_mb["growth"] is not None:
        assert report.rss_mb["growth"] < MAX_RSS_GROWTH_MB, report.rss_mb
    # The bot stopped cleanly, nothing escaped its handlers, and no secret reached its log.
    assert report.exit_code == 0, report.log[-3000:]
    assert "newsbot stopped cleanly" in report.log
    assert "Ignoring exception" not in report.log, report.log[-3000:]
    assert "exception was never retrieved" not in report.log
    assert TOKEN not in report.log
    assert not [t for t in report.interaction_tokens if t in report.log]
