"""The Discord service as `bounceback run` wires it: shards, the dev server's commands,
and a drain that closes the gateway and answers the interactions under way."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

import yarl
from discord.gateway import DiscordWebSocket

from adapters.discord.service import DiscordService
from bot.conversation.registry import COMMANDS
from tests.adapters.discord.harness import READY_AFTER
from tests.adapters.held import HeldDiscord
from tests.support.fake_discord import (
    GUILD_ID,
    OTHER_GUILD_ID,
    FakeDiscord,
    pointed_at,
)

REPO = Path(__file__).parents[3]


def test_one_process_runs_its_own_shard_and_drains_before_it_closes(core, settings) -> None:
    async def scenario() -> None:
        held = HeldDiscord("^/api/v10/webhooks/", guilds=(GUILD_ID, OTHER_GUILD_ID))
        async with held as fake:
            configured = replace(
                settings,
                discord_token="fake-bot-token",
                discord_shard_count=2,
                discord_shard_ids=(1,),
                discord_dev_guild=OTHER_GUILD_ID,
                discord_api_url=fake.api_base,
            )
            with pointed_at(fake):
                service = DiscordService(core, configured, guild_ready_timeout=READY_AFTER)
                assert await service.start() == "shards 1 of 2"
                try:
                    assert [identify["shard"] for identify in fake.identifies] == [[1, 2]]
                    assert len(fake.commands[OTHER_GUILD_ID]) == len(COMMANDS)
                    asked = await fake.slash("stats", guild_id=OTHER_GUILD_ID)
                    await fake.gate.holding()  # deferred; its answer on its way
                    draining = asyncio.create_task(service.drain())
                    fake.gate.open()
                    await asyncio.wait_for(draining, 30)
                    assert len(await asked.wait_followups()) == 1
                    assert all(shard.is_closed() for shard in service.client.shards.values())
                finally:
                    await service.close()

    asyncio.run(scenario())


def test_a_process_given_its_shards_connects_to_the_gateway_its_api_names(core, settings) -> None:
    """discord.py skips asking for the gateway when given a shard count: the service asks,
    or a sharded `bounceback run` would leave DISCORD_API_URL's REST for Discord's gateway."""

    async def scenario() -> None:
        async with FakeDiscord(guilds=(GUILD_ID, OTHER_GUILD_ID)) as fake:
            configured = replace(
                settings,
                discord_token="fake-bot-token",
                discord_shard_count=2,
                discord_shard_ids=(0,),
                discord_api_url=fake.api_base,
            )
            with pointed_at(fake):
                DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("wss://gateway.invalid/")
                service = DiscordService(core, configured, guild_ready_timeout=READY_AFTER)
                async with asyncio.timeout(30):  # else it retries gateway.invalid for ever
                    serving = await service.start()
                await service.close()
            assert serving == "shards 0 of 2"
            assert [identify["shard"] for identify in fake.identifies] == [[0, 2]]

    asyncio.run(scenario())


def test_discord_sync_publishes_every_command_to_one_server(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            environment = {
                "PATH": os.environ["PATH"],
                "PYTHONPATH": str(REPO),
                "DISCORD_TOKEN": "fake-bot-token",
                "DISCORD_API_URL": fake.api_base,
            }
            cli = Path(sys.executable).parent / "bounceback"
            process = await asyncio.create_subprocess_exec(
                str(cli),
                "discord",
                "sync",
                "--guild",
                str(GUILD_ID),
                cwd=tmp_path,
                env=environment,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await process.communicate()
            assert process.returncode == 0, err.decode()
            assert f"{len(COMMANDS)} commands published to server {GUILD_ID}" in out.decode()
            published = [command["name"] for command in fake.commands[GUILD_ID]]
            assert published == [spec.name for spec in COMMANDS]
            assert None not in fake.commands  # nothing global

    asyncio.run(scenario())
