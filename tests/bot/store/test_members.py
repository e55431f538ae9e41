"""A member and their place on SQLite and PostgreSQL: one member per tenant, fenced places."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from bot.conversation.events import Member
from bot.store.members import (
    CrossedAnswers,
    Profile,
    Roster,
    dm_channel,
    forget_dm_channel,
    remember_dm_channel,
    workspace_of,
)
from bot.store.repository import Repository

NOW = datetime(2026, 11, 23, 12, 0)
SAM_SLACK = Member("slack", "T1", "U1", "Sam")
SAM_OTHER_WORKSPACE = Member("slack", "T2", "U1", "Sam")
SAM_DISCORD = Member("discord", "T1", "U1", "Sam")


def test_the_same_user_id_in_another_tenant_is_another_member(engine) -> None:
    with engine.begin() as db:
        ids = {
            who: Repository.open(db, who, NOW).member.id
            for who in (SAM_SLACK, SAM_OTHER_WORKSPACE, SAM_DISCORD)
        }
        again = Repository.open(db, SAM_SLACK, NOW).member.id
    assert len(set(ids.values())) == 3
    assert again == ids[SAM_SLACK]


def test_a_new_member_gets_the_tables_defaults_and_a_record_not_a_row(engine) -> None:
    with engine.begin() as db:
        member = Repository.open(db, SAM_SLACK, NOW, timezone="Europe/Berlin").member
    assert isinstance(member, Profile)
    assert (member.timezone, member.timezone_chosen, member.unanswered) == (
        "Europe/Berlin",
        False,
        0,
    )
    with pytest.raises(AttributeError):
        member.timezone = "UTC"  # type: ignore[misc]


def test_a_change_is_saved_and_seen_by_the_turn_that_made_it(engine) -> None:
    with engine.begin() as db:
        repo = Repository.open(db, SAM_SLACK, NOW)
        repo.change(timezone="Asia/Tokyo", timezone_chosen=True)
        assert repo.member.timezone == "Asia/Tokyo"
        Repository.open(db, SAM_OTHER_WORKSPACE, NOW)
    with engine.begin() as db:
        assert Repository.open(db, SAM_SLACK, NOW).member.timezone == "Asia/Tokyo"
        assert Repository.open(db, SAM_OTHER_WORKSPACE, NOW).member.timezone == "UTC"


def test_every_statement_of_a_turn_shows_in_the_engines_log(engine, caplog) -> None:
    """The member read and the place writes go through SQLAlchemy's execution like any
    other statement, so `echo` shows them."""
    with engine.begin() as db:
        Repository.open(db, SAM_SLACK, NOW).save_place("rejected", "mood", {}, NOW)
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"), engine.begin() as db:
        repo = Repository.open(db, SAM_SLACK, NOW)
        repo.save_place("rejected", "stage", {"a": 1}, NOW)
        repo.end_place()
    logged = " ".join(record.getMessage() for record in caplog.records).lower()
    assert "from members left outer join conversations" in logged
    assert "update conversations" in logged
    assert "delete from conversations" in logged


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
        assert late.wins.add(kind="offer", created_at=NOW)  # still a working transaction
    with engine.begin() as db:
        repo = Repository.open(db, SAM_SLACK, NOW)
        assert len(repo.wins.recent(5)) == 1
    assert repo.place is not None and (repo.place.dialogue, repo.place.data) == ("win", {"a": 1})


def test_an_offered_place_is_saved_when_nothing_crossed_it(engine) -> None:
    with engine.begin() as db:
        assert Repository.open(db, SAM_SLACK, NOW).offer_place("reminder", "action", {}, NOW)
        assert Repository.open(db, SAM_SLACK, NOW).offer_place("reminder", "pause", {}, NOW)
    with engine.begin() as db:
        place = Repository.open(db, SAM_SLACK, NOW).place
    assert place is not None and (place.step, place.version) == ("pause", 2)


def test_a_roster_knows_only_its_own_tenants_members(engine) -> None:
    with engine.begin() as db:
        Repository.open(db, SAM_SLACK, NOW)
        Repository.open(db, Member("slack", "T1", "U2", "sam"), NOW)
        Repository.open(db, Member("slack", "T2", "U3", "Ana"), NOW)
        roster = Roster(db, "slack", "T1")
        assert roster.knows("U1") and not roster.knows("U3")
        assert roster.names(["U1", "U3"]) == {"U1": "Sam"}
        assert sorted(roster.named("SAM", most=2)) == ["U1", "U2"]
        assert roster.named("Ana", most=2) == []


def test_a_dm_belongs_to_the_workspace_of_the_open_dialogue_else_the_newest(engine) -> None:
    with engine.begin() as db:
        Repository.open(db, Member("discord", "G1", "U1"), NOW)
        Repository.open(db, Member("discord", "G2", "U1"), NOW.replace(hour=13))
        assert workspace_of(db, "discord", "U1") == "G2"
        Repository.open(db, Member("discord", "G1", "U1"), NOW).save_place("win", "kind", {}, NOW)
        assert workspace_of(db, "discord", "U1") == "G1"
        assert workspace_of(db, "discord", "U9") is None


def test_a_dm_channel_is_remembered_per_member_and_forgotten_only_if_still_the_same(
    engine,
) -> None:
    stranger = Member("slack", "T1", "U9")
    with engine.begin() as db:
        for who in (SAM_SLACK, SAM_OTHER_WORKSPACE):
            Repository.open(db, who, NOW)
        assert dm_channel(db, SAM_SLACK) is None
        remember_dm_channel(db, SAM_SLACK, "D1")
        remember_dm_channel(db, stranger, "D9")  # not a member: no row to keep it in
        assert [dm_channel(db, who) for who in (SAM_SLACK, SAM_OTHER_WORKSPACE, stranger)] == [
            "D1",
            None,
            None,
        ]
        forget_dm_channel(db, SAM_SLACK, "D0")  # refused, but another one is kept since
        assert dm_channel(db, SAM_SLACK) == "D1"
        forget_dm_channel(db, SAM_SLACK, "D1")
        assert dm_channel(db, SAM_SLACK) is None


def test_a_members_dm_channel_is_in_their_record_and_deleted_with_them(engine) -> None:
    with engine.begin() as db:
        Repository.open(db, SAM_SLACK, NOW)
        remember_dm_channel(db, SAM_SLACK, "D1")
        repo = Repository.open(db, SAM_SLACK, NOW)
        assert repo.member.dm_channel == "D1"
        repo.forget()
        assert dm_channel(db, SAM_SLACK) is None
        assert Repository.open(db, SAM_SLACK, NOW).member.dm_channel is None  # back, anew
