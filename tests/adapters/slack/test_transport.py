"""Reminders reach Slack DMs with working buttons, once, through 429s and crashes."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime

import pytest
from PIL import Image
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.slack.blocks import CHOICE_ACTION
from adapters.slack.transport import SlackTransport
from bot.charts.weekly import HEIGHT, WIDTH
from bot.conversation.dm_channels import DmChannels
from bot.conversation.events import Member, Reply
from bot.reminders.delivery import Outgoing
from bot.store.groups import Groups
from bot.store.members import dm_channel, remember_dm_channel
from bot.store.models import Reminder
from tests.adapters.slack.harness import dispatcher_for, slack_app
from tests.conftest import SAM
from tests.helpers import (
    FIRST_DUE,
    PLAN,
    PRIVATE_CHECKIN_WORDS,
    Chat,
    a_check_in_due,
    a_week_of_check_ins,
    outbox,
    thank_yous,
    this_weeks_check_in,
    two_thank_yous_due,
)


def test_a_reminder_arrives_as_a_dm_whose_buttons_work(core, clock) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            assert (await dispatcher_for(core, client, clock).tick()).sent == 1
            reminder = await harness.said("note to Acme")
            assert reminder["channel"] == "DU-sam"
            assert reminder["metadata"]["event_payload"]["key"].startswith("plan:1:send_note@")
            done = reminder["blocks"][-1]["elements"][0]
            assert done["text"]["text"] == "Done"
            await harness.press(f"{CHOICE_ACTION}:0", done["value"], channel_id="DU-sam")
            await harness.said("Marked done")

    asyncio.run(scenario())
    assert outbox(core)["send_note"][0] == "done"


def test_a_429_on_a_reminder_reschedules_it_and_it_is_delivered_once(core, clock) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            dispatcher = dispatcher_for(core, client, clock)
            harness.slack.fail_next("chat.postMessage", status=429, retry_after=20)
            assert (await dispatcher.tick()).retried == 1
            clock.advance(seconds=19)
            assert (await dispatcher.tick()).sent == 0  # as long as Slack said, no longer
            clock.advance(seconds=1)
            assert (await dispatcher.tick()).sent == 1
            attempts = harness.slack.calls_to("chat.postMessage")
            assert [call.status for call in attempts] == [429, 200]

    asyncio.run(scenario())


def test_a_token_slack_refuses_fails_the_reminder_at_once_not_eight_times(core, clock) -> None:
    """Uninstalled while this instance still knew the token (or a one-workspace app)."""
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            harness.slack.fail_next("conversations.open", status=200, error="account_inactive")
            assert (await dispatcher_for(core, client, clock).tick()).failed == 1
            assert harness.slack.calls_to("chat.postMessage") == []

    asyncio.run(scenario())
    with Session(core.engine) as session:
        row = session.scalars(select(Reminder).where(Reminder.kind == "send_note")).one()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "account_inactive" in row.last_error and "--retry" in row.last_error


def test_a_resend_after_a_crash_finds_its_own_message_and_posts_nothing(core) -> None:
    async def scenario() -> None:
        async with slack_app(core) as harness:
            transport = SlackTransport(
                AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url),
                dm_channels=DmChannels(core.engine),
            )
            message = Outgoing("slack", "T1", [Reply("Time for a keep-in-touch note.")], SAM)
            await transport.send(message, key="plan:7:keep_in_touch@2027-01-10T09:30", resend=False)
            await transport.send(message, key="plan:7:keep_in_touch@2027-01-10T09:30", resend=True)
            await transport.send(message, key="plan:7:reconnect@2027-02-20T09:30", resend=True)
            assert len(harness.slack.calls_to("chat.postMessage")) == 2

    asyncio.run(scenario())


def test_member_text_cannot_ping_the_channel_or_disguise_a_link(core, clock) -> None:
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=[], now=clock.now)
        Groups(db, "slack", "T1").update(channel="C-group")

    async def scenario() -> None:
        async with slack_app(core) as harness:
            await harness.command("win", "Referral <http://evil.example|your bank> & more")
            await harness.said("What kind of win was it?")
            await harness.press(f"{CHOICE_ACTION}:3", "referral", channel_id="DU-sam")
            await harness.said("Share with the group")
            await harness.press(f"{CHOICE_ACTION}:1", "share", channel_id="DU-sam")
            post = await harness.said("evil.example")
            assert post["channel"] == "C-group"
            assert "&lt;http://evil.example|your bank&gt; &amp; more" in post["text"]
            assert all(
                block["text"]["type"] == "plain_text"
                for block in post["blocks"]
                if block["type"] == "section"
            )
            await harness.command("win", "Thanks <!channel> for the tips")
            refused = await harness.said("Please leave out @everyone")
            assert refused["channel"] == "DU-sam"

    asyncio.run(scenario())


def friday_s_digest_due(core, clock) -> None:
    """A group posting in C-group, whose Friday digest is due now."""
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=[], now=clock.now)
        Groups(db, "slack", "T1").update(channel="C-group")
    clock.now = datetime(2026, 11, 27, 16, 0)


def test_a_group_post_retried_after_a_429_goes_out_without_reading_the_channel(core, clock) -> None:
    """The app may not read channels (no channels:history), so a retry must not try."""
    friday_s_digest_due(core, clock)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            dispatcher = dispatcher_for(core, client, clock)
            harness.slack.fail_next("chat.postMessage", status=429, retry_after=20)
            assert (await dispatcher.tick()).retried == 1
            clock.advance(minutes=1)
            assert (await dispatcher.tick()).sent == 1
            assert harness.slack.calls_to("conversations.history") == []
            assert len(harness.slack.messages["C-group"]) == 1

    asyncio.run(scenario())


def test_two_reminders_out_at_once_each_answer_to_their_own_buttons(core, clock) -> None:
    two_thank_yous_due(Chat(core, SAM), clock)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            assert (await dispatcher_for(core, client, clock).tick()).sent == 2
            acme = await harness.said("note to Acme")
            await harness.said("note to Globex")  # the newer one, the open question
            done = acme["blocks"][-1]["elements"][0]
            await harness.press(f"{CHOICE_ACTION}:0", done["value"], channel_id="DU-sam")
            await harness.said("Marked done")
            assert thank_yous(core) == {"Acme": "done", "Globex": "sent"}
            await harness.dm("skip that one")  # typed: only Globex is left to mean
            await harness.said("Skipped")

    asyncio.run(scenario())
    assert thank_yous(core) == {"Acme": "done", "Globex": "skipped"}


def test_the_digest_in_the_channel_holds_no_private_check_in_answer(core, clock) -> None:
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=[], now=clock.now)
        Groups(db, "slack", "T1").update(channel="C-group")
    alex, jo = (Member("slack", "T1", f"U-{name}", display_name=name) for name in ("Alex", "Jo"))
    a_week_of_check_ins(core, SAM, alex, jo)
    clock.now = datetime(2026, 11, 27, 16, 0)  # Friday's digest is due

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            assert (await dispatcher_for(core, client, clock).tick()).sent == 1
            [digest] = harness.slack.messages["C-group"]
            received = json.dumps(digest)
            assert "3 check-ins answered" in received
            assert "Sam: two applications and a coffee chat" in received
            for private in ("Alex", "Jo:", *PRIVATE_CHECKIN_WORDS):
                assert private not in received, private

    asyncio.run(scenario())


def test_a_check_in_arrives_with_mood_buttons_and_goes_on_by_button_and_by_typing(
    core, clock
) -> None:
    a_check_in_due(core, SAM, clock)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            assert (await dispatcher_for(core, client, clock).tick()).sent == 1
            checkin = await harness.said("How are you doing this week?")
            assert checkin["channel"] == "DU-sam"
            buttons = checkin["blocks"][-1]["elements"]
            okay = next(button for button in buttons if button["text"]["text"] == "Okay")
            await harness.press(f"{CHOICE_ACTION}:2", okay["value"], channel_id="DU-sam")
            await harness.said("What moved last week?")
            await harness.dm("sent two applications")
            await harness.said("One small goal")

    asyncio.run(scenario())
    week = this_weeks_check_in(core)
    assert (week.mood, week.last_week) == ("okay", "sent two applications")


def test_a_members_dm_is_opened_once_for_every_reminder_reply_and_process(core, clock) -> None:
    two_thank_yous_due(Chat(core, SAM), clock)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            assert (await dispatcher_for(core, client, clock).tick()).sent == 2
            assert len(harness.slack.calls_to("conversations.open")) == 1
            # Another process's transport, and the app's replies: each knows nothing yet.
            transport = SlackTransport(client, dm_channels=DmChannels(core.engine))
            keep_in_touch = Outgoing("slack", "T1", [Reply("Time for a keep-in-touch note.")], SAM)
            await transport.send(keep_in_touch, key="plan:7:keep_in_touch", resend=False)
            await harness.command("win", "Referral to Hooli from Bo")
            asked = await harness.said("What kind of win was it?")
            assert asked["channel"] == "DU-sam"
            assert len(harness.slack.calls_to("conversations.open")) == 1

    asyncio.run(scenario())
    with core.engine.connect() as db:
        assert dm_channel(db, SAM) == "DU-sam"


@pytest.mark.parametrize("refusal", ["channel_not_found", "is_archived"])
def test_a_remembered_dm_channel_slack_refuses_is_forgotten_and_the_dm_opened_once_more(
    core, clock, refusal
) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE
    with core.engine.begin() as db:
        remember_dm_channel(db, SAM, "D-old")

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            harness.slack.fail_next("chat.postMessage", status=200, error=refusal)
            assert (await dispatcher_for(core, client, clock).tick()).sent == 1
            attempts = harness.slack.calls_to("chat.postMessage")
            assert [(call.args["channel"], call.error) for call in attempts] == [
                ("D-old", refusal),
                ("DU-sam", None),
            ]
            assert len(harness.slack.calls_to("conversations.open")) == 1

    asyncio.run(scenario())
    with core.engine.connect() as db:
        assert dm_channel(db, SAM) == "DU-sam"


def test_the_digest_s_chart_is_uploaded_to_the_group_s_channel_as_a_png(core, clock) -> None:
    friday_s_digest_due(core, clock)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            assert (await dispatcher_for(core, client, clock).tick()).sent == 1
            [chart] = harness.slack.files.values()
            assert chart["channel"] == "C-group" and chart["name"].endswith(".png")
            with Image.open(io.BytesIO(chart["content"])) as picture:
                assert (picture.format, picture.size) == ("PNG", (WIDTH, HEIGHT))
            assert "Follow-ups done" in chart["alt_txt"]

    asyncio.run(scenario())


def test_a_chart_slack_refuses_leaves_the_digest_posted_once(core, clock) -> None:
    """Retrying the row would post the digest's words again: they stand alone."""
    friday_s_digest_due(core, clock)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            harness.slack.fail_next("files.getUploadURLExternal", status=200, error="not_allowed")
            assert (await dispatcher_for(core, client, clock).tick()).sent == 1
            [digest] = harness.slack.calls_to("chat.postMessage")
            assert digest.args["channel"] == "C-group" and harness.slack.files == {}

    asyncio.run(scenario())
