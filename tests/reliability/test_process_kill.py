"""`bounceback run` killed with SIGKILL, mid-dialogue and mid-dispatch, then started again.

The process is the real one (Slack over HTTP, the ticker, the outbox) on a SQLite
file, against the fake Slack. SIGKILL leaves no chance to clean up: whatever it
held (a dialogue's step, reminders leased for sending) must come back from the
database alone. The design allows one resend, of a reminder the platform took
but whose record died with the process; Slack's message metadata turns it into
no second message.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from sqlalchemy import Engine, select

from adapters.slack.blocks import CHOICE_ACTION, FORM_BUTTON
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.models import Reminder
from scheduler.outbox import SENT
from tests.reliability.support import (
    IN_DM,
    delivered,
    due_reminders,
    on_slack,
    said,
    wait_delivered,
)
from tests.support.bounceback_run import bounceback_run, free_port
from tests.support.fake_slack import Call, FakeSlack
from tests.support.slack_http import SlackHttp

REMINDERS = 200
KILL_AT = 70  # the reminder the platform takes just before the process dies


def database(folder: Path) -> tuple[str, Engine]:
    url = sqlite_url(folder / "bounceback.db")
    engine = make_engine(url)
    upgrade(engine)
    return url, engine


def test_a_dialogue_killed_between_steps_resumes_at_the_same_step_with_what_was_said(
    tmp_path: Path,
) -> None:
    url, engine = database(tmp_path)
    engine.dispose()

    app = SlackHttp(free_port())

    async def scenario() -> None:
        async with FakeSlack() as slack:
            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                await app.command("rejected", "Acme", **IN_DM)
                await said(slack, "How are you feeling")
                await app.press(f"{CHOICE_ACTION}:1", "disappointed", channel_id="DU-sam")
                await said(slack, "how far did you get")
                assert await run.kill() == -signal.SIGKILL

            before = len(slack.calls)
            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                # The buttons of the question asked before the crash still answer it.
                await app.press(f"{CHOICE_ACTION}:2", "interview", channel_id="DU-sam")
                asking = await said(slack, "Let's note down the facts", after=before)
                form = asking["blocks"][-1]["elements"][0]
                await app.press(FORM_BUTTON, form["value"], channel_id="DU-sam")
                [opened] = await slack.wait_for("views.open", timeout=60)
                company = next(
                    b for b in opened.args["view"]["blocks"] if b.get("block_id") == "company"
                )
                assert company["element"]["initial_value"] == "Acme"  # typed before the crash
                assert "How are you feeling" not in str(slack.calls[before:])  # not restarted
                assert await run.stop() == 0

    asyncio.run(scenario())


class KillingSlack(FakeSlack):
    """Kills the process the moment the platform takes its `at`-th reminder: after
    Slack stored it, before the process hears so, let alone records it."""

    def __init__(self) -> None:
        super().__init__()
        self.pid: int | None = None
        self.at = 0
        self.unrecorded: str | None = None

    async def _record(self, call: Call) -> None:
        await super()._record(call)
        if self.pid is not None and len(delivered(self)) == self.at and self.unrecorded is None:
            self.unrecorded = call.args["metadata"]["event_payload"]["key"]
            os.kill(self.pid, signal.SIGKILL)


def test_a_process_killed_mid_dispatch_loses_no_reminder_and_shows_none_twice(
    tmp_path: Path,
) -> None:
    url, engine = database(tmp_path)
    expected = due_reminders(engine, REMINDERS)
    held: set[str] = set()

    app = SlackHttp(free_port())

    async def scenario() -> KillingSlack:
        async with KillingSlack() as slack:
            slack.at = KILL_AT
            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                slack.pid = run.process.pid
                assert await run.ended() == -signal.SIGKILL  # by the platform, mid-batch
            assert len(delivered(slack)) == KILL_AT
            held.update(outbox(engine, "sending"))  # its claim, mid-batch

            async with bounceback_run(tmp_path, **on_slack(slack, url, app)) as run:
                await wait_delivered(slack, expected)
                assert await run.stop() == 0
            return slack

    slack = asyncio.run(scenario())
    sends = delivered(slack)
    assert set(sends) == expected  # none lost
    assert set(sends.values()) == {1}  # none shown twice
    assert slack.unrecorded is not None and key_of(slack.unrecorded) in held
    # It was reclaimed once its lease ran out, and Slack's history showed it was there.
    assert slack.calls_to("conversations.history")
    assert set(outbox(engine, SENT)) == {key_of(key) for key in expected}
    assert outbox(engine, SENT, attempts=2) == held  # each held row: one more claim
    engine.dispose()


def outbox(engine: Engine, status: str, attempts: int | None = None) -> set[str]:
    """The idempotency keys of the rows in `status` (and with `attempts`)."""
    query = select(Reminder.idempotency_key).where(Reminder.status == status)
    if attempts is not None:
        query = query.where(Reminder.attempts == attempts)
    with engine.connect() as db:
        return set(db.scalars(query))


def key_of(delivery_key: str) -> str:
    return delivery_key.partition("@")[0]
