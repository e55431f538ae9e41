"""`/export`: everything kept about the member and nobody else, and an activity log
that a spreadsheet opens as data, never as formulas.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.conversation.events import Attachment, Member
from bot.member.settings import pause, set_quiet_hours, set_timezone
from bot.playbook import Playbook
from bot.rejection.stages import STAGES
from bot.store.groups import Groups
from bot.store.members import remember_dm_channel
from bot.store.models import MemberRow, Rejection, Reminder, Win
from bot.store.repository import Repository
from tests.conftest import SAM
from tests.helpers import Chat, FakeClock

ANA = Member("slack", "T1", "U-ana", display_name="Ana")
SAM_ELSEWHERE = Member("discord", "G9", "U-sam", display_name="Sam")  # another tenant
THEIRS = ("Initrode", "Umbrella", "Vandelay", "Wonka", "U-ana", "G9")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def exported(chat: Chat) -> tuple[dict[str, Any], list[list[str]], str]:
    """The JSON as data, the CSV as rows, and both as one text to search."""
    files: tuple[Attachment, ...] = next(
        r.attachments for r in chat.say("/export") if r.attachments
    )
    by_type = {file.media_type: file.content.decode() for file in files}
    rows = list(csv.reader(io.StringIO(by_type["text/csv"])))
    return json.loads(by_type["application/json"]), rows, "\n".join(by_type.values())


def sams_history(chat: Chat, clock: FakeClock) -> None:
    """A full /rejected with a plan, a follow-up done, a win, and a light-path no."""
    chat.steps("/rejected Acme", "Disappointed", "Interviews")
    chat.steps("Data Analyst", "Jane Doe", "3 days ago", "They chose someone with more experience")
    chat.steps("Hiring manager", "keep", "yes", "No, keep it private", "Sounds good")
    clock.advance(days=2)
    chat.say("/followups done 1")
    chat.steps("/win Referral to Hooli from Bo", "Got a referral", "Not linked to one")
    chat.say("Keep it private")
    clock.advance(days=1)
    chat.steps("/rejected Globex", "Steady enough", "Applied, no interview", "skip", "today")
    chat.steps("skip", "No, keep it private")


def someone_elses_history(core: Bounceback, who: Member, company: str, win: str) -> None:
    chat = Chat(core, who)
    chat.steps(f"/rejected {company}", "2", "Interviews", "Analyst", "skip", "today")
    chat.steps("They went with an internal candidate", "keep", "yes", "no, keep it private")
    chat.say("Sounds good")
    chat.steps(f"/win {win}", "Got an offer", "Not linked to one", "Keep it private")


def test_the_json_holds_the_members_rejections_wins_and_reminders(
    chat: Chat, core: Bounceback, clock: FakeClock
) -> None:
    sams_history(chat, clock)
    data, _, _ = exported(chat)
    member = data["member"]
    assert (member["platform"], member["workspace"], member["user_id"]) == ("slack", "T1", "U-sam")
    assert [r["company"] for r in data["rejections"]] == ["Globex", "Acme"]
    acme = data["rejections"][1]
    assert acme["reason"] == "They chose someone with more experience"
    assert acme["note"].startswith("Hi Jane,")
    assert [(w["kind"], w["description"]) for w in data["wins"]] == [
        ("referral", "Referral to Hooli from Bo")
    ]
    assert [(r["kind"], r["status"]) for r in data["reminders"]] == [
        ("send_note", "done"),
        ("second_ask", "pending"),
        ("keep_in_touch", "pending"),
        ("reconnect", "pending"),
    ]
    assert data["exported_at"] == "2026-11-26T14:00:00"


def test_the_member_s_check_ins_are_in_the_json_and_the_log(chat: Chat) -> None:
    chat.steps("/checkin", "Up and down", "two applications", "one coffee chat")
    data, rows, _ = exported(chat)
    [week] = data["checkins"]
    assert (week["mood"], week["last_week"], week["goal"]) == (
        "mixed",
        "two applications",
        "one coffee chat",
    )
    assert rows[1][1:] == [
        "Weekly check-in",
        "",
        "",
        "Up and down; last week: two applications; goal: one coffee chat",
    ]


def test_nothing_of_another_member_or_tenant_is_exported(
    chat: Chat, core: Bounceback, clock: FakeClock
) -> None:
    someone_elses_history(core, ANA, "Initrode", "Offer from Umbrella")
    sams_history(chat, clock)
    someone_elses_history(core, SAM_ELSEWHERE, "Vandelay", "Offer from Wonka")
    data, _, everything = exported(chat)
    for theirs in THEIRS:
        assert theirs not in everything
    for table in ("rejections", "wins", "reminders"):
        assert data[table]
        for row in data[table]:
            owner = (row["platform"], row["workspace"], row["member_id"])
            assert owner == ("slack", "T1", data["member"]["id"])


def test_the_activity_log_is_dated_rows_in_date_order(chat: Chat, clock: FakeClock) -> None:
    sams_history(chat, clock)
    _, rows, _ = exported(chat)
    header, *entries = rows
    assert header == ["date", "activity", "company", "role", "detail"]
    days = [date.fromisoformat(entry[0]) for entry in entries]
    assert days == sorted(days)
    assert entries == [
        ["2026-11-20", "Application outcome: not selected", "Acme", "Data Analyst", "interview"],
        ["2026-11-23", "Thank-you and feedback request prepared", "Acme", "Data Analyst", ""],
        [
            "2026-11-25",
            "Follow-up done: Send your thank-you and feedback request",
            "Acme",
            "Data Analyst",
            "",
        ],
        ["2026-11-25", "Win: Got a referral", "", "", "Referral to Hooli from Bo"],
        ["2026-11-26", "Application outcome: not selected", "Globex", "", "applied"],
    ]


def test_a_member_with_nothing_logged_gets_just_the_header(chat: Chat) -> None:
    data, rows, _ = exported(chat)
    assert rows == [["date", "activity", "company", "role", "detail"]]
    assert data["rejections"] == data["wins"] == data["reminders"] == []


@pytest.mark.parametrize("company", ['=HYPERLINK("x")', "+1", "-2", "@SUM(1)"])
def test_a_company_typed_as_a_formula_is_kept_as_text_in_the_log(chat: Chat, company: str) -> None:
    chat.steps(f"/rejected {company}", "2", "Interviews", "Analyst", "skip", "today", "skip")
    chat.steps("keep", "No, keep it private", "No reminders")
    data, rows, _ = exported(chat)
    assert data["rejections"][0]["company"] == company  # the data export keeps it exactly
    _, *entries = rows
    assert entries and all(entry[2] == f"'{company}" for entry in entries)
    for entry in entries:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in entry), entry


def test_a_role_or_win_typed_as_a_formula_is_kept_as_text_in_the_log(chat: Chat) -> None:
    chat.steps("/rejected Acme", "2", "1", "=1+1", "today", "skip", "No, keep it private")
    chat.steps("/win -cmd|' /C calc'!A0", "Got a referral", "1", "Keep it private")
    _, rows, _ = exported(chat)
    cells = [cell for entry in rows[1:] for cell in entry]
    assert "'=1+1" in cells and "'-cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)


def test_the_activity_log_dates_are_the_members_own_days(
    engine: Engine, playbook: Playbook, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, default_timezone="America/Los_Angeles")
    evening = FakeClock(datetime(2026, 11, 24, 5, 0))  # 21:00 on 23 Nov in Los Angeles
    chat = Chat(Bounceback(engine, playbook, settings, evening), SAM)
    chat.steps("/rejected Acme", "2", "Interviews", "Analyst", "skip", "today", "skip")
    chat.steps("keep", "No, keep it private", "No reminders")
    chat.steps("/win Met the team lead", "Made a new contact", "1", "Keep it private")
    _, rows, _ = exported(chat)
    assert {entry[0] for entry in rows[1:]} == {"2026-11-23"}


# Every member state: the export never fails, and its JSON reads back as what was kept

TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40)
NAME = TEXT.map(lambda text: text[:120])
MOMENT = st.datetimes(datetime(2020, 1, 1), datetime(2035, 12, 31))
ZONES = st.sampled_from(("UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata"))
STATUSES = ("pending", "sending", "sent", "done", "skipped", "cancelled", "failed")
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
_members = itertools.count(1)


@st.composite
def member_states(draw: st.DrawFn, playbook: Playbook) -> dict[str, Any]:
    """Settings, a pause, quiet hours, rejections with and without feedback, shared and
    private wins, reminders in every status, and perhaps a dialogue under way."""
    quiet = draw(st.none() | st.tuples(st.times(), st.times()).filter(lambda w: w[0] != w[1]))
    rejection = st.fixed_dictionaries(
        {
            "company": NAME.filter(str.strip),
            "role": NAME,
            "stage": st.sampled_from(tuple(stage.value for stage in STAGES)),
            "contact_name": NAME,
            "heard_on": st.dates(date(2020, 1, 1), date(2035, 12, 31)),
            "reason": TEXT,
            "category": st.sampled_from(tuple(playbook.table("feedback.categories"))),
            "mood": st.sampled_from(tuple(playbook.table("moods.moods"))),
            "note": TEXT,
            "opening_shared": st.booleans(),
            "feedback": TEXT,
            "feedback_at": st.none() | MOMENT,
            "created_at": MOMENT,
        }
    )
    win = st.fixed_dictionaries(
        {
            "kind": st.sampled_from(tuple(playbook.table("wins.kinds"))),
            "description": TEXT,
            "shared": st.booleans(),
            "created_at": MOMENT,
        }
    )
    reminder = st.fixed_dictionaries(
        {
            "kind": st.sampled_from(tuple(playbook.table("plan.reminders"))),
            "status": st.sampled_from(STATUSES),
            "due_at": MOMENT,
            "local_due": MOMENT,
            "zone": ZONES,
            "attempts": st.integers(0, 5),
            "lease_owner": st.none() | st.just("worker-1"),
            "lease_expires_at": st.none() | MOMENT,
            "last_error": TEXT,
            "late": st.booleans(),
            "nudge": st.none() | st.integers(1, 4),
            "created_at": MOMENT,
            "sent_at": st.none() | MOMENT,
            "closed_at": st.none() | MOMENT,
        }
    )
    return {
        "zone": draw(ZONES),
        "chosen": draw(st.booleans()),
        "quiet": quiet,
        "paused_until": draw(st.none() | MOMENT),
        "rejections": draw(st.lists(rejection, max_size=3)),
        "wins": draw(st.lists(win, max_size=3)),
        "reminders": draw(st.lists(reminder, max_size=len(STATUSES) + 1)),
        "dialogue": draw(
            st.none()
            | st.dictionaries(TEXT.filter(lambda key: not key.startswith("_")), JSON_VALUES)
        ),
    }


def build(engine: Engine, who: Member, state: dict[str, Any], now: datetime) -> None:
    """The member's state, stored as the core stores it; and their group's own rows beside."""
    with engine.begin() as db:
        Groups(db, who.platform, who.workspace).create(timezone="UTC", facilitators=(), now=now)
        repo = Repository.open(db, who, now)
        set_timezone(repo, state["zone"], chosen=state["chosen"])
        set_quiet_hours(repo, state["quiet"])
        if state["paused_until"] is not None:
            pause(repo, state["paused_until"], now)
        rejection_ids = [repo.rejections.add(**facts) for facts in state["rejections"]]
        for win in state["wins"]:
            repo.wins.add(**win, rejection_id=rejection_ids[0] if rejection_ids else None)
        repo.reminders.add(
            {**fields, "idempotency_key": f"{who.workspace}:{n}", "rejection_id": None}
            for n, fields in enumerate(state["reminders"])
        )
        if state["dialogue"] is not None:
            repo.save_place("settings", "menu", state["dialogue"], now)
        group_post = {**state["reminders"][0], "kind": "digest"} if state["reminders"] else None
        if group_post is not None:
            db.execute(
                insert(Reminder),
                {
                    **group_post,
                    "platform": who.platform,
                    "workspace": who.workspace,
                    "member_id": None,
                    "idempotency_key": f"digest:{who.workspace}",
                },
            )


def read_back(model: Any, exported: dict[str, Any]) -> dict[str, Any]:
    """An exported row with its ISO strings parsed back to what the column holds."""
    types = {column.key: column.type.python_type for column in inspect(model).columns}
    return {key: _parsed(types[key], value) for key, value in exported.items()}


def _parsed(kind: type, value: Any) -> Any:
    if value is None or kind not in (date, datetime, time):
        return value
    assert isinstance(value, str)
    return kind.fromisoformat(value)


def stored(engine: Engine, model: Any, member_id: int) -> list[dict[str, Any]]:
    with Session(engine) as session:
        rows = session.scalars(select(model).where(model.member_id == member_id))
        keys = [column.key for column in inspect(model).columns]
        return sorted(({key: getattr(row, key) for key in keys} for row in rows), key=by_id)


def by_id(row: dict[str, Any]) -> Any:
    return row.get("id", row.get("member_id"))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_member_state_exports_and_reads_back(
    engine: Engine, playbook: Playbook, tmp_path: Path, data: st.DataObject
) -> None:
    clock = FakeClock()
    state = data.draw(member_states(playbook))
    who = Member("discord", f"G{next(_members)}", "U-sam", display_name="Sam")
    build(engine, who, state, clock.now)
    chat = Chat(Bounceback(engine, playbook, Settings(data_dir=tmp_path), clock), who)
    exported_data, rows, _ = exported(chat)
    member = read_back(MemberRow, exported_data["member"])
    assert member["id"] and (member["timezone"], member["timezone_chosen"]) == (
        state["zone"],
        state["chosen"],
    )
    assert (member["quiet_from"], member["quiet_until"]) == (state["quiet"] or (None, None))
    assert member["paused_until"] == state["paused_until"]
    for table, model in (("rejections", Rejection), ("wins", Win), ("reminders", Reminder)):
        back = sorted((read_back(model, row) for row in exported_data[table]), key=by_id)
        assert back == stored(engine, model, member["id"])
        assert len(back) == len(state[table])  # the group's digest row is not theirs
    place = exported_data["conversation"]
    if state["dialogue"] is None:
        assert place is None
    else:
        assert (place["dialogue"], place["step"], place["data"]) == (
            "settings",
            "menu",
            state["dialogue"],
        )
        assert datetime.fromisoformat(place["updated_at"]) == clock.now
    assert rows[0] == ["date", "activity", "company", "role", "detail"]
    assert all(len(row) == 5 for row in rows)


def test_the_dm_channel_kept_for_the_member_is_exported(chat: Chat, core: Bounceback) -> None:
    chat.say("/stats")  # a member now
    with core.engine.begin() as db:
        remember_dm_channel(db, SAM, "DU-sam")
    data, _, _ = exported(chat)
    assert data["member"]["dm_channel"] == "DU-sam"


def test_a_member_with_quiet_hours_gets_their_export(chat: Chat) -> None:
    """The crash reported in issue 11: `time` was not JSON serialisable."""
    chat.say("/settings quiet 22:00-07:00")
    data, _, _ = exported(chat)
    assert (data["member"]["quiet_from"], data["member"]["quiet_until"]) == ("22:00:00", "07:00:00")


def test_each_export_has_its_own_file_names(chat: Chat, clock: FakeClock) -> None:
    """An export just before /forget-me is not overwritten by one made after it."""
    before = next(r.attachments for r in chat.say("/export") if r.attachments)
    assert "everything I kept about you is deleted" in chat.steps("/forget-me", "1")
    clock.advance(seconds=1)
    after = next(r.attachments for r in chat.say("/export") if r.attachments)
    assert [file.filename for file in before] == [
        "bounceback-2026-11-23-140000Z.json",
        "bounceback-activity-2026-11-23-140000Z.csv",
    ]
    assert not {file.filename for file in before} & {file.filename for file in after}
