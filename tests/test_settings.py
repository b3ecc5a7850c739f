"""Settings from the environment: defaults, and a clear error for each malformed value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_and_values_from_the_environment() -> None:
    settings = Settings.from_env(
        {"NEWSBOT_DB": "/tmp/x.db", "DISCORD_TOKEN": " secret ", "NEWSBOT_FEED_TICK": "2.5"}
    )
    assert settings.db_path == Path("/tmp/x.db")
    assert (settings.feed_interval, settings.alert_interval, settings.feed_tick) == (900, 60, 2.5)
    assert settings.token == "secret"
    assert "secret" not in repr(settings)
    spelled = Settings.from_env(
        {
            "NEWSBOT_LOG_LEVEL": "warn",
            "NEWSBOT_NO_BUNDLED": "Off",
            "NEWSBOT_SHARDED": " yes ",
            "DISCORD_API_BASE": "http://nirn-proxy:8080/api/v10/",
        }
    )
    assert (spelled.log_level, spelled.seed_bundled, spelled.sharded) == ("WARNING", True, True)
    assert spelled.api_base == "http://nirn-proxy:8080/api/v10"
    assert Settings.from_env({"NEWSBOT_LOG_LEVEL": "fatal"}).log_level == "CRITICAL"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSBOT_FEED_INTERVAL", "often", "must be a whole number, got 'often'"),
        ("NEWSBOT_FEED_INTERVAL", "5", "must be from 10 to 2592000 seconds, got 5"),
        # Larger values would overflow the date of the next poll.
        ("NEWSBOT_FEED_INTERVAL", "99999999999", "must be from 10 to 2592000 seconds"),
        ("NEWSBOT_ALERT_INTERVAL", "0", "must be from 1 to 2592000 seconds, got 0"),
        ("NEWSBOT_FEED_TICK", "nan", "must be from 0.1 to 2592000 seconds, got nan"),
        ("NEWSBOT_FEED_TICK", "1e300", "must be from 0.1 to 2592000 seconds, got 1e300"),
        ("NEWSBOT_DEV_GUILD", "my-server", "must be a list of ids"),
        # Read as INFO, or as off, these hid a mistake; a URL was checked only by the Discord
        # client, whose message named its own parameter ("api_base"), not the variable.
        (
            "NEWSBOT_LOG_LEVEL",
            "bogus",
            "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'bogus'",
        ),
        (
            "NEWSBOT_NO_BUNDLED",
            "maybe",
            "must be on (1, true, yes, on) or off (0, false, no, off), got 'maybe'",
        ),
        ("NEWSBOT_SHARDED", "enabled", "must be on (1, true, yes, on) or off"),
        (
            "DISCORD_API_BASE",
            "notaurl",
            "must be an absolute http:// or https:// URL, got 'notaurl'",
        ),
        ("DISCORD_API_BASE", "http://[::1", "must be an absolute http:// or https:// URL"),
        ("DISCORD_GATEWAY_URL", "https://gateway.example", "must be an absolute ws:// or wss://"),
    ],
)
def test_a_malformed_setting_is_named_with_what_is_wrong(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=f"^{re.escape(f'{name} {message}')}"):
        Settings.from_env({name: value})
