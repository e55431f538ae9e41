"""Statements on the driver read and write exactly what SQLAlchemy would, on both backends."""

from __future__ import annotations

from datetime import datetime, time
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, exc, insert, select, text, update

from bot.store.driver import OnDriver
from bot.store.models import Conversation, MemberRow

NOW = datetime(2026, 11, 23, 12, 0, 0, 123456)
_members, _places = MemberRow.__table__, Conversation.__table__
EVERYTHING = select(*_members.c, *_places.c).select_from(
    _members.outerjoin(_places, _places.c.member_id == _members.c.id)
)
ONE = EVERYTHING.where(_members.c.user_id == bindparam("user"))
SET_PLACE = update(_places).where(_places.c.member_id == bindparam("member"))
SET_PLACE = SET_PLACE.values(data=bindparam("data"), updated_at=bindparam("at"))
EXAMPLES = count()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def add_member(db, user: str, **fields) -> int:
    row = {"platform": "slack", "workspace": "T1", "user_id": user, "created_at": NOW, **fields}
    return db.execute(insert(_members).returning(_members.c.id), row).scalar_one()


def add_place(db, member: int, data: object) -> None:
    place = {"member_id": member, "dialogue": "rejected", "step": "mood", "data": data}
    db.execute(
        insert(_places), {**place, "updated_at": NOW, "platform": "slack", "workspace": "T1"}
    )


def test_a_row_reads_as_sqlalchemy_reads_it(engine) -> None:
    with engine.begin() as db:
        full = add_member(
            db,
            "U-full",
            display_name="Zoë 🙂 ‮",
            timezone_chosen=True,
            quiet_from=time(21, 30),
            quiet_until=time(7, 0, 0, 5),
            paused_until=NOW,
        )
        add_place(db, full, {"company": "Zürich", "plan": [1, None, True, 2.5]})
        add_member(db, "U-bare")
    with engine.begin() as db:
        for user in ("U-full", "U-bare", "U-nobody"):
            expected = db.execute(ONE, {"user": user}).first()
            assert OnDriver(ONE).first(db, {"user": user}) == (
                None if expected is None else tuple(expected)
            )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=JSON, at=st.datetimes(min_value=datetime(2000, 1, 1)))
def test_a_write_stores_what_sqlalchemy_stores(engine, data, at) -> None:
    with engine.begin() as db:
        number = next(EXAMPLES)
        ours, theirs = add_member(db, f"U-ours-{number}"), add_member(db, f"U-theirs-{number}")
        add_place(db, ours, None)
        add_place(db, theirs, None)
        assert OnDriver(SET_PLACE).rowcount(db, {"member": ours, "data": data, "at": at}) == 1
        db.execute(SET_PLACE, {"member": theirs, "data": data, "at": at})
        stored = text("SELECT CAST(data AS TEXT), CAST(updated_at AS TEXT) FROM conversations")
        by_member = text(stored.text + " WHERE member_id = :member")
        assert db.execute(by_member, {"member": ours}).one() == (
            db.execute(by_member, {"member": theirs}).one()
        )


def test_a_write_outside_a_transaction_is_committed_by_the_callers_commit(engine) -> None:
    with engine.begin() as db:
        member = add_member(db, "U1")
        add_place(db, member, {})
    with engine.connect() as db:
        OnDriver(SET_PLACE).rowcount(db, {"member": member, "data": {"kept": 1}, "at": NOW})
        db.commit()
        OnDriver(SET_PLACE).rowcount(db, {"member": member, "data": {"lost": 1}, "at": NOW})
        db.rollback()
    with engine.connect() as db:
        assert db.execute(select(_places.c.data)).scalar_one() == {"kept": 1}


def test_driver_errors_come_out_as_sqlalchemys(engine) -> None:
    with engine.begin() as db:
        add_place(db, add_member(db, "U1"), {})
    no_step = OnDriver(update(_places).values(step=bindparam("step")))
    with engine.begin() as db, pytest.raises(exc.IntegrityError):
        no_step.rowcount(db, {"step": None})  # NOT NULL
