"""The gateway or the socket dropping mid-dialogue: the client reconnects on its own, and
the dialogue goes on from where it was, its state being in the database, not the link
(a SQLite file, and PostgreSQL)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine

from adapters.slack.app import build_app
from adapters.slack.blocks import CHOICE_ACTION
from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.playbook import Playbook
from tests.adapters.discord.harness import buttons, running, shown
from tests.reliability.support import said
from tests.support.fake_discord import MEMBER_ID, FakeDiscord, pointed_at
from tests.support.fake_slack import FakeSlack, block_action_payload, slash_payload


def test_discord_gateway_dropped_mid_dialogue_resumes_and_the_dialogue_goes_on(
    engine: Engine, tmp_path: Path, playbook: Playbook
) -> None:
    core = Bounceback(engine, playbook, Settings(data_dir=tmp_path))

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            with pointed_at(fake):
                async with running(core, fake) as bot:
                    await bot.client.tree.sync()
                    await fake.slash("rejected", {"company": "Acme"})
                    await fake.wait_until(
                        lambda: any(
                            "How are you feeling" in shown(m) for m in fake.dms_to(MEMBER_ID)
                        ),
                        what="the first question in the DM",
                    )
                    question = fake.dms_to(MEMBER_ID)[-1]

                    await fake.drop_gateway()  # code 4000: discord.py reconnects and resumes
                    await fake.resumed()

                    await fake.click_on(question, buttons(question)[1]["custom_id"])
                    await fake.wait_until(
                        lambda: any(
                            "how far did you get" in shown(m) for m in fake.dms_to(MEMBER_ID)
                        ),
                        what="the next question, after the drop",
                    )

    asyncio.run(scenario())


def test_slack_socket_dropped_mid_dialogue_reconnects_and_the_dialogue_goes_on(
    engine: Engine, tmp_path: Path, playbook: Playbook
) -> None:
    core = Bounceback(engine, playbook, Settings(data_dir=tmp_path))

    async def scenario() -> None:
        async with FakeSlack() as slack:
            client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
            app, _ = build_app(core, client)
            handler = AsyncSocketModeHandler(app, app_token="xapp-test", web_client=client)
            try:
                await handler.connect_async()
                await slack.socket_send("slash_commands", slash_payload("/rejected", "Acme"))
                await said(slack, "How are you feeling")

                await slack.socket_drop()
                await slack.wait_connected(2, timeout=60)  # a new connection, on its own

                press = block_action_payload(
                    f"{CHOICE_ACTION}:1", "disappointed", channel_id="DU-sam"
                )
                await slack.acked(await slack.socket_send("interactive", press))
                await said(slack, "how far did you get")
            finally:
                await handler.close_async()

    asyncio.run(scenario())
