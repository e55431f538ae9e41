"""A member's follow-ups on SQLite and PostgreSQL: fenced on their status and tenant."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.conversation.events import Member
from bot.store.models import Reminder, ReminderStatus
from bot.store.reminders import ReminderRecord, failed_reminders, retry_failed_reminders
from bot.store.repository import Repository

NOW = datetime(2026, 11, 23, 12, 0)
SAM = Member("slack", "T1", "U1", "Sam")


def plan(repo: Repository, *keys: str) -> list[ReminderRecord]:
    rejection = repo.rejections.add(
        company="Acme", stage="interview", heard_on=date(2026, 11, 20), created_at=NOW
    )
    repo.reminders.add(
        {
            "kind": "send_note",
            "due_at": NOW + timedelta(days=number),
            "local_due": NOW + timedelta(days=number),
            "zone": "UTC",
            "idempotency_key": key,
            "created_at": NOW,
            "rejection_id": rejection,
        }
        for number, key in enumerate(keys)
    )
    return repo.reminders.open()


def test_reminder_keys_are_unique_so_a_replayed_plan_saves_nothing_twice(engine) -> None:
    with engine.begin() as db:
        plan(Repository.open(db, SAM, NOW), "plan:1:send_note")
    with pytest.raises(IntegrityError), engine.begin() as db:
        plan(Repository.open(db, SAM, NOW), "plan:1:send_note")


def test_a_new_reminder_is_pending_by_the_tables_default(engine) -> None:
    with engine.begin() as db:
        [reminder] = plan(Repository.open(db, SAM, NOW), "k1")
    assert reminder.status is ReminderStatus.PENDING
    assert (reminder.attempts, reminder.late, reminder.last_error) == (0, False, "")


def test_closing_a_reminder_is_fenced_on_its_status(engine) -> None:
    with engine.begin() as db:
        plan(Repository.open(db, SAM, NOW), "k1")
    with engine.begin() as db:
        repo = Repository.open(db, SAM, NOW)
        [reminder] = repo.reminders.open()
        assert repo.reminders.close(reminder.id, ReminderStatus.DONE, NOW)
        assert not repo.reminders.close(reminder.id, ReminderStatus.CANCELLED, NOW)
        assert not repo.reminders.snooze(reminder.id, NOW, NOW)
        assert repo.reminders.open() == []
        assert repo.reminders.get(reminder.id).status is ReminderStatus.DONE
        assert repo.tally().followups_done == 1


def test_another_member_cannot_close_or_read_them(engine) -> None:
    with engine.begin() as db:
        [reminder] = plan(Repository.open(db, SAM, NOW), "k1")
        ana = Repository.open(db, Member("slack", "T1", "U2", "Ana"), NOW)
        assert ana.reminders.get(reminder.id) is None
        assert not ana.reminders.close(reminder.id, ReminderStatus.DONE, NOW)
        assert ana.reminders.every() == []


def test_moving_zone_retimes_only_the_waiting_ones(engine) -> None:
    with engine.begin() as db:
        repo = Repository.open(db, SAM, NOW)
        first, second = plan(repo, "k1", "k2")
        repo.reminders.close(first.id, ReminderStatus.SKIPPED, NOW)
        assert repo.reminders.waiting_times() == [(second.id, second.local_due)]
        later = second.due_at + timedelta(hours=9)
        repo.reminders.retime({second.id: later, first.id: later}, "Asia/Tokyo")
        moved = {r.id: r for r in repo.reminders.every()}
    assert (moved[second.id].due_at, moved[second.id].zone) == (later, "Asia/Tokyo")
    assert (moved[first.id].due_at, moved[first.id].zone) == (first.due_at, "UTC")


def test_failed_reminders_are_listed_and_queued_again_with_their_attempts_reset(engine) -> None:
    with engine.begin() as db:
        first, _ = plan(Repository.open(db, SAM, NOW), "k1", "k2")
        failed = update(Reminder).where(Reminder.id == first.id)
        db.execute(failed.values(status=ReminderStatus.FAILED, attempts=8))
    with engine.begin() as db:
        assert [r.id for r in failed_reminders(db)] == [first.id]
        assert retry_failed_reminders(db) == 1
        assert failed_reminders(db) == []
        again = Repository.open(db, SAM, NOW).reminders.get(first.id)
    assert (again.status, again.attempts) == (ReminderStatus.PENDING, 0)
