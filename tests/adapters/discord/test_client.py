"""Bounceback in Discord, through the real discord.py client and a fake Discord."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from adapters.discord.client import DMS_CLOSED_NOTE, FOREIGN_BUTTON, NO_GROUP_YET
from bot.conversation.events import Member
from tests.adapters.discord.harness import (
    custom_id,
    discord_bot,
    new_client,
    shown,
)
from tests.support.fake_discord import (
    GUILD_ID,
    MEMBER_ID,
    OTHER_GUILD_ID,
    FakeDiscord,
    InteractionType,
    ResponseType,
    pointed_at,
    started,
)

CHANNEL = GUILD_ID + 1  # the fake server's #general


def test_rejected_in_a_channel_answers_only_the_member_and_goes_on_in_a_dm(core) -> None:
    async def scenario() -> None:
        async with discord_bot(core) as bot:
            asked = await bot.fake.slash("rejected", {"company": "Acme"})
            response = await asked.response()
            assert response["type"] == ResponseType.DEFERRED_MESSAGE
            assert response["data"]["flags"] & 64  # ephemeral
            mood = await bot.said_in(bot.fake.dm_channel_of(MEMBER_ID), "How are you feeling")
            assert "news from Acme" in shown(bot.fake.dms_to(MEMBER_ID)[0])
            assert custom_id(mood, "Disappointed") == f"bb:c:{GUILD_ID}:disappointed"
            [pointer] = await asked.wait_followups()
            assert "direct message" in pointer["content"] and pointer["flags"] & 64
            assert bot.fake.messages_in(CHANNEL) == []  # nothing others can see

    asyncio.run(scenario())


def test_closed_dms_carry_on_privately_in_the_channel_and_say_how_to_open_them(core) -> None:
    async def scenario() -> None:
        async with discord_bot(core) as bot:
            bot.fake.closed_dms.add(MEMBER_ID)
            asked = await bot.fake.slash("rejected", {"company": "Acme"})
            note, *rest = await asked.wait_followups(3)
            assert note["content"] == DMS_CLOSED_NOTE and note["flags"] & 64
            mood = rest[-1]
            assert "How are you feeling" in mood["content"] and mood["flags"] & 64
            assert "Type my answer" in shown(mood)

            pressed = await bot.fake.click(custom_id(mood, "Disappointed"), message=mood)
            stage = (await pressed.wait_followups(3))[-1]
            assert "how far did you get" in stage["content"] and stage["flags"] & 64
            assert bot.fake.messages_in(CHANNEL) == []
            assert bot.fake.dms_to(MEMBER_ID) == []

    asyncio.run(scenario())


def bots_answer(fake: FakeDiscord) -> Awaitable[None]:
    """Once the bot has answered what MEMBER_ID wrote in their DM."""
    return fake.wait_until(lambda: len(fake.dms_to(MEMBER_ID)) > 1, what="an answer in the DM")


def test_a_newcomers_dm_belongs_to_the_only_server_the_bot_is_in(core) -> None:
    async def scenario() -> None:
        async with discord_bot(core) as bot:
            await bot.fake.message_from(MEMBER_ID, "/help")
            await bots_answer(bot.fake)
            assert bot.fake.dms_to(MEMBER_ID)[-1]["content"] != NO_GROUP_YET

    asyncio.run(scenario())


def test_a_process_running_some_shards_cannot_tell_a_newcomers_server(core) -> None:
    """It sees only its own shards' servers: the one it sees need not be the only one."""

    async def scenario() -> None:
        async with FakeDiscord(guilds=(GUILD_ID, OTHER_GUILD_ID)) as fake:
            with pointed_at(fake):
                client = new_client(core, shard_count=2, shard_ids=[0])
                async with started(client, fake):
                    assert [guild.id for guild in client.guilds] == [GUILD_ID]
                    await fake.message_from(MEMBER_ID, "/help")
                    await bots_answer(fake)
                    assert fake.dms_to(MEMBER_ID)[-1]["content"] == NO_GROUP_YET

    asyncio.run(scenario())


def forged(message: dict, custom_id: str) -> dict:
    """The member's own message, its first button's id rewritten by a modified client."""
    row = message["components"][0]
    button = {**row["components"][0], "custom_id": custom_id}
    return {**message, "components": [{**row, "components": [button]}]}


def test_a_button_naming_another_server_is_refused_and_changes_nothing(core) -> None:
    """Discord vouches for the server an interaction comes from, not for the ids a
    button carries: a custom_id rewritten to name another server acts nowhere."""
    other = Member("discord", str(OTHER_GUILD_ID), str(MEMBER_ID))

    async def scenario() -> None:
        async with discord_bot(core, guilds=(GUILD_ID, OTHER_GUILD_ID)) as bot:
            await bot.fake.slash("rejected", {"company": "Acme"}, guild_id=GUILD_ID)
            mood = await bot.said_in(bot.fake.dm_channel_of(MEMBER_ID), "How are you feeling")
            forgery = f"bb:c:{OTHER_GUILD_ID}:disappointed"
            mood["components"] = forged(mood, forgery)["components"]  # as the client shows it
            from_dm = await bot.fake.click(forgery, message=mood)
            data = {"custom_id": forgery, "component_type": 2}
            kind = InteractionType.COMPONENT
            in_server = await bot.fake.raw_interaction(kind, data, message=mood, guild_id=GUILD_ID)
            for pressed in (from_dm, in_server):
                answer = await pressed.response()
                assert answer["data"]["content"] == FOREIGN_BUTTON
                assert answer["data"]["flags"] & 64
            assert not core.is_member(other)
            assert "how far did you get" not in str(bot.fake.dms_to(MEMBER_ID))

    asyncio.run(scenario())
