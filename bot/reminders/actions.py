"""A follow-up reminder's buttons: done, they replied, snooze, skip, log a win.

The same actions arrive two ways: as a button pressed on any reminder, at any
time (the core routes those here directly), or, on a plain-text surface, as
the answer to the reminder just delivered, which is then the member's open
question. The pause offer of the silence rule is answered the same way.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bot.conversation.commands import command
from bot.conversation.engine import Ask, Dialogue, Pick, Question, Step, Turn, signature
from bot.conversation.events import Option
from bot.member.settings import pause
from bot.parsing import InvalidAnswer, future_date
from bot.rejection.notes import follow_up_note
from bot.rejection.plan import (
    FEEDBACK_NUDGES,
    KEPT_NOTES,
    SECOND_ASK_AFTER,
    next_working_day,
    to_utc,
)
from bot.reminders.arrival import (
    PAUSE,
    SNOOZES,
    parse_action,
    pause_offer,
    reminder_message,
    reminder_options,
)
from bot.reminders.describing import describe_day, done_line
from bot.store.members import Place
from bot.store.models import OPEN, ReminderStatus
from bot.store.reminders import ReminderRecord


class Action(Step):
    name = "action"

    def question(self, turn: Turn) -> Question:
        reminder = turn.repo.reminders.get(turn.data["reminder_id"])
        if reminder is None:
            return Pick("That follow-up is gone.", ())
        rejection = (
            turn.repo.rejections.get(reminder.rejection_id) if reminder.rejection_id else None
        )
        message = reminder_message(
            turn.playbook, reminder, rejection, late=False, member_name=signature(turn)
        )
        return Pick(message.text, reminder_options(reminder.id, reminder.kind))

    def answered(self, turn: Turn, value: str) -> type[WhichReminder] | type[Later] | None:
        parsed = parse_action(value)
        assert parsed is not None  # the options are all reminder actions
        if len(_waiting(turn)) > 1:  # typed with several out: which one did they mean?
            turn.data["action"] = parsed[1]
            return WhichReminder
        return act(turn, *parsed)


class WhichReminder(Step):
    """Several reminders arrived before the member answered; a button names its own,
    a typed answer is asked which one it is for."""

    name = "which_reminder"

    def question(self, turn: Turn) -> Question:
        options = tuple(
            Option(str(reminder.id), _label(turn, reminder)) for reminder in _waiting(turn)
        )
        return Pick("Which one is that for?", options)

    def answered(self, turn: Turn, value: str) -> type[Later] | type[Action] | None:
        step = act(turn, int(value), turn.data["action"])
        others = [reminder.id for reminder in _waiting(turn)]
        if step is None and others:  # the others still wait for their answers
            turn.data.update(reminder_id=others[-1], waiting=others)
            return Action
        return step


def still_waiting(place: Place, pressed: str) -> dict[str, Any] | None:
    """The open question's data once a button answered one of its reminders, if any
    other is left for a typed answer to mean."""
    if place.step != Action.name:
        return None
    answered = parse_action(pressed)
    waiting = place.data.get("waiting") or [place.data["reminder_id"]]
    others = [id_ for id_ in waiting if answered is None or id_ != answered[0]]
    return {"reminder_id": others[-1], "waiting": others} if others else None


def _waiting(turn: Turn) -> list[ReminderRecord]:
    """The reminders delivered since the member last answered one, still open."""
    ids = turn.data.get("waiting") or [turn.data["reminder_id"]]
    found = (turn.repo.reminders.get(reminder_id) for reminder_id in ids)
    return [reminder for reminder in found if reminder is not None and reminder.status in OPEN]


def _label(turn: Turn, reminder: ReminderRecord) -> str:
    label = turn.playbook.text(f"plan.reminders.{reminder.kind}.label")
    rejection = turn.repo.rejections.get(reminder.rejection_id) if reminder.rejection_id else None
    return f"{label} ({rejection.company})" if rejection else label


class Later(Step):
    name = "later"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "When should I bring it back? Say `monday`, `in 5 days` or a date.",
            lambda raw, t: future_date(raw, today=t.today).isoformat(),
        )

    def answered(self, turn: Turn, value: str) -> None:
        snooze_to(turn, turn.data["reminder_id"], date.fromisoformat(value))


class PauseOffer(Step):
    name = "pause"

    def question(self, turn: Turn) -> Question:
        offer = pause_offer()
        return Pick(offer.text, offer.options)

    def answered(self, turn: Turn, value: str) -> None:
        answer_pause_offer(turn, value)


def act(turn: Turn, reminder_id: int, action: str) -> type[Later] | None:
    """Carry out one reminder action; the next step's name when it needs a question."""
    reminder = turn.repo.reminders.get(reminder_id)
    if reminder is None or reminder.status not in OPEN:
        turn.say("That follow-up is already closed. /followups shows the ones waiting.")
        return None
    if action in SNOOZES:
        snooze_to(turn, reminder_id, turn.today + timedelta(days=SNOOZES[action]))
    elif action == "later":
        turn.data["reminder_id"] = reminder_id
        return Later
    elif action == "skip":
        turn.repo.reminders.close(reminder_id, ReminderStatus.SKIPPED, turn.now)
        turn.say("Skipped. Not every door needs a second knock.")
    elif action == "replied" and reminder.kind in GOOD_NEWS_KINDS:
        turn.repo.reminders.close(reminder_id, ReminderStatus.DONE, turn.now)
        _help_reply(turn, reminder.rejection_id)
    elif action == "replied" and reminder.rejection_id is not None:
        turn.repo.reminders.close(reminder_id, ReminderStatus.DONE, turn.now)
        turn.repo.reminders.cancel(reminder.rejection_id, FEEDBACK_NUDGES, turn.now)
        turn.say(
            "They replied: that's a real door opened. I've stopped the feedback nudges for "
            "this one. /feedback keeps what they said, with advice for it."
        )
    elif action == "win":
        turn.repo.reminders.close(reminder_id, ReminderStatus.DONE, turn.now)
        turn.handover = "win"
    elif action in ("done", "replied"):
        turn.repo.reminders.close(reminder_id, ReminderStatus.DONE, turn.now)
        turn.say(f"Marked done. {done_line(turn.repo, turn.playbook)}")
        if reminder.kind in KEPT_NOTES:
            _second_ask_a_week_on(turn, reminder.rejection_id)
    else:
        raise InvalidAnswer("I don't know that button. /followups lists your follow-ups.")
    return None


def _second_ask_a_week_on(turn: Turn, rejection_id: int | None) -> None:
    """The second ask says "about a week since your note": a note sent late moves it."""
    day = next_working_day(turn.today + SECOND_ASK_AFTER)
    for waiting in turn.repo.reminders.open():
        if waiting.rejection_id != rejection_id or waiting.kind != "second_ask":
            continue
        if waiting.local_due.date() < day:
            at = waiting.local_due.time()
            turn.repo.reminders.snooze(
                waiting.id, to_utc(day, at, waiting.zone), datetime.combine(day, at)
            )
            when = describe_day(day, turn.today)
            turn.say(f"If they haven't answered by {when}, I'll help you ask once more.")


GOOD_NEWS_KINDS = ("advice_meeting", "keep_in_touch", "reconnect")  # a reply may be an opening


def _help_reply(turn: Turn, rejection_id: int | None) -> None:
    """A reply to a keep-in-touch or a reconnect is often news: help answer it warmly."""
    rejection = turn.repo.rejections.get(rejection_id) if rejection_id else None
    draft = follow_up_note(
        turn.playbook,
        "reply_to_news",
        company=rejection.company if rejection else "",
        role=rejection.role if rejection else "",
        contact_name=rejection.contact_name if rejection else "",
        member_name=signature(turn),
    )
    turn.say(turn.playbook.text("notes.reply_to_news_intro"), quote=draft)


def answer_pause_offer(turn: Turn, value: str) -> None:
    weeks = {f"{PAUSE}{n}": n for n in (0, 2, 4)}.get(value)
    if weeks is None:
        raise InvalidAnswer("Pick one of the options: pause for 2 weeks, 4 weeks, or keep going.")
    if weeks:
        pause(turn.repo, turn.now + timedelta(weeks=weeks), turn.now)
        turn.say(f"Paused for {weeks} weeks. Everything waits for you; /settings resumes sooner.")
    else:
        turn.say("Glad to hear from you. They'll keep coming.")


def snooze_to(turn: Turn, reminder_id: int, day: date) -> None:
    """Same wall-clock time as planned, on the new day, in the reminder's zone."""
    reminder = turn.repo.reminders.get(reminder_id)
    if reminder is None:
        raise InvalidAnswer("That follow-up is gone.")
    at = reminder.local_due.time()
    due = to_utc(day, at, reminder.zone)
    if not turn.repo.reminders.snooze(reminder_id, due, datetime.combine(day, at)):
        turn.say("That follow-up is already closed.")
        return
    turn.say(f"Okay, I'll bring it back {describe_day(day, turn.today)} at {at:%H:%M}.")


@command("Answer a reminder: entered by its buttons, never typed.", listed=False)
class ReminderDialogue(Dialogue):
    name = "reminder"
    steps = (Action, WhichReminder, Later, PauseOffer)
    entries = (Action, PauseOffer)  # a delivered reminder becomes the member's question

    def begin(self, turn: Turn, args: str) -> None:
        turn.say("Reminders arrive on their own. /followups lists the ones waiting.")
