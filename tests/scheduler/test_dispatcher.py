"""Reminders arriving as a member lives them: on time, once, with buttons that work."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.core import Bounceback
from bot.conversation.events import Member, Visibility
from bot.member.settings import set_quiet_hours, set_timezone
from bot.rejection.plan import PlannedReminder, reminder_rows
from bot.reminders.delivery import Delivery
from bot.store.groups import Groups
from bot.store.members import remember_dm_channel
from bot.store.models import Reminder
from bot.store.repository import Repository
from scheduler.dispatcher import Dispatcher, Tally
from scheduler.outbox import LEASE, MAX_ATTEMPTS, Outbox
from scheduler.rate_limit import Limit, PlatformLimits, RateLimits
from scheduler.transport import RateLimited, Undeliverable
from tests.conftest import SAM
from tests.helpers import FIRST_DUE, PLAN, Chat, FakeClock, deliver, outbox
from tests.support.transport import FakeTransport


def test_nothing_arrives_before_it_is_due_and_each_arrives_once(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    assert deliver(dispatcher).sent == 0
    clock.now = FIRST_DUE
    assert deliver(dispatcher).sent == 1
    assert deliver(dispatcher).sent == 0
    [(message, key)] = platform.sent
    assert message.member == SAM and message.channel is None
    assert "note to Acme" in message.replies[0].text
    assert [o.label for o in message.replies[0].options] == [
        "Done",
        "They replied",
        "Tomorrow",
        "In 3 days",
        "Next week",
        "Another day",
        "Skip this one",
        "Log a win",
    ]
    assert key == "plan:1:send_note@2026-11-24T09:00" and outbox(core)["send_note"][0] == "sent"


def test_after_downtime_overdue_reminders_arrive_marked_late(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = datetime(2026, 11, 30, 12, 0)  # offline for days: two are overdue
    assert deliver(dispatcher).sent == 2
    assert all("This one is late" in message.replies[0].text for message, _ in platform.sent)
    with Session(core.engine) as session:
        assert all(
            row.late
            for row in session.scalars(select(Reminder).where(Reminder.sent_at.is_not(None)))
        )


def test_a_reminder_whose_dm_is_yet_to_be_opened_books_two_requests(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    """Opening the DM is a request of its own, which the bot's limit counts."""
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    with core.engine.begin() as db:
        remember_dm_channel(db, SAM, "D-sam")
    clock.now = datetime(2026, 11, 30, 12, 0)
    deliver(dispatcher)
    assert [message.requests for message, _ in platform.sent] == [2, 1]


def test_quiet_hours_hold_a_reminder_until_they_end(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    with core.engine.begin() as db:
        set_quiet_hours(Repository.open(db, SAM, clock.now), (time(8, 0), time(10, 30)))
    clock.now = FIRST_DUE
    assert deliver(dispatcher).waiting == 1 and platform.sent == []
    assert outbox(core)["send_note"] == ("pending", datetime(2026, 11, 24, 10, 30))
    clock.now = datetime(2026, 11, 24, 10, 30)
    assert deliver(dispatcher).sent == 1


def test_a_429_is_retried_after_its_wait_and_delivered_once(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    platform.too_many_requests(retry_after=45)
    assert deliver(dispatcher).retried == 1
    assert outbox(core)["send_note"] == ("pending", datetime(2026, 11, 24, 9, 0, 45))
    clock.advance(seconds=44)
    assert deliver(dispatcher).sent == 0
    clock.advance(seconds=1)
    assert deliver(dispatcher).sent == 1
    assert len(platform.sent) == 1 and platform.duplicates == 0


def test_a_platform_that_keeps_failing_ends_in_failed_with_its_error(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    for _ in range(MAX_ATTEMPTS):
        platform.fail_next.append(ConnectionError("HTTP 503 from the platform"))
        deliver(dispatcher)
        clock.advance(hours=2)
    assert outbox(core)["send_note"][0] == "failed"
    with Session(core.engine) as session:
        row = session.scalars(select(Reminder).where(Reminder.kind == "send_note")).one()
    assert row.last_error == "ConnectionError: HTTP 503 from the platform"
    assert row.attempts == MAX_ATTEMPTS


def test_an_undeliverable_reminder_fails_at_once_with_its_reason(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    platform.fail_next.append(Undeliverable("Bounceback was uninstalled from workspace T1"))
    assert deliver(dispatcher).failed == 1
    clock.advance(days=1)
    assert deliver(dispatcher).sent == 0 and platform.sent == []
    with Session(core.engine) as session:
        row = session.scalars(select(Reminder).where(Reminder.kind == "send_note")).one()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "Bounceback was uninstalled from workspace T1"


def test_a_member_who_left_is_not_written_to(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    chat.steps("/forget-me", "Yes, delete everything")
    clock.now = datetime(2027, 6, 1)
    assert deliver(dispatcher).sent == 0 and platform.sent == []


DST_CASES = [
    ("Europe/Berlin", date(2026, 3, 28), date(2026, 3, 30)),  # spring forward on the 29th
    ("Europe/Berlin", date(2026, 10, 24), date(2026, 10, 26)),  # fall back on the 25th
    ("America/New_York", date(2026, 3, 7), date(2026, 3, 9)),  # spring forward on the 8th
    ("America/New_York", date(2026, 10, 31), date(2026, 11, 2)),  # fall back on 1 Nov
]


@pytest.mark.parametrize(("zone", "before", "after"), DST_CASES)
def test_nine_local_stays_nine_local_across_a_clock_change(
    core, dispatcher, platform: FakeTransport, clock: FakeClock, zone, before, after
) -> None:
    clock.now = datetime.combine(before, time(0)) - timedelta(days=1)
    with core.engine.begin() as db:
        repo = Repository.open(db, SAM, clock.now)
        set_timezone(repo, zone)
        rejection = repo.rejections.add(
            company="Acme", stage="interview", heard_on=before, created_at=clock.now
        )
        plan = [
            PlannedReminder(kind, day, time(9, 0))
            for kind, day in (("send_note", before), ("second_ask", after))
        ]
        repo.reminders.add(reminder_rows(plan, rejection_id=rejection, zone=zone, now=clock.now))
    arrivals = []
    while clock.now < datetime.combine(after, time(0)) + timedelta(days=1):
        clock.advance(minutes=30)
        if deliver(dispatcher).sent:
            arrivals.append(clock.now.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)))
    assert [(moment.date(), moment.time()) for moment in arrivals] == [
        (before, time(9, 0)),
        (after, time(9, 0)),
    ]
    assert arrivals[0].utcoffset() != arrivals[1].utcoffset()
    assert len(platform.sent) == 2


def test_the_weekly_check_in_and_digest_reach_the_groups_channel(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=["U-sam"], now=clock.now)
        Groups(db, "slack", "T1").update(channel="C-group")
    chat.steps("/win Coffee with a former manager", "1", "Share with the group")
    posts = []
    for _ in range(8 * 24):  # a week, hour by hour: Mon 23 Nov 14:00 onwards
        clock.advance(hours=1)
        deliver(dispatcher)
        posts += [(clock.now, message) for message, _ in platform.sent[len(posts) :]]
    # sent side by side, the two at 09:00 arrive in either order
    assert sorted((when, message.channel or "") for when, message in posts) == [
        (datetime(2026, 11, 27, 16, 0), "C-group"),  # Friday's digest
        (datetime(2026, 11, 30, 9, 0), ""),  # Sam's own check-in, in their DM
        (datetime(2026, 11, 30, 9, 0), "C-group"),  # and Monday's check-in post
    ]
    digest = posts[0][1].replies[0]
    assert "Sam" in digest.text and digest.visibility is Visibility.GROUP


def test_a_busy_workspace_s_rows_wait_their_turn_and_those_too_far_off_are_handed_back(
    core, platform: FakeTransport, clock: FakeClock, monkeypatch
) -> None:
    """A workspace of 100 a second with a burst of 20, and turns booked up to 0.05 s
    ahead: 25 of the busy workspace's 30 rows go in this tick (five of them after a
    wait of at most 0.05 s), the quiet one's 3 beside them, and 5 wait in the outbox."""
    monkeypatch.setattr("scheduler.dispatcher.AHEAD", 0.05)
    seconds = FakeSeconds()
    workspace = Limit(rate=100, burst=20)
    limits = RateLimits({"slack": PlatformLimits(workspace=workspace)}, clock=seconds)
    limited = dispatcher_to(core, clock, platform, limits)
    due = [PlannedReminder("keep_in_touch", clock.now.date(), clock.now.time())]
    for workspace_id, members in (("T-busy", 30), ("T-quiet", 3)):
        for number in range(members):
            with core.engine.begin() as db:
                repo = Repository.open(db, Member("slack", workspace_id, f"U{number}"), clock.now)
                rejection = repo.rejections.add(
                    company="Acme", stage="interview", heard_on=clock.now, created_at=clock.now
                )
                repo.reminders.add(
                    reminder_rows(due, rejection_id=rejection, zone="UTC", now=clock.now)
                )
    first = deliver(limited)
    assert (first.sent, first.handed_back, first.waiting) == (28, 5, 0)
    busy = [message for message, _ in platform.sent if message.workspace == "T-busy"]
    assert len(busy) == workspace.burst + workspace.rate * 0.05
    assert deliver(limited).sent == 0  # the busy workspace's turns are all booked
    seconds.now += 1
    assert deliver(limited).sent == 5
    assert {status for status, _ in outbox_statuses(core)} == {"sent"}
    assert all(attempts == 1 for _, attempts in outbox_statuses(core))


class FakeSeconds:
    """The rate limiter's monotonic clock, moved by hand."""

    now = 0.0

    def __call__(self) -> float:
        return self.now


def outbox_statuses(core: Bounceback) -> list[tuple[str, int]]:
    with core.engine.connect() as db:
        return [tuple(row) for row in db.execute(select(Reminder.status, Reminder.attempts))]


class HeldTransport(FakeTransport):
    """Holds each send until the test lets it go: a send in flight at shutdown."""

    def __init__(self) -> None:
        super().__init__("slack")
        self.in_flight = asyncio.Event()
        self.go = asyncio.Event()

    async def send(self, message, *, key: str, resend: bool = False) -> None:
        self.in_flight.set()
        await self.go.wait()
        await super().send(message, key=key, resend=resend)


def members_with_reminders(core, clock: FakeClock, kinds_each: list[tuple[str, ...]]) -> None:
    """One member for each entry, with those reminders due now, a minute apart, and their
    DMs open already: each reminder is then one request."""
    for number, kinds in enumerate(kinds_each):
        with core.engine.begin() as db:
            member = Member("slack", "T1", f"U{number}")
            repo = Repository.open(db, member, clock.now)
            remember_dm_channel(db, member, f"D{number}")
            rejection = repo.rejections.add(
                company="Acme", stage="interview", heard_on=clock.now, created_at=clock.now
            )
            due = [
                PlannedReminder(kind, clock.now.date(), (clock.now - timedelta(minutes=m)).time())
                for m, kind in enumerate(kinds)
            ]
            repo.reminders.add(
                reminder_rows(due, rejection_id=rejection, zone="UTC", now=clock.now)
            )


def dispatcher_to(
    core,
    clock: FakeClock,
    platform: FakeTransport,
    limits: RateLimits | None = None,
    worker: str = "test-worker",
) -> Dispatcher:
    """A dispatcher sending to `platform` as Slack, with no limits unless given."""
    return Dispatcher(
        Outbox(core.engine, worker),
        Delivery(core.engine, core.playbook),
        {"slack": platform},
        limits or RateLimits.unlimited(),
        clock,
    )


def test_stopping_mid_send_records_the_sends_in_flight_and_hands_back_the_rest_untried(
    core, clock: FakeClock
) -> None:
    """Three members' first reminders are in flight together; the first member's second
    one waits for its first, so it has not started when the worker stops."""
    members_with_reminders(
        core, clock, [("keep_in_touch", "reconnect"), ("keep_in_touch",), ("keep_in_touch",)]
    )
    platform = HeldTransport()
    dispatcher = dispatcher_to(core, clock, platform)

    async def shutdown_mid_send() -> tuple[Tally, int]:
        ticking = asyncio.create_task(dispatcher.tick())
        await platform.in_flight.wait()
        stopping = asyncio.create_task(dispatcher.stop())
        await asyncio.sleep(0)  # stop waits for the sends in flight ...
        assert not stopping.done()
        platform.go.set()  # ... which the platform now takes
        return await ticking, await stopping

    tally, handed_back = asyncio.run(shutdown_mid_send())
    assert (tally.sent, handed_back, len(platform.sent)) == (3, 1, 3)
    # Recorded as sent, not handed back as never tried (which would resend them unchecked).
    assert sorted(outbox_statuses(core)) == [("pending", 0), ("sent", 1), ("sent", 1), ("sent", 1)]
    assert asyncio.run(dispatcher.tick()).sent == 0  # stopped: it claims nothing more


def test_a_tick_leaves_the_event_loop_free_while_it_works_the_database(
    chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock, monkeypatch
) -> None:
    """The loop also serves the platforms: a backlog must not hold Slack's acks back.
    Preparing waits for a callback the loop can only run if the tick is not on it."""
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    loop_ran = threading.Event()
    prepare = dispatcher.delivery.prepare

    def prepare_once_the_loop_ran(row, now):
        assert loop_ran.wait(timeout=30), "the tick held the event loop"
        return prepare(row, now)

    monkeypatch.setattr(dispatcher.delivery, "prepare", prepare_once_the_loop_ran)

    async def scenario() -> Tally:
        asyncio.get_running_loop().call_soon(loop_ran.set)
        return await dispatcher.tick()

    assert asyncio.run(scenario()).sent == 1
    assert len(platform.sent) == 1


class CountingTransport(FakeTransport):
    """Holds each send until `together` are in flight, as a platform that takes a while
    to answer would hold them (or, if they never are, until a deadline): the most it
    held at once is `most`."""

    def __init__(self, together: int) -> None:
        super().__init__("slack")
        self.together = together
        self.in_flight = 0
        self.most = 0
        self.all_in = asyncio.Event()

    async def send(self, message, *, key: str, resend: bool = False) -> None:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        if self.in_flight == self.together:
            self.all_in.set()
        try:
            await asyncio.wait_for(self.all_in.wait(), timeout=10)
        except TimeoutError:
            self.all_in.set()  # they never came together: let the rest through
        self.in_flight -= 1
        await super().send(message, key=key, resend=resend)


def test_the_members_reminders_go_out_side_by_side_and_each_member_s_in_order(
    core, clock: FakeClock
) -> None:
    members_with_reminders(core, clock, [("keep_in_touch", "reconnect"), ("keep_in_touch",)] * 3)
    platform = CountingTransport(together=6)
    dispatcher = dispatcher_to(core, clock, platform)
    assert asyncio.run(dispatcher.tick()).sent == 9
    assert platform.most == 6  # one send of each member at a time, all members at once
    with Session(core.engine) as session:
        rows = {
            f"{r.idempotency_key}@{r.local_due:%Y-%m-%dT%H:%M}": (r.member_id, r.due_at)
            for r in session.scalars(select(Reminder))
        }
    sent = [rows[key] for key in platform.keys]
    for member in {member for member, _ in sent}:
        dues = [due for who, due in sent if who == member]
        assert dues == sorted(dues)
    assert sorted(len([1 for who, _ in sent if who == m]) for m in {w for w, _ in sent}) == [
        *[1] * 3,
        *[2] * 3,
    ]


class FirstSendTransport(FakeTransport):
    """Says when the first message has gone."""

    def __init__(self) -> None:
        super().__init__("slack")
        self.first = asyncio.Event()

    async def send(self, message, *, key: str, resend: bool = False) -> None:
        await super().send(message, key=key, resend=resend)
        self.first.set()


def test_rows_waiting_for_their_turn_at_shutdown_are_handed_back_unsent(
    core, clock: FakeClock
) -> None:
    """One send a second: the first member's reminder goes, the next two wait a second
    and two for their turns, and the worker stops meanwhile: they are handed back at
    once, not sent and not held until their turn."""
    members_with_reminders(core, clock, [("keep_in_touch",)] * 3)
    platform = FirstSendTransport()
    one_a_second = RateLimits({"slack": PlatformLimits(platform=Limit(rate=1, burst=1))})
    dispatcher = dispatcher_to(core, clock, platform, one_a_second)

    async def stop_while_they_wait() -> tuple[Tally, int]:
        ticking = asyncio.create_task(dispatcher.tick())
        await platform.first.wait()
        handed_back = await dispatcher.stop()
        return await ticking, handed_back

    tally, handed_back = asyncio.run(stop_while_they_wait())
    assert (tally.sent, handed_back, len(platform.sent)) == (1, 2, 1)
    assert sorted(outbox_statuses(core)) == [("pending", 0), ("pending", 0), ("sent", 1)]


class OneMemberLimited(FakeTransport):
    """Answers one member's message with a 429, as a platform whose limit that message
    met would, and takes the rest."""

    def __init__(self, user: str) -> None:
        super().__init__("slack")
        self.user = user

    async def send(self, message, *, key: str, resend: bool = False) -> None:
        if message.member.user == self.user:
            raise RateLimited(30)
        await super().send(message, key=key, resend=resend)


def test_a_429_mid_burst_defers_only_the_row_it_answered(core, clock: FakeClock) -> None:
    members_with_reminders(core, clock, [("keep_in_touch",)] * 4)
    platform = OneMemberLimited("U2")
    tally = deliver(dispatcher_to(core, clock, platform))
    assert (tally.sent, tally.retried) == (3, 1)
    assert sorted(message.member.user for message, _ in platform.sent) == ["U0", "U1", "U3"]
    with core.engine.connect() as db:
        due = db.execute(select(Reminder.status, Reminder.due_at)).all()
    assert sorted(status for status, _ in due) == ["pending", "sent", "sent", "sent"]
    assert [at for status, at in due if status == "pending"] == [clock.now + timedelta(seconds=30)]
    assert sorted(outbox_statuses(core))[0] == ("pending", 0)  # a 429 is no failed attempt


class TwoAtOnce(FakeTransport):
    """Holds the first send until a second is in flight, then answers both."""

    def __init__(self) -> None:
        super().__init__("slack")
        self.first = asyncio.Event()
        self.both = asyncio.Event()

    async def send(self, message, *, key: str, resend: bool = False) -> None:
        (self.both if self.first.is_set() else self.first).set()
        await self.both.wait()
        await super().send(message, key=key, resend=resend)


def test_a_lease_that_expires_while_its_send_is_in_flight_is_not_shown_twice(
    core, clock: FakeClock
) -> None:
    """Worker A's send hangs past its lease; worker B takes the row and sends it again,
    under the same key: the member sees it once, and A's late answer records nothing."""
    members_with_reminders(core, clock, [("keep_in_touch",)])
    platform = TwoAtOnce()
    first, second = (
        dispatcher_to(core, clock, platform, worker=worker) for worker in ("worker-a", "worker-b")
    )

    async def expire_mid_send() -> tuple[Tally, Tally]:
        hanging = asyncio.create_task(first.tick())
        await platform.first.wait()
        clock.advance(seconds=LEASE.total_seconds() + 1)
        taken_over = await second.tick()  # its send lets both through
        return await hanging, taken_over

    late, taken_over = asyncio.run(expire_mid_send())
    assert (late.fenced, taken_over.sent) == (1, 1)
    assert len(platform.sent) == 1 and platform.duplicates == 1
    assert outbox_statuses(core) == [("sent", 2)]


class LoggedTransport(FakeTransport):
    """Holds each send until `go`, and logs when each arrives and is answered."""

    def __init__(self) -> None:
        super().__init__("slack")
        self.go = asyncio.Event()
        self.log: list[tuple[str, str]] = []

    async def send(self, message, *, key: str, resend: bool = False) -> None:
        self.log.append(("arrived", key))
        await self.go.wait()
        await super().send(message, key=key, resend=resend)
        self.log.append(("answered", key))


def test_a_member_s_row_of_a_later_claim_waits_for_their_row_still_in_flight(
    core, clock: FakeClock
) -> None:
    """Claims follow each other while sends are answered: the member's second reminder,
    claimed next, is not sent beside the first, which the platform has not answered."""
    members_with_reminders(core, clock, [("keep_in_touch", "reconnect")])
    platform = LoggedTransport()
    dispatcher = dispatcher_to(core, clock, platform)

    async def two_claims() -> None:
        await dispatcher.start(batch=1)
        await dispatcher.start(batch=2)  # one held already: room for one more
        for _ in range(20):  # the loop's turns, for a second send that should not come
            await asyncio.sleep(0)
        assert [event for event, _ in platform.log] == ["arrived"]
        platform.go.set()
        await dispatcher.settled()

    asyncio.run(two_claims())
    first, second = (key for event, key in platform.log if event == "arrived")
    assert [event for event, _ in platform.log] == ["arrived", "answered"] * 2
    assert first.startswith("plan:1:reconnect") and second.startswith("plan:1:keep_in_touch")
    assert sorted(outbox_statuses(core)) == [("sent", 1), ("sent", 1)]


def test_claims_stop_at_the_batch_while_its_rows_await_their_answers(
    core, clock: FakeClock
) -> None:
    """With no rate limit to pace them, the rows in memory are what bounds a claim: a
    slow platform must not draw the whole outbox under leases."""
    members_with_reminders(core, clock, [("keep_in_touch",)] * 3)
    platform = LoggedTransport()
    dispatcher = dispatcher_to(core, clock, platform)

    async def claims() -> list[bool]:
        first = await dispatcher.start(batch=2)
        second = await dispatcher.start(batch=2)
        platform.go.set()
        await dispatcher.settled()
        third = await dispatcher.start(batch=2)
        await dispatcher.settled()
        return [first.full, second.full, third.full]

    assert asyncio.run(claims()) == [True, False, False]
    assert sorted(outbox_statuses(core)) == [("sent", 1)] * 3
