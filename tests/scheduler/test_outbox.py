"""The outbox on SQLite and PostgreSQL: leases, fencing, backoff, and nothing lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, create_engine, insert, select

from bot.conversation.events import Member
from bot.store.models import Reminder
from bot.store.reminders import WEEKLY_CHECKIN, lane_of
from bot.store.repository import Repository
from scheduler.outbox import FAILED, MAX_ATTEMPTS, PENDING, SENT, Outbox

NOW = datetime(2026, 11, 23, 9, 0)
SAM = Member("slack", "T1", "U1", "Sam")
# Every shortcut off, so PostgreSQL must plan a claim's lock-and-limit as the inner side
# of a nested loop, where it may run once per outer row (PostgreSQL's bug #15715).
NESTED_LOOPS_ONLY = " ".join(
    f"-c enable_{plan}=off" for plan in ("hashagg", "hashjoin", "mergejoin", "material", "sort")
)


def add_due(
    engine: Engine,
    count: int,
    *,
    due: datetime = NOW,
    platform: str = "slack",
    kind: str = "keep_in_touch",
) -> None:
    with engine.begin() as db:
        member = Repository.open(db, Member(platform, "T1", "U1", "Sam"), NOW).member
        db.execute(
            insert(Reminder),
            [
                {
                    "platform": platform,
                    "workspace": "T1",
                    "member_id": member.id,
                    "kind": kind,
                    "lane": lane_of(kind),
                    "due_at": due,
                    "local_due": due,
                    "zone": "UTC",
                    "idempotency_key": f"test:{platform}:{kind}:{due:%s}:{number}",
                    "created_at": NOW,
                }
                for number in range(count)
            ],
        )


def statuses(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as db:
        return [tuple(row) for row in db.execute(select(Reminder.status, Reminder.attempts))]


def test_due_rows_are_claimed_once_and_future_ones_wait(engine) -> None:
    add_due(engine, 3)
    add_due(engine, 2, due=NOW + timedelta(minutes=1))
    worker = Outbox(engine, "w1")
    claimed = worker.claim(NOW, limit=10)
    assert len(claimed) == 3 and all(row.attempts == 1 for row in claimed)
    assert worker.claim(NOW, limit=10) == []
    assert len(Outbox(engine, "w2").claim(NOW + timedelta(minutes=1), limit=10)) == 2


def test_two_workers_split_the_due_rows_without_overlap(engine) -> None:
    add_due(engine, 10)
    first = Outbox(engine, "w1").claim(NOW, limit=6)
    second = Outbox(engine, "w2").claim(NOW, limit=6)
    assert len(first) == 6 and len(second) == 4
    assert not {row.id for row in first} & {row.id for row in second}


def test_a_claim_takes_no_more_than_its_limit_whatever_plan_the_database_picks(engine) -> None:
    add_due(engine, 200)
    claiming = engine
    if engine.dialect.name == "postgresql":
        claiming = create_engine(engine.url, connect_args={"options": NESTED_LOOPS_ONLY})
    try:
        assert len(Outbox(claiming, "w1").claim(NOW, limit=40)) == 40
    finally:
        if claiming is not engine:
            claiming.dispose()


def test_a_claim_can_be_limited_to_one_platform(engine) -> None:
    add_due(engine, 2)
    add_due(engine, 3, platform="discord")
    claimed = Outbox(engine, "w1").claim(NOW, limit=10, platform="discord")
    assert [row.platform for row in claimed] == ["discord"] * 3


def test_an_expired_lease_is_reclaimed_and_the_old_owner_is_fenced_out(engine) -> None:
    add_due(engine, 1)
    slow = Outbox(engine, "slow")
    [held] = slow.claim(NOW, limit=1)
    assert Outbox(engine, "other").claim(NOW + timedelta(minutes=1), limit=1) == []
    later = NOW + slow.lease + timedelta(seconds=1)
    fresh = Outbox(engine, "fresh")
    [reclaimed] = fresh.claim(later, limit=1)
    assert reclaimed.id == held.id and reclaimed.attempts == 2
    with engine.begin() as db:
        assert not slow.sent(db, held, later, late=False)
        assert fresh.sent(db, reclaimed, later, late=False)
    assert statuses(engine) == [(SENT, 2)]


def test_a_failed_send_backs_off_doubling_its_wait(engine) -> None:
    add_due(engine, 1)
    worker = Outbox(engine, "w1")
    [row] = worker.claim(NOW, limit=1)
    assert worker.retry(row, NOW, "HTTP 500") == PENDING
    assert worker.claim(NOW + timedelta(seconds=29), limit=1) == []
    [again] = worker.claim(NOW + timedelta(seconds=30), limit=1)
    assert again.attempts == 2
    assert worker.retry(again, NOW, "HTTP 500") == PENDING
    assert worker.claim(NOW + timedelta(seconds=59), limit=1) == []  # 30 s, doubled


def test_after_the_last_attempt_the_row_fails_with_its_error(engine) -> None:
    add_due(engine, 1)
    worker = Outbox(engine, "w1")
    when = NOW
    for _ in range(MAX_ATTEMPTS):
        [row] = worker.claim(when, limit=1)
        status = worker.retry(row, when, "HTTP 500: upstream unavailable")
        when += timedelta(days=1)
    assert status == FAILED
    assert worker.claim(when, limit=1) == []
    with engine.connect() as db:
        assert db.scalar(select(Reminder.last_error)) == "HTTP 500: upstream unavailable"


def test_deferring_for_quiet_hours_is_not_an_attempt(engine) -> None:
    add_due(engine, 1)
    worker = Outbox(engine, "w1")
    [row] = worker.claim(NOW, limit=1)
    worker.defer(row, NOW + timedelta(hours=8))
    assert statuses(engine) == [(PENDING, 0)]
    assert worker.claim(NOW + timedelta(hours=7), limit=1) == []
    assert len(worker.claim(NOW + timedelta(hours=8), limit=1)) == 1


def test_shutting_down_hands_back_every_lease(engine) -> None:
    add_due(engine, 3)
    worker = Outbox(engine, "w1")
    worker.claim(NOW, limit=3)
    assert worker.release_all() == 3
    assert len(Outbox(engine, "w2").claim(NOW, limit=5)) == 3


def test_rows_handed_back_are_pending_as_they_were_and_claimed_first(engine) -> None:
    add_due(engine, 3)
    add_due(engine, 1, due=NOW + timedelta(minutes=1))
    worker = Outbox(engine, "w1")
    _kept, *rest = worker.claim(NOW, limit=3)
    assert Outbox(engine, "w2").hand_back(rest) == 0  # only the lease holder may
    assert worker.hand_back(rest) == 2
    assert sorted(statuses(engine)) == [(PENDING, 0), (PENDING, 0), (PENDING, 0), ("sending", 1)]
    again = worker.claim(NOW + timedelta(minutes=1), limit=2)
    assert [row.id for row in again] == [row.id for row in rest]
    assert worker.hand_back([]) == 0


def test_weekly_check_ins_are_claimed_after_the_follow_ups_due_with_them(engine) -> None:
    add_due(engine, 3, kind=WEEKLY_CHECKIN)  # due first
    add_due(engine, 2, due=NOW + timedelta(minutes=5))
    worker = Outbox(engine, "w1")
    later = NOW + timedelta(minutes=10)
    assert [row.kind for row in worker.claim(later, limit=3)] == [
        "keep_in_touch",
        "keep_in_touch",
        WEEKLY_CHECKIN,
    ]
    assert [row.kind for row in worker.claim(later, limit=3)] == [WEEKLY_CHECKIN] * 2
