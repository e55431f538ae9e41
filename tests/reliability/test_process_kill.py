"""`bounceback run` killed with SIGKILL, mid-dialogue and mid-dispatch, then started again,
or with a second process on the same PostgreSQL taking over.

The process is the real one (Slack over HTTP, the ticker, the outbox) on a SQLite
file and on PostgreSQL, against the fake Slack. SIGKILL leaves no chance to clean
up: whatever it held (a dialogue's step, reminders leased for sending) must come back
from the database alone. The design allows one resend, of a reminder the platform
took but whose record died with the process; Slack's message metadata turns it into
no second message. Two processes stand as behind a load balancer: each serves Slack on
a port of its own, with a bot token of its own, which tells their posts apart.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from adapters.runner import READY
from adapters.slack.blocks import CHOICE_ACTION, FORM_BUTTON
from bot.store.models import Reminder
from scheduler.outbox import SENDING, SENT
from tests.reliability.support import (
    IN_DM,
    delivered,
    due_reminders,
    on_slack,
    reminder_key,
    said,
    url_of,
    wait_delivered,
)
from tests.support.bounceback_run import BouncebackRun, bounceback_run, free_port
from tests.support.fake_slack import Call, FakeSlack
from tests.support.slack_http import TOKEN, SlackHttp

REMINDERS = 200
KILL_AT = 70  # the reminder the platform takes just before the process dies
KILL_AT_ITS = 30  # of two processes, the killed one's own reminders taken before it dies
SURVIVOR = "xoxb-survivor"  # the bot token of the process left running


def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    """A folder for each process, as on two machines."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    return first, second


async def up_to_the_stage_question(slack: FakeSlack, app: SlackHttp) -> None:
    """Sam's `/rejected Acme` in a DM, the mood question answered: the next one asked."""
    await app.command("rejected", "Acme", **IN_DM)
    await said(slack, "How are you feeling")
    await app.press(f"{CHOICE_ACTION}:1", "disappointed", channel_id="DU-sam")
    await said(slack, "how far did you get")


async def on_from_the_stage_question(slack: FakeSlack, app: SlackHttp, before: int) -> None:
    """The question asked before the crash answered, at `app`: the dialogue goes on from
    there (the calls from number `before` are the ones after the crash)."""
    # The buttons of the question asked before the crash still answer it.
    await app.press(f"{CHOICE_ACTION}:2", "interview", channel_id="DU-sam")
    asking = await said(slack, "Let's note down the facts", after=before)
    form = asking["blocks"][-1]["elements"][0]
    await app.press(FORM_BUTTON, form["value"], channel_id="DU-sam")
    [opened] = await slack.wait_for("views.open", timeout=60)
    company = next(b for b in opened.args["view"]["blocks"] if b.get("block_id") == "company")
    assert company["element"]["initial_value"] == "Acme"  # typed before the crash
    assert "How are you feeling" not in str(slack.calls[before:])  # not restarted


def test_a_dialogue_killed_between_steps_resumes_at_the_same_step_with_what_was_said(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    app = SlackHttp(free_port())

    async def scenario() -> None:
        async with FakeSlack() as slack:
            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                await up_to_the_stage_question(slack, app)
                assert await run.kill() == -signal.SIGKILL

            before = len(slack.calls)
            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                await on_from_the_stage_question(slack, app, before)
                assert await run.stop() == 0

    asyncio.run(scenario())


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_dialogue_killed_between_steps_goes_on_in_the_other_process(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    first, second = SlackHttp(free_port()), SlackHttp(free_port())
    folders = two_folders(tmp_path)

    async def scenario() -> None:
        async with (
            FakeSlack() as slack,
            bounceback_run(folders[0], **on_slack(slack, url, first)) as one,
            bounceback_run(folders[1], **on_slack(slack, url, second, SURVIVOR)) as other,
        ):
            await up_to_the_stage_question(slack, first)
            assert await one.kill() == -signal.SIGKILL

            before = len(slack.calls)
            await on_from_the_stage_question(slack, second, before)  # Sam's press, elsewhere
            assert {call.token for call in slack.calls[before:]} == {SURVIVOR}
            assert await other.stop() == 0

    asyncio.run(scenario())


class KillingSlack(FakeSlack):
    """Kills a process the moment the platform takes its `at`-th reminder (of those it
    posts with `token`): after Slack stored it, before the process hears so, let alone
    records it. `held` is what its leases still cover once it is dead (`note_held`), read
    before another can take it: sends in flight beside the `at`-th may have been
    recorded before the kill landed."""

    def __init__(self, engine: Engine, token: str = TOKEN) -> None:
        super().__init__()
        self.engine = engine
        self.token = token
        self.pid: int | None = None
        self.owner = ""  # the process's worker name, as its leases have it
        self.at = 0
        self.taken = 0
        self.unrecorded: str | None = None
        self.held: set[str] = set()
        self.first_taken = asyncio.Event()

    def watch(self, run: BouncebackRun, at: int) -> None:
        """Kill `run` at its `at`-th reminder."""
        ready = next(line for line in run.lines if READY in line)
        self.pid, self.owner, self.at = run.process.pid, ready.split(READY)[1].strip(), at

    async def _record(self, call: Call) -> None:
        await super()._record(call)
        key = reminder_key(call)
        if key is None or call.token != self.token:
            return
        self.taken += 1
        self.first_taken.set()
        if self.pid is not None and self.taken == self.at:
            self.unrecorded = key
            os.kill(self.pid, signal.SIGKILL)
            self.pid = None

    def note_held(self) -> None:
        self.held = outbox(self.engine, SENDING, owner=self.owner)


def test_a_process_killed_mid_dispatch_loses_no_reminder_and_shows_none_twice(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    expected = due_reminders(engine, REMINDERS)

    app = SlackHttp(free_port())

    async def scenario() -> KillingSlack:
        async with KillingSlack(engine) as slack:
            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                slack.watch(run, KILL_AT)
                assert await run.ended() == -signal.SIGKILL  # by the platform, mid-batch
            slack.note_held()
            # sends in flight beside the one it died at may have reached Slack too
            assert KILL_AT <= len(delivered(slack)) < len(expected)

            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                await wait_delivered(slack, expected)
                assert await run.stop() == 0
            return slack

    slack = asyncio.run(scenario())
    sends = delivered(slack)
    assert set(sends) == expected  # none lost
    assert set(sends.values()) == {1}  # none shown twice
    assert slack.unrecorded is not None and key_of(slack.unrecorded) in slack.held
    # It was reclaimed once its lease ran out, and Slack's history showed it was there.
    assert slack.calls_to("conversations.history")
    assert set(outbox(engine, SENT)) == {key_of(key) for key in expected}
    assert outbox(engine, SENT, attempts=2) == slack.held  # each held row: one more claim


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_of_two_processes_one_killed_mid_dispatch_the_other_delivers_the_rest_once(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    first, second = SlackHttp(free_port()), SlackHttp(free_port())
    folders = two_folders(tmp_path)

    async def scenario() -> tuple[KillingSlack, set[str]]:
        async with (
            KillingSlack(engine) as slack,
            bounceback_run(folders[0], **on_slack(slack, url, first)) as one,
        ):
            slack.watch(one, KILL_AT_ITS)
            expected = due_reminders(engine, REMINDERS)
            # the survivor joins once the first is sending: a claim takes up to 200 rows,
            # and one that came first might leave the other nothing of its own to die at
            await asyncio.wait_for(slack.first_taken.wait(), timeout=60)
            async with bounceback_run(
                folders[1], **on_slack(slack, url, second, SURVIVOR)
            ) as other:
                assert await one.ended() == -signal.SIGKILL  # by the platform, mid-batch
                slack.note_held()
                await wait_delivered(slack, expected)
                assert await other.stop() == 0
            return slack, expected

    slack, expected = asyncio.run(scenario())
    sends = delivered(slack)
    assert set(sends) == expected  # none lost
    assert set(sends.values()) == {1}  # none shown twice
    assert slack.unrecorded is not None and key_of(slack.unrecorded) in slack.held
    # The survivor took up what the killed one held once its lease ran out, and Slack's
    # history showed it the one already there.
    assert slack.calls_to("conversations.history")
    assert set(outbox(engine, SENT)) == {key_of(key) for key in expected}
    assert outbox(engine, SENT, attempts=2) == slack.held  # each held row: one more claim


def outbox(
    engine: Engine, status: str, attempts: int | None = None, owner: str | None = None
) -> set[str]:
    """The idempotency keys of the rows in `status` (and with `attempts`, leased to `owner`)."""
    query = select(Reminder.idempotency_key).where(Reminder.status == status)
    if attempts is not None:
        query = query.where(Reminder.attempts == attempts)
    if owner is not None:
        query = query.where(Reminder.lease_owner == owner)
    with engine.connect() as db:
        return set(db.scalars(query))


def key_of(delivery_key: str) -> str:
    return delivery_key.partition("@")[0]
