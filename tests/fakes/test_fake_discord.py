"""Real discord.py (a ``commands.Bot``) against ``FakeDiscord``: the fake speaks the protocol."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.http import Route

from bot.chat.endpoints import (
    DEFAULT_API_BASE,
    DEFAULT_GATEWAY_URL,
    current_discord_endpoints,
    use_discord_endpoints,
)

from .discord_server import FakeDiscord, WaitTimeout


class EchoBot(commands.Bot):
    """A minimal bot: replies to mentions and DMs, has a deferring /news command."""

    def __init__(self, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.1,
            help_command=None,
        )
        self.seen_contents: list[str] = []
        self.tree.add_command(news)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        self.seen_contents.append(message.content)
        assert self.user is not None
        if message.guild is None or self.user in message.mentions:
            await message.reply(f"pong: {message.clean_content}", mention_author=False)


@app_commands.command(name="news", description="Search the news archive")
@app_commands.describe(query="What to look for")
async def news(interaction: discord.Interaction, query: str) -> None:
    await interaction.response.defer(thinking=True)
    embed = discord.Embed(title=f"Results for {query}", description="1. Something happened")
    await interaction.followup.send(embed=embed)


@news.autocomplete("query")
async def news_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f"{current} news", value=f"{current} news")]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def restore_endpoints() -> Iterator[None]:
    previous = current_discord_endpoints()
    yield
    use_discord_endpoints(*previous)


async def test_login_ready_and_guild_create(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()) as bot:
        assert bot.user is not None and str(bot.user.id) == fake.bot_user.id
        guild = bot.get_guild(int(fake.guild_id))
        assert guild is not None and guild.name == fake.guild.name
        assert bot.get_channel(int(fake.channel_id)) is not None
        assert guild.me is not None  # the bot's own member arrives even without GUILD_MEMBERS
        assert fake.identify_count == 1
        assert fake.identify_payloads[0]["intents"] == discord.Intents.default().value
        assert fake.connections[0].compressed  # discord.py asked for zlib-stream and got it
        assert (await bot.application_info()).owner.id == int(fake.admin_user.id)
    assert fake.requests_to("GET /users/@me")[0].headers["Authorization"] == f"Bot {fake.token}"
    assert current_discord_endpoints() == (DEFAULT_API_BASE, DEFAULT_GATEWAY_URL)


async def test_replies_to_mention_without_pinging(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()) as bot:
        await fake.send_message("no mention here")  # content hidden: no MESSAGE_CONTENT intent
        incoming = await fake.send_message(f"{fake.bot_user.mention} hello")
        [reply] = await fake.wait_for_messages(fake.channel_id, 1)

        assert reply.content == "pong: @newsbot hello"
        assert reply.allowed_mentions == {"parse": [], "replied_user": False}
        assert reply.payload["message_reference"]["message_id"] == int(incoming["id"])
        assert not reply.pings_anyone
        assert bot.seen_contents == ["", f"{fake.bot_user.mention} hello"]


async def test_dm_reply(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()):
        incoming = await fake.send_dm("hi in private")
        [reply] = await fake.wait_for_messages(incoming["channel_id"], 1)
        assert reply.content == "pong: hi in private"
        assert "guild_id" not in fake.dispatched[-2]["d"]  # the DM MESSAGE_CREATE


async def test_slash_command_defer_then_followup_embed(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()) as bot:
        synced = await bot.tree.sync()
        sync = await fake.wait_for_command_sync(1)
        assert [c.name for c in synced] == ["news"] and sync.guild_id is None
        assert fake.commands()[0]["options"][0]["name"] == "query"

        interaction = await fake.send_interaction("news", {"query": "rust"})
        response = await fake.wait_for_interaction_response(interaction["id"])
        [followup] = await fake.wait_for_followups(interaction["id"], 1)

        assert response.type == 5 and response.is_deferred
        assert followup.embeds[0]["title"] == "Results for rust"
        assert followup.allowed_mentions == {"parse": []}
        assert interaction["data"]["id"] == sync.commands[0]["id"]


async def test_autocomplete(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()) as bot:
        await bot.tree.sync()
        interaction = await fake.send_autocomplete("news", {"query": "ru"}, focused="query")
        response = await fake.wait_for_interaction_response(interaction["id"])
        assert response.type == 8
        assert response.choices == [{"name": "ru news", "value": "ru news"}]


async def test_reconnect_resumes_and_replays_missed_events(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()):
        await fake.send_reconnect()
        await fake.send_message(f"{fake.bot_user.mention} during reconnect")  # replayed on RESUME
        await fake.wait_for_resume(1)
        [reply] = await fake.wait_for_messages(fake.channel_id, 1)
        assert reply.content == "pong: @newsbot during reconnect"

        await fake.send_message(f"{fake.bot_user.mention} after")
        await fake.wait_for_messages(fake.channel_id, 2)
        assert fake.identify_count == 1
        assert fake.connections[-1].path == "/gateway-resume"


async def test_abrupt_drop_resumes(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()):
        await fake.drop_connection(None)
        await fake.wait_for_resume(1)
        await fake.send_message(f"{fake.bot_user.mention} still there?")
        await fake.wait_for_messages(fake.channel_id, 1)
        assert fake.identify_count == 1


async def test_send_retried_after_two_429s(fake: FakeDiscord) -> None:
    fault = fake.fail_next("POST /channels/{id}/messages", 429, count=2, retry_after=0.05)
    async with fake.run_bot(EchoBot()):
        await fake.send_message(f"{fake.bot_user.mention} rate limit me")
        await fake.wait_for_messages(fake.channel_id, 1)
    assert fault.hits == 2
    assert [r.status for r in fake.requests_to("POST /channels/{id}/messages")] == [429, 429, 200]
    assert len(fake.messages) == 1


async def test_enforce_nonce_deduplicates_a_retried_send(fake: FakeDiscord) -> None:
    # The first POST creates the message but answers 500; discord.py retries it (after 1 s).
    fake.fail_next("POST /channels/{id}/messages", 500, after_handler=True)
    async with fake.run_bot(EchoBot()) as bot:
        channel = bot.get_channel(int(fake.channel_id))
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("only once", nonce="digest-1")
    assert len(fake.messages) == 1 and fake.messages[0].duplicate_posts == 1
    assert str(sent.id) == fake.messages[0].id


async def test_invalid_message_is_rejected_like_discord(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()) as bot:
        channel = bot.get_channel(int(fake.channel_id))
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as excinfo:
            await channel.send("x" * 2001)
        assert excinfo.value.status == 400 and excinfo.value.code == 50035
    assert fake.messages == []


async def test_wrong_token_raises_login_failure(fake: FakeDiscord, restore_endpoints: None) -> None:
    use_discord_endpoints(fake.api_base, fake.gateway_url)
    bot = EchoBot()
    async with bot:
        with pytest.raises(discord.LoginFailure):
            await asyncio.wait_for(bot.start("not-the-token"), 5)
    assert [r.status for r in fake.requests_to("GET /users/@me")] == [401]
    assert fake.identify_count == 0


async def test_wait_helpers_time_out_with_a_summary(fake: FakeDiscord) -> None:
    with pytest.raises(WaitTimeout, match="1 message"):
        await fake.wait_for_messages(fake.channel_id, 1, timeout=0.1)


def test_use_discord_endpoints_validates_and_restores(restore_endpoints: None) -> None:
    with pytest.raises(ValueError, match="api_base"):
        use_discord_endpoints("ftp://example.com/api/v10", None)
    previous = use_discord_endpoints("http://proxy:8080/api/v10/", "ws://gw:9000/")
    assert current_discord_endpoints() == ("http://proxy:8080/api/v10", "ws://gw:9000/")
    assert Route("GET", "/users/@me").url == "http://proxy:8080/api/v10/users/@me"
    use_discord_endpoints(None, None)
    assert current_discord_endpoints() == (DEFAULT_API_BASE, DEFAULT_GATEWAY_URL)
    assert previous == (DEFAULT_API_BASE, DEFAULT_GATEWAY_URL)


feeds = app_commands.Group(name="feeds", description="Manage feeds")


@feeds.command(name="notify", description="Notify a user about a feed")
@app_commands.checks.has_permissions(manage_guild=True)
async def feeds_notify(interaction: discord.Interaction, user: discord.Member, url: str) -> None:
    await interaction.response.send_message(f"will notify {user.display_name}", ephemeral=True)
    await interaction.edit_original_response(content=f"notifying {user.display_name} of {url}")


@feeds_notify.error
async def feeds_notify_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    await interaction.response.send_message("not allowed", ephemeral=True)


class AdminBot(EchoBot):
    """EchoBot plus a /feeds group, the members intent and no 5 s pause before re-IDENTIFY."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(intents)
        self.tree.add_command(feeds)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


async def test_subcommand_with_member_option_ephemeral_reply_and_edit(fake: FakeDiscord) -> None:
    async with fake.run_bot(AdminBot()) as bot:
        guild = discord.Object(int(fake.guild_id))
        bot.tree.copy_global_to(guild=guild)
        await bot.tree.sync(guild=guild)
        interaction = await fake.send_interaction(
            "feeds notify",
            {"user": fake.member_user, "url": "https://example.com/rss"},
            user=fake.admin_user,
        )
        response = await fake.wait_for_interaction_response(interaction["id"])
        await fake.wait_for(lambda: fake.edits, what="@original edit")

        assert interaction["data"]["guild_id"] == fake.guild_id  # a guild command
        assert interaction["data"]["options"][0]["type"] == 1  # subcommand
        assert response.type == 4 and response.data is not None
        assert response.data["flags"] == 64  # ephemeral
        original = fake.original_response(interaction["id"])
        assert original is not None and original["content"] == (
            "notifying Bob of https://example.com/rss"
        )

        denied = await fake.send_interaction(
            "feeds notify", {"user": fake.admin_user, "url": "x"}, user=fake.member_user
        )
        refusal = await fake.wait_for_interaction_response(denied["id"])
        assert refusal.data is not None and refusal.data["content"] == "not allowed"


async def test_members_intent_gets_members_and_chunk(fake: FakeDiscord) -> None:
    async with fake.run_bot(AdminBot()) as bot:
        guild = bot.get_guild(int(fake.guild_id))
        assert guild is not None and guild.get_member(int(fake.member_user.id)) is not None
        assert guild.chunked  # small guild: GUILD_CREATE carried every member
        [member] = await guild.query_members(user_ids=[int(fake.member_user.id)])  # op 8
        assert member.name == "bob"


async def test_invalid_session_makes_the_bot_identify_again(fake: FakeDiscord) -> None:
    async with fake.run_bot(AdminBot()):
        await fake.invalidate_session(resumable=False)
        await fake.wait_for_identify(2)
        await fake.wait_until_ready()
        await fake.send_message(f"{fake.bot_user.mention} new session")
        await fake.wait_for_messages(fake.channel_id, 1)
    assert fake.resume_count == 0
    assert fake.connections[-1].path == "/gateway"  # fresh sessions use the overridden gateway


async def test_late_interaction_response_is_unknown_interaction() -> None:
    async with FakeDiscord(interaction_ack_deadline=0.0) as fake:
        async with fake.run_bot(EchoBot()) as bot:
            await bot.tree.sync()
            interaction = await fake.send_interaction("news", {"query": "slow"})
            await fake.wait_for(
                lambda: fake.requests_to("POST /interactions/{id}/{token}/callback"),
                what="callback attempt",
            )
        [attempt] = fake.requests_to("POST /interactions/{id}/{token}/callback")
        assert attempt.status == 404
        assert fake.original_response(interaction["id"]) is None


async def test_forbidden_and_global_rate_limit(fake: FakeDiscord) -> None:
    async with fake.run_bot(EchoBot()) as bot:
        channel = bot.get_channel(int(fake.channel_id))
        assert isinstance(channel, discord.TextChannel)
        fake.fail_next("POST", 403)
        with pytest.raises(discord.Forbidden):
            await channel.send("nope")
        fault = fake.fail_next("/channels/*/messages", 429, retry_after=0.01, global_=True)
        await channel.send("eventually")
        assert fault.hits == 1 and [m.content for m in fake.messages] == ["eventually"]
