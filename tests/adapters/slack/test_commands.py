"""Slack's commands as a member types them: /rejected, /win, and /bounceback for the rest.

Slash commands are global to a Slack workspace, so Bounceback takes only two
names of its own there; these go through the real Bolt app, as Slack posts them.
"""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Conversation, MemberRow
from tests.adapters.slack.harness import slack_app

IN_DM = {"channel_id": "DU-sam", "channel_name": "directmessage"}


def test_bounceback_settings_pause_reaches_the_settings_dialogue(core) -> None:
    async def scenario() -> None:
        async with slack_app(core) as harness:
            await harness.slash("/bounceback", "settings pause 3", **IN_DM)
            paused = await harness.said("Reminders are paused until")
            assert paused["channel"] == "DU-sam"
            await harness.slash("/bounceback", "settings   pause 3 days", **IN_DM)
            await harness.slack.wait_for("chat.postMessage", 2)
            answer = harness.posted()[-1]["text"]
            assert re.search(r"paused until|How many weeks", answer), answer

    asyncio.run(scenario())
    with Session(core.engine) as session:
        assert session.scalars(select(MemberRow.paused_until)).one() is not None


def test_bounceback_alone_lists_the_commands_as_they_are_typed_on_slack(core) -> None:
    async def scenario() -> None:
        async with slack_app(core) as harness:
            await harness.slash("/bounceback", "", **IN_DM)
            help_ = (await harness.said("Here is what I can do"))["text"]
            lines = help_.splitlines()
            assert any(line.startswith("/rejected [company]: ") for line in lines)
            assert any(line.startswith("/win [description]: ") for line in lines)
            assert any(line.startswith("/bounceback settings [change]: ") for line in lines)
            assert any(line.startswith("/bounceback help: ") for line in lines)
            assert not re.search(r"^/(settings|help|stats|export|feedback)\b", help_, re.M)

    asyncio.run(scenario())


def test_an_unknown_subcommand_is_explained_kindly_and_changes_nothing(core) -> None:
    async def scenario() -> None:
        async with slack_app(core) as harness:
            await harness.slash("/bounceback", "frobnicate now", **IN_DM)
            answer = await harness.said("I don't know")
            assert answer["text"] == (
                "I don't know /bounceback frobnicate. /bounceback help lists what I can do."
            )

    asyncio.run(scenario())
    with Session(core.engine) as session:
        assert session.scalars(select(Conversation)).all() == []


def test_rejected_and_win_are_typed_under_bounceback_too(core) -> None:
    """`/bounceback win ...` is what a member who only remembers one name types."""

    async def scenario() -> None:
        async with slack_app(core) as harness:
            await harness.slash("/bounceback", "win Coffee with a former manager", **IN_DM)
            await harness.said("What kind of win was it?")

    asyncio.run(scenario())
