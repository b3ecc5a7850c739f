"""Fixtures of the alert tests: the feed server and the fake Discord of tests/feeds."""

from tests.feeds.conftest import fake, feed_server  # noqa: F401 - fixtures, re-exported
