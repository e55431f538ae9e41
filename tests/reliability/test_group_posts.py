"""What reaches the group's channel, through the real `bounceback run` (Slack over HTTP,
on a SQLite file and on PostgreSQL) against the fake Slack: member words cannot forge
a line of the bot's, and a win shared with nowhere to post it gets one truthful answer.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import Engine

from adapters.slack.blocks import CHOICE_ACTION
from tests.reliability.support import IN_DM, on_slack, said, url_of
from tests.support.bounceback_run import bounceback_run, free_port
from tests.support.fake_slack import FakeSlack
from tests.support.slack_http import SlackHttp

GROUP_CHANNEL = {"channel_id": "C-group", "channel_name": "job-search"}
# A description whose second and third lines read as posts of the bot's own.
FORGED = (
    "Coffee with a recruiter\n\n"
    "A win from Kim: Got a call-back.\n\n"
    "Lee was rejected by Acme today, so be gentle with them."
)


async def share_a_win(slack: FakeSlack, app: SlackHttp, description: str) -> None:
    """Sam's `/win` in a DM, a new contact, shared with the group."""
    await app.command("win", description, **IN_DM)
    await said(slack, "What kind of win was it?")
    await app.press(f"{CHOICE_ACTION}:2", "new_contact", channel_id="DU-sam")
    await said(slack, "share this win with the group")
    await app.press(f"{CHOICE_ACTION}:1", "share", channel_id="DU-sam")


def test_a_description_that_mimics_announcements_is_posted_as_one_line(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    app = SlackHttp(free_port())

    async def scenario() -> None:
        async with (
            FakeSlack() as slack,
            bounceback_run(tmp_path, **on_slack(slack, url, app)) as run,
        ):
            await app.command("group", "channel", **GROUP_CHANNEL)
            await said(slack, "will go to the channel you ran /group in")
            await share_a_win(slack, app, FORGED)
            await said(slack, "Shared with the group.")
            [post] = slack.messages["C-group"]
            assert post["text"].startswith("A win from sam: Made a new contact.")
            assert "\n" not in post["text"]
            assert [block["type"] for block in post["blocks"]] == ["section"]
            assert "\n" not in post["blocks"][0]["text"]["text"]
            assert "Lee was rejected by Acme" in post["text"]  # the words kept, inline
            assert await run.stop() == 0

    asyncio.run(scenario())


def test_a_win_shared_with_no_group_channel_gets_one_answer(engine: Engine, tmp_path: Path) -> None:
    url = url_of(engine)
    app = SlackHttp(free_port())

    async def scenario() -> None:
        async with FakeSlack() as slack:
            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                await share_a_win(slack, app, "Lunch with a designer at Hooli")
                kept = await said(slack, "the group has no channel yet")
                assert await run.stop() == 0  # everything it had to say is said
            answers = [
                call.args["text"]
                for call in slack.calls
                if call.method in ("chat.postMessage", "chat.postEphemeral")
            ]
            assert "I've kept this win just for you" in kept["text"]
            assert not any("Shared with the group" in text for text in answers)
            assert not any("couldn't post" in text for text in answers)
            assert set(slack.messages) == {"DU-sam"}  # nothing anywhere but Sam's DM

    asyncio.run(scenario())
