"""Rejections and wins on SQLite and PostgreSQL: each member sees only their own."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from bot.conversation.events import Member
from bot.store.rejections import RejectionRecord, WinRecord
from bot.store.repository import Repository

NOW = datetime(2026, 11, 23, 12, 0)
SAM = Member("slack", "T1", "U1", "Sam")
SAM_ELSEWHERE = Member("slack", "T2", "U1", "Sam")


def add_rejection(repo: Repository, company: str, heard_on: date = date(2026, 11, 20)) -> int:
    return repo.rejections.add(
        company=company, stage="interview", heard_on=heard_on, created_at=NOW
    )


def test_a_member_never_sees_another_tenants_rows(engine) -> None:
    with engine.begin() as db:
        theirs = Repository.open(db, SAM_ELSEWHERE, NOW)
        their_rejection = add_rejection(theirs, "Initech")
        theirs.wins.add(kind="offer", created_at=NOW)
        mine = Repository.open(db, SAM, NOW)
        add_rejection(mine, "Acme")
    with engine.begin() as db:
        mine = Repository.open(db, SAM, NOW)
        assert [r.company for r in mine.rejections.newest()] == ["Acme"]
        assert mine.rejections.get(their_rejection) is None
        assert not mine.rejections.update(their_rejection, company="Mine now")
        assert mine.wins.newest() == []
        assert mine.rejections.count() == 1
        assert mine.tally().wins == 0
    with engine.begin() as db:
        assert Repository.open(db, SAM_ELSEWHERE, NOW).rejections.get(their_rejection).company == (
            "Initech"
        )


def test_rejections_come_newest_first_as_records_with_the_tables_defaults(engine) -> None:
    with engine.begin() as db:
        repo = Repository.open(db, SAM, NOW)
        older = add_rejection(repo, "Acme", date(2026, 11, 1))
        newer = add_rejection(repo, "Globex", date(2026, 11, 20))
        assert repo.rejections.update(older, feedback="More SQL, please")
        found = repo.rejections.newest()
        assert [r.id for r in found] == [newer, older]
        assert [r.id for r in repo.rejections.newest(limit=1)] == [newer]
    assert all(isinstance(r, RejectionRecord) for r in found)
    assert (found[0].role, found[0].opening_shared, found[0].feedback_at) == ("", False, None)
    assert found[1].feedback == "More SQL, please"
    assert dataclasses.is_dataclass(found[0]) and type(found[0]).__dataclass_params__.frozen


def test_wins_are_counted_and_quoted_newest_first(engine) -> None:
    with engine.begin() as db:
        repo = Repository.open(db, SAM, NOW)
        repo.wins.add(kind="coffee_chat", description="with Jane", created_at=NOW)
        repo.wins.add(kind="offer", shared=True, created_at=NOW.replace(hour=13))
        assert repo.wins.counts() == (2, 1)
        assert repo.wins.recent(1) == [("offer", "")]
        wins = repo.wins.newest()
    assert all(isinstance(w, WinRecord) for w in wins)
    assert [w.kind for w in wins] == ["offer", "coffee_chat"]
