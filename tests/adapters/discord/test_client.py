"""Bounceback in Discord, through the real discord.py client and a fake Discord."""

from __future__ import annotations

import asyncio

from adapters.discord.client import DMS_CLOSED_NOTE
from tests.adapters.discord.harness import custom_id, discord_bot, shown
from tests.support.fake_discord import GUILD_ID, MEMBER_ID, ResponseType

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
