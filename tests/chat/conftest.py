"""Fixtures: the real NewsBot against the fake Discord, on an archive filled from data/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.chat.bot import NewsBot
from bot.settings import Settings
from tests.fakes import FakeDiscord

from .helpers import TOKEN, new_bot


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A fresh archive file: the bot fills it with the bundled articles when it starts."""
    return Settings(db_path=tmp_path / "newsbot.db", token=TOKEN)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord, settings: Settings) -> AsyncIterator[NewsBot]:
    """NewsBot connected to the fake and ready (archive open, commands synced)."""
    async with fake.run_bot(new_bot(settings)) as running:
        yield running
