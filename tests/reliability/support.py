"""What the reliability tests share: `bounceback run` configured for Slack's HTTP mode
against the fake Slack, due reminders in bulk, and what the platform showed.

The process (tests/support/bounceback_run.py) is configured as for production
(SLACK_MODE=http, a signing secret, the Web API at the fake), with a short outbox
lease so a reminder it held when it died is retried within seconds. Waits are on
conditions (a line logged, a call recorded), each with a deadline.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, insert

from adapters.slack.transport import EVENT_TYPE
from bot.conversation.core import utc_now
from bot.store.models import MemberRow, Reminder
from tests.support.bounceback_run import WAIT
from tests.support.fake_slack import Call, FakeSlack
from tests.support.slack_http import TOKEN, SlackHttp

# Past the dispatcher's AHEAD (2 s), as long as a claimed row may wait in memory for its
# turn: a lease that runs out first has the row claimed again while it waits.
LEASE_SECONDS = 4
IN_DM = {"channel_id": "DU-sam", "channel_name": "directmessage"}


def url_of(engine: Engine) -> str:
    """The engine's URL as `bounceback run` is given it, password and all."""
    return engine.url.render_as_string(hide_password=False)


def on_slack(
    slack: FakeSlack, database_url: str, app: SlackHttp, token: str = TOKEN
) -> dict[str, str]:
    """`bounceback run`'s environment: Slack's HTTP mode at `app` (with `token`, which the
    fake's calls record, so two processes' posts can be told apart), and a short lease."""
    return {
        "DATABASE_URL": database_url,
        "BOUNCEBACK_LEASE_SECONDS": str(LEASE_SECONDS),
        **app.settings(slack, token),
    }


# ---- what the fake Slack saw


def shown(args: dict[str, Any]) -> str:
    """A posted message's text and blocks, as a member would read them."""
    return f"{args.get('text', '')}\n{json.dumps(args.get('blocks', []), ensure_ascii=False)}"


async def said(
    slack: FakeSlack, snippet: str, method: str = "chat.postMessage", after: int = 0
) -> dict[str, Any]:
    """The first message since call number `after` that shows `snippet`, once posted."""

    def found() -> dict[str, Any] | None:
        posted = (c for c in slack.calls[after:] if c.method == method and c.status == 200)
        return next((c.args for c in posted if not c.error and snippet in shown(c.args)), None)

    await slack.wait_until(lambda: found() is not None, WAIT)
    message = found()
    assert message is not None
    return message


def reminder_key(call: Call) -> str | None:
    """The reminder key in the metadata of a message Slack took; None for any other call."""
    if call.method != "chat.postMessage" or call.status != 200 or call.error:
        return None
    metadata = call.args.get("metadata") or {}
    return metadata["event_payload"]["key"] if metadata.get("event_type") == EVENT_TYPE else None


def delivered(slack: FakeSlack) -> Counter[str]:
    """How many times each reminder key was posted (successful posts only)."""
    return Counter(key for call in slack.calls if (key := reminder_key(call)) is not None)


async def wait_delivered(slack: FakeSlack, expected: set[str]) -> None:
    """Until every expected reminder has reached the platform."""
    await slack.wait_until(lambda: expected <= delivered(slack).keys(), WAIT)


# ---- due reminders


def due_reminders(
    engine: Engine,
    count: int,
    *,
    platform: str = "slack",
    workspaces: tuple[str, ...] = ("T0", "T1", "T2", "T3", "T4"),
    first_user: int = 1000,
    dm_channel: Callable[[int], str] | None = None,
) -> set[str]:
    """`count` reminders due now, one per member, spread over workspaces (Slack's
    per-workspace limit would otherwise pace them at 20 a second); their delivery keys.
    User ids are numbers from `first_user`, as Discord's are. `dm_channel` gives the
    DM channel the bot already knows for a user id; by default it knows none."""
    now = utc_now()
    due = now.replace(second=0, microsecond=0) - timedelta(minutes=5)  # due, and not late
    where = [workspaces[number % len(workspaces)] for number in range(count)]
    with engine.begin() as db:
        ids = db.scalars(
            insert(MemberRow).returning(MemberRow.id),
            [
                {
                    "platform": platform,
                    "workspace": where[number],
                    "user_id": str(first_user + number),
                    "display_name": f"Member {number}",
                    "timezone": "UTC",
                    "created_at": now,
                    "dm_channel": dm_channel(first_user + number) if dm_channel else None,
                }
                for number in range(count)
            ],
        ).all()
        db.execute(
            insert(Reminder),
            [
                {
                    "platform": platform,
                    "workspace": where[number],
                    "member_id": ids[number],
                    "kind": "keep_in_touch",
                    "due_at": due,
                    "local_due": due,
                    "zone": "UTC",
                    "idempotency_key": f"{platform}:{number}",
                    "created_at": now,
                }
                for number in range(count)
            ],
        )
    return {f"{platform}:{number}@{due:%Y-%m-%dT%H:%M}" for number in range(count)}
