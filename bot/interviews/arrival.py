"""What an interview's two reminders say: the evening before, a short list to get ready
with; the day after, how it went. Planned on the member's own clock, and sent the way
follow-ups are (quiet hours, a pause, the silence rule), unless the moment has passed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from bot.conversation.events import Option, Reply
from bot.playbook import Playbook
from bot.rejection.plan import to_utc
from bot.rejection.reason import named_skill
from bot.reminders.arrival import Decision, DueRow, Send, greeting, held_back, local_time
from bot.reminders.asking import ask_value
from bot.store.interviews import InterviewRecord
from bot.store.reminders import INTERVIEW_AFTER, INTERVIEW_PREPARE
from bot.store.repository import Repository

PREPARE_AT = time(18, 0)  # the evening before
AFTER_AT = time(10, 0)  # the morning after, or a week on while they wait to hear
READY, MOVED, CANCELLED = "ready", "moved", "cancelled"


def interview_rows(
    interview: InterviewRecord, zone: str, today: date, now: datetime, *, waits: int = 0
) -> list[dict[str, Any]]:
    """Its reminders: the evening before (unless that has passed) and the day after; a
    member still waiting to hear is asked again a week on (`waits` times already)."""
    rows = []
    if waits == 0 and interview.on - timedelta(days=1) >= today:
        prepare = interview.on - timedelta(days=1)
        if to_utc(prepare, PREPARE_AT, zone) > now:
            rows.append(_row(interview, INTERVIEW_PREPARE, prepare, PREPARE_AT, zone, now, 0))
    after = interview.on + timedelta(days=1 + 7 * waits)
    rows.append(_row(interview, INTERVIEW_AFTER, after, AFTER_AT, zone, now, waits))
    return rows


def _row(
    interview: InterviewRecord,
    kind: str,
    day: date,
    at: time,
    zone: str,
    now: datetime,
    number: int,
) -> dict[str, Any]:
    return {
        "interview_id": interview.id,
        "kind": kind,
        "due_at": to_utc(day, at, zone),
        "local_due": datetime.combine(day, at),
        "zone": zone,
        "idempotency_key": f"{kind}:{interview.id}:{interview.on}:{number}",
        "created_at": now,
    }


def decide_interview(
    playbook: Playbook, repo: Repository, row: DueRow, now: datetime
) -> Decision | None:
    """Send now, wait, or (None) not at all: the interview is gone, or its eve has passed."""
    interview = repo.interviews.get(row.interview_id) if row.interview_id else None
    if interview is None:
        return None
    at = local_time(now, repo.member.timezone)
    if row.kind == INTERVIEW_PREPARE and at.date() >= interview.on:
        return None
    held = held_back(repo, row, now)
    if held is not None:
        return held
    if row.kind == INTERVIEW_PREPARE:
        return Send([prepare_message(playbook, repo, row.id, interview, at)], late=False)
    return Send([after_message(playbook, row.id, interview, at)], late=False)


def preparation(playbook: Playbook, repo: Repository) -> str:
    """The list, and a story to have ready for the skill the member was last told they
    lacked, when they were told one."""
    lines = [playbook.text("interviews.prepare_list")]
    for rejection in repo.rejections.newest(limit=5):
        said = rejection.feedback or rejection.reason
        skill = named_skill(said) if said else None
        if skill:
            lines.append(
                playbook.text("interviews.lesson", company=rejection.company, lesson=skill)
            )
            break
    return "\n".join(lines)


def prepare_message(
    playbook: Playbook,
    repo: Repository,
    row_id: int,
    interview: InterviewRecord,
    at: datetime | None,
) -> Reply:
    text = playbook.text("interviews.prepare", company=interview.company)
    if at is not None:
        text = f"{greeting(playbook, at)} {text}"
    text = f"{text}\n{preparation(playbook, repo)}"
    options = tuple(
        Option(ask_value(row_id, choice), playbook.text(f"interviews.{choice}_option"))
        for choice in (READY, MOVED, CANCELLED)
    )
    return Reply(text, options=options)


def after_message(
    playbook: Playbook, row_id: int, interview: InterviewRecord, at: datetime | None
) -> Reply:
    text = playbook.text("interviews.after", company=interview.company)
    if at is not None:
        text = f"{greeting(playbook, at)} {text}"
    outcomes = playbook.table("interviews.outcomes")
    options = tuple(
        Option(ask_value(row_id, key), outcome["label"], also=tuple(outcome.get("also", ())))
        for key, outcome in outcomes.items()
    )
    return Reply(text, options=options)
