"""`/rejected [company]`: from the first minutes after a "no" to a follow-up plan.

Acknowledge, check the mood, capture the facts, then branch on how far the
member got: a light path for an automated no after applying, the full
gracious note for everyone who met people, and the advice meeting for those
who came close. It ends with their own evidence, the offer to pass the
opening on, and a plan they accept, trim or move.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.answers import (
    InvalidAnswer,
    free_text,
    future_date,
    name,
    numbers,
    optional_name,
    past_date,
)
from bot.dialogues.common import (
    category_advice,
    category_question,
    describe_day,
    evidence,
    member_name,
)
from bot.dialogues.engine import (
    Ask,
    Dialogue,
    Field,
    Fill,
    Pick,
    Question,
    Step,
    Turn,
    steps,
)
from bot.events import FormField, Option, Visibility
from bot.feedback_reading import NO_FEEDBACK, classify_reason
from bot.followup_plan import CAME_CLOSE, PlannedReminder, propose, reminder_rows
from bot.notes import drafted_note, follow_up_note

STAGE_OPTIONS = (
    Option("applied", "Applied, no interview"),
    Option("screen", "A screening call"),
    Option("interview", "Interviews"),
    Option("final", "The final round"),
    Option("runner_up", "Runner-up, they told me I came close"),
)
CONTACT_OPTIONS = (
    Option("hiring_manager", "Hiring manager"),
    Option("recruiter", "Recruiter or HR"),
    Option("interviewer", "An interviewer"),
    Option("insider", "Someone I know there"),
    Option("referrer", "The person who referred me"),
)


class RejectionDialogue(Dialogue):
    name = "rejected"

    def begin(self, turn: Turn, args: str) -> str:
        if args.strip():
            try:
                turn.data["company"] = name(args, what="company name")
            except InvalidAnswer as problem:
                turn.say(f"{problem} I'll ask for it in a moment.")
        company = turn.data.get("company", "them")
        turn.say(turn.playbook.text("comfort.acknowledgement", company=company))
        return "mood"


class Mood(Step):
    name = "mood"

    def question(self, turn: Turn) -> Question:
        moods = turn.playbook.table("moods.moods")
        options = tuple(Option(key, mood["label"]) for key, mood in moods.items())
        return Pick(turn.playbook.text("comfort.mood_question"), options)

    def answered(self, turn: Turn, value: str) -> str:
        turn.data["mood"] = value
        turn.say(turn.playbook.text(f"moods.moods.{value}.response"))
        return "stage"


class Stage(Step):
    name = "stage"

    def question(self, turn: Turn) -> Question:
        return Pick("When you're ready: how far did you get with them?", STAGE_OPTIONS)

    def answered(self, turn: Turn, value: str) -> str:
        turn.data["stage"] = value
        return "facts"


class Facts(Step):
    """One form of at most five fields, so it fits a Discord modal."""

    name = "facts"

    def question(self, turn: Turn) -> Question:
        company = turn.data.get("company", "")
        fields: list[Field] = []
        if not company or turn.capabilities.forms:
            fields.append(
                Field(
                    FormField("company", "Company", "Who said no?", required=True, initial=company),
                    lambda raw, _t: name(raw, what="company name"),
                )
            )
        fields.append(
            Field(
                FormField("role", "Role", "e.g. Data Analyst"),
                lambda raw, _t: optional_name(raw, what="role"),
            )
        )
        if turn.data["stage"] != "applied":
            fields.append(
                Field(
                    FormField(
                        "contact_name", "Who did you deal with?", "their name, if you know it"
                    ),
                    lambda raw, _t: optional_name(raw, what="name"),
                )
            )
        fields += [
            Field(
                FormField("heard_on", "When did the news come?", "today, yesterday, 2026-11-20"),
                lambda raw, t: past_date(raw, today=t.today).isoformat(),
            ),
            Field(
                FormField(
                    "reason",
                    "Did they give a reason?",
                    "in their words, or leave it empty",
                    multiline=True,
                    max_length=2000,
                ),
                lambda raw, _t: free_text(raw),
            ),
        ]
        text = "Let's note down the facts. Only the company is needed; skip anything else."
        return Fill(text, "rejection_facts", "The facts", tuple(fields))

    def answered(self, turn: Turn, value: dict[str, Any]) -> str | None:
        facts = {key: item for key, item in value.items() if item or key not in turn.data}
        turn.data.update(facts)
        turn.data.setdefault("contact_name", "")
        if not turn.data["heard_on"]:
            turn.data["heard_on"] = turn.today.isoformat()
        turn.data["rejection_id"] = turn.repo.add_rejection(
            company=turn.data["company"],
            role=turn.data.get("role", ""),
            stage=turn.data["stage"],
            contact_name=turn.data["contact_name"],
            heard_on=date.fromisoformat(turn.data["heard_on"]),
            reason=turn.data.get("reason", ""),
            mood=turn.data.get("mood", ""),
            created_at=turn.now,
        )
        turn.say(f"Noted: {_summary(turn.data)}.")
        if turn.data["contact_name"]:
            return "contact_role"
        return _after_facts(turn)


class ContactRole(Step):
    name = "contact_role"

    def question(self, turn: Turn) -> Question:
        return Pick(f"What was {turn.data['contact_name']}'s part in it?", CONTACT_OPTIONS)

    def answered(self, turn: Turn, value: str) -> str | None:
        turn.data["contact_role"] = value
        _update(turn, contact_role=value)
        return _after_facts(turn)


def _after_facts(turn: Turn) -> str | None:
    if turn.data["stage"] != "applied":
        return "note"
    turn.say(turn.playbook.text("comfort.light_path"))
    if turn.data.get("reason"):
        return _read_reason(turn)
    turn.say(evidence(turn))
    return "pass_on"


class Note(Step):
    """The gracious thank-you and feedback request, which must sound like the member."""

    name = "note"

    def question(self, turn: Turn) -> Question:
        draft = drafted_note(
            turn.playbook,
            company=turn.data["company"],
            role=turn.data.get("role", ""),
            stage=turn.data["stage"],
            contact_name=turn.data["contact_name"],
            contact_role=turn.data.get("contact_role", ""),
            member_name=member_name(turn),
        )
        turn.data["draft"] = draft
        who = turn.data["contact_name"] or "the hiring team"
        text = (
            f"Here is a draft thank-you and feedback request for {who}. It should sound like "
            "you, so change anything that doesn't: paste your own version back, or keep this one."
        )
        options = (Option("keep", "Keep this draft"), Option("skip", "No note this time"))
        return Ask(text, _read_note, options=options, quote=draft)

    def answered(self, turn: Turn, value: str) -> str | None:
        if value == "skip":
            turn.say("That's fine. You can always come back to it.")
        else:
            _update(turn, note=turn.data["draft"] if value == "keep" else value)
            turn.say(
                "Send it within a day or two: a short email is plenty, a call or a personal "
                "note for the leads that matter most. " + turn.playbook.text("feedback.ask_others")
            )
        turn.data["note"] = value != "skip"
        return _read_reason(turn)


def _read_note(raw: str, _turn: Turn) -> str:
    if raw in ("keep", "skip"):
        return raw
    note = free_text(raw, max_length=3000)
    if len(note) < 20:
        raise InvalidAnswer(
            "That's a little short for a note. Reply `keep` for the draft, `skip` for no "
            "note, or paste your own version."
        )
    return note


def _read_reason(turn: Turn) -> str | None:
    """Ask the member to confirm our reading of the reason, or go straight on without one."""
    reason = turn.data.get("reason", "")
    turn.data["guess"] = classify_reason(reason, turn.playbook) if reason else NO_FEEDBACK
    if reason:
        return "category"
    _apply_category(turn, NO_FEEDBACK)
    return _after_category(turn)


class Category(Step):
    name = "category"

    def question(self, turn: Turn) -> Question:
        return category_question(turn.playbook, turn.data.get("guess"))

    def answered(self, turn: Turn, value: str) -> str | None:
        _apply_category(turn, turn.data["guess"] if value == "yes" else value)
        return _after_category(turn)


def _apply_category(turn: Turn, category: str) -> None:
    _update(turn, category=category)
    turn.say(category_advice(turn.playbook, category, weigh=bool(turn.data.get("reason"))))


def _after_category(turn: Turn) -> str | None:
    if turn.data["stage"] in CAME_CLOSE:
        return "advice_meeting"
    turn.say(evidence(turn))
    return "pass_on"


class AdviceMeeting(Step):
    """Coming close means people there liked the member: ask them for advice."""

    name = "advice_meeting"

    def question(self, turn: Turn) -> Question:
        draft = follow_up_note(
            turn.playbook,
            "advice_meeting",
            company=turn.data["company"],
            role=turn.data.get("role", ""),
            contact_name=turn.data["contact_name"],
            member_name=member_name(turn),
        )
        options = (Option("yes", "I'll ask for one"), Option("no", "Not this time"))
        return Pick(turn.playbook.text("notes.advice_meeting_intro"), options, quote=draft)

    def answered(self, turn: Turn, value: str) -> str | None:
        turn.data["advice_meeting"] = value == "yes"
        turn.say(evidence(turn))
        return "pass_on"


class PassOn(Step):
    """A role that didn't fit one member may fit another: only with consent, no details."""

    name = "pass_on"

    def question(self, turn: Turn) -> Question:
        role = turn.data.get("role", "")
        text = turn.playbook.text(
            "comfort.pass_on_question", role=role, company=turn.data["company"]
        )
        return Pick(text, (Option("yes", "Yes, pass it on"), Option("no", "No, keep it private")))

    def answered(self, turn: Turn, value: str) -> str | None:
        if value == "yes":
            role = turn.data.get("role") or "a role"
            post = turn.playbook.text(
                "comfort.pass_on_post", role=role, company=turn.data["company"]
            )
            turn.say(post, visibility=Visibility.GROUP)
            _update(turn, opening_shared=True)
            turn.say("Passed on to the group, without your name.")
        plan = propose(
            turn.playbook,
            stage=turn.data["stage"],
            mood=turn.data.get("mood", ""),
            heard_on=date.fromisoformat(turn.data["heard_on"]),
            today=turn.today,
        )
        if not turn.data.get("advice_meeting"):
            plan = [item for item in plan if item.kind != "advice_meeting"]
        if not turn.data.get("note"):
            plan = [item for item in plan if item.kind != "send_note"]
        turn.data["plan"] = [item.as_data() for item in plan]
        return "plan" if plan else _finish(turn, saved=0)


class Plan(Step):
    name = "plan"

    def question(self, turn: Turn) -> Question:
        lines = [
            f"{number}. {describe_day(item.day, turn.today)} at {item.at:%H:%M}: "
            + turn.playbook.text(f"plan.reminders.{item.kind}.label")
            for number, item in enumerate(_plan(turn), start=1)
        ]
        text = "Here is the follow-up plan I'd suggest. I'll send each one as a DM.\n" + "\n".join(
            lines
        )
        options = (
            Option("accept", "Sounds good"),
            Option("trim", "Drop some"),
            Option("move", "Move one"),
            Option("none", "No reminders"),
        )
        return Pick(text, options)

    def answered(self, turn: Turn, value: str) -> str | None:
        if value == "trim":
            return "trim"
        if value == "move":
            return "move"
        plan = _plan(turn) if value == "accept" else []
        turn.repo.add_reminders(
            reminder_rows(
                plan,
                rejection_id=turn.data["rejection_id"],
                zone=turn.repo.member.timezone,
                now=turn.now,
            )
        )
        return _finish(turn, saved=len(plan))


class Trim(Step):
    name = "trim"

    def question(self, turn: Turn) -> Question:
        upper = len(_plan(turn))
        return Ask(
            "Which ones should I drop? Give their numbers, like `2` or `2, 4`.",
            lambda raw, _t: numbers(raw, upper=upper),
        )

    def answered(self, turn: Turn, value: list[int]) -> str | None:
        kept = [item for number, item in enumerate(_plan(turn), 1) if number not in value]
        turn.data["plan"] = [item.as_data() for item in kept]
        return "plan" if kept else _finish(turn, saved=0)


class Move(Step):
    name = "move"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "Which one, and to when? For example `2 next monday` or `3 2026-12-15`.",
            lambda raw, t: _move(raw, len(_plan(t)), t.today),
        )

    def answered(self, turn: Turn, value: tuple[int, str]) -> str:
        number, day = value
        plan = _plan(turn)
        moved = PlannedReminder(plan[number - 1].kind, date.fromisoformat(day), plan[number - 1].at)
        plan[number - 1] = moved
        turn.data["plan"] = [item.as_data() for item in sorted(plan, key=lambda i: i.day)]
        return "plan"


_MOVE = re.compile(r"^\s*(\d{1,2})[\s,:.-]+(.+)$")


def _move(raw: str, upper: int, today: date) -> tuple[int, str]:
    match = _MOVE.match(raw)
    if not match:
        raise InvalidAnswer("Please give the item's number, then the day: like `2 next monday`.")
    number = int(match[1])
    if not 1 <= number <= upper:
        raise InvalidAnswer(f"The plan's numbers go from 1 to {upper}.")
    return number, future_date(match[2], today=today).isoformat()


def _finish(turn: Turn, *, saved: int) -> None:
    if saved:
        turn.say(
            f"Saved {saved} follow-up{'s' if saved != 1 else ''}. /followups shows them "
            "any time, and each one comes with done, snooze and skip."
        )
    turn.say(turn.playbook.text("comfort.keep_going"))
    return None


def _plan(turn: Turn) -> list[PlannedReminder]:
    return [PlannedReminder.from_data(item) for item in turn.data["plan"]]


def _update(turn: Turn, **values: Any) -> None:
    if not turn.repo.update_rejection(turn.data["rejection_id"], **values):
        # deleted by /forget-me from another surface, mid-dialogue
        raise InvalidAnswer("I can't find that rejection any more. Type /rejected to start again.")


def _summary(data: dict[str, Any]) -> str:
    what = f"{data['role']} at {data['company']}" if data.get("role") else data["company"]
    stage = {option.value: option.label for option in STAGE_OPTIONS}[data["stage"]]
    parts = [what, stage.lower()]
    if data.get("contact_name"):
        parts.append(f"with {data['contact_name']}")
    parts.append(f"heard on {date.fromisoformat(data['heard_on']):%-d %b %Y}")
    return ", ".join(parts)


RejectionDialogue.steps = steps(
    Mood, Stage, Facts, ContactRole, Note, Category, AdviceMeeting, PassOn, Plan, Trim, Move
)
