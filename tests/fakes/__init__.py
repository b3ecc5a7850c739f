"""Test doubles for external services; ``FakeDiscord`` drives real discord.py locally."""

from .discord_server import (
    CommandSync,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Fault,
    InteractionCallback,
    MessageEdit,
    RecordedRequest,
    SentMessage,
    WaitTimeout,
)

__all__ = [
    "CommandSync",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "Fault",
    "InteractionCallback",
    "MessageEdit",
    "RecordedRequest",
    "SentMessage",
    "WaitTimeout",
]
