"""`/export`: everything kept about the member and nobody else, and an activity log
that a spreadsheet opens as data, never as formulas.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.core import Bounceback
from bot.events import Attachment, Member
from bot.playbook import Playbook
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
