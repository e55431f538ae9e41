"""The store on SQLite and PostgreSQL: tenant isolation and the member's data."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from bot.conversation.events import Member
from bot.store.repository import CrossedAnswers, Repository

NOW = datetime(2026, 11, 23, 12, 0)
SAM_SLACK = Member("slack", "T1", "U1", "Sam")
SAM_OTHER_WORKSPACE = Member("slack", "T2", "U1", "Sam")
SAM_DISCORD = Member("discord", "T1", "U1", "Sam")


def add_rejection(repo: Repository, company: str) -> int:
    return repo.add_rejection(
        company=company, stage="interview", heard_on=date(2026, 11, 20), created_at=NOW
    )


def test_the_same_user_id_in_another_tenant_is_another_member(engine) -> None:
    with engine.begin() as db:
        ids = {
            who: Repository.open(db, who, NOW).member.id
            for who in (SAM_SLACK, SAM_OTHER_WORKSPACE, SAM_DISCORD)
        }
        again = Repository.open(db, SAM_SLACK, NOW).member.id
    assert len(set(ids.values())) == 3
    assert again == ids[SAM_SLACK]


def test_a_member_never_sees_another_tenants_rows(engine) -> None:
    with engine.begin() as db:
        theirs = Repository.open(db, SAM_OTHER_WORKSPACE, NOW)
        their_rejection = add_rejection(theirs, "Initech")
        theirs.add_win(kind="offer", created_at=NOW)
        mine = Repository.open(db, SAM_SLACK, NOW)
        add_rejection(mine, "Acme")
    with engine.begin() as db:
        mine = Repository.open(db, SAM_SLACK, NOW)
        assert [r.company for r in mine.rejections()] == ["Acme"]
        assert mine.rejection(their_rejection) is None
        assert mine.wins() == []
        assert mine.rejection_count() == 1
        assert mine.tally().wins == 0


def test_reminder_keys_are_unique_so_a_replayed_plan_saves_nothing_twice(engine) -> None:
    row = {
        "kind": "send_note",
        "due_at": NOW,
        "local_due": NOW,
        "zone": "UTC",
        "idempotency_key": "plan:1:send_note",
        "created_at": NOW,
    }
    with engine.begin() as db:
        repo = Repository.open(db, SAM_SLACK, NOW)
        row["rejection_id"] = add_rejection(repo, "Acme")
        repo.add_reminders([row])
    with pytest.raises(IntegrityError), engine.begin() as db:
        Repository.open(db, SAM_SLACK, NOW).add_reminders([row])


def test_closing_a_reminder_is_fenced_on_its_status(engine) -> None:
    with engine.begin() as db:
        repo = Repository.open(db, SAM_SLACK, NOW)
        rejection_id = add_rejection(repo, "Acme")
        repo.add_reminders(
            [
                {
                    "kind": "send_note",
                    "due_at": NOW,
                    "local_due": NOW,
                    "zone": "UTC",
                    "idempotency_key": "k1",
                    "created_at": NOW,
                    "rejection_id": rejection_id,
                }
            ]
        )
    with engine.begin() as db:
        repo = Repository.open(db, SAM_SLACK, NOW)
        [reminder] = repo.open_reminders()
        assert repo.close_reminder(reminder.id, "done", NOW)
        assert not repo.close_reminder(reminder.id, "cancelled", NOW)
        assert repo.tally().followups_done == 1


def test_a_place_round_trips_with_unicode(engine) -> None:
    data = {"company": "Zürich Ärzte 🙂", "plan": [{"kind": "reconnect", "day": "2027-02-20"}]}
    with engine.begin() as db:
        Repository.open(db, SAM_SLACK, NOW).save_place("rejected", "mood", data, NOW)
    with engine.begin() as db:
        place = Repository.open(db, SAM_SLACK, NOW).place
    assert place is not None and (place.step, place.data, place.version) == ("mood", data, 1)


def test_a_place_changed_by_someone_else_is_not_overwritten(engine) -> None:
    with engine.begin() as db:
        Repository.open(db, SAM_SLACK, NOW).save_place("rejected", "mood", {}, NOW)
    with engine.connect() as second:
        slow = Repository.open(second, SAM_SLACK, NOW)  # reads version 1
        with engine.begin() as first:
            Repository.open(first, SAM_SLACK, NOW).save_place("rejected", "stage", {"a": 1}, NOW)
        with pytest.raises(CrossedAnswers):
            slow.save_place("rejected", "facts", {"b": 2}, NOW)
    with engine.begin() as db:
        place = Repository.open(db, SAM_SLACK, NOW).place
    assert place is not None and (place.step, place.version) == ("stage", 2)


@pytest.mark.parametrize("members_move", ["starts a dialogue", "answers"])
def test_an_offered_place_yields_to_the_member_and_the_transaction_goes_on(
    engine, members_move
) -> None:
    if members_move == "answers":
        with engine.begin() as db:
            Repository.open(db, SAM_SLACK, NOW).save_place("reminder", "action", {}, NOW)
    else:
        with engine.begin() as db:
            Repository.open(db, SAM_SLACK, NOW)
    with engine.begin() as scheduler:
        late = Repository.open(scheduler, SAM_SLACK, NOW)
        with engine.begin() as member:
            Repository.open(member, SAM_SLACK, NOW).save_place("win", "kind", {"a": 1}, NOW)
        assert late.offer_place("reminder", "action", {"reminder_id": 7}, NOW) is False
        assert late.add_win(kind="offer", created_at=NOW)  # still a working transaction
    with engine.begin() as db:
        repo = Repository.open(db, SAM_SLACK, NOW)
        assert len(repo.recent_wins(5)) == 1
    assert repo.place is not None and (repo.place.dialogue, repo.place.data) == ("win", {"a": 1})


def test_an_offered_place_is_saved_when_nothing_crossed_it(engine) -> None:
    with engine.begin() as db:
        assert Repository.open(db, SAM_SLACK, NOW).offer_place("reminder", "action", {}, NOW)
        assert Repository.open(db, SAM_SLACK, NOW).offer_place("reminder", "pause", {}, NOW)
    with engine.begin() as db:
        place = Repository.open(db, SAM_SLACK, NOW).place
    assert place is not None and (place.step, place.version) == ("pause", 2)
