"""Configuration from the environment, read and validated once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

DEFAULT_API_BASE = "https://discord.com/api/v10"
_HTTP = ("http", "https")
MIN_FEED_INTERVAL = 10  # seconds between two polls of one feed, at least
# No interval or delay is longer (a larger one is surely a mistake, and would overflow a date).
MAX_INTERVAL = 30 * 86400
_ON = ("1", "true", "yes", "on")  # what a switch (NEWSBOT_SHARDED, ...) may say
_OFF = ("0", "false", "no", "off")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting in the environment is missing or malformed; the message names it."""


def _int(env: dict[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    return int(_in_range(name, value, minimum, raw))


def _seconds(env: dict[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    return _in_range(name, value, minimum, raw)


def _in_range(name: str, value: float, minimum: float, raw: str) -> float:
    """``value`` if it is from ``minimum`` to MAX_INTERVAL seconds, else a SettingsError."""
    if not minimum <= value <= MAX_INTERVAL:  # also refuses nan
        raise SettingsError(f"{name} must be from {minimum:g} to {MAX_INTERVAL} seconds, got {raw}")
    return value


def _flag(env: dict[str, str], name: str) -> bool:
    raw = env.get(name, "").strip()
    if raw.lower() in _ON:
        return True
    if not raw or raw.lower() in _OFF:
        return False
    # A word that is neither (`maybe`, `enabled`) is refused rather than read as off: a switch
    # someone meant to turn on must not silently stay off.
    raise SettingsError(
        f"{name} must be on ({', '.join(_ON)}) or off ({', '.join(_OFF)}), got {raw!r}"
    )


def _log_level(env: dict[str, str]) -> str:
    raw = env.get("NEWSBOT_LOG_LEVEL", "").strip()
    level = raw.upper() or "INFO"
    # The logging module's own aliases (WARN was long accepted here).
    level = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
    if level not in LOG_LEVELS:
        raise SettingsError(
            f"NEWSBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}"
        )
    return level


def _url(env: dict[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    """The absolute URL in ``name`` (None if unset), checked here so that the error names the
    variable rather than what the Discord client calls it."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        valid = parts.scheme.lower() in schemes and bool(parts.hostname)
    except ValueError:  # an unclosed IPv6 bracket, for one
        valid = False
    if not valid:
        expected = " or ".join(f"{scheme}://" for scheme in schemes)
        raise SettingsError(f"{name} must be an absolute {expected} URL, got {raw!r}")
    return raw


def _ids(env: dict[str, str], name: str) -> tuple[int, ...]:
    raw = env.get(name, "").replace(",", " ").split()
    try:
        return tuple(int(part) for part in raw)
    except ValueError:
        raise SettingsError(f"{name} must be a list of ids, got {env[name]!r}") from None


def default_db_path() -> Path:
    """The per-user data directory's archive (e.g. ~/.local/share/newsbot/newsbot.db)."""
    return Path(platformdirs.user_data_dir("newsbot", appauthor=False)) / "newsbot.db"


def bundled_data_dir() -> Path:
    """The articles shipped with newsbot: the installed copy, else the source checkout's data/."""
    installed = Path(__file__).parent / "bundled"
    return installed if installed.is_dir() else Path(__file__).parent.parent / "data"


@dataclass(frozen=True)
class Settings:
    """Everything newsbot reads from the environment. The token is never shown in repr()."""

    db_path: Path
    token: str | None = field(default=None, repr=False)
    api_base: str = DEFAULT_API_BASE
    gateway_url: str | None = None
    dev_guild_id: int | None = None
    alert_interval: float = 60
    feed_interval: int = 900
    feed_tick: float = 30.0
    feed_full_text: bool = False
    allow_private_feeds: bool = False
    message_content: bool = False
    question_channels: tuple[int, ...] = ()
    sharded: bool = False
    log_level: str = "INFO"
    seed_bundled: bool = True

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings from ``env`` (default: the process environment)."""
        env = dict(os.environ if env is None else env)
        dev_guild = _ids(env, "NEWSBOT_DEV_GUILD")
        return cls(
            db_path=Path(env.get("NEWSBOT_DB") or default_db_path()).expanduser(),
            token=(env.get("DISCORD_TOKEN") or "").strip() or None,
            api_base=(_url(env, "DISCORD_API_BASE", _HTTP) or DEFAULT_API_BASE).rstrip("/"),
            gateway_url=_url(env, "DISCORD_GATEWAY_URL", ("ws", "wss")),
            dev_guild_id=dev_guild[0] if dev_guild else None,
            alert_interval=_int(env, "NEWSBOT_ALERT_INTERVAL", 60, minimum=1),
            feed_interval=_int(env, "NEWSBOT_FEED_INTERVAL", 900, minimum=MIN_FEED_INTERVAL),
            feed_tick=_seconds(env, "NEWSBOT_FEED_TICK", 30.0, minimum=0.1),
            feed_full_text=_flag(env, "NEWSBOT_FEED_FULL_TEXT"),
            allow_private_feeds=_flag(env, "NEWSBOT_ALLOW_PRIVATE_FEEDS"),
            message_content=_flag(env, "NEWSBOT_MESSAGE_CONTENT"),
            question_channels=_ids(env, "NEWSBOT_QUESTION_CHANNELS"),
            sharded=_flag(env, "NEWSBOT_SHARDED"),
            log_level=_log_level(env),
            seed_bundled=not _flag(env, "NEWSBOT_NO_BUNDLED"),
        )
