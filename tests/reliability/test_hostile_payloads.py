"""Malformed and hostile payloads: each answered or ignored, never a crash, and the next
good request is served as usual.

Slack: signed requests (so they get past the signature check, as a bug or a newer
Slack could) to `bounceback run` itself. Discord: raw INTERACTION_CREATEs through the
fake gateway to the real discord.py client. Each on a SQLite file and on PostgreSQL
(which refuses the NUL character SQLite would store). Hostile text reaching the core
(RTL overrides, @everyone, control characters, 10,000 characters) is
tests/bot/test_bad_input.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from sqlalchemy import Engine

from adapters.slack.blocks import CHOICE_ACTION, FORM_BUTTON, FORM_VIEW
from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.playbook import Playbook
from tests.adapters.discord.harness import running
from tests.reliability.support import on_slack, said, url_of
from tests.support.bounceback_run import bounceback_run, free_port
from tests.support.fake_discord import FakeDiscord, InteractionType, pointed_at
from tests.support.fake_slack import (
    FakeSlack,
    block_action_payload,
    event_payload,
    sign,
    slash_body,
    view_submission_payload,
)
from tests.support.slack_http import SlackHttp

JSON = "application/json"


def form(payload: Any) -> bytes:
    """An interactive request's body: `payload=<json>`, whatever the JSON holds."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def message_event(**fields: Any) -> bytes:
    event = {"type": "message", "channel_type": "im", "channel": "DU-sam", "user": "U-sam"}
    return json.dumps(event_payload({**event, **fields})).encode()


# Bolt cannot even parse these: refused with 400 and one line logged.
UNREADABLE: dict[str, tuple[bytes, str | None]] = {
    "not JSON at all": (b"{not json", JSON),
    "JSON, but a list": (b"[1, 2, 3]", JSON),
    "an interactive payload that is not JSON": (b"payload=%7Bnot", None),
}
# Bolt's own middleware fails on these before any listener of ours runs: refused with
# 400 and one line logged too, not Bolt's 500 and traceback. Slack never sends them.
BOLT_FAILS_ON: dict[str, tuple[bytes, str | None]] = {
    "a modal submission whose view has no state": (
        form(view_submission_payload(f"{FORM_VIEW}:x", {}) | {"view": {"callback_id": "x"}}),
        None,
    ),
    "an event that is a string": (
        json.dumps(event_payload({}) | {"event": "message"}).encode(),
        JSON,
    ),
}
SLACK_PAYLOADS: dict[str, tuple[bytes, str | None]] = {
    "an interactive payload with nothing in it": (form({}), None),
    "a button click missing its actions": (
        form({k: v for k, v in block_action_payload("x").items() if k != "actions"}),
        None,
    ),
    "a button no version of Bounceback made": (form(block_action_payload("nonsense:42")), None),
    "our choice button with a number for its value": (
        form(block_action_payload(f"{CHOICE_ACTION}:1", 42)),  # type: ignore[arg-type]
        None,
    ),
    "our form button for a form that does not exist": (
        form(block_action_payload(FORM_BUTTON, "no-such-form")),
        None,
    ),
    "a modal we never opened": (form(view_submission_payload("someone-elses:view", {})), None),
    "an event callback without its event": (
        json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "Ev0"}).encode(),
        JSON,
    ),
    "a DM whose text is a list": (message_event(text=["hi"], ts="1.1"), JSON),
    "a DM with no user": (message_event(user=None, text="hello", ts="1.2"), JSON),
    "a slash command a megabyte long": (slash_body("/rejected", "A" * 1_100_000), None),
}


def test_slack_survives_malformed_and_hostile_requests(engine: Engine, tmp_path: Path) -> None:
    url = url_of(engine)
    app = SlackHttp(free_port())

    async def scenario() -> None:
        async with (
            FakeSlack() as slack,
            bounceback_run(tmp_path, **on_slack(slack, url, app)) as run,
        ):
            answered = {}
            hostile = UNREADABLE | BOLT_FAILS_ON | SLACK_PAYLOADS
            for name, (body, content_type) in hostile.items():
                answered[name] = (await app.signed(body, content_type))[0]
                assert run.alive, f"{name} killed it:\n{run.log}"
            unreadable = {answered[name] for name in UNREADABLE | BOLT_FAILS_ON}
            assert unreadable == {400}, answered
            failed = {name for name, status in answered.items() if status >= 500}
            assert not failed, answered

            before = len(slack.calls)
            assert (await app.command("rejected", "Acme"))[0] == 200
            await said(slack, "How are you feeling", after=before)
            assert await run.stop() == 0
            ours = [line for line in run.lines if "ERROR adapters." in line]
            assert not ours, run.log  # nothing reached a listener of ours that it choked on

    asyncio.run(scenario())


def unsigned_garbage(body: bytes) -> list[dict[str, str]]:
    """Headers anyone can send without the signing secret, each refused by Slack's rule."""
    now = str(int(time.time()))
    return [
        {"X-Slack-Request-Timestamp": "x", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "x"},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "9" * 5_000, "X-Slack-Signature": "v0=0"},  # past int()
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=0"},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": now},
        {"X-Slack-Signature": sign("not-our-secret", body)["X-Slack-Signature"]},
        sign("not-our-secret", body),
        {},
    ]


def test_a_flood_of_unsigned_garbage_gets_401s_and_a_log_line_each_at_most(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    app = SlackHttp(free_port())
    body = slash_body("/rejected", "Acme\nTraceback (most recent call last):\n")  # newlines

    async def scenario() -> None:
        async with (
            FakeSlack() as slack,
            bounceback_run(tmp_path, **on_slack(slack, url, app)) as run,
            aiohttp.ClientSession() as session,
        ):
            logged_before = len(run.lines)
            flood = [headers for _ in range(20) for headers in unsigned_garbage(body)]
            answered = Counter[int]()
            for headers in flood:
                async with session.post(app.url, data=body, headers=headers) as response:
                    answered[response.status] += 1
            assert answered == {401: len(flood)}
            before = len(slack.calls)
            assert (await app.command("rejected", "Acme"))[0] == 200  # still served
            await said(slack, "How are you feeling", after=before)
            assert await run.stop() == 0
            stopping = next(n for n, line in enumerate(run.lines) if "SIGTERM: stopping" in line)
            flood_log = run.lines[logged_before:stopping]
            assert len(flood_log) <= len(flood) + 1, "".join(flood_log)  # + the command's
            assert not any("Traceback" in line or "ERROR" in line for line in flood_log)
            assert not any("Acme" in line for line in flood_log)  # no body logged

    asyncio.run(scenario())


# Discord checks the shape of what it sends, and a member can only type text, click
# the bot's own components or pick options of the published types. Shapes Discord
# never sends (a component without a custom_id, a modal without components) stop
# discord.py's own gateway parser, before Bounceback sees them: not tried here.
HOSTILE = "\u202e@everyone <@&1> \x00\x1b[31m" + "Acme " * 2_000
DISCORD_INTERACTIONS: dict[str, tuple[int, dict[str, Any]]] = {
    "a button no version of Bounceback made": (
        InteractionType.COMPONENT,
        {"custom_id": "nonsense", "component_type": 2},
    ),
    "our choice button for another tenant, no value": (
        InteractionType.COMPONENT,
        {"custom_id": "bb:c:999:", "component_type": 2},
    ),
    "our form button for a form that does not exist": (
        InteractionType.COMPONENT,
        {"custom_id": "bb:f:1:no-such-form", "component_type": 2},
    ),
    "a modal we never opened": (InteractionType.MODAL_SUBMIT, {"custom_id": "x", "components": []}),
    "our modal, its inputs garbage": (
        InteractionType.MODAL_SUBMIT,
        {"custom_id": "bb:m:1:no-such-form", "components": [{"type": 1, "components": "x"}]},
    ),
    "our answer modal, typed text hostile and huge": (
        InteractionType.MODAL_SUBMIT,
        {
            "custom_id": "bb:s:1",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "text", "value": HOSTILE}]}
            ],
        },
    ),
    "a command we never published": (
        InteractionType.COMMAND,
        {"id": "1", "name": "nonsense", "type": 1},
    ),
    "/rejected with a number for the company": (
        InteractionType.COMMAND,
        {
            "id": "1",
            "name": "rejected",
            "type": 1,
            "options": [{"name": "company", "type": 4, "value": 42}],
        },
    ),
    "/rejected with a hostile company name": (
        InteractionType.COMMAND,
        {
            "id": "1",
            "name": "rejected",
            "type": 1,
            "options": [{"name": "company", "type": 3, "value": HOSTILE}],
        },
    ),
    "/rejected with options not a list": (
        InteractionType.COMMAND,
        {"id": "1", "name": "rejected", "type": 1, "options": "company=Acme"},
    ),
    "autocomplete with nothing focused": (
        InteractionType.AUTOCOMPLETE,
        {"id": "1", "name": "rejected", "type": 1, "options": []},
    ),
}


def test_discord_survives_malformed_and_hostile_interactions(
    engine: Engine, tmp_path: Path, playbook: Playbook
) -> None:
    core = Bounceback(engine, playbook, Settings(data_dir=tmp_path))

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            with pointed_at(fake):
                async with running(core, fake) as bot:
                    await bot.client.tree.sync()
                    for name, (kind, data) in DISCORD_INTERACTIONS.items():
                        await fake.raw_interaction(kind, data)
                        assert not bot.client.is_closed(), name
                    asked = await fake.slash("help")  # answered in place, where it was asked
                    [answer] = await asked.wait_followups(timeout=30)
                    assert "/rejected" in answer["content"]

    asyncio.run(scenario())
