"""A fake Discord (REST API + gateway websocket) on 127.0.0.1 for driving real discord.py in tests.

Typical use::

    async with FakeDiscord() as fake:
        async with fake.run_bot(MyBot()) as bot:  # login, READY, GUILD_CREATE done
            await fake.send_message(f"{fake.bot_user.mention} hi")
            [reply] = await fake.wait_for_messages(fake.channel_id, 1)

What it models, with the protocol details taken from discord.py 2.7's source:

* REST under ``/api/v10`` (see ``_add_rest_routes``), answering with ``Content-Type:
  application/json`` exactly (discord.py parses JSON only then). Every bot route checks the
  ``Authorization: Bot <token>`` header and answers 401 otherwise; webhook and interaction
  callback routes are authenticated by the token in the URL, as on Discord.
* Discord behaviour that catches real bugs: message validation (empty message, 2000-character
  content, embed limits), embeds dropped (or an embed-only message refused with 403) where the
  bot lacks Embed Links, ``allowed_mentions`` applied to the created message's ``mentions``,
  ``enforce_nonce`` de-duplication, the 3-second deadline for the initial interaction response,
  "already acknowledged" on a second response, MESSAGE_CONTENT intent stripping of content, and
  the bot's own messages echoed back as MESSAGE_CREATE.
* The gateway at ``/gateway`` (``resume_gateway_url`` is ``/gateway-resume``): HELLO, heartbeats,
  IDENTIFY -> READY + one GUILD_CREATE per guild, RESUME -> missed events replayed then RESUMED,
  op 7 RECONNECT, op 9 INVALID_SESSION, request-guild-members chunks. discord.py 2.7 always
  asks for ``compress=zlib-stream``; the fake honours it (binary frames ending in the zlib
  sync-flush suffix) and sends plain text frames for anything else (discord.py accepts both).
* Fault injection for every REST route: :meth:`FakeDiscord.fail_next` and
  :meth:`FakeDiscord.delay_next`.

Everything a test may want to assert on is recorded in plain lists (``requests``, ``messages``,
``interaction_responses``, ``followups``, ...) and every ``wait_for_*`` helper is bounded by a
timeout and raises :class:`WaitTimeout` (an ``AssertionError``) with a summary of what happened.
One gateway session and a single shard are modelled; routes that are not implemented answer 404
and are listed in ``unhandled_requests`` so a missing route is easy to spot.
"""

# The wait helpers take a ``timeout`` on purpose: bounded waits are their whole point.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import re
import secrets
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any, TypeVar

import discord
from aiohttp import WSMsgType, web

from bot.chat.endpoints import use_discord_endpoints

T = TypeVar("T")
ClientT = TypeVar("ClientT", bound=discord.Client)

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
RESUME_GATEWAY_PATH = "/gateway-resume"
DISCORD_EPOCH_MS = 1_420_070_400_000

INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

ADMINISTRATOR = discord.Permissions(administrator=True).value
ALL_PERMISSIONS = discord.Permissions.all().value
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    use_application_commands=True,
    change_nickname=True,
    create_instant_invite=True,
    connect=True,
    speak=True,
).value

EMBED_LINKS = discord.Permissions(embed_links=True).value

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
INTERACTION_TOKEN_LIFETIME = 15 * 60.0

USER_MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")
COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")

DEFAULT_ERROR_BODIES: dict[int, dict[str, Any]] = {
    400: {"message": "400: Bad Request", "code": 0},
    401: {"message": "401: Unauthorized", "code": 0},
    403: {"message": "Missing Permissions", "code": 50013},
    404: {"message": "404: Not Found", "code": 0},
    500: {"message": "500: Internal Server Error", "code": 0},
    502: {"message": "502: Bad Gateway", "code": 0},
    503: {"message": "503: Service Unavailable", "code": 0},
}


class Op(IntEnum):
    """Gateway opcodes used by the fake."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class InteractionType(IntEnum):
    """Discord interaction types (the subset the fake sends)."""

    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4


class CallbackType(IntEnum):
    """Interaction callback (response) types."""

    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


class WaitTimeout(AssertionError):
    """A ``wait_for_*`` helper gave up: the expected thing did not happen in time."""


def utcnow_iso() -> str:
    """Return the current time as Discord's ISO-8601 timestamp string."""
    return datetime.now(UTC).isoformat()


class SnowflakeFactory:
    """Generates increasing Discord snowflakes (as strings) based on the current time."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        """Return a fresh snowflake id, strictly greater than every earlier one."""
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return str(self._last)


# --------------------------------------------------------------------------------------------
# The fake world: users, guilds, roles, members and channels
# --------------------------------------------------------------------------------------------


@dataclass
class FakeUser:
    """A Discord user (or bot user)."""

    id: str
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        """The ``<@id>`` mention string for this user."""
        return f"<@{self.id}>"

    def to_payload(self) -> dict[str, Any]:
        """The user object as Discord sends it."""
        payload: dict[str, Any] = {
            "id": self.id,
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            payload["bot"] = True
        return payload


@dataclass
class FakeRole:
    """A guild role; a role whose id equals the guild id is ``@everyone``."""

    id: str
    name: str
    permissions: int
    position: int = 0
    mentionable: bool = True

    @property
    def mention(self) -> str:
        """The ``<@&id>`` mention string for this role."""
        return f"<@&{self.id}>"

    def to_payload(self) -> dict[str, Any]:
        """The role object as Discord sends it."""
        return {
            "id": self.id,
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": False,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class FakeMember:
    """A user's membership of a guild."""

    user: FakeUser
    role_ids: list[str] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=utcnow_iso)

    def to_payload(
        self, *, include_user: bool = True, permissions: int | None = None
    ) -> dict[str, Any]:
        """The guild member object; ``permissions`` is added as interactions carry it."""
        payload: dict[str, Any] = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": list(self.role_ids),
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if include_user:
            payload["user"] = self.user.to_payload()
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload


@dataclass
class FakeChannel:
    """A guild text channel (type 0) or a DM channel (type 1, ``guild_id`` None)."""

    id: str
    name: str
    type: int = 0
    guild_id: str | None = None
    position: int = 0
    recipients: list[FakeUser] = field(default_factory=list)

    @property
    def is_dm(self) -> bool:
        """Whether this is a DM channel (messages in it carry no ``guild_id``)."""
        return self.guild_id is None

    @property
    def mention(self) -> str:
        """The ``<#id>`` mention string for this channel."""
        return f"<#{self.id}>"

    def to_payload(self) -> dict[str, Any]:
        """The channel object as Discord sends it."""
        if self.is_dm:
            return {
                "id": self.id,
                "type": self.type,
                "recipients": [user.to_payload() for user in self.recipients],
                "last_message_id": None,
                "flags": 0,
            }
        return {
            "id": self.id,
            "type": self.type,
            "guild_id": self.guild_id,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclass
class FakeGuild:
    """A guild with its roles, members and channels."""

    id: str
    name: str
    owner_id: str
    roles: list[FakeRole] = field(default_factory=list)
    members: dict[str, FakeMember] = field(default_factory=dict)
    channels: list[FakeChannel] = field(default_factory=list)
    joined_at: str = field(default_factory=utcnow_iso)

    def role(self, role_id: str) -> FakeRole | None:
        """The role with ``role_id``, if any."""
        return next((role for role in self.roles if role.id == role_id), None)

    def permissions_for(self, user_id: str) -> int:
        """Guild-level permissions of a member (owner and administrators get everything)."""
        member = self.members.get(user_id)
        if member is None:
            return 0
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        value = 0
        for role in self.roles:
            if role.id == self.id or role.id in member.role_ids:
                value |= role.permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def to_payload(self, *, members: Iterable[FakeMember]) -> dict[str, Any]:
        """The GUILD_CREATE payload, with the given subset of members."""
        member_list = list(members)
        return {
            "id": self.id,
            "name": self.name,
            "owner_id": self.owner_id,
            "joined_at": self.joined_at,
            "unavailable": False,
            "large": False,
            "member_count": len(self.members),
            "roles": [role.to_payload() for role in self.roles],
            "members": [member.to_payload() for member in member_list],
            "channels": [channel.to_payload() for channel in self.channels],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "emojis": [],
            "stickers": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "features": [],
            "icon": None,
            "banner": None,
            "splash": None,
            "discovery_splash": None,
            "description": None,
            "vanity_url_code": None,
            "application_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": self.channels[0].id if self.channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": "en-US",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "nsfw": False,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
        }


# --------------------------------------------------------------------------------------------
# Records of what the bot did
# --------------------------------------------------------------------------------------------


@dataclass
class RecordedFile:
    """A file uploaded in a multipart request."""

    field_name: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request as the fake received it (``path`` has the ``/api/v10`` prefix removed)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[RecordedFile] = field(default_factory=list)
    status: int | None = None
    """The status the fake answered with (set once the response is ready)."""


RECORD_KEY = web.RequestKey("fake_discord_record", RecordedRequest)
"""Where the middleware stores the request's :class:`RecordedRequest` for route handlers."""


@dataclass
class SentMessage:
    """A message the bot created: a channel message or an interaction follow-up."""

    channel_id: str
    payload: dict[str, Any]
    """The JSON the bot sent (``payload_json`` for multipart requests)."""
    message: dict[str, Any]
    """The message object the fake created and returned (kept up to date by edits)."""
    files: list[RecordedFile] = field(default_factory=list)
    interaction_id: str | None = None
    duplicate_posts: int = 0
    """How many later POSTs were answered with this message because of ``enforce_nonce``."""

    @property
    def id(self) -> str:
        """The created message's id."""
        return str(self.message["id"])

    @property
    def content(self) -> str:
        """The message content (after edits)."""
        return str(self.message.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """The message embeds (after edits)."""
        return list(self.message.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        """The message components (after edits)."""
        return list(self.message.get("components") or [])

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        """The ``allowed_mentions`` the bot sent, or None if it sent none."""
        return self.payload.get("allowed_mentions")

    @property
    def nonce(self) -> str | int | None:
        """The nonce the bot sent, if any."""
        return self.payload.get("nonce")

    @property
    def mentioned_user_ids(self) -> list[str]:
        """Users this message pings, i.e. ``mentions`` after ``allowed_mentions`` applied."""
        return [str(user["id"]) for user in self.message.get("mentions", [])]

    @property
    def pings_anyone(self) -> bool:
        """Whether the message notifies any user, role, @everyone or @here."""
        return bool(
            self.message.get("mentions")
            or self.message.get("mention_roles")
            or self.message.get("mention_everyone")
        )

    @property
    def is_ephemeral(self) -> bool:
        """Whether the message has the EPHEMERAL flag (interaction messages only)."""
        return bool(int(self.message.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)


@dataclass
class InteractionCallback:
    """The bot's response to an interaction (``POST /interactions/{id}/{token}/callback``)."""

    interaction_id: str
    token: str
    type: int
    data: dict[str, Any] | None
    payload: dict[str, Any]
    message: dict[str, Any] | None = None
    """The original response message created by types 4 and 5 (kept up to date by edits)."""

    @property
    def is_deferred(self) -> bool:
        """Whether the response was a deferral (types 5 and 6)."""
        return self.type in (
            CallbackType.DEFERRED_CHANNEL_MESSAGE,
            CallbackType.DEFERRED_UPDATE_MESSAGE,
        )

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (type 8)."""
        return list((self.data or {}).get("choices") or [])


@dataclass
class MessageEdit:
    """A PATCH of a channel message or of an interaction (original or follow-up) message."""

    message_id: str
    channel_id: str
    payload: dict[str, Any]
    interaction_id: str | None = None


@dataclass
class CommandSync:
    """One bulk overwrite of application commands (``guild_id`` None: global commands)."""

    guild_id: str | None
    payload: list[dict[str, Any]]
    commands: list[dict[str, Any]]


@dataclass
class Reaction:
    """A reaction the bot added or removed."""

    channel_id: str
    message_id: str
    emoji: str
    added: bool


@dataclass
class Fault:
    """A scheduled REST failure or delay; returned by ``fail_next``/``delay_next``."""

    route: str
    status: int | None
    remaining: int
    retry_after: float = 0.05
    global_: bool = False
    delay: float = 0.0
    body: dict[str, Any] | None = None
    after_handler: bool = False
    drop: bool = False
    """Close the connection instead of answering (a network failure, not an HTTP error)."""
    hits: int = 0
    """How many requests this fault has hit so far."""
    where: Callable[[RecordedRequest], bool] | None = field(default=None, repr=False)
    """Only requests this is true of (e.g. by their JSON body) are hit; None: every one."""
    _method: str | None = field(init=False, repr=False)
    _path_re: re.Pattern[str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._method, self._path_re = compile_route(self.route)

    def matches(self, method: str, path: str, request: RecordedRequest | None = None) -> bool:
        """Whether a request (path without the API prefix) is covered by this fault."""
        return (
            self.remaining > 0
            and route_matches(self._method, self._path_re, method, path)
            and (self.where is None or request is None or self.where(request))
        )


def compile_route(route: str) -> tuple[str | None, re.Pattern[str] | None]:
    """Parse a route pattern into (method or None, path regex or None).

    Accepted forms: ``"*"`` (everything), ``"POST"`` (any path), ``"/users/@me"`` (any method),
    ``"POST /channels/{id}/messages"``. ``{anything}`` and ``*`` match one path segment; the
    ``/api/v10`` prefix may be included or not.
    """
    route = route.strip()
    if route in ("", "*"):
        return None, None
    if route.startswith("/"):
        method, path = None, route
    elif " " in route:
        method, path = route.split(None, 1)
    else:
        return route.upper(), None
    path = path.removeprefix(API_PREFIX)
    segments = [
        "[^/]+" if seg == "*" or (seg.startswith("{") and seg.endswith("}")) else re.escape(seg)
        for seg in path.split("/")
    ]
    return (method.upper() if method else None), re.compile("^" + "/".join(segments) + "/?$")


def route_matches(
    method: str | None, path_re: re.Pattern[str] | None, req_method: str, req_path: str
) -> bool:
    """Whether a request matches a compiled route pattern."""
    if method is not None and method != req_method.upper():
        return False
    return path_re is None or bool(path_re.match(req_path))


# --------------------------------------------------------------------------------------------
# Validation mirroring Discord's limits
# --------------------------------------------------------------------------------------------


def _field_error(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


def _max_length_error(limit: int) -> dict[str, Any]:
    return _field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _embed_errors(embed: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Per-field errors of one embed and its character count toward the 6000 total."""
    errors: dict[str, Any] = {}
    total = 0
    for key, limit in (("title", 256), ("description", 4096)):
        text = embed.get(key) or ""
        total += len(text)
        if len(text) > limit:
            errors[key] = _max_length_error(limit)
    for key, inner, limit in (("footer", "text", 2048), ("author", "name", 256)):
        text = (embed.get(key) or {}).get(inner) or ""
        total += len(text)
        if len(text) > limit:
            errors[key] = {inner: _max_length_error(limit)}
    fields = embed.get("fields") or []
    if len(fields) > 25:
        errors["fields"] = _max_length_error(25)
    for index, embed_field in enumerate(fields):
        name, value = embed_field.get("name") or "", embed_field.get("value") or ""
        total += len(name) + len(value)
        field_errors = {}
        if len(name) > 256:
            field_errors["name"] = _max_length_error(256)
        if len(value) > 1024:
            field_errors["value"] = _max_length_error(1024)
        if field_errors:
            errors.setdefault("fields", {})[str(index)] = field_errors
    return errors, total


def _allowed_mentions_errors(allowed: dict[str, Any] | None) -> dict[str, Any]:
    if not allowed:
        return {}
    parse = allowed.get("parse") or []
    errors: dict[str, Any] = {}
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            errors[kind] = _field_error(
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
    return {"allowed_mentions": errors} if errors else {}


def message_form_errors(payload: dict[str, Any]) -> dict[str, Any]:
    """Discord's "Invalid Form Body" errors for a message payload ({} when valid)."""
    errors: dict[str, Any] = {}
    content = payload.get("content")
    if content is not None and len(content) > 2000:
        errors["content"] = _max_length_error(2000)
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _max_length_error(10)
    total = 0
    for index, embed in enumerate(embeds):
        embed_errors, size = _embed_errors(embed)
        total += size
        if embed_errors:
            errors.setdefault("embeds", {})[str(index)] = embed_errors
    if total > 6000:
        errors["embeds"] = _field_error(
            "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    nonce = payload.get("nonce")
    if nonce is not None and len(str(nonce)) > 25:
        errors["nonce"] = _max_length_error(25)
    errors.update(_allowed_mentions_errors(payload.get("allowed_mentions")))
    return errors


def is_empty_message(payload: dict[str, Any], files: Sequence[RecordedFile]) -> bool:
    """Whether Discord would reject the message as empty (error 50006)."""
    keys = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    return not files and not any(payload.get(key) for key in keys)


def command_form_errors(commands: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Discord's validation errors for a bulk command overwrite ({} when valid)."""
    errors: dict[str, Any] = {}
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        command_type = int(command.get("type", 1))
        name = str(command.get("name", ""))
        problems: dict[str, Any] = {}
        if command_type == 1 and (not COMMAND_NAME_RE.match(name) or name != name.lower()):
            problems["name"] = _field_error(
                "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        if command_type == 1 and not 1 <= len(command.get("description") or "") <= 100:
            problems["description"] = _field_error(
                "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        if len(command.get("options") or []) > 25:
            problems["options"] = _max_length_error(25)
        if (command_type, name) in seen:
            problems["name"] = _field_error(
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique ({name})",
            )
        seen.add((command_type, name))
        if problems:
            errors[str(index)] = problems
    return errors


# --------------------------------------------------------------------------------------------
# Gateway state
# --------------------------------------------------------------------------------------------


@dataclass
class GatewaySession:
    """An identified gateway session: its id, intents and every event sent in it."""

    id: str
    intents: int
    shard: list[int] | None = None
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    invalidated: bool = False
    guilds_sent: bool = False


class GatewayConnection:
    """One websocket connection from the bot; serialises sends and applies zlib-stream."""

    def __init__(
        self, ws: web.WebSocketResponse, request: web.Request, *, allow_compression: bool
    ) -> None:
        self.ws = ws
        self.path = request.path
        self.query = dict(request.query)
        self.compressed = allow_compression and self.query.get("compress") == "zlib-stream"
        """Whether frames are sent zlib-stream compressed (binary) rather than as text."""
        self.session: GatewaySession | None = None
        self.ready = False
        """True once IDENTIFY or RESUME succeeded; live events are only sent when ready."""
        self.close_code: int | None = None
        self._transport = request.transport
        self._zlib = zlib.compressobj() if self.compressed else None
        self._lock = asyncio.Lock()

    @property
    def closed(self) -> bool:
        """Whether the socket is closed or closing."""
        return self.ws.closed

    async def send(self, frame: dict[str, Any]) -> bool:
        """Send one gateway frame; returns False if the socket was already gone."""
        text = json.dumps(frame, separators=(",", ":"))
        async with self._lock:
            if self.ws.closed:
                return False
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return False
        return True

    async def close(self, code: int | None) -> None:
        """Close with ``code``, or drop the TCP connection without a close frame if None."""
        if code is None:
            if self._transport is not None:
                self._transport.abort()
            return
        await self.ws.close(code=code, message=b"fake discord closed the connection")


@dataclass
class _InteractionState:
    """Server-side bookkeeping for an interaction sent to the bot."""

    id: str
    token: str
    type: int
    channel: FakeChannel
    user: FakeUser
    payload: dict[str, Any]
    created: float
    callback: InteractionCallback | None = None
    followup_ids: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeDiscord:
    """Fake Discord REST API and gateway on 127.0.0.1 (random port); see the module docstring.

    The default world: guild ``guild`` with a text channel ``channel`` ("general"), roles
    ``@everyone`` and "Admin", and members ``bot_user``, ``admin_user`` (guild owner with the
    Admin role, also the application owner) and ``member_user`` (no roles). Add more with
    :meth:`add_user`, :meth:`add_member`, :meth:`add_text_channel`, :meth:`add_guild` before the
    bot connects.
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "newsbot",
        heartbeat_interval_ms: int = 2500,
        interaction_ack_deadline: float | None = 3.0,
        nonce_window: float = 300.0,
        echo_bot_messages: bool = True,
        reject_privileged_intents: bool = False,
        gateway_compression: bool = True,
    ) -> None:
        """Configure the fake; nothing listens until :meth:`start`.

        Args:
            token: the only bot token accepted; anything else gets 401 / close code 4004.
            bot_name: username of the bot user.
            heartbeat_interval_ms: sent in HELLO.
            interaction_ack_deadline: seconds within which the first interaction response must
                arrive (Discord: 3) or it gets 404 "Unknown interaction"; None disables.
            nonce_window: seconds during which ``enforce_nonce`` de-duplicates messages.
            echo_bot_messages: dispatch MESSAGE_CREATE/UPDATE/DELETE for the bot's own
                messages, as Discord does.
            reject_privileged_intents: close IDENTIFYs asking for privileged intents with 4014.
            gateway_compression: honour ``compress=zlib-stream``; False sends plain text frames.
        """
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_ack_deadline = interaction_ack_deadline
        self.nonce_window = nonce_window
        self.echo_bot_messages = echo_bot_messages
        self.reject_privileged_intents = reject_privileged_intents
        self.gateway_compression = gateway_compression
        self.response_delay = 0.0
        """Seconds added before every REST response."""

        self.snowflakes = SnowflakeFactory()
        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.guilds: list[FakeGuild] = []
        self.bot_user = self.add_user(bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.admin_user = self.add_user("alice-admin", global_name="Alice")
        self.member_user = self.add_user("bob", global_name="Bob")
        self.guild = self.add_guild("Newsbot Test Guild", owner=self.admin_user)
        self.add_member(self.member_user)
        self.channel = self.guild.channels[0]

        # Records (public, read them in assertions).
        self.requests: list[RecordedRequest] = []
        self.unhandled_requests: list[RecordedRequest] = []
        self.messages: list[SentMessage] = []
        self.followups: list[SentMessage] = []
        self.interaction_responses: list[InteractionCallback] = []
        self.edits: list[MessageEdit] = []
        self.deleted_message_ids: list[str] = []
        self.reactions: list[Reaction] = []
        self.command_syncs: list[CommandSync] = []
        self.incoming_messages: list[dict[str, Any]] = []
        self.dispatched: list[dict[str, Any]] = []
        self.gateway_received: list[dict[str, Any]] = []
        self.connections: list[GatewayConnection] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0

        self._commands: dict[str | None, dict[tuple[int, str], dict[str, Any]]] = {}
        self._messages_by_id: dict[str, dict[str, Any]] = {}
        self._nonces: dict[str, tuple[float, SentMessage]] = {}
        self._interactions: dict[str, _InteractionState] = {}
        self._faults: list[Fault] = []
        self._session: GatewaySession | None = None
        self._live: GatewayConnection | None = None
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ---------------------------------------------------------------- lifecycle & addresses

    async def start(self) -> FakeDiscord:
        """Start listening on a free port of 127.0.0.1; returns self."""
        app = web.Application(middlewares=[self._rest_middleware])
        app.router.add_get(GATEWAY_PATH, self._gateway_handler)
        app.router.add_get(RESUME_GATEWAY_PATH, self._gateway_handler)
        self._add_rest_routes(app)
        app.router.add_route("*", "/{tail:.*}", self._unhandled)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        """Close gateway connections (code 1001) and stop the server. Close bots first."""
        for conn in self.connections:
            if not conn.closed:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(1001), 2.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        """The REST base to give discord.py (``Route.BASE``)."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """The gateway URL for fresh connections (also what ``GET /gateway/bot`` returns)."""
        return self.base_url.replace("http://", "ws://") + GATEWAY_PATH

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY; a separate path so tests can tell."""
        return self.base_url.replace("http://", "ws://") + RESUME_GATEWAY_PATH

    @property
    def guild_id(self) -> str:
        """Id of the default guild."""
        return self.guild.id

    @property
    def channel_id(self) -> str:
        """Id of the default text channel."""
        return self.channel.id

    # ---------------------------------------------------------------- running a bot

    @contextlib.asynccontextmanager
    async def run_bot(
        self,
        bot: ClientT,
        *,
        token: str | None = None,
        ready_timeout: float = 5.0,
        close_timeout: float = 10.0,
    ) -> AsyncIterator[ClientT]:
        """Point discord.py at this fake, start ``bot`` and wait until it is ready.

        On exit the bot is closed, its ``start()`` task awaited (its exception, if any, is
        re-raised unless the body already failed) and the previous endpoints restored.
        """
        previous = use_discord_endpoints(self.api_base, self.gateway_url)
        task = asyncio.create_task(bot.start(token or self.token), name="fake-discord-bot")
        body_failed = False
        try:
            await self._wait_for_bot_ready(bot, task, ready_timeout)
            yield bot
        except BaseException:
            body_failed = True
            raise
        finally:
            try:
                await self._stop_bot(bot, task, close_timeout, reraise=not body_failed)
            finally:
                use_discord_endpoints(*previous)

    async def _wait_for_bot_ready(
        self, bot: discord.Client, task: asyncio.Task[None], timeout: float
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not bot.is_ready():
            if task.done():
                task.result()  # raises e.g. LoginFailure
                raise RuntimeError("bot.start() returned before the bot became ready")
            if loop.time() >= deadline:
                raise WaitTimeout(f"bot not ready after {timeout}s\n{self.summary()}")
            await asyncio.wait({task}, timeout=0.02)

    @staticmethod
    async def _stop_bot(
        bot: discord.Client, task: asyncio.Task[None], timeout: float, *, reraise: bool
    ) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bot.close(), timeout)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            if reraise:
                raise RuntimeError(f"bot.start() did not finish within {timeout}s of close()")
            return
        error = None if task.cancelled() else task.exception()
        if error is not None and reraise:
            raise error

    # ---------------------------------------------------------------- world building

    def add_user(
        self, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> FakeUser:
        """Create a user known to the fake (not a guild member until :meth:`add_member`)."""
        user = FakeUser(self.snowflakes.next(), username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: FakeUser | None = None) -> FakeGuild:
        """Create a guild with @everyone and Admin roles, a "general" channel and the bot.

        The owner (default: ``admin_user``) becomes a member with the Admin role. Guilds added
        before the bot connects arrive in GUILD_CREATE after READY.
        """
        owner = owner or self.admin_user
        guild = FakeGuild(id=self.snowflakes.next(), name=name, owner_id=owner.id)
        guild.roles.append(FakeRole(guild.id, "@everyone", EVERYONE_PERMISSIONS))
        guild.roles.append(FakeRole(self.snowflakes.next(), "Admin", ADMINISTRATOR, position=1))
        self.guilds.append(guild)
        self.add_text_channel("general", guild=guild)
        self.add_member(self.bot_user, guild=guild)
        self.add_member(owner, guild=guild, admin=True)
        return guild

    def add_member(
        self, user: FakeUser, *, guild: FakeGuild | None = None, admin: bool = False
    ) -> FakeMember:
        """Make ``user`` a member of ``guild`` (default guild), optionally with the Admin role."""
        guild = guild or self.guild
        admin_role_ids = [role.id for role in guild.roles if role.permissions & ADMINISTRATOR]
        member = FakeMember(user, role_ids=admin_role_ids[:1] if admin else [])
        guild.members[user.id] = member
        return member

    def add_text_channel(self, name: str, *, guild: FakeGuild | None = None) -> FakeChannel:
        """Create a text channel in ``guild`` (default guild)."""
        guild = guild or self.guild
        channel = FakeChannel(
            self.snowflakes.next(), name, guild_id=guild.id, position=len(guild.channels)
        )
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def add_role(
        self,
        name: str,
        *,
        permissions: int = 0,
        mentionable: bool = True,
        guild: FakeGuild | None = None,
    ) -> FakeRole:
        """Create a role (no permissions by default) in ``guild`` (default guild)."""
        guild = guild or self.guild
        role = FakeRole(
            self.snowflakes.next(), name, permissions, len(guild.roles), mentionable=mentionable
        )
        guild.roles.append(role)
        return role

    def delete_channel(self, channel: FakeChannel) -> None:
        """Forget a guild channel without telling the bot (deleted while it was not looking):
        REST calls to it answer 404 Unknown Channel from now on."""
        self.channels.pop(channel.id, None)
        guild = self.guild_of(channel)
        if guild is not None:
            guild.channels = [c for c in guild.channels if c.id != channel.id]

    async def delete_channel_and_tell(self, channel: FakeChannel) -> int:
        """Delete a guild channel as a member would: REST calls to it answer 404 Unknown Channel
        and the bot gets CHANNEL_DELETE; returns the event's sequence number."""
        self.delete_channel(channel)
        return await self.dispatch("CHANNEL_DELETE", channel.to_payload())

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The DM channel between the bot and ``user`` (created on first use)."""
        for channel in self.channels.values():
            if channel.is_dm and channel.recipients and channel.recipients[0].id == user.id:
                return channel
        channel = FakeChannel(self.snowflakes.next(), "", type=1, recipients=[user])
        self.channels[channel.id] = channel
        return channel

    def guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        """The guild a channel belongs to (None for DMs)."""
        return next((g for g in self.guilds if g.id == channel.guild_id), None)

    def commands(self, guild_id: str | None = None) -> list[dict[str, Any]]:
        """The application commands currently registered (global, or for ``guild_id``)."""
        return list(self._commands.get(guild_id, {}).values())

    def original_response(self, interaction_id: str) -> dict[str, Any] | None:
        """The current original-response message of an interaction, if one was created."""
        state = self._interactions.get(interaction_id)
        return state.callback.message if state and state.callback else None

    def requests_to(self, route: str) -> list[RecordedRequest]:
        """Recorded REST requests matching a route pattern (same syntax as :meth:`fail_next`)."""
        method, path_re = compile_route(route)
        return [r for r in self.requests if route_matches(method, path_re, r.method, r.path)]

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        route: str,
        status: int,
        count: int = 1,
        *,
        retry_after: float = 0.05,
        global_: bool = False,
        body: dict[str, Any] | None = None,
        delay: float = 0.0,
        after_handler: bool = False,
        where: Callable[[RecordedRequest], bool] | None = None,
    ) -> Fault:
        """Answer the next ``count`` requests matching ``route`` with ``status``.

        ``route``: ``"POST /channels/{id}/messages"``, ``"POST"``, ``"/users/@me"`` or ``"*"``
        (see :func:`compile_route`). A 429 carries the ``Via`` header (without it discord.py
        treats a 429 as a Cloudflare ban and does not retry), ``X-RateLimit-*`` headers and
        ``retry_after`` in the body; ``global_`` makes it a global rate limit. Other statuses
        get Discord-style JSON error bodies unless ``body`` is given. ``after_handler`` runs the
        request normally first (the message *is* created) and then answers with the error,
        like a response lost after Discord processed it. ``where`` narrows the fault to the
        requests it is true of (it gets the :class:`RecordedRequest`, JSON body included), e.g.
        ``lambda r: "message_reference" in r.json`` for replies only. Faults apply in the order
        added; one that is used up is forgotten.
        """
        fault = Fault(
            route, status, count, retry_after, global_, delay, body, after_handler, where=where
        )
        self._faults.append(fault)
        return fault

    def delay_next(
        self,
        route: str,
        seconds: float,
        count: int = 1,
        *,
        where: Callable[[RecordedRequest], bool] | None = None,
    ) -> Fault:
        """Delay the next ``count`` responses to ``route`` by ``seconds`` (then answer normally);
        ``where`` as for :meth:`fail_next`."""
        fault = Fault(route, None, count, delay=seconds, where=where)
        self._faults.append(fault)
        return fault

    def drop_next(
        self, route: str, count: int = 1, *, where: Callable[[RecordedRequest], bool] | None = None
    ) -> Fault:
        """Close the connection of the next ``count`` requests to ``route`` without answering
        (the client sees a network error); ``where`` as for :meth:`fail_next`."""
        fault = Fault(route, None, count, drop=True, where=where)
        self._faults.append(fault)
        return fault

    def _take_fault(
        self, method: str, path: str, request: RecordedRequest | None = None
    ) -> Fault | None:
        self._faults = [fault for fault in self._faults if fault.remaining > 0]
        for fault in self._faults:
            if fault.matches(method, path, request):
                fault.remaining -= 1
                fault.hits += 1
                return fault
        return None

    def _fault_response(self, fault: Fault, path: str) -> web.Response:
        assert fault.status is not None
        if fault.status != 429:
            body = fault.body or DEFAULT_ERROR_BODIES.get(
                fault.status, {"message": f"{fault.status}: Error", "code": 0}
            )
            return json_response(body, status=fault.status)
        retry_after = fault.retry_after
        body = fault.body or {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": fault.global_,
        }
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Scope": "global" if fault.global_ else "user",
        }
        if fault.global_:
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update(
                {
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                    "X-RateLimit-Bucket": hashlib.sha1(path.encode()).hexdigest()[:16],
                }
            )
        return json_response(body, status=429, headers=headers)

    # ---------------------------------------------------------------- waiting helpers

    def _notify(self) -> None:
        """Wake every waiter: something was recorded."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self, predicate: Callable[[], T], *, timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """Wait until ``predicate()`` is truthy and return its value; WaitTimeout otherwise.

        Re-checks whenever the fake records something, and at least every 50 ms so predicates
        about the bot's own state work too.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(
                    f"timed out after {timeout}s waiting for {what}\n{self.summary()}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    async def wait_until_ready(self, timeout: float = 5.0) -> GatewaySession:
        """Wait until a session got READY and all GUILD_CREATEs on a live connection."""

        def ready() -> GatewaySession | None:
            session = self._session
            live = self._live
            if session and session.guilds_sent and live and live.ready and live.session is session:
                return session
            return None

        return await self.wait_for(ready, timeout=timeout, what="gateway READY")

    async def wait_for_messages(
        self, channel_id: str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot created ``count`` channel messages (in ``channel_id`` if given)."""

        def found() -> list[SentMessage] | None:
            matching = [m for m in self.messages if channel_id in (None, m.channel_id)]
            return matching if len(matching) >= count else None

        where = f" in channel {channel_id}" if channel_id else ""
        return await self.wait_for(found, timeout=timeout, what=f"{count} message(s){where}")

    async def wait_for_interaction_response(
        self, interaction_id: str, timeout: float = 5.0
    ) -> InteractionCallback:
        """Wait for the bot's callback to an interaction."""

        def found() -> InteractionCallback | None:
            state = self._interactions.get(interaction_id)
            return state.callback if state else None

        return await self.wait_for(
            found, timeout=timeout, what=f"response to interaction {interaction_id}"
        )

    async def wait_for_followups(
        self, interaction_id: str, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot sent ``count`` follow-up messages for an interaction."""

        def found() -> list[SentMessage] | None:
            matching = [m for m in self.followups if m.interaction_id == interaction_id]
            return matching if len(matching) >= count else None

        return await self.wait_for(
            found, timeout=timeout, what=f"{count} follow-up(s) to interaction {interaction_id}"
        )

    async def wait_for_command_sync(self, count: int = 1, timeout: float = 5.0) -> CommandSync:
        """Wait until ``count`` bulk command overwrites happened; returns the latest."""
        return await self.wait_for(
            lambda: self.command_syncs[-1] if len(self.command_syncs) >= count else None,
            timeout=timeout,
            what=f"{count} command sync(s)",
        )

    async def wait_for_identify(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until the bot IDENTIFYed ``count`` times in total."""
        await self.wait_for(
            lambda: self.identify_count >= count, timeout=timeout, what=f"{count} IDENTIFY(s)"
        )

    async def wait_for_resume(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until the bot RESUMEd ``count`` times in total and the connection is live again."""

        def resumed() -> bool:
            live = self._live
            return self.resume_count >= count and live is not None and live.ready

        await self.wait_for(resumed, timeout=timeout, what=f"{count} RESUME(s)")

    def summary(self) -> str:
        """A short description of what happened so far (used in WaitTimeout messages)."""
        unhandled = ", ".join(f"{r.method} {r.path}" for r in self.unhandled_requests[-5:])
        last_requests = ", ".join(f"{r.method} {r.path}->{r.status}" for r in self.requests[-8:])
        return (
            f"[fake discord] identify={self.identify_count} resume={self.resume_count} "
            f"connections={len(self.connections)} live={self._live is not None} "
            f"messages={len(self.messages)} followups={len(self.followups)} "
            f"interaction_responses={len(self.interaction_responses)} "
            f"syncs={len(self.command_syncs)}\n"
            f"  last requests: {last_requests or '-'}\n  unhandled: {unhandled or '-'}"
        )

    # ---------------------------------------------------------------- gateway: control

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send a DISPATCH event in the current session; returns its sequence number.

        The event is logged for RESUME replay and sent right away if a connection is live
        (otherwise it is delivered when the bot resumes). Raises RuntimeError before the first
        IDENTIFY; await :meth:`wait_until_ready` first.
        """
        session = self._session
        if session is None:
            raise RuntimeError("no gateway session yet; await fake.wait_until_ready() first")
        session.seq += 1
        frame = {"op": Op.DISPATCH, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        self.dispatched.append(frame)
        live = self._live
        if live is not None and live.ready and live.session is session:
            await live.send(frame)
        return session.seq

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT on the live connection (discord.py closes it and RESUMEs)."""
        await self._require_live().send({"op": Op.RECONNECT, "d": None, "s": None, "t": None})

    async def drop_connection(self, code: int | None = 4000) -> None:
        """Close the live connection with ``code``, or abruptly (no close frame) if None."""
        await self._require_live().close(code)

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; if not resumable the bot must IDENTIFY again.

        Note discord.py sleeps 5 s in ``before_identify_hook`` before a non-initial IDENTIFY;
        override that hook in the test bot if the test re-identifies.
        """
        live = self._require_live()
        if not resumable and self._session is not None:
            self._session.invalidated = True
        await live.send({"op": Op.INVALID_SESSION, "d": resumable, "s": None, "t": None})

    def _require_live(self) -> GatewayConnection:
        if self._live is None or self._live.closed:
            raise RuntimeError("no live gateway connection")
        return self._live

    # ---------------------------------------------------------------- gateway: events for tests

    async def send_message(
        self,
        content: str,
        *,
        channel_id: str | None = None,
        author: FakeUser | None = None,
        mentions: Sequence[FakeUser] = (),
        reply_to: str | None = None,
        embeds: Sequence[dict[str, Any]] = (),
        message_type: int | None = None,
    ) -> dict[str, Any]:
        """Have ``author`` (default ``member_user``) post a message; dispatches MESSAGE_CREATE.

        ``<@id>`` mentions in ``content`` of known users are resolved automatically; ``mentions``
        adds more. ``message_type`` makes it another kind of message than a default or a reply,
        e.g. 6, the system message announcing a pin. A DM channel id (see :meth:`dm_channel`)
        gives a DM without ``guild_id``. The bot only receives the event if it has the
        GUILD_MESSAGES / DIRECT_MESSAGES intent, and sees empty content without MESSAGE_CONTENT
        unless it is mentioned or it is a DM.
        Returns the stored message object (REST form).
        """
        channel = self._channel(channel_id or self.channel_id)
        author = author or self.member_user
        mentioned = self._users_in(content)
        mentioned += [u for u in mentions if u.id not in {m.id for m in mentioned}]
        referenced = self._messages_by_id[reply_to] if reply_to else None
        message = self._new_message(
            channel,
            author,
            content=content,
            embeds=list(embeds),
            mentions=mentioned,
            mention_roles=ROLE_MENTION_RE.findall(content),
            mention_everyone="@everyone" in content or "@here" in content,
            referenced=referenced,
            message_type=message_type,
        )
        self.incoming_messages.append(message)
        await self._dispatch_message("MESSAGE_CREATE", message)
        return message

    async def send_dm(self, content: str, *, author: FakeUser | None = None) -> dict[str, Any]:
        """Have ``author`` (default ``member_user``) DM the bot."""
        author = author or self.member_user
        return await self.send_message(
            content, channel_id=self.dm_channel(author).id, author=author
        )

    async def send_interaction(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[dict[str, Any]] | None = None,
        *,
        channel_id: str | None = None,
        user: FakeUser | None = None,
        member_permissions: int | discord.Permissions | None = None,
        app_permissions: int | discord.Permissions | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Invoke slash command ``name`` ("news" or "feeds add" for subcommands).

        ``options`` maps option names to values (types come from the synced command, else from
        the Python type; users/channels/roles may be passed as Fake objects) or is a raw list of
        option dicts. ``user`` defaults to ``member_user``; ``member_permissions`` and
        ``app_permissions`` (the bot's) override the permissions computed from roles, as a
        channel's overwrites would on Discord. Returns the INTERACTION_CREATE payload (``id``,
        ``token``) for use with :meth:`wait_for_interaction_response`.
        """
        return await self._send_command_interaction(
            InteractionType.APPLICATION_COMMAND,
            name,
            options,
            focused=None,
            channel_id=channel_id,
            user=user,
            member_permissions=member_permissions,
            app_permissions=app_permissions,
            locale=locale,
        )

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[dict[str, Any]],
        *,
        focused: str,
        channel_id: str | None = None,
        user: FakeUser | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Send an autocomplete interaction (type 4) with option ``focused`` being typed."""
        return await self._send_command_interaction(
            InteractionType.AUTOCOMPLETE,
            name,
            options,
            focused=focused,
            channel_id=channel_id,
            user=user,
            member_permissions=None,
            app_permissions=None,
            locale=locale,
        )

    async def _send_command_interaction(
        self,
        interaction_type: InteractionType,
        name: str,
        options: Mapping[str, Any] | Sequence[dict[str, Any]] | None,
        *,
        focused: str | None,
        channel_id: str | None,
        user: FakeUser | None,
        member_permissions: int | discord.Permissions | None,
        app_permissions: int | discord.Permissions | None,
        locale: str,
    ) -> dict[str, Any]:
        channel = self._channel(channel_id or self.channel_id)
        guild = self.guild_of(channel)
        user = user or self.member_user
        data = self._command_data(name, options, guild, focused)
        payload = self._interaction_payload(
            interaction_type, data, channel, guild, user, member_permissions, locale
        )
        if isinstance(app_permissions, discord.Permissions):
            app_permissions = app_permissions.value
        if app_permissions is not None:
            payload["app_permissions"] = str(app_permissions)
        self._interactions[payload["id"]] = _InteractionState(
            id=payload["id"],
            token=payload["token"],
            type=interaction_type,
            channel=channel,
            user=user,
            payload=payload,
            created=time.monotonic(),
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    def _interaction_payload(
        self,
        interaction_type: InteractionType,
        data: dict[str, Any],
        channel: FakeChannel,
        guild: FakeGuild | None,
        user: FakeUser,
        member_permissions: int | discord.Permissions | None,
        locale: str,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": self.snowflakes.next(),
            "application_id": self.application_id,
            "type": int(interaction_type),
            "token": "fake-interaction-" + secrets.token_urlsafe(24),
            "version": 1,
            "data": data,
            "channel_id": channel.id,
            "channel": channel.to_payload(),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is None:
            payload.update(
                user=user.to_payload(),
                context=1,
                app_permissions=str(EVERYONE_PERMISSIONS),
                authorizing_integration_owners={"0": user.id},
            )
            return payload
        member = guild.members.get(user.id) or FakeMember(user)
        if isinstance(member_permissions, discord.Permissions):
            member_permissions = member_permissions.value
        permissions = (
            guild.permissions_for(user.id) if member_permissions is None else member_permissions
        )
        payload.update(
            guild_id=guild.id,
            guild={"id": guild.id, "locale": "en-US", "features": []},
            guild_locale="en-US",
            member=member.to_payload(permissions=permissions),
            context=0,
            app_permissions=str(guild.permissions_for(self.bot_user.id)),
            authorizing_integration_owners={"0": guild.id},
        )
        payload["channel"]["permissions"] = str(permissions)
        return payload

    def _find_command(self, name: str, guild: FakeGuild | None) -> dict[str, Any] | None:
        """A synced chat-input command by name: guild commands first, then global ones."""
        scopes = ([guild.id] if guild else []) + [None]
        for scope in scopes:
            command = self._commands.get(scope, {}).get((1, name))
            if command is not None:
                return command
        return None

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[dict[str, Any]] | None,
        guild: FakeGuild | None,
        focused: str | None,
    ) -> dict[str, Any]:
        """The ``data`` of a chat-input interaction, nesting subcommand groups/subcommands."""
        root, *subcommands = name.split()
        command = self._find_command(root, guild)
        data: dict[str, Any] = {
            "id": command["id"] if command else self.snowflakes.next(),
            "name": root,
            "type": 1,
        }
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        container, definition = data, command
        for depth, sub in enumerate(subcommands):
            sub_def = _option_definition(definition, sub)
            is_last = depth == len(subcommands) - 1
            sub_type = sub_def["type"] if sub_def else (1 if is_last else 2)
            node: dict[str, Any] = {"name": sub, "type": sub_type, "options": []}
            container["options"] = [node]
            container, definition = node, sub_def
        resolved: dict[str, dict[str, Any]] = {}
        if isinstance(options, Mapping):
            built = [
                self._build_option(key, value, definition, focused, guild, resolved)
                for key, value in options.items()
            ]
        else:
            built = list(options or [])
        if built or container is data:
            container["options"] = built
        if resolved:
            data["resolved"] = resolved
        return data

    def _build_option(
        self,
        key: str,
        value: Any,
        definition: dict[str, Any] | None,
        focused: str | None,
        guild: FakeGuild | None,
        resolved: dict[str, dict[str, Any]],
    ) -> dict[str, Any]:
        option_def = _option_definition(definition, key)
        option_type = option_def["type"] if option_def else _infer_option_type(value)
        if isinstance(value, FakeUser | FakeChannel | FakeRole):
            value = value.id
        option: dict[str, Any] = {"name": key, "type": option_type, "value": value}
        if key == focused:
            option["focused"] = True
        else:
            self._resolve_option(option_type, str(value), guild, resolved)
        return option

    def _resolve_option(
        self,
        option_type: int,
        value: str,
        guild: FakeGuild | None,
        resolved: dict[str, dict[str, Any]],
    ) -> None:
        """Fill ``resolved`` for user (6), channel (7), role (8) and mentionable (9) options."""
        if option_type in (6, 9) and value in self.users:
            resolved.setdefault("users", {})[value] = self.users[value].to_payload()
            member = guild.members.get(value) if guild else None
            if member is not None:
                resolved.setdefault("members", {})[value] = member.to_payload(
                    include_user=False, permissions=guild.permissions_for(value) if guild else 0
                )
        if option_type == 7 and value in self.channels:
            channel = self.channels[value]
            resolved.setdefault("channels", {})[value] = {
                "id": channel.id,
                "name": channel.name,
                "type": channel.type,
                "permissions": str(ALL_PERMISSIONS),
            }
        if option_type in (8, 9) and guild is not None and (role := guild.role(value)):
            resolved.setdefault("roles", {})[value] = role.to_payload()

    # ---------------------------------------------------------------- gateway: protocol

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, timeout=2.0)
        await ws.prepare(request)
        conn = GatewayConnection(ws, request, allow_compression=self.gateway_compression)
        self.connections.append(conn)
        self._live = conn
        self._notify()
        await conn.send(
            {
                "op": Op.HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                "s": None,
                "t": None,
            }
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_frame(conn, json.loads(msg.data))
        finally:
            conn.close_code = ws.close_code
            if self._live is conn:
                self._live = None
            self._notify()
        return ws

    async def _on_gateway_frame(self, conn: GatewayConnection, frame: dict[str, Any]) -> None:
        self.gateway_received.append(frame)
        op, data = frame.get("op"), frame.get("d")
        if op == Op.HEARTBEAT:
            self.heartbeat_count += 1
            await conn.send({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == Op.IDENTIFY:
            await self._on_identify(conn, data or {})
        elif op == Op.RESUME:
            await self._on_resume(conn, data or {})
        elif op == Op.REQUEST_GUILD_MEMBERS:
            await self._on_request_members(data or {})
        self._notify()

    async def _on_identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await conn.close(4004)
            return
        if conn.session is not None:
            await conn.close(4005)
            return
        intents = int(data.get("intents") or 0)
        if self.reject_privileged_intents and intents & PRIVILEGED_INTENTS:
            await conn.close(4014)
            return
        session = GatewaySession(id=uuid.uuid4().hex, intents=intents, shard=data.get("shard"))
        self._session = session
        self.identify_count += 1
        self.identify_payloads.append(data)
        conn.session, conn.ready = session, True
        await self.dispatch("READY", self._ready_payload(session))
        for guild in self.guilds:
            await self.dispatch("GUILD_CREATE", self._guild_create_payload(guild, session))
        session.guilds_sent = True

    async def _on_resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        session = self._session
        if (
            session is None
            or session.invalidated
            or data.get("session_id") != session.id
            or data.get("token") != self.token
        ):
            await conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        conn.session = session
        self.resume_count += 1
        last_seen = int(data.get("seq") or 0)
        index = 0
        while index < len(session.events):  # re-check: events may be added while we send
            event = session.events[index]
            if event["s"] > last_seen:
                await conn.send(event)
            index += 1
        conn.ready = True
        await self.dispatch("RESUMED", {"_trace": ["fake-discord"]})

    async def _on_request_members(self, data: dict[str, Any]) -> None:
        guild = next((g for g in self.guilds if g.id == str(data.get("guild_id"))), None)
        if guild is None:
            return
        wanted = {str(uid) for uid in data.get("user_ids") or []}
        members = [m for uid, m in guild.members.items() if not wanted or uid in wanted]
        chunk = {
            "guild_id": guild.id,
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": sorted(wanted - set(guild.members)),
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _ready_payload(self, session: GatewaySession) -> dict[str, Any]:
        user = self.bot_user.to_payload() | {"verified": True, "mfa_enabled": False, "email": None}
        payload: dict[str, Any] = {
            "v": 10,
            "user": user,
            "guilds": [{"id": guild.id, "unavailable": True} for guild in self.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": self.application_id, "flags": self._application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            payload["shard"] = session.shard
        return payload

    def _guild_create_payload(self, guild: FakeGuild, session: GatewaySession) -> dict[str, Any]:
        """GUILD_CREATE; without GUILD_MEMBERS only the bot's own member is included."""
        if session.intents & INTENT_GUILD_MEMBERS:
            members: Iterable[FakeMember] = guild.members.values()
        else:
            members = [m for uid, m in guild.members.items() if uid == self.bot_user.id]
        return guild.to_payload(members=members)

    def _application_flags(self) -> int:
        # GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED when intents are allowed.
        return 0 if self.reject_privileged_intents else (1 << 15) | (1 << 19)

    # ---------------------------------------------------------------- messages

    def _channel(self, channel_id: str) -> FakeChannel:
        try:
            return self.channels[str(channel_id)]
        except KeyError:
            raise KeyError(f"unknown channel {channel_id}") from None

    def _users_in(self, content: str) -> list[FakeUser]:
        """Known users mentioned as ``<@id>``/``<@!id>`` in ``content`` (in order, unique)."""
        ids = dict.fromkeys(USER_MENTION_RE.findall(content))
        return [self.users[uid] for uid in ids if uid in self.users]

    def _new_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        *,
        content: str = "",
        embeds: list[dict[str, Any]] | None = None,
        components: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        mentions: Sequence[FakeUser] = (),
        mention_roles: Sequence[str] = (),
        mention_everyone: bool = False,
        referenced: dict[str, Any] | None = None,
        nonce: str | int | None = None,
        flags: int = 0,
        message_type: int | None = None,
        tts: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create and store a message object in REST form (no ``guild_id``/``member``)."""
        message: dict[str, Any] = {
            "id": self.snowflakes.next(),
            "channel_id": channel.id,
            "author": author.to_payload(),
            "content": content,
            "timestamp": utcnow_iso(),
            "edited_timestamp": None,
            "tts": tts,
            "mention_everyone": mention_everyone,
            "mentions": [user.to_payload() for user in mentions],
            "mention_roles": list(mention_roles),
            "attachments": attachments or [],
            "embeds": embeds or [],
            "components": components or [],
            "reactions": [],
            "pinned": False,
            "type": message_type if message_type is not None else (19 if referenced else 0),
            "flags": flags,
        }
        if nonce is not None:
            message["nonce"] = nonce
        if referenced is not None:
            message["message_reference"] = {
                "type": 0,
                "message_id": referenced["id"],
                "channel_id": referenced["channel_id"],
                **({"guild_id": channel.guild_id} if channel.guild_id else {}),
            }
            message["referenced_message"] = referenced
        if extra:
            message.update(extra)
        self._messages_by_id[message["id"]] = message
        return message

    def _gateway_message(self, message: dict[str, Any], session: GatewaySession) -> dict[str, Any]:
        """The MESSAGE_CREATE/UPDATE form: adds guild_id/member; strips content per intents."""
        data = dict(message)
        channel = self.channels[message["channel_id"]]
        guild = self.guild_of(channel)
        if guild is not None:
            data["guild_id"] = guild.id
            author_member = guild.members.get(str(message["author"]["id"]))
            if author_member is not None and not message.get("webhook_id"):
                data["member"] = author_member.to_payload(include_user=False)
            data["mentions"] = [
                user | {"member": guild.members[user["id"]].to_payload(include_user=False)}
                if user["id"] in guild.members
                else user
                for user in message["mentions"]
            ]
        if not self._bot_sees_content(message, channel, session):
            data.update(content="", embeds=[], attachments=[], components=[])
            data.pop("poll", None)
        return data

    def _bot_sees_content(
        self, message: dict[str, Any], channel: FakeChannel, session: GatewaySession
    ) -> bool:
        """Discord's MESSAGE_CONTENT rule: content only with the intent, in DMs, when mentioned
        or for the bot's own messages."""
        return bool(
            session.intents & INTENT_MESSAGE_CONTENT
            or channel.is_dm
            or message["author"]["id"] == self.bot_user.id
            or any(user["id"] == self.bot_user.id for user in message.get("mentions", []))
        )

    async def _dispatch_message(self, event: str, message: dict[str, Any]) -> int | None:
        """Dispatch a message event if a session exists and its intents allow it."""
        session = self._session
        if session is None:
            return None
        channel = self.channels[message["channel_id"]]
        needed = INTENT_DIRECT_MESSAGES if channel.is_dm else INTENT_GUILD_MESSAGES
        if not session.intents & needed:
            return None
        return await self.dispatch(event, self._gateway_message(message, session))

    async def _echo(self, event: str, message: dict[str, Any]) -> None:
        """Echo the bot's own message activity back over the gateway, as Discord does."""
        if self.echo_bot_messages and not int(message.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL:
            if event == "MESSAGE_DELETE":
                channel = self.channels[message["channel_id"]]
                data = {"id": message["id"], "channel_id": channel.id}
                if channel.guild_id:
                    data["guild_id"] = channel.guild_id
                if self._session is not None:
                    await self.dispatch(event, data)
                return
            await self._dispatch_message(event, message)

    def _mentions_for(
        self,
        content: str,
        allowed: dict[str, Any] | None,
        referenced: dict[str, Any] | None,
    ) -> tuple[list[FakeUser], list[str], bool]:
        """Who a bot message pings: mentions in ``content`` filtered by ``allowed_mentions``."""
        parse = set((allowed or {}).get("parse") or [])
        allowed_users = {str(uid) for uid in (allowed or {}).get("users") or []}
        allowed_roles = {str(rid) for rid in (allowed or {}).get("roles") or []}
        users = [
            user
            for user in self._users_in(content)
            if allowed is None or "users" in parse or user.id in allowed_users
        ]
        if referenced is not None and (allowed is None or allowed.get("replied_user")):
            replied = self.users.get(str(referenced["author"]["id"]))
            if replied is not None and replied.id != self.bot_user.id and replied not in users:
                users.append(replied)
        roles = [
            rid
            for rid in dict.fromkeys(ROLE_MENTION_RE.findall(content))
            if allowed is None or "roles" in parse or rid in allowed_roles
        ]
        everyone = ("@everyone" in content or "@here" in content) and (
            allowed is None or "everyone" in parse
        )
        return users, roles, everyone

    def _bot_message(
        self,
        channel: FakeChannel,
        payload: dict[str, Any],
        files: Sequence[RecordedFile],
        *,
        referenced: dict[str, Any] | None = None,
        message_type: int | None = None,
        flags: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create a message authored by the bot from a REST message payload."""
        content = payload.get("content") or ""
        users, roles, everyone = self._mentions_for(
            content, payload.get("allowed_mentions"), referenced
        )
        return self._new_message(
            channel,
            self.bot_user,
            content=content,
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            attachments=[self._attachment(f) for f in files],
            mentions=users,
            mention_roles=roles,
            mention_everyone=everyone,
            referenced=referenced,
            nonce=payload.get("nonce"),
            flags=int(payload.get("flags") or 0) if flags is None else flags,
            message_type=message_type,
            tts=bool(payload.get("tts")),
            extra=extra,
        )

    def _attachment(self, file: RecordedFile) -> dict[str, Any]:
        attachment_id = self.snowflakes.next()
        url = f"{self.base_url}/attachments/{attachment_id}/{file.filename}"
        return {
            "id": attachment_id,
            "filename": file.filename,
            "size": len(file.data),
            "url": url,
            "proxy_url": url,
            "content_type": file.content_type,
        }

    def _apply_edit(self, message: dict[str, Any], payload: dict[str, Any]) -> None:
        """Apply a PATCH payload to a stored message."""
        for key in ("content", "embeds", "components", "attachments"):
            if key in payload:
                cleared: Any = "" if key == "content" else []
                message[key] = cleared if payload[key] is None else payload[key]
        if "flags" in payload and payload["flags"] is not None:
            message["flags"] = int(payload["flags"])
        if "content" in payload:
            users, roles, everyone = self._mentions_for(
                message["content"], payload.get("allowed_mentions"), None
            )
            message.update(
                mentions=[u.to_payload() for u in users],
                mention_roles=roles,
                mention_everyone=everyone,
            )
        message["flags"] = int(message.get("flags") or 0) & ~MESSAGE_FLAG_LOADING
        message["edited_timestamp"] = utcnow_iso()

    # ---------------------------------------------------------------- REST plumbing

    def _add_rest_routes(self, app: web.Application) -> None:
        """Register every implemented REST route under ``/api/v10``."""
        routes: list[tuple[str, str, Callable[[web.Request], Any]]] = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/@me/channels", self._list_dm_channels),
            ("POST", "/users/@me/channels", self._create_dm_channel),
            ("GET", "/users/{user_id:\\d+}", self._get_user),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/{app_id}/commands", self._get_commands),
            ("PUT", "/applications/{app_id}/commands", self._put_commands),
            ("POST", "/applications/{app_id}/commands", self._post_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self._get_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", self._post_command),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            ("GET", "/channels/{channel_id:\\d+}", self._get_channel),
            ("POST", "/channels/{channel_id:\\d+}/messages", self._create_message),
            ("GET", "/channels/{channel_id:\\d+}/messages/{message_id:\\d+}", self._get_message),
            ("PATCH", "/channels/{channel_id:\\d+}/messages/{message_id:\\d+}", self._edit_message),
            (
                "DELETE",
                "/channels/{channel_id:\\d+}/messages/{message_id:\\d+}",
                self._delete_message,
            ),
            ("POST", "/channels/{channel_id:\\d+}/typing", self._typing),
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._react,
            ),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._react,
            ),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self._create_followup),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._get_webhook_message),
            (
                "PATCH",
                "/webhooks/{app_id}/{token}/messages/{message_id}",
                self._edit_webhook_message,
            ),
            (
                "DELETE",
                "/webhooks/{app_id}/{token}/messages/{message_id}",
                self._delete_webhook_message,
            ),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, handler)

    @web.middleware
    async def _rest_middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        """Record the request, check auth, apply faults/delays, then run the route handler."""
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        record = await self._record_request(request)
        request[RECORD_KEY] = record
        response = await self._respond(request, handler, record)
        record.status = response.status
        self._notify()
        return response

    async def _respond(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Any],
        record: RecordedRequest,
    ) -> web.StreamResponse:
        if self.response_delay:
            await asyncio.sleep(self.response_delay)
        if (
            _needs_bot_auth(record.path)
            and request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            return json_response(DEFAULT_ERROR_BODIES[401], status=401)
        fault = self._take_fault(record.method, record.path, record)
        if fault is not None and fault.drop:
            assert request.transport is not None
            request.transport.abort()
            raise ConnectionResetError("dropped by the fake, as a fault asked")
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.status is not None and not fault.after_handler:
            return self._fault_response(fault, record.path)
        response = await handler(request)
        if fault is not None and fault.status is not None:
            return self._fault_response(fault, record.path)
        return response

    async def _record_request(self, request: web.Request) -> RecordedRequest:
        record = RecordedRequest(
            method=request.method,
            path=request.path.removeprefix(API_PREFIX),
            query=dict(request.query),
            headers=dict(request.headers),
        )
        if request.content_type == "multipart/form-data":
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    record.files.append(
                        RecordedFile(key, value.filename, value.content_type, value.file.read())
                    )
                elif key == "payload_json":
                    record.json = json.loads(str(value))
        elif request.can_read_body:
            raw = await request.read()
            try:
                record.json = json.loads(raw) if raw else None
            except ValueError:
                record.json = raw.decode(errors="replace")
        self.requests.append(record)
        return record

    async def _unhandled(self, request: web.Request) -> web.Response:
        record = request.get(RECORD_KEY)
        if record is not None:
            self.unhandled_requests.append(record)
        return json_response(DEFAULT_ERROR_BODIES[404], status=404)

    @staticmethod
    def _body(request: web.Request) -> Any:
        record = request[RECORD_KEY]
        return record.json if isinstance(record.json, dict | list) else {}

    @staticmethod
    def _files(request: web.Request) -> list[RecordedFile]:
        return request[RECORD_KEY].files

    # ---------------------------------------------------------------- REST: gateway, users, app

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        limits = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limits})

    async def _get_me(self, request: web.Request) -> web.Response:
        me = self.bot_user.to_payload() | {
            "verified": True,
            "mfa_enabled": False,
            "locale": "en-US",
            "email": None,
        }
        return json_response(me)

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(request.match_info["user_id"])
        if user is None:
            return discord_error(404, 10013, "Unknown User")
        return json_response(user.to_payload())

    async def _get_member(self, request: web.Request) -> web.Response:
        guild = next((g for g in self.guilds if g.id == request.match_info["guild_id"]), None)
        if guild is None:
            return discord_error(404, 10004, "Unknown Guild")
        member = guild.members.get(request.match_info["user_id"])
        if member is None:
            return discord_error(404, 10007, "Unknown Member")
        return json_response(member.to_payload())

    async def _get_application(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "id": self.application_id,
                "name": self.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "bot": self.bot_user.to_payload(),
                "owner": self.admin_user.to_payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": self._application_flags(),
                "interactions_endpoint_url": None,
                "approximate_guild_count": len(self.guilds),
                "redirect_uris": [],
                "tags": [],
                "install_params": None,
                "custom_install_url": None,
                "role_connections_verification_url": None,
            }
        )

    async def _list_dm_channels(self, request: web.Request) -> web.Response:
        return json_response([c.to_payload() for c in self.channels.values() if c.is_dm])

    async def _create_dm_channel(self, request: web.Request) -> web.Response:
        user = self.users.get(str(self._body(request).get("recipient_id")))
        if user is None:
            return discord_error(400, 50033, "Invalid Recipient(s)")
        return json_response(self.dm_channel(user).to_payload())

    # ---------------------------------------------------------------- REST: application commands

    def _check_app(self, request: web.Request) -> web.Response | None:
        if request.match_info["app_id"] != self.application_id:
            return discord_error(403, 50001, "Missing Access")
        guild_id = request.match_info.get("guild_id")
        if guild_id is not None and all(g.id != guild_id for g in self.guilds):
            return discord_error(403, 50001, "Missing Access")
        return None

    def _stored_command(
        self, command: dict[str, Any], guild_id: str | None, existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        """A command as Discord stores it; keeps the id of an existing same-name command."""
        stored = {
            "id": existing["id"] if existing else self.snowflakes.next(),
            "application_id": self.application_id,
            "version": self.snowflakes.next(),
            "type": int(command.get("type", 1)),
            "name": command["name"],
            "description": command.get("description", ""),
            "options": command.get("options") or [],
            "default_member_permissions": command.get("default_member_permissions"),
            "dm_permission": command.get("dm_permission", True),
            "nsfw": command.get("nsfw", False),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
            "name_localizations": command.get("name_localizations"),
            "description_localizations": command.get("description_localizations"),
        }
        if guild_id is not None:
            stored["guild_id"] = guild_id
        return stored

    async def _get_commands(self, request: web.Request) -> web.Response:
        if (error := self._check_app(request)) is not None:
            return error
        return json_response(self.commands(request.match_info.get("guild_id")))

    async def _put_commands(self, request: web.Request) -> web.Response:
        if (error := self._check_app(request)) is not None:
            return error
        payload = self._body(request)
        if not isinstance(payload, list):
            return discord_error(400, 50035, "Invalid Form Body")
        if errors := command_form_errors(payload):
            return discord_error(400, 50035, "Invalid Form Body", errors)
        guild_id = request.match_info.get("guild_id")
        existing = self._commands.get(guild_id, {})
        stored: dict[tuple[int, str], dict[str, Any]] = {}
        for command in payload:
            key = (int(command.get("type", 1)), command["name"])
            stored[key] = self._stored_command(command, guild_id, existing.get(key))
        self._commands[guild_id] = stored
        self.command_syncs.append(CommandSync(guild_id, payload, list(stored.values())))
        return json_response(list(stored.values()))

    async def _post_command(self, request: web.Request) -> web.Response:
        if (error := self._check_app(request)) is not None:
            return error
        command = self._body(request)
        if errors := command_form_errors([command]):
            return discord_error(400, 50035, "Invalid Form Body", errors.get("0"))
        guild_id = request.match_info.get("guild_id")
        scope = self._commands.setdefault(guild_id, {})
        key = (int(command.get("type", 1)), command["name"])
        created = key not in scope
        scope[key] = self._stored_command(command, guild_id, scope.get(key))
        return json_response(scope[key], status=201 if created else 200)

    # ---------------------------------------------------------------- REST: channels & messages

    def _channel_from(self, request: web.Request) -> FakeChannel | None:
        return self.channels.get(request.match_info["channel_id"])

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_from(request)
        if channel is None:
            return discord_error(404, 10003, "Unknown Channel")
        return json_response(channel.to_payload())

    def _message_error(
        self, payload: dict[str, Any], files: Sequence[RecordedFile], *, creating: bool
    ) -> web.Response | None:
        """A 400 response if Discord would reject this message payload, else None."""
        if creating and is_empty_message(payload, files):
            return discord_error(400, 50006, "Cannot send an empty message")
        if errors := message_form_errors(payload):
            return discord_error(400, 50035, "Invalid Form Body", errors)
        return None

    def _without_unpermitted_embeds(
        self, channel: FakeChannel, payload: dict[str, Any], files: Sequence[RecordedFile]
    ) -> tuple[dict[str, Any], web.Response | None]:
        """Discord's rule for a bot without Embed Links where it posts: the message is posted
        without its embeds, and one that nothing would be left of is refused with 403 Missing
        Permissions (50013). (Guild-level permissions: the fake has no channel overwrites.)"""
        guild = self.guild_of(channel)
        if guild is None or not payload.get("embeds"):
            return payload, None
        if guild.permissions_for(self.bot_user.id) & EMBED_LINKS:
            return payload, None
        payload = {key: value for key, value in payload.items() if key != "embeds"}
        if is_empty_message(payload, files):
            return payload, discord_error(403, 50013, "Missing Permissions")
        return payload, None

    def _dedup(self, payload: dict[str, Any]) -> SentMessage | None:
        """The earlier message with the same nonce if ``enforce_nonce`` applies."""
        nonce = payload.get("nonce")
        if not payload.get("enforce_nonce") or nonce is None:
            return None
        hit = self._nonces.get(str(nonce))
        if hit is None or time.monotonic() - hit[0] > self.nonce_window:
            return None
        return hit[1]

    async def _create_message(self, request: web.Request) -> web.Response:
        channel = self._channel_from(request)
        if channel is None:
            return discord_error(404, 10003, "Unknown Channel")
        payload, files = self._body(request), self._files(request)
        if (error := self._message_error(payload, files, creating=True)) is not None:
            return error
        payload, refused = self._without_unpermitted_embeds(channel, payload, files)
        if refused is not None:
            return refused
        if (duplicate := self._dedup(payload)) is not None:
            duplicate.duplicate_posts += 1
            self._notify()
            return json_response(duplicate.message)
        reference = payload.get("message_reference") or None
        referenced = None
        if reference is not None:
            referenced = self._messages_by_id.get(str(reference.get("message_id")))
            if referenced is None and reference.get("fail_if_not_exists", True):
                return discord_error(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "message_reference": _field_error(
                            "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                        )
                    },
                )
        message = self._bot_message(channel, payload, files, referenced=referenced)
        sent = SentMessage(channel.id, payload, message, files)
        self.messages.append(sent)
        if payload.get("enforce_nonce") and payload.get("nonce") is not None:
            self._nonces[str(payload["nonce"])] = (time.monotonic(), sent)
        await self._echo("MESSAGE_CREATE", message)
        return json_response(message)

    def _stored_message(self, request: web.Request) -> dict[str, Any] | None:
        message = self._messages_by_id.get(request.match_info["message_id"])
        if message is None or message["channel_id"] != request.match_info["channel_id"]:
            return None
        return message

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self._stored_message(request)
        if message is None:
            return discord_error(404, 10008, "Unknown Message")
        return json_response(message)

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._stored_message(request)
        if message is None:
            return discord_error(404, 10008, "Unknown Message")
        if message["author"]["id"] != self.bot_user.id:
            return discord_error(403, 50005, "Cannot edit a message authored by another user")
        payload = self._body(request)
        if (error := self._message_error(payload, [], creating=False)) is not None:
            return error
        self._apply_edit(message, payload)
        self.edits.append(MessageEdit(message["id"], message["channel_id"], payload))
        await self._echo("MESSAGE_UPDATE", message)
        return json_response(message)

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._stored_message(request)
        if message is None:
            return discord_error(404, 10008, "Unknown Message")
        del self._messages_by_id[message["id"]]
        self.deleted_message_ids.append(message["id"])
        await self._echo("MESSAGE_DELETE", message)
        return no_content()

    async def _typing(self, request: web.Request) -> web.Response:
        if self._channel_from(request) is None:
            return discord_error(404, 10003, "Unknown Channel")
        return no_content()

    async def _react(self, request: web.Request) -> web.Response:
        info = request.match_info
        if info["message_id"] not in self._messages_by_id:
            return discord_error(404, 10008, "Unknown Message")
        added = request.method == "PUT"
        self.reactions.append(
            Reaction(info["channel_id"], info["message_id"], info["emoji"], added)
        )
        return no_content()

    # ---------------------------------------------------------------- REST: interactions

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        """Initial interaction response; discord.py asks ``?with_response=1`` and parses it."""
        state = self._interactions.get(request.match_info["interaction_id"])
        if state is None or state.token != request.match_info["token"]:
            return discord_error(404, 10062, "Unknown interaction")
        if state.callback is not None:
            return discord_error(400, 40060, "Interaction has already been acknowledged.")
        deadline = self.interaction_ack_deadline
        if deadline is not None and time.monotonic() - state.created > deadline:
            return discord_error(404, 10062, "Unknown interaction")
        payload = self._body(request)
        callback_type = int(payload.get("type", 0))
        data = payload.get("data")
        if (error := self._callback_error(state, callback_type, data)) is not None:
            return error
        callback = InteractionCallback(state.id, state.token, callback_type, data, payload)
        callback.message = self._callback_message(state, callback_type, data or {})
        state.callback = callback
        self.interaction_responses.append(callback)
        if callback.message is not None:
            await self._echo("MESSAGE_CREATE", callback.message)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        return json_response(self._callback_response_body(state, callback))

    def _callback_error(
        self, state: _InteractionState, callback_type: int, data: dict[str, Any] | None
    ) -> web.Response | None:
        is_autocomplete = state.type == InteractionType.AUTOCOMPLETE
        if is_autocomplete != (callback_type == CallbackType.AUTOCOMPLETE_RESULT):
            return discord_error(
                400,
                50035,
                "Invalid Form Body",
                {
                    "type": _field_error(
                        "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
                    )
                },
            )
        if callback_type == CallbackType.AUTOCOMPLETE_RESULT:
            if len((data or {}).get("choices") or []) > 25:
                return discord_error(
                    400, 50035, "Invalid Form Body", {"data": {"choices": _max_length_error(25)}}
                )
            return None
        if callback_type == CallbackType.CHANNEL_MESSAGE:
            return self._message_error(data or {}, [], creating=True)
        return None

    def _callback_message(
        self, state: _InteractionState, callback_type: int, data: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The original response message created by a type 4 or 5 callback."""
        if callback_type not in (
            CallbackType.CHANNEL_MESSAGE,
            CallbackType.DEFERRED_CHANNEL_MESSAGE,
        ):
            return None
        flags = int(data.get("flags") or 0)
        if callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE:
            data, flags = {}, (flags & MESSAGE_FLAG_EPHEMERAL) | MESSAGE_FLAG_LOADING
        return self._bot_message(
            state.channel,
            data,
            [],
            message_type=20,
            flags=flags,
            extra=self._interaction_message_extra(state),
        )

    def _interaction_message_extra(self, state: _InteractionState) -> dict[str, Any]:
        return {
            "webhook_id": self.application_id,
            "application_id": self.application_id,
            "interaction_metadata": {
                "id": state.id,
                "type": state.type,
                "user": state.user.to_payload(),
                "authorizing_integration_owners": state.payload["authorizing_integration_owners"],
                "name": state.payload["data"]["name"],
            },
        }

    def _callback_response_body(
        self, state: _InteractionState, callback: InteractionCallback
    ) -> dict[str, Any]:
        """The ``InteractionCallbackResponse`` body returned for ``with_response=1``."""
        message = callback.message
        interaction: dict[str, Any] = {"id": state.id, "type": state.type}
        body: dict[str, Any] = {"interaction": interaction}
        if message is not None:
            flags = int(message.get("flags") or 0)
            interaction.update(
                response_message_id=message["id"],
                response_message_loading=bool(flags & MESSAGE_FLAG_LOADING),
                response_message_ephemeral=bool(flags & MESSAGE_FLAG_EPHEMERAL),
            )
            body["resource"] = {"type": callback.type, "message": message}
        elif callback.type != CallbackType.AUTOCOMPLETE_RESULT:
            body["resource"] = {"type": callback.type}
        return body

    def _interaction_by_token(self, request: web.Request) -> _InteractionState | None:
        if request.match_info["app_id"] != self.application_id:
            return None
        token = request.match_info["token"]
        state = next((s for s in self._interactions.values() if s.token == token), None)
        if state is None or time.monotonic() - state.created > INTERACTION_TOKEN_LIFETIME:
            return None
        return state

    async def _create_followup(self, request: web.Request) -> web.Response:
        state = self._interaction_by_token(request)
        if state is None:
            return discord_error(404, 10015, "Unknown Webhook")
        if state.callback is None:
            return discord_error(404, 10015, "Unknown Webhook")
        payload, files = self._body(request), self._files(request)
        if (error := self._message_error(payload, files, creating=True)) is not None:
            return error
        message = self._bot_message(
            state.channel,
            payload,
            files,
            message_type=20,
            extra=self._interaction_message_extra(state),
        )
        sent = SentMessage(state.channel.id, payload, message, files, interaction_id=state.id)
        self.followups.append(sent)
        state.followup_ids.append(sent.id)
        await self._echo("MESSAGE_CREATE", message)
        if request.query.get("wait") not in ("1", "true", "True"):
            return no_content()
        return json_response(message)

    def _webhook_message(
        self, request: web.Request
    ) -> tuple[_InteractionState | None, dict[str, Any] | None]:
        state = self._interaction_by_token(request)
        if state is None:
            return None, None
        message_id = request.match_info["message_id"]
        if message_id == "@original":
            return state, self.original_response(state.id)
        if message_id in state.followup_ids:
            return state, self._messages_by_id.get(message_id)
        return state, None

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        state, message = self._webhook_message(request)
        if state is None:
            return discord_error(404, 10015, "Unknown Webhook")
        if message is None:
            return discord_error(404, 10008, "Unknown Message")
        return json_response(message)

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        state, message = self._webhook_message(request)
        if state is None:
            return discord_error(404, 10015, "Unknown Webhook")
        if message is None:
            return discord_error(404, 10008, "Unknown Message")
        payload = self._body(request)
        if (error := self._message_error(payload, [], creating=False)) is not None:
            return error
        self._apply_edit(message, payload)
        self.edits.append(MessageEdit(message["id"], message["channel_id"], payload, state.id))
        await self._echo("MESSAGE_UPDATE", message)
        return json_response(message)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        state, message = self._webhook_message(request)
        if state is None:
            return discord_error(404, 10015, "Unknown Webhook")
        if message is None:
            return discord_error(404, 10008, "Unknown Message")
        self._messages_by_id.pop(message["id"], None)
        self.deleted_message_ids.append(message["id"])
        await self._echo("MESSAGE_DELETE", message)
        return no_content()


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def json_response(
    body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON response with ``Content-Type: application/json`` exactly.

    aiohttp's ``web.json_response`` appends ``; charset=utf-8``, and discord.py only parses a
    body as JSON when the header equals ``application/json``, so the header is set by hand.
    """
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(body).encode(), status=status, headers=all_headers)


def no_content() -> web.Response:
    """An empty 204 response."""
    return web.Response(status=204)


def discord_error(
    status: int, code: int, message: str, errors: dict[str, Any] | None = None
) -> web.Response:
    """A Discord-style JSON error: ``{"message", "code"[, "errors"]}``."""
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return json_response(body, status=status)


def _needs_bot_auth(path: str) -> bool:
    """Webhook/interaction routes use the token in the URL; ``GET /gateway`` is public."""
    return not (path.startswith(("/webhooks/", "/interactions/")) or path == "/gateway")


def _option_definition(definition: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    """The option (or subcommand) called ``name`` in a synced command/option definition."""
    if definition is None:
        return None
    return next((o for o in definition.get("options") or [] if o.get("name") == name), None)


def _infer_option_type(value: Any) -> int:
    """Application command option type for a Python value (bool before int: bool is an int)."""
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, FakeUser):
        return 6
    if isinstance(value, FakeChannel):
        return 7
    if isinstance(value, FakeRole):
        return 8
    return 3
