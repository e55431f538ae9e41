"""The fake Discord speaks well enough for the real discord.py client to use it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .fake_discord import (
    GUILD_ID,
    MEMBER_ID,
    OTHER_GUILD_ID,
    OTHER_MEMBER_ID,
    FakeDiscord,
    FakeGuild,
    ResponseType,
    pointed_at,
    started,
)

TIMEOUT = 5.0


class Bot(discord.Client):
    """A client as the adapter will build one: no privileged intents, quick to be ready."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("intents", discord.Intents.default())
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(guild_ready_timeout=0.01, **options)
        self.tree = app_commands.CommandTree(self)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every IDENTIFY but the first; a test need not."""


class ShardedBot(Bot, discord.AutoShardedClient):
    pass


def run_with_discord(scenario: Callable[[FakeDiscord], Awaitable[None]], **options: Any) -> None:
    """Run `scenario` against a fresh fake Discord that discord.py is pointed at."""

    async def main() -> None:
        async with FakeDiscord(**options) as fake:
            with pointed_at(fake):
                await scenario(fake)

    asyncio.run(main())


def test_pointed_at_sets_and_restores_discord_py_addresses() -> None:
    before = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY

    async def scenario(fake: FakeDiscord) -> None:
        assert fake.api_base == Route.BASE
        assert fake.api_base.startswith("http://127.0.0.1:")
        assert fake.api_base.endswith("/api/v10")
        assert str(DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url

    run_with_discord(scenario)
    assert before == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)


def test_a_client_logs_in_identifies_and_sees_its_guild() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        async with started(Bot(), fake) as client:
            assert client.user is not None and client.user.id == fake.bot_user_id
            assert client.application_id == fake.application_id
            guild = client.get_guild(GUILD_ID)
            assert guild is not None and guild.name == "Bounceback Test"
            assert [channel.name for channel in guild.text_channels] == ["general"]
            assert guild.me is not None
            (identify,) = fake.identifies
            assert identify["intents"] == discord.Intents.default().value
            assert fake.gateway_queries[0]["compress"] == "zlib-stream"
            first = fake.calls[0]
            assert (first.method, first.path) == ("GET", "/users/@me")
            assert first.headers["Authorization"] == "Bot fake-bot-token"
            assert fake.calls_to("GET", "/oauth2/applications/@me")

    run_with_discord(scenario)


def test_a_slash_command_answered_with_a_message_is_recorded() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = Bot()

        @client.tree.command(description="Log a rejection")
        async def rejected(interaction: discord.Interaction, company: str, round: int) -> None:
            await interaction.response.send_message(
                f"Sorry about {company} (round {round}).", ephemeral=True
            )

        async with started(client, fake):
            interaction = await fake.slash("rejected", {"company": "Acme", "round": 2})
            response = await interaction.response()
            assert response["type"] == ResponseType.MESSAGE
            assert response["data"]["content"] == "Sorry about Acme (round 2)."
            assert response["data"]["flags"] == 64
            assert response["data"]["allowed_mentions"] == {"parse": []}
            assert interaction.original is not None
            assert fake.messages_in(GUILD_ID + 1) == []  # ephemeral: nobody else sees it

            with pytest.raises(discord.HTTPException) as raised:
                await client.http.request(
                    Route("POST", f"/interactions/{interaction.id}/{interaction.token}/callback"),
                    json={"type": 4, "data": {"content": "again"}},
                )
            assert raised.value.code == 40060

    run_with_discord(scenario)


def test_a_deferred_command_answers_with_a_follow_up() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = Bot()
        sent: list[discord.WebhookMessage] = []

        @client.tree.command(description="Export my data")
        async def export(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            sent.append(await interaction.followup.send("Here it is.", wait=True))
            await interaction.followup.send("And one more thing.")
            await interaction.edit_original_response(content="Here it is, edited.")

        async with started(client, fake):
            interaction = await fake.slash("export", in_dm=True)
            assert (await interaction.response())["type"] == ResponseType.DEFERRED_MESSAGE
            await fake.wait_for("PATCH", f"/webhooks/{fake.application_id}/{interaction.token}")
            first, second = interaction.followups
            assert first is interaction.original  # the first follow-up replaced "thinking"
            assert first["content"] == "Here it is, edited."
            assert first["flags"] == 64
            assert second["content"] == "And one more thing."
            assert sent[0].id == int(first["id"])
            assert "guild_id" not in interaction.payload

    run_with_discord(scenario)


def test_a_dm_is_recorded_with_its_allowed_mentions() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        async with started(Bot(), fake) as client:
            user = await client.fetch_user(MEMBER_ID)
            message = await user.send("Your follow-up with Acme is due today.")
            assert message.channel.id == fake.dm_channel_of(MEMBER_ID)
            (call,) = fake.calls_to("POST", f"/channels/{message.channel.id}/messages")
            assert call.json["allowed_mentions"] == {"parse": []}
            assert call.json["content"] == "Your follow-up with Acme is due today."
            assert [m["content"] for m in fake.dms_to(MEMBER_ID)] == [message.content]
            (opened,) = fake.calls_to("POST", "/users/@me/channels")
            assert opened.json == {"recipient_id": MEMBER_ID}

            dm = await client.create_dm(discord.Object(MEMBER_ID))
            await dm.send("Again.", file=discord.File(__file__, filename="notes.txt"))
            upload = fake.calls_to("POST", f"/channels/{dm.id}/messages")[-1]
            assert upload.json["content"] == "Again."
            assert [f.filename for f in upload.files] == ["notes.txt"]
            assert dm.id == message.channel.id

    run_with_discord(scenario)


def test_a_429_is_retried_by_discord_py_and_the_message_lands_once() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        async with started(Bot(), fake) as client:
            channel = client.get_channel(GUILD_ID + 1)
            assert isinstance(channel, discord.TextChannel)
            fake.fail_next("POST", re.compile(r"/channels/\d+/messages"), retry_after=0.01)
            await channel.send("Weekly check-in: how is everyone doing?")
            attempts = fake.calls_to("POST", f"/channels/{channel.id}/messages")
            assert [call.status for call in attempts] == [429, 200]
            assert attempts[0].answer["retry_after"] == 0.01
            assert len(fake.messages_in(channel.id)) == 1

    run_with_discord(scenario)


def test_a_429_looks_like_discords() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        async with started(Bot(), fake) as client:
            fake.fail_next("*", "/channels/", retry_after=0.01, global_=True)
            channel = client.get_channel(GUILD_ID + 1)
            assert isinstance(channel, discord.TextChannel)
            await channel.send("hello")
            limited = fake.calls[-2]
            assert limited.answer == {
                "message": "You are being rate limited.",
                "retry_after": 0.01,
                "global": True,
            }

        import aiohttp

        fake.fail_next("GET", "/users/@me", retry_after=0.5)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{fake.api_base}/users/@me") as response,
        ):
            assert response.status == 429
            assert response.headers["Content-Type"] == "application/json"
            assert response.headers["Via"]
            assert response.headers["Retry-After"] == "1"
            assert response.headers["X-RateLimit-Scope"] == "user"
            assert response.headers["X-RateLimit-Remaining"] == "0"

    run_with_discord(scenario)


def test_a_429_on_an_interaction_callback_is_retried_too() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = Bot()

        @client.tree.command(description="Ping")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")

        async with started(client, fake):
            fake.fail_next(
                "POST", re.compile(r"/interactions/\d+/[^/]+/callback"), retry_after=0.01
            )
            interaction = await fake.slash("ping")
            assert (await interaction.response())["data"]["content"] == "pong"
            callbacks = fake.calls_to("POST", f"/interactions/{interaction.id}/")
            assert [call.status for call in callbacks] == [429, 200]

    run_with_discord(scenario)


def test_closed_dms_raise_forbidden() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        fake.closed_dms.add(MEMBER_ID)
        async with started(Bot(), fake) as client:
            user = await client.fetch_user(MEMBER_ID)
            with pytest.raises(discord.Forbidden) as raised:
                await user.send("Reminder")
            assert raised.value.code == 50007
            assert fake.dms_to(MEMBER_ID) == []

    run_with_discord(scenario)


def test_enforce_nonce_returns_the_first_message() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        async with started(Bot(), fake) as client:
            dm = await client.create_dm(discord.Object(MEMBER_ID))
            first = await dm.send("Reminder: thank Acme", nonce="reminder-42")
            again = await dm.send("Reminder: thank Acme", nonce="reminder-42")
            other = await dm.send("Reminder: thank Initech", nonce="reminder-43")
            assert again.id == first.id
            assert other.id != first.id
            assert len(fake.dms_to(MEMBER_ID)) == 2
            posts = fake.calls_to("POST", f"/channels/{dm.id}/messages")
            assert [call.json["enforce_nonce"] for call in posts] == [True, True, True]

            fake.nonce_window = 0.0  # the window has passed: a new message
            late = await dm.send("Reminder: thank Acme", nonce="reminder-42")
            assert late.id != first.id

    run_with_discord(scenario)


def test_two_shards_each_get_their_guilds_and_interactions() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = ShardedBot(shard_count=2)
        shards_used: list[int | None] = []

        @client.tree.command(description="Where am I")
        async def where(interaction: discord.Interaction) -> None:
            shards_used.append(interaction.guild.shard_id if interaction.guild else None)
            await interaction.response.send_message("here")

        async with started(client, fake):
            await fake.ready(count=2)
            assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
            first, second = client.get_guild(GUILD_ID), client.get_guild(OTHER_GUILD_ID)
            assert first is not None and first.shard_id == 0
            assert second is not None and second.shard_id == 1
            for guild_id in (GUILD_ID, OTHER_GUILD_ID):
                await (await fake.slash("where", guild_id=guild_id)).response()
            await (await fake.slash("where", in_dm=True)).response()
            assert shards_used == [0, 1, None]

    run_with_discord(scenario, guilds=(GUILD_ID, OTHER_GUILD_ID))


def test_a_button_on_a_message_the_bot_sent_reaches_its_view() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        clicked: list[tuple[int, str]] = []

        class Reminder(discord.ui.View):
            @discord.ui.button(label="Done", custom_id="reminder:42:done")
            async def done(
                self, interaction: discord.Interaction, button: discord.ui.Button
            ) -> None:
                clicked.append((interaction.user.id, button.custom_id or ""))
                await interaction.response.edit_message(content="Marked done.", view=None)

        async with started(Bot(), fake) as client:
            dm = await client.create_dm(discord.Object(MEMBER_ID))
            await dm.send("Did you thank Acme?", view=Reminder(timeout=None))
            (posted,) = fake.calls_to("POST", f"/channels/{dm.id}/messages")
            with pytest.raises(AssertionError, match="no component"):
                await fake.click("nope", message=posted)
            interaction = await fake.click_on(posted, "reminder:42:done")
            assert (await interaction.response())["type"] == ResponseType.UPDATE_MESSAGE
            assert clicked == [(MEMBER_ID, "reminder:42:done")]
            (message,) = fake.dms_to(MEMBER_ID)
            assert (message["content"], message["components"]) == ("Marked done.", [])

    run_with_discord(scenario)


def test_a_modal_submit_reaches_the_modal() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        submitted: list[tuple[str, str]] = []

        class Facts(discord.ui.Modal, title="About the rejection"):
            company = discord.ui.TextInput(label="Company", custom_id="company")
            notes = discord.ui.TextInput(label="Notes", custom_id="notes", required=False)

            async def on_submit(self, interaction: discord.Interaction) -> None:
                submitted.append((self.company.value, self.notes.value))
                await interaction.response.send_message("Saved.", ephemeral=True)

        client = Bot()

        @client.tree.command(description="Log a rejection")
        async def rejected(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Facts(custom_id="facts"))

        async with started(client, fake):
            opened = await fake.slash("rejected")
            assert (await opened.response())["type"] == ResponseType.MODAL
            with pytest.raises(AssertionError, match="required"):
                await fake.submit_modal("facts", {"notes": "x"})
            submit = await fake.submit_modal("facts", {"company": "Acme"})
            assert (await submit.response())["data"]["content"] == "Saved."
            assert submitted == [("Acme", "")]
            assert submit.payload["member"]["user"]["id"] == str(MEMBER_ID)

    run_with_discord(scenario)


def test_autocomplete_gets_the_choices() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = Bot()

        async def companies(interaction: discord.Interaction, current: str) -> list[Any]:
            names = ["Acme", "Initech", "Globex"]
            return [app_commands.Choice(name=n, value=n) for n in names if current in n.lower()]

        @client.tree.command(description="Log a rejection")
        @app_commands.autocomplete(company=companies)
        async def rejected(interaction: discord.Interaction, company: str) -> None:
            await interaction.response.send_message(company)

        async with started(client, fake):
            interaction = await fake.autocomplete("rejected", "company", "ni")
            response = await interaction.response()
            assert response["type"] == ResponseType.AUTOCOMPLETE_RESULT
            assert response["data"]["choices"] == [{"name": "Initech", "value": "Initech"}]

    run_with_discord(scenario)


def test_the_command_tree_is_published_and_used_for_option_types() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = Bot()
        seen: list[Any] = []

        plan = app_commands.Group(name="plan", description="Your follow-up plan")

        @plan.command(description="Snooze a reminder")
        async def snooze(interaction: discord.Interaction, days: int, who: discord.User) -> None:
            seen.append((days, who.id))
            await interaction.response.send_message("Snoozed.")

        client.tree.add_command(plan)
        async with started(client, fake):
            synced = await client.tree.sync()
            assert [command.name for command in synced] == ["plan"]
            (published,) = fake.commands[None]
            assert published["options"][0]["name"] == "snooze"
            await client.tree.sync(guild=discord.Object(GUILD_ID))
            assert fake.commands[GUILD_ID] == []
            again = await client.tree.sync()
            assert again[0].id == synced[0].id

            interaction = await fake.slash("plan snooze", {"days": 3, "who": OTHER_MEMBER_ID})
            await interaction.response()
            assert seen == [(3, OTHER_MEMBER_ID)]

            bad = [{"name": "Bad Name", "description": "", "type": 1}]
            with pytest.raises(discord.HTTPException) as raised:
                await client.http.bulk_upsert_global_commands(fake.application_id, bad)
            assert raised.value.status == 400

    run_with_discord(scenario)


def test_the_gateway_dropped_the_client_resumes_and_gets_what_it_missed() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = Bot()
        resumed = asyncio.Event()
        client.event(_setter("on_resumed", resumed))
        answered: list[str] = []

        @client.tree.command(description="Ping")
        async def ping(interaction: discord.Interaction) -> None:
            answered.append(interaction.command.name if interaction.command else "")
            await interaction.response.send_message("pong")

        async with started(client, fake):
            await fake.drop_gateway()
            interaction = await fake.slash("ping")  # sent while the socket is down
            await fake.resumed()
            async with asyncio.timeout(TIMEOUT):
                await resumed.wait()
            assert (await interaction.response())["data"]["content"] == "pong"
            assert len(fake.identifies) == 1
            (resume,) = fake.resumes
            assert resume["session_id"] and resume["seq"] >= 1

            await fake.request_reconnect()
            await fake.resumed(count=2)

    run_with_discord(scenario)


def test_privileged_intents_are_refused_unless_granted() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with started(Bot(intents=intents), fake):
                pass

    run_with_discord(scenario)


def test_members_dm_the_bot_and_guild_messages_hide_their_content() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = Bot()
        received: list[tuple[int, str]] = []
        got_two = asyncio.Event()

        @client.event
        async def on_message(message: discord.Message) -> None:
            received.append((message.author.id, message.content))
            if len(received) == 3:
                got_two.set()

        async with started(client, fake):
            await fake.message_from(MEMBER_ID, "Acme said no")
            await fake.message_from(MEMBER_ID, "secret", channel_id=GUILD_ID + 1)
            await fake.message_from(MEMBER_ID, f"<@{fake.bot_user_id}> hi", channel_id=GUILD_ID + 1)
            async with asyncio.timeout(TIMEOUT):
                await got_two.wait()
            assert received == [
                (MEMBER_ID, "Acme said no"),
                (MEMBER_ID, ""),
                (MEMBER_ID, f"<@{fake.bot_user_id}> hi"),
            ]

    run_with_discord(scenario)


def test_a_late_answer_and_unknown_routes_get_discords_errors() -> None:
    async def scenario(fake: FakeDiscord) -> None:
        client = Bot()
        errors: asyncio.Queue[int] = asyncio.Queue()

        @client.tree.command(description="Slow")
        async def slow(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as error:
                errors.put_nowait(error.code)

        async with started(client, fake):
            fake.response_deadline = 0.0
            await fake.slash("slow")
            async with asyncio.timeout(TIMEOUT):
                assert await errors.get() == 10062

            with pytest.raises(discord.NotFound):
                await client.http.request(Route("GET", "/nonsense"))
            assert fake.calls[-1].status == 404
            with pytest.raises(AssertionError, match=r"waited 0\.01s for 1 call"):
                await fake.wait_for("GET", "/never", timeout=0.01)

    run_with_discord(scenario, guilds=[FakeGuild(GUILD_ID, admins=(MEMBER_ID,))])


def _setter(name: str, event: asyncio.Event) -> Callable[[], Awaitable[None]]:
    async def handler() -> None:
        event.set()

    handler.__name__ = name
    return handler
