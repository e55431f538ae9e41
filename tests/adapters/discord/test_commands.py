"""The command tree is the catalogue: every command, its options, and helpful suggestions."""

from __future__ import annotations

import asyncio

import discord

from adapters.discord.commands import build_tree
from bot.conversation.registry import COMMANDS
from tests.adapters.discord.harness import discord_bot
from tests.support.fake_discord import MEMBER_ID, InteractionType


class Runner:
    def __init__(self) -> None:
        self.ran: list[tuple[str, str]] = []

    async def command(self, interaction, name: str, args: str) -> None:
        self.ran.append((name, args))

    async def companies(self, interaction) -> list[str]:
        return ["Globex", "Acme", "Acme Labs"]


def tree_and_runner():
    client = discord.Client(intents=discord.Intents.none())
    runner = Runner()
    return build_tree(client, runner), runner


def test_every_catalogue_command_is_published_with_its_options() -> None:
    tree, _ = tree_and_runner()
    published = {command.name: command.to_dict(tree) for command in tree.get_commands()}
    assert list(published) == [spec.name for spec in COMMANDS]
    rejected = published["rejected"]
    assert rejected["description"].startswith("Had a no?")
    [company] = rejected["options"]
    assert company["name"] == "company" and company["type"] == 3  # a string
    assert company["required"] is False and company["description"] == "The company that said no"
    assert published["stats"]["options"] == []


def test_suggestions_help_pick_a_rejection_and_a_time_zone() -> None:
    tree, _ = tree_and_runner()
    feedback = tree.get_command("feedback")
    settings = tree.get_command("settings")
    assert feedback.to_dict(tree)["options"][0]["autocomplete"] is True

    async def suggest(command, option: str, typed: str) -> list[str]:
        callback = command._params[option].autocomplete
        return [choice.value for choice in await callback(None, typed)]

    assert asyncio.run(suggest(feedback, "company", "acme")) == ["Acme", "Acme Labs"]
    assert "timezone Europe/Berlin" in asyncio.run(suggest(settings, "change", "timezone berl"))
    assert asyncio.run(suggest(settings, "change", "qu")) == ["quiet 22:00-07:00", "quiet off"]
    assert len(asyncio.run(suggest(settings, "change", "timezone "))) == 25


def test_options_reach_the_core_as_the_words_a_member_would_type() -> None:
    tree, runner = tree_and_runner()
    rejected = tree.get_command("rejected")
    asyncio.run(rejected.callback(None, company="  Acme Corp "))
    asyncio.run(rejected.callback(None, company=None))
    assert runner.ran == [("rejected", "Acme Corp"), ("rejected", "")]


def test_an_option_of_the_wrong_type_is_read_as_text_not_a_crash(core) -> None:
    """Discord sends the published types; a modified client may send a number."""

    async def scenario() -> None:
        async with discord_bot(core) as bot:
            await bot.client.tree.sync()
            options = [{"name": "company", "type": 4, "value": 42}]
            data = {"id": "1", "name": "rejected", "type": 1, "options": options}
            await bot.fake.raw_interaction(InteractionType.COMMAND, data)
            await bot.said_in(bot.fake.dm_channel_of(MEMBER_ID), "How are you feeling")
            assert "news from 42" in str(bot.fake.dms_to(MEMBER_ID))

    asyncio.run(scenario())
