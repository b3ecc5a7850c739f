"""Fixtures of the feed tests: a loopback-only client session and the fixture files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


class NonLoopbackRequestError(AssertionError):
    """A test's HTTP client was about to contact something other than this machine."""


async def _refuse_non_loopback(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: Any
) -> None:
    # Runs before aiohttp connects: a bug in a guard under test must never send traffic anywhere
    # but 127.0.0.1.
    if params.url.host not in ("127.0.0.1", "localhost", "::1"):
        raise NonLoopbackRequestError(f"test tried to fetch {params.url}")


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session raising :class:`NonLoopbackRequestError` before any non-local request."""
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_refuse_non_loopback)
    async with aiohttp.ClientSession(trace_configs=[trace]) as client:
        yield client


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    """Read a file of ``tests/feeds/fixtures``."""
    return lambda name: (FIXTURES / name).read_bytes()
