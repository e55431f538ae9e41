"""`/interview [company] [day]`: an interview coming up, prepared for and asked about.

The evening before, a short list to get ready with (the playbook's, and a story for the
skill the member was last told they lacked); the morning after, how it went. A no leads
into `/rejected` for that company, an offer into `/offer`, another round plans the next
one, and a member still waiting is asked again a week on (twice at most).
"""

from __future__ import annotations

from datetime import date

from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import Ask, Dialogue, Pick, Question, Step, Turn
from bot.interviews.arrival import (
    CANCELLED,
    MOVED,
    READY,
    after_message,
    interview_rows,
    preparation,
    prepare_message,
)
from bot.parsing import InvalidAnswer, coming_day, name, name_and_day
from bot.reminders.asking import parse_ask_value
from bot.reminders.describing import describe_day
from bot.store.models import ReminderStatus
from bot.store.reminders import INTERVIEW_AFTER, INTERVIEW_PREPARE

MOST_WAITS = 2  # "still waiting" asked again a week on, this many times


def _say(turn: Turn, path: str, **facts: str) -> None:
    turn.say(turn.playbook.text(f"interviews.{path}", **facts))


def _day(turn: Turn, day: date) -> str:
    """`today`, `tomorrow` or `on Thu 26 Nov`, to follow a verb."""
    if day == turn.today:
        return "today"
    described = describe_day(day, turn.today)
    return described.lower() if described == "Tomorrow" else f"on {described}"


def plan_interview(turn: Turn, company: str, day: date) -> None:
    """Keep it, plan its reminders, and say when they come."""
    interviews = turn.repo.interviews
    interview = interviews.get(interviews.add(company, day, turn.now))
    assert interview is not None
    rows = interview_rows(interview, turn.repo.member.timezone, turn.today, turn.now)
    turn.repo.reminders.add(rows)
    after = _day(turn, rows[-1]["local_due"].date())
    if len(rows) == 1:  # too late for the evening before: the list comes now
        _say(turn, "noted_soon", company=company, day=_day(turn, day), after=after)
        turn.say(preparation(turn.playbook, turn.repo))
        return
    _say(turn, "noted", company=company, day=_day(turn, day), after=after)


class Company(Step):
    name = "company"

    def question(self, turn: Turn) -> Question:
        return Ask(
            turn.playbook.text("interviews.ask_company"),
            lambda raw, _t: name(raw, what="company name"),
        )

    def answered(self, turn: Turn, value: str) -> type[Day]:
        turn.data["company"] = value
        return Day


class Day(Step):
    name = "day"

    def question(self, turn: Turn) -> Question:
        return Ask(
            turn.playbook.text("interviews.ask_day"),
            lambda raw, t: coming_day(raw, today=t.today).isoformat(),
        )

    def answered(self, turn: Turn, value: str) -> None:
        plan_interview(turn, turn.data["company"], date.fromisoformat(value))


def _interview(turn: Turn) -> tuple[int, str]:
    interview = turn.repo.interviews.get(turn.data["interview_id"])
    if interview is None:
        raise InvalidAnswer("That interview is gone from my notes.")
    return interview.id, interview.company


def _choice(value: str) -> str:
    parsed = parse_ask_value(value)
    assert parsed is not None  # the options are all the row's own
    return parsed[1]


class Prepared(Step):
    name = "prepared"

    def question(self, turn: Turn) -> Question:
        interview = turn.repo.interviews.get(turn.data["interview_id"])
        if interview is None:
            return Pick("That interview is gone from my notes.", ())
        message = prepare_message(
            turn.playbook, turn.repo, turn.data["reminder_id"], interview, None
        )
        return Pick(message.text, message.options)

    def answered(self, turn: Turn, value: str) -> type[NewDay] | None:
        choice = _choice(value)
        turn.repo.reminders.close(turn.data["reminder_id"], ReminderStatus.DONE, turn.now)
        if choice == MOVED:
            return NewDay
        if choice == CANCELLED:
            interview_id, _ = _interview(turn)
            turn.repo.reminders.cancel_interview(interview_id, turn.now)
            turn.repo.interviews.update(interview_id, outcome=CANCELLED)
            _say(turn, "cancelled")
            return None
        assert choice == READY
        _say(turn, "ready")
        return None


class NewDay(Step):
    name = "new_day"

    def question(self, turn: Turn) -> Question:
        return Ask(
            turn.playbook.text("interviews.moved_question"),
            lambda raw, t: coming_day(raw, today=t.today).isoformat(),
        )

    def answered(self, turn: Turn, value: str) -> None:
        interview_id, company = _interview(turn)
        day = date.fromisoformat(value)
        turn.repo.reminders.cancel_interview(interview_id, turn.now)
        turn.repo.interviews.update(interview_id, on=day)
        interview = turn.repo.interviews.get(interview_id)
        assert interview is not None
        zone = turn.repo.member.timezone
        turn.repo.reminders.add(interview_rows(interview, zone, turn.today, turn.now))
        _say(turn, "moved", company=company, day=_day(turn, day))


class HowItWent(Step):
    name = "how_it_went"

    def question(self, turn: Turn) -> Question:
        interview = turn.repo.interviews.get(turn.data["interview_id"])
        if interview is None:
            return Pick("That interview is gone from my notes.", ())
        message = after_message(turn.playbook, turn.data["reminder_id"], interview, None)
        return Pick(message.text, message.options)

    def answered(self, turn: Turn, value: str) -> type[NextRound] | None:
        choice = _choice(value)
        interview_id, company = _interview(turn)
        turn.repo.reminders.close(turn.data["reminder_id"], ReminderStatus.DONE, turn.now)
        turn.repo.interviews.update(interview_id, outcome=choice)
        if choice == "waiting":
            _ask_again_later(turn, interview_id)
        elif choice == "no":
            turn.handover, turn.handover_args = "rejected", company
        elif choice == "offer":
            turn.handover, turn.handover_args = "offer", company
        elif choice == "next":
            turn.data["company"] = company
            return NextRound
        else:
            _say(turn, "outcomes.private.response")
        return None


def _ask_again_later(turn: Turn, interview_id: int) -> None:
    asked = turn.repo.reminders.of_interview(interview_id)
    waits = sum(1 for reminder in asked if reminder.kind == INTERVIEW_AFTER)
    if waits > MOST_WAITS:
        _say(turn, "wait_last")
        return
    interview = turn.repo.interviews.get(interview_id)
    assert interview is not None
    zone = turn.repo.member.timezone
    rows = interview_rows(interview, zone, turn.today, turn.now, waits=waits)
    turn.repo.reminders.add(rows)
    _say(turn, "wait_again", day=_day(turn, rows[-1]["local_due"].date()))


class NextRound(Step):
    name = "next_round"

    def question(self, turn: Turn) -> Question:
        return Ask(
            turn.playbook.text("interviews.next_question"),
            lambda raw, t: coming_day(raw, today=t.today).isoformat(),
        )

    def answered(self, turn: Turn, value: str) -> None:
        plan_interview(turn, turn.data["company"], date.fromisoformat(value))


@command(
    "An interview coming up: a list to prepare with the day before, and how it went after.",
    CommandOption("company", "Who it's with, and the day: Acme thursday"),
)
class InterviewDialogue(Dialogue):
    name = "interview"
    steps = (Company, Day, Prepared, NewDay, HowItWent, NextRound)
    asks = ((INTERVIEW_PREPARE, Prepared), (INTERVIEW_AFTER, HowItWent))

    def begin(self, turn: Turn, args: str) -> type[Company] | type[Day] | None:
        if not args.strip():
            return Company
        company, day = name_and_day(args, today=turn.today, what="company name")
        if day is None:
            turn.data["company"] = company
            return Day
        plan_interview(turn, company, day)
        return None
