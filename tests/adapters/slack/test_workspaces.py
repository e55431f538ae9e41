"""Reminders when several workspaces installed Bounceback: each goes out with its own
workspace's bot token, and a workspace that uninstalls is let go, not pestered."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from adapters.slack.blocks import CHOICE_ACTION
from bot.conversation.events import Member
from bot.store.models import Reminder
from tests.adapters.slack.oauth_harness import OAUTH_ACCESS, served
from tests.conftest import SAM
from tests.helpers import FIRST_DUE, PLAN, Chat
from tests.support.fake_slack import block_action_payload

KIM = Member("slack", "T2", "U-kim", display_name="Kim")
BOT_REVOKED = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U-bounceback"]}}


def last_errors(core) -> dict[str, tuple[str, str]]:
    """Each workspace's first reminder: its status and last error."""
    with Session(core.engine) as session:
        rows = session.scalars(select(Reminder).where(Reminder.kind == "send_note"))
        return {row.workspace: (row.status, row.last_error) for row in rows}


def installed_teams(core) -> set[str]:
    with core.engine.connect() as connection:
        bots = connection.scalars(text("SELECT team_id FROM slack_bots")).all()
        installs = connection.scalars(text("SELECT team_id FROM slack_installations")).all()
    return set(bots) | set(installs)


@OAUTH_ACCESS
def test_each_workspaces_reminders_go_out_with_its_own_bot_token(core, settings, clock) -> None:
    for member in (SAM, KIM):
        Chat(core, member).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with served(core, settings) as app:
            await app.install("T1", "abc")
            await app.install("T2", "xyz")
            assert (await app.dispatcher.tick()).sent == 2
            calls = app.slack.calls_to("conversations.open")
            opened = {call.args["users"]: call.token for call in calls}
            assert opened == {"U-sam": "xoxb-T1-abc", "U-kim": "xoxb-T2-xyz"}
            calls = app.slack.calls_to("chat.postMessage")
            posted = {call.args["channel"]: call.token for call in calls}
            assert posted == {"DU-sam": "xoxb-T1-abc", "DU-kim": "xoxb-T2-xyz"}

    asyncio.run(scenario())


@OAUTH_ACCESS
@pytest.mark.parametrize("departure", [{"type": "app_uninstalled"}, BOT_REVOKED])
def test_a_workspace_that_left_has_its_token_deleted_and_its_reminders_fail_at_once(
    core, settings, clock, departure
) -> None:
    for member in (SAM, KIM):
        Chat(core, member).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with served(core, settings) as app:
            await app.install("T1", "abc")
            await app.install("T2", "xyz")
            assert installed_teams(core) == {"T1", "T2"}

            status, _ = await app.event(departure, team_id="T2")
            assert status == 200
            assert installed_teams(core) == {"T1"}

            before = len(app.slack.calls)
            tally = await app.dispatcher.tick()
            assert (tally.sent, tally.failed, tally.retried) == (1, 1, 0)
            assert {call.token for call in app.slack.calls[before:]} == {"xoxb-T1-abc"}

    asyncio.run(scenario())
    assert last_errors(core) == {
        "T1": ("sent", ""),
        "T2": (
            "failed",
            "Bounceback is not installed in Slack workspace T2: once it is installed there "
            "again, `bounceback reminders --retry` sends this",
        ),
    }


@OAUTH_ACCESS
def test_a_home_press_through_another_workspace_never_touches_the_members_own(
    core, settings, clock
) -> None:
    """Sam belongs to T1 and is a Slack Connect guest in T2: a press that T2's
    installation answers acts on T2's data, with T2's token, and shows nothing of T1."""
    Chat(core, SAM).steps(*PLAN)
    done = next(o for r in core.home(SAM) for o in r.options if o.label == "Done")  # in T1
    press = block_action_payload(
        f"{CHOICE_ACTION}:0", done.value, team_id="T2", view={"type": "home", "id": "V1"}
    )
    press["user"]["team_id"] = "T1"  # the member's own team; T2 is who installed it there

    async def scenario() -> None:
        async with served(core, settings) as app:
            await app.install("T1", "abc")
            await app.install("T2", "xyz")
            assert (await app.press(press))[0] == 200
            published = app.slack.calls_to("views.publish")
            assert published and {call.token for call in published} == {"xoxb-T2-xyz"}
            assert "Acme" not in str([call.args for call in app.slack.calls])

    asyncio.run(scenario())
    with Session(core.engine) as session:
        statuses = session.scalars(select(Reminder.status).where(Reminder.workspace == "T1"))
        assert "done" not in set(statuses)
