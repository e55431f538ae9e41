"""Reminders reach Discord DMs with buttons that work, once, through 429s and restarts."""

from __future__ import annotations

import asyncio
import io
import json
import re
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import select

from adapters.discord.transport import DiscordTransport, nonce_for
from bot.charts.weekly import HEIGHT, WIDTH
from bot.conversation.dm_channels import DmChannels
from bot.conversation.events import Member, Reply
from bot.reminders.delivery import Delivery, Outgoing
from bot.store.groups import Groups
from bot.store.members import dm_channel, remember_dm_channel
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from tests.adapters.discord.harness import custom_id, discord_bot, running
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
from tests.support.fake_discord import GUILD_ID, MEMBER_ID, FakeDiscord, FakeGuild, pointed_at

POSTED = re.compile(r"/channels/\d+/messages")
DM_OPENED = "/users/@me/channels"  # what client.create_dm asks
SAM = Member("discord", str(GUILD_ID), str(MEMBER_ID), "Sam")
GROUP_CHANNEL = GUILD_ID + 2
GROUP_GUILD = FakeGuild(GUILD_ID, channels={GUILD_ID + 1: "general", GROUP_CHANNEL: "wins"})


def dispatcher_for(core, client, clock) -> Dispatcher:
    return Dispatcher(
        Outbox(core.engine, "discord-test"),
        Delivery(core.engine, core.playbook),
        {"discord": DiscordTransport(client, client.bounceback.dm_channels)},
        RateLimits.unlimited(),
        clock,
    )


async def press(bot, message, label: str, expect: str):
    """Click a button on a DM message; the next DM showing `expect`."""
    dm = bot.fake.dm_channel_of(MEMBER_ID)
    seen = len([m for m in bot.fake.messages_in(dm) if expect in str(m)])
    await bot.fake.click(custom_id(message, label), message=message)
    return await bot.said_in(dm, expect, count=seen + 1)


def test_a_whole_rejection_from_slash_command_through_modal_and_buttons_to_a_reminder(
    core, clock
) -> None:
    async def scenario() -> None:
        async with discord_bot(core) as bot:
            dm = bot.fake.dm_channel_of(MEMBER_ID)
            await bot.fake.slash("rejected", {"company": "Acme"})
            mood = await bot.said_in(dm, "How are you feeling")
            stage = await press(bot, mood, "Disappointed", "how far did you get")
            facts = await press(bot, stage, "Interviews", "Let's note down the facts")

            opened = await bot.fake.click(custom_id(facts, "Fill in: The facts"), message=facts)
            form = (await opened.response())["data"]
            assert form["custom_id"] == f"bb:m:{GUILD_ID}:rejection_facts"
            typed = {"company": "Acme", "role": "Data Analyst", "contact_name": "Jane Doe"}
            wrong = await bot.fake.submit_modal(
                form["custom_id"], {**typed, "heard_on": "next year", "reason": ""}
            )
            [problem] = await wrong.wait_followups()
            assert "A few things need another look" in problem["content"]

            again = await bot.fake.click(custom_id(problem, "Try again"), message=problem)
            refilled = (await again.response())["data"]["components"]
            assert [label["component"].get("value") for label in refilled][:4] == [
                "Acme",
                "Data Analyst",
                "Jane Doe",
                "next year",
            ]
            reason = "They chose someone with more experience"
            await bot.fake.submit_modal(
                form["custom_id"], {**typed, "heard_on": "yesterday", "reason": reason}
            )
            await bot.said_in(dm, "Noted: Data Analyst at Acme")
            role = await bot.said_in(dm, "Jane Doe's part in it")
            draft = await press(bot, role, "Hiring manager", "Hi Jane,")
            await bot.fake.message_from(MEMBER_ID, "keep")  # typed in the DM, not pressed
            reading = await bot.said_in(dm, "Yes, that's it")
            plan = await press(bot, reading, "Yes, that's it", "Sounds good")  # role filled
            await press(bot, plan, "Sounds good", "follow-ups. /followups shows them")
            assert "Hi Jane," in str(draft["embeds"])

            clock.now = FIRST_DUE
            assert (await dispatcher_for(core, bot.client, clock).tick()).sent == 1
            reminder = await bot.said_in(dm, "note to Acme")
            await press(bot, reminder, "Done", "Marked done")
            assert bot.fake.messages_in(GUILD_ID + 1) == []  # nothing in the server's channel

    asyncio.run(scenario())
    assert outbox(core)["send_note"][0] == "done"


def test_a_reminders_button_still_works_after_a_restart(core, clock) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with FakeDiscord(guilds=(GUILD_ID,)) as fake:
            with pointed_at(fake):
                async with running(core, fake) as before:
                    assert (await dispatcher_for(core, before.client, clock).tick()).sent == 1
                    reminder = await before.said_in(fake.dm_channel_of(MEMBER_ID), "note to Acme")
                async with running(core, fake) as after:  # a new process: nothing in memory
                    await press(after, reminder, "Done", "Marked done")

    asyncio.run(scenario())
    assert outbox(core)["send_note"][0] == "done"


def test_a_long_429_on_a_reminder_reschedules_it_and_it_is_delivered_once(core, clock) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with discord_bot(core) as bot:
            dispatcher = dispatcher_for(core, bot.client, clock)
            bot.fake.fail_next("POST", POSTED, status=429, retry_after=45)
            assert (await dispatcher.tick()).retried == 1  # not slept on: back to the outbox
            clock.advance(seconds=44)
            assert (await dispatcher.tick()).sent == 0
            clock.advance(seconds=16)  # past Retry-After and the outbox's own backoff
            assert (await dispatcher.tick()).sent == 1
            assert [call.status for call in bot.fake.calls_to("POST", POSTED)] == [429, 200]
            assert len(bot.fake.dms_to(MEMBER_ID)) == 1

    asyncio.run(scenario())


def test_a_reminder_to_closed_dms_fails_at_once_saying_why(core, clock) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with discord_bot(core) as bot:
            bot.fake.closed_dms.add(MEMBER_ID)
            assert (await dispatcher_for(core, bot.client, clock).tick()).failed == 1
            assert bot.fake.dms_to(MEMBER_ID) == []
            assert len(bot.fake.calls_to("POST", DM_OPENED)) == 1  # not a channel gone

    asyncio.run(scenario())
    assert outbox(core)["send_note"][0] == "failed"
    with core.engine.connect() as db:
        [error] = db.execute(select(Reminder.last_error).where(Reminder.kind == "send_note"))
    assert "DMs are closed" in error[0] and "reminders --retry" in error[0]


def test_a_short_429_is_retried_inside_the_send_with_the_same_nonce(core, clock) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with discord_bot(core) as bot:
            bot.fake.fail_next("POST", POSTED, status=429, retry_after=0.05)
            assert (await dispatcher_for(core, bot.client, clock).tick()).sent == 1
            attempts = bot.fake.calls_to("POST", POSTED)
            assert [call.status for call in attempts] == [429, 200]
            assert attempts[0].json["nonce"] == attempts[1].json["nonce"]
            assert len(bot.fake.dms_to(MEMBER_ID)) == 1

    asyncio.run(scenario())


def test_a_resend_after_a_crash_is_deduplicated_by_its_nonce(core) -> None:
    async def scenario() -> None:
        async with discord_bot(core) as bot:
            transport = DiscordTransport(bot.client, DmChannels(core.engine))
            message = Outgoing("discord", str(GUILD_ID), [Reply("Time to keep in touch.")], SAM)
            key = "plan:7:keep_in_touch@2027-01-10T09:30"
            await transport.send(message, key=key, resend=False)
            await transport.send(message, key=key, resend=True)
            await transport.send(message, key="plan:7:reconnect@2027-02-20T09:30", resend=True)
            [first, *_] = bot.fake.calls_to("POST", POSTED)
            assert first.json["nonce"] == nonce_for(key) and first.json["enforce_nonce"] is True
            assert len(bot.fake.dms_to(MEMBER_ID)) == 2

    asyncio.run(scenario())
    assert len(nonce_for("x" * 500)) <= 25  # Discord's limit, whatever the key


def test_no_payload_lets_member_text_ping_anyone(core, clock) -> None:
    with core.engine.begin() as db:
        Groups(db, "discord", str(GUILD_ID)).create(timezone="UTC", facilitators=[], now=clock.now)
        Groups(db, "discord", str(GUILD_ID)).update(channel=str(GROUP_CHANNEL))

    async def scenario() -> None:
        async with discord_bot(core, guilds=(GROUP_GUILD,)) as bot:
            bot.fake.users[MEMBER_ID] = {"global_name": "@everyone"}  # a name is member text too
            said = "A referral via [your bank](http://evil.example)"
            await bot.fake.slash("win", {"description": said})
            dm = bot.fake.dm_channel_of(MEMBER_ID)
            kind = await bot.said_in(dm, "What kind of win")
            share = await press(bot, kind, "Got a referral", "Share with the group")
            await bot.fake.click(custom_id(share, "Share with the group"), message=share)
            post = await bot.said_in(GROUP_CHANNEL, "your bank")
            assert "@everyone" not in post["content"] and "\\[your bank]" in post["content"]
            sent = [
                call.json
                for call in bot.fake.calls
                if call.method == "POST" and call.json and "content" in call.json
            ]
            assert len(sent) > 3 and all(body["allowed_mentions"]["parse"] == [] for body in sent)

    asyncio.run(scenario())


def test_two_reminders_out_at_once_each_answer_to_their_own_buttons(core, clock) -> None:
    two_thank_yous_due(Chat(core, SAM), clock)

    async def scenario() -> None:
        async with discord_bot(core) as bot:
            dm = bot.fake.dm_channel_of(MEMBER_ID)
            assert (await dispatcher_for(core, bot.client, clock).tick()).sent == 2
            acme = await bot.said_in(dm, "note to Acme")
            await bot.said_in(dm, "note to Globex")  # the newer one, the open question
            await press(bot, acme, "Done", "Marked done")
            assert thank_yous(core) == {"Acme": "done", "Globex": "sent"}
            await bot.fake.message_from(MEMBER_ID, "skip that one")  # only Globex is left
            await bot.said_in(dm, "Skipped")

    asyncio.run(scenario())
    assert thank_yous(core) == {"Acme": "done", "Globex": "skipped"}


def test_the_digest_in_the_channel_holds_no_private_check_in_answer(core, clock) -> None:
    with core.engine.begin() as db:
        Groups(db, "discord", str(GUILD_ID)).create(timezone="UTC", facilitators=[], now=clock.now)
        Groups(db, "discord", str(GUILD_ID)).update(channel=str(GROUP_CHANNEL))
    alex, jo = (
        Member("discord", str(GUILD_ID), str(MEMBER_ID + n), name)
        for n, name in ((1, "Alex"), (2, "Jo"))
    )
    a_week_of_check_ins(core, SAM, alex, jo)
    clock.now = datetime(2026, 11, 27, 16, 0)  # Friday's digest is due

    async def scenario() -> None:
        async with discord_bot(core, guilds=(GROUP_GUILD,)) as bot:
            assert (await dispatcher_for(core, bot.client, clock).tick()).sent == 1
            digest = await bot.said_in(GROUP_CHANNEL, "check-ins answered")
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
        async with discord_bot(core) as bot:
            dm = bot.fake.dm_channel_of(MEMBER_ID)
            assert (await dispatcher_for(core, bot.client, clock).tick()).sent == 1
            checkin = await bot.said_in(dm, "How are you doing this week?")
            await press(bot, checkin, "Okay", "What moved last week?")
            await bot.fake.message_from(MEMBER_ID, "sent two applications")
            await bot.said_in(dm, "One small goal")

    asyncio.run(scenario())
    week = this_weeks_check_in(core)
    assert (week.mood, week.last_week) == ("okay", "sent two applications")


def keep_in_touch(text: str = "Time to keep in touch.") -> Outgoing:
    return Outgoing("discord", str(GUILD_ID), [Reply(text)], SAM)


def test_a_members_dm_is_opened_once_for_every_reminder_reply_and_process(core, clock) -> None:
    two_thank_yous_due(Chat(core, SAM), clock)

    async def scenario() -> str:
        async with FakeDiscord(guilds=(GUILD_ID,)) as fake:
            with pointed_at(fake):
                async with running(core, fake) as first:
                    assert (await dispatcher_for(core, first.client, clock).tick()).sent == 2
                    assert len(fake.calls_to("POST", DM_OPENED)) == 1
                async with running(core, fake) as second:  # a new process: nothing in memory
                    transport = DiscordTransport(
                        second.client, second.client.bounceback.dm_channels
                    )
                    await transport.send(keep_in_touch(), key="plan:7:keep_in_touch", resend=False)
                    await fake.slash("rejected", {"company": "Initech"})  # carries on in the DM
                    dm = fake.dm_channel_of(MEMBER_ID)
                    await second.said_in(dm, "How are you feeling")
                    await second.said_in(dm, "Time to keep in touch.")
            assert len(fake.calls_to("POST", DM_OPENED)) == 1
            return str(dm)

    dm = asyncio.run(scenario())
    with core.engine.connect() as db:
        assert dm_channel(db, SAM) == dm


@pytest.mark.parametrize(
    "missing_access",
    [False, True],
    ids=["404 Unknown Channel: a channel gone", "403 Missing Access: not this bot's"],
)
def test_a_remembered_dm_channel_discord_refuses_is_forgotten_and_the_dm_opened_once_more(
    core, clock, missing_access
) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> str:
        async with discord_bot(core) as bot:
            dm = bot.fake.dm_channel_of(MEMBER_ID)
            remembered = str(dm) if missing_access else "1234"  # 1234: a channel unknown
            with core.engine.begin() as db:
                remember_dm_channel(db, SAM, remembered)
            if missing_access:
                bot.fake.fail_next("POST", POSTED, status=403, code=50001, message="Missing Access")
            assert (await dispatcher_for(core, bot.client, clock).tick()).sent == 1
            attempts = bot.fake.calls_to("POST", POSTED)
            assert [call.status for call in attempts] == [403 if missing_access else 404, 200]
            assert attempts[0].path == f"/channels/{remembered}/messages"
            assert len(bot.fake.calls_to("POST", DM_OPENED)) == 1
            await bot.said_in(dm, "note to Acme")
            return str(dm)

    dm = asyncio.run(scenario())
    with core.engine.connect() as db:
        assert dm_channel(db, SAM) == dm


def test_the_digest_message_carries_its_chart_as_an_attachment(core, clock) -> None:
    with core.engine.begin() as db:
        Groups(db, "discord", str(GUILD_ID)).create(timezone="UTC", facilitators=[], now=clock.now)
        Groups(db, "discord", str(GUILD_ID)).update(channel=str(GROUP_CHANNEL))
    clock.now = datetime(2026, 11, 27, 16, 0)  # Friday's digest is due

    async def scenario() -> None:
        async with discord_bot(core, guilds=(GROUP_GUILD,)) as bot:
            assert (await dispatcher_for(core, bot.client, clock).tick()).sent == 1
            digest = await bot.said_in(GROUP_CHANNEL, "The group's week")
            [chart] = digest["attachments"]
            assert chart["filename"] == "group-week-2026-11-27.png"
            assert "Follow-ups done" in chart["description"]
            with Image.open(io.BytesIO(bot.fake.uploads[chart["id"]])) as picture:
                assert (picture.format, picture.size) == ("PNG", (WIDTH, HEIGHT))

    asyncio.run(scenario())
