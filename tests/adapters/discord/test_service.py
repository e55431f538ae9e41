"""`bounceback run` on Discord, as wired for production: shards, the ticker, and stop."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

from adapters.discord.service import DiscordService
from bot.catalogue import COMMANDS
from bot.events import Member
from tests.adapters.discord.harness import READY_AFTER
from tests.helpers import Chat
from tests.scheduler.test_dispatcher import FIRST_DUE, PLAN
from tests.support.fake_discord import (
    GUILD_ID,
    MEMBER_ID,
    OTHER_GUILD_ID,
    FakeDiscord,
    pointed_at,
)

REPO = Path(__file__).parents[3]
SAM_THERE = Member("discord", str(OTHER_GUILD_ID), str(MEMBER_ID), "Sam")


def test_one_process_runs_its_own_shard_answers_there_and_sends_reminders(
    core, settings, clock
) -> None:
    Chat(core, SAM_THERE).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with FakeDiscord(guilds=(GUILD_ID, OTHER_GUILD_ID)) as fake:
            configured = replace(
                settings,
                discord_token="fake-bot-token",
                discord_shard_count=2,
                discord_shard_ids=(1,),
                discord_dev_guild=OTHER_GUILD_ID,
                discord_api_url=fake.api_base,
            )
            with pointed_at(fake):
                service = DiscordService(
                    core, configured, "svc", tick=0.05, guild_ready_timeout=READY_AFTER
                )
                await service.start()
                try:
                    assert [identify["shard"] for identify in fake.identifies] == [[1, 2]]
                    assert len(fake.commands[OTHER_GUILD_ID]) == len(COMMANDS)
                    await fake.wait_until(
                        lambda: any("note to Acme" in str(m) for m in fake.dms_to(MEMBER_ID))
                    )
                    asked = await fake.slash("stats", guild_id=OTHER_GUILD_ID)
                    await asked.wait_followups()
                finally:
                    await service.stop()

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
