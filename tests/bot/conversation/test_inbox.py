"""The inbox: an event written down once before its ack, applied at most once, and
what was never applied found again at start-up. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.conversation.events import Choice, Command, FormRequested, FormSubmitted, Member, Text
from bot.conversation.inbox import Intake, decoded, encoded
from bot.store.models import InboxEvent
from tests.conftest import SAM
from tests.helpers import CHANNEL, DM, Chat

REJECTED = Command(SAM, CHANNEL, "rejected", "Acme")


def test_every_kind_of_event_comes_back_as_it_was_written() -> None:
    events = [
        REJECTED,
        Text(Member("discord", "42", "7", "Kim"), DM, "two\nlines ✓"),
        Choice(SAM, DM, "done:12"),
        FormSubmitted(SAM, DM, "facts", {"company": "Acme", "role": ""}),
        FormRequested(SAM, DM, "facts"),
    ]
    for event in events:
        assert decoded(encoded(event)) == event
    assert decoded(encoded(events[1])).member.display_name == "Kim"


def test_a_platform_zone_rides_with_the_event_and_older_rows_still_read() -> None:
    zoned = replace(REJECTED, member=replace(SAM, platform_zone="America/New_York"))
    assert decoded(encoded(zoned)).member.platform_zone == "America/New_York"
    written_before = encoded(REJECTED)
    del written_before["member"]["platform_zone"]  # a row from before the zone rode along
    assert decoded(written_before) == REJECTED
    assert decoded(written_before).member.platform_zone is None


def test_an_event_received_twice_is_a_repeat_and_applied_once(core) -> None:
    [first] = core.receive([(REJECTED, "command:T-1")])
    assert not first.repeat and first.key == "command:T-1"
    [again] = core.receive([(REJECTED, "command:T-1")])
    assert again.repeat
    assert "How are you feeling" in core.handle(REJECTED, key=first.key)[-1].text
    assert core.handle(REJECTED, key=first.key) == []  # a replay after it was applied


def test_what_was_received_but_never_applied_is_found_again(core, clock) -> None:
    core.receive([(REJECTED, "command:T-1"), (Choice(SAM, DM, "low"), "action:T-2")])
    core.handle(REJECTED, key="command:T-1")
    clock.advance(seconds=1)
    [waiting] = core.unsettled("slack", clock.now)
    assert waiting.event == Choice(SAM, DM, "low") and waiting.key == "action:T-2"
    assert core.unsettled("discord", clock.now) == []
    assert core.unsettled("slack", clock.now - timedelta(seconds=2)) == []  # not yet then


def test_a_replay_that_fails_is_given_up_not_tried_at_every_start(core, clock) -> None:
    core.receive([(REJECTED, "command:T-1")])
    core.give_up("slack", "command:T-1")
    clock.advance(seconds=1)
    assert core.unsettled("slack", clock.now) == []


def test_an_event_without_an_id_is_not_written_and_still_answered(core) -> None:
    [receipt] = core.receive([(REJECTED, None)])
    assert receipt.key is None and not receipt.repeat
    assert core.handle(REJECTED, key=receipt.key)


def test_a_day_old_event_is_cleared_when_the_next_arrives(core, clock) -> None:
    core.receive([(REJECTED, "command:T-1")])
    clock.advance(days=1, seconds=1)
    core.receive([(Choice(SAM, DM, "low"), "action:T-2")])
    with core.engine.connect() as db:
        assert set(db.scalars(select(InboxEvent.key))) == {"action:T-2"}


def test_forget_me_takes_the_members_words_and_keeps_the_keys(core, clock) -> None:
    chat = Chat(core, SAM)
    said = Text(SAM, DM, "my private words")
    core.receive([(said, "event:Ev-1")])
    chat.say("/forget-me")
    chat.say("1")  # yes, delete everything
    with core.engine.connect() as db:
        kept = db.execute(select(InboxEvent.key, InboxEvent.event)).all()
    assert [(key, event) for key, event in kept] == [("event:Ev-1", {})]
    assert core.receive([(said, "event:Ev-1")])[0].repeat  # still known as a redelivery
    clock.advance(seconds=1)
    assert core.unsettled("slack", clock.now) == []


def test_a_burst_is_written_in_a_few_transactions(core) -> None:
    batches: list[int] = []

    def receive(arrived):
        batches.append(len(arrived))
        return core.receive(arrived)

    async def burst() -> list[bool]:
        intake = Intake(receive)
        events = [
            (Command(Member("slack", "T1", f"U{n}"), CHANNEL, "help"), f"command:{n}")
            for n in range(50)
        ]
        receipts = await asyncio.gather(*(intake.receive(*event) for event in events))
        return [receipt.repeat for receipt in receipts]

    assert asyncio.run(burst()) == [False] * 50
    assert sum(batches) == 50 and len(batches) <= 3  # the first alone, then the rest
