"""Point discord.py at non-default Discord endpoints (a REST proxy, or the test suite's fake).

Why this exists: some deployments put a REST proxy such as nirn-proxy in front of the Discord
API (it shares rate-limit state between processes), and the test suite drives the real bot
against a local fake Discord (``tests/fakes/discord_server.py``). discord.py has no public
option for either, so this module sets the two class attributes discord.py reads:

* ``discord.http.Route.BASE``: the prefix of every REST URL. In discord.py 2.x the webhook
  adapter (interaction callbacks, follow-ups, ``@original`` edits) imports that same ``Route``
  class, so one assignment covers both; :func:`use_discord_endpoints` still patches the webhook
  module's ``Route`` separately should a future release give it its own class again.
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``: where a non-sharded client opens its
  *first* gateway connection, and where it re-IDENTIFYs after an invalidated session. discord.py
  2.7 does not call ``GET /gateway/bot`` for a non-sharded client, so the default gateway is used
  unless overridden here. RESUMEs go to the ``resume_gateway_url`` sent in READY, as Discord
  requires; a fake or gateway proxy must therefore advertise itself there. ``AutoShardedClient``
  ignores this attribute and takes the URL from ``GET /gateway/bot`` (which goes through the
  REST base, so a fake can answer it).

No hook in the ``Bot`` subclass is needed. Both settings are process-wide: call the function
before ``Client.start()``/``login()``. REST URLs are built per request, so a change applies to
later requests at once; the gateway URL applies to the next fresh connection.
"""

from __future__ import annotations

from typing import NamedTuple

import yarl
from discord import http as discord_http
from discord.gateway import DiscordWebSocket
from discord.webhook import async_ as discord_webhook

DEFAULT_API_BASE = "https://discord.com/api/v10"
"""discord.py's built-in REST base (API v10)."""

DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
"""discord.py's built-in gateway URL for fresh (IDENTIFY) connections."""


class DiscordEndpoints(NamedTuple):
    """The REST base URL and the gateway URL discord.py currently uses."""

    api_base: str
    gateway_url: str


def current_discord_endpoints() -> DiscordEndpoints:
    """Return the endpoints discord.py will use for the next request and the next connection."""
    return DiscordEndpoints(
        api_base=discord_http.Route.BASE,
        gateway_url=str(DiscordWebSocket.DEFAULT_GATEWAY),
    )


def use_discord_endpoints(
    api_base: str | None = None, gateway_url: str | None = None
) -> DiscordEndpoints:
    """Make discord.py call the REST API at ``api_base`` and the gateway at ``gateway_url``.

    ``None`` restores discord.py's default for that endpoint, so the call is idempotent and
    ``use_discord_endpoints(None, None)`` undoes any earlier override.

    ``api_base`` is the full API prefix including the version, e.g.
    ``http://nirn-proxy:8080/api/v10``; a trailing slash is dropped. ``gateway_url`` is a
    ``ws://`` or ``wss://`` URL; discord.py appends ``?v=10&encoding=json&compress=...`` itself.

    Returns the endpoints that were in effect before the call, so callers (tests) can restore
    them. Raises ``ValueError`` for a URL with the wrong scheme or no host, because a typo in
    deployment config should fail at start-up rather than as a confusing connection error.
    """
    previous = current_discord_endpoints()
    base = _checked_url(api_base, ("http", "https"), "api_base").rstrip("/") if api_base else None
    gateway = _checked_url(gateway_url, ("ws", "wss"), "gateway_url") if gateway_url else None

    new_base = base or DEFAULT_API_BASE
    for route_class in {discord_http.Route, getattr(discord_webhook, "Route", discord_http.Route)}:
        route_class.BASE = new_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway or DEFAULT_GATEWAY_URL)
    return previous


def _checked_url(url: str, schemes: tuple[str, ...], name: str) -> str:
    """Return ``url`` unchanged if it is absolute with one of ``schemes``; else raise ValueError."""
    parsed = yarl.URL(url)
    if parsed.scheme not in schemes or not parsed.host:
        expected = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ValueError(f"{name} must be an absolute {expected} URL, got {url!r}")
    return url
