"""Fixtures that start the suite's fakes; registered for every test by tests/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.feed_server import feed_server

__all__ = ["fake", "feed_server"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord server for tests that run the whole bot."""
    async with FakeDiscord() as server:
        yield server
