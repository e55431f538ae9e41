"""`/settings [timezone Z | quiet H | pause N | resume | facilitator on|off]`: when reminders
may reach the member, and whether the group's facilitators see their name if they go quiet.

Without arguments it shows the member's settings and offers to change one at a
time; with them it changes that one setting at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import Ask, Dialogue, Pick, Question, Step, Turn
from bot.conversation.events import Option
from bot.member.settings import (
    COMMON_ZONES,
    MAX_PAUSE_WEEKS,
    QUIET_HINT,
    ZONE_HINT,
    QuietHours,
    pause,
    pause_length,
    quiet_hours,
    resume,
    set_quiet_hours,
    set_timezone,
    timezone_name,
    zone_asked,
    zone_question_due,
)
from bot.parsing import InvalidAnswer
from bot.reminders.describing import describe_day

KEEP = Option("keep", "Leave it as it is")
SKIP_ZONE = Option("skip", "Skip for now")
ASK_FOR_ZONE = "Tell me your own time zone, so reminders arrive at the right hour for you."
USAGE = (
    "Try `/settings`, `/settings timezone Europe/Berlin`, `/settings quiet 22:00-07:00`, "
    "`/settings quiet off`, `/settings pause 2`, `/settings resume` "
    "or `/settings facilitator on`."
)
_ARGUMENTS = re.compile(
    r"^(?:(time\s*zone|tz|zone)|(quiet)(?:\s+hours)?|(pause)|(resume)|(facilitators?))"
    r"(?:\s+(.*))?$",
    re.IGNORECASE | re.DOTALL,
)
_STEP_OF_GROUP = ("timezone", "quiet", "pause", "resume", "facilitator")
TELL = Option("on", "Yes, they may see my name")
DONT_TELL = Option("off", "No, just the count")
QUIET_NAMED = (
    "After two weeks without any activity, a member counts as quiet in the view the "
    "group's facilitators have. They see how many; your name only if you say yes here, "
    "so they can check in on you. Nothing else about you is shown."
)


class Menu(Step):
    name = "menu"

    def question(self, turn: Turn) -> Question:
        options = [
            Option("timezone", "Time zone"),
            Option("quiet", "Quiet hours"),
            Option("pause", "Pause reminders"),
            Option("facilitator", "If I go quiet"),
        ]
        if _paused(turn):
            options.append(Option("resume", "Resume reminders"))
        options.append(Option("done", "Done"))
        text = "Anything else?" if turn.data.get("changed") else "What would you like to change?"
        return Pick(text, tuple(options))

    def answered(
        self, turn: Turn, value: str
    ) -> type[Menu] | type[TimeZone] | type[Quiet] | type[Pause] | type[TellFacilitator] | None:
        if value == "done":
            turn.say(
                "All set."
                if turn.data.get("changed")
                else "Nothing changed. /settings is here whenever you need it."
            )
            return None
        if value == "resume":
            _resume(turn)
            return Menu
        return ASKED_BY_NAME[value]


class TimeZone(Step):
    name = "timezone"

    def question(self, turn: Turn) -> Question:
        return Ask(
            f"Which time zone are you in? Give {ZONE_HINT}.",
            lambda raw, _t: raw if raw == KEEP.value else timezone_name(raw),
            options=(KEEP,),
        )

    def answered(self, turn: Turn, value: str) -> type[Menu] | None:
        if value == KEEP.value:
            return _unchanged(turn)
        _change_timezone(turn, value)
        return _after(turn)


class FirstZone(Step):
    """Once, after a member's first plan: the zone their follow-ups' hours are read in."""

    name = "first_zone"

    def question(self, turn: Turn) -> Question:
        zone = turn.repo.member.timezone
        return Ask(
            f"One more thing: your follow-ups come at the hours shown on {zone} time. "
            f"Which time zone are you in? Pick one, or type {ZONE_HINT}.",
            lambda raw, _t: raw if raw == SKIP_ZONE.value else timezone_name(raw),
            options=(*(Option(name, label) for name, label in COMMON_ZONES), SKIP_ZONE),
        )

    def answered(self, turn: Turn, value: str) -> None:
        if value == SKIP_ZONE.value:
            turn.say(
                f"Okay, they stay on {turn.repo.member.timezone} time. "
                "`/settings timezone` changes it whenever you like."
            )
            return
        _change_timezone(turn, value)


def ask_zone_once(turn: Turn) -> None:
    """After a dialogue that planned reminders: their zone, if nobody knows it yet.

    Asked once, as its own short dialogue once the plan is saved, so it never holds
    up the plan; skipping it keeps the group's zone.
    """
    if zone_question_due(turn.repo):
        turn.handover = SettingsDialogue.name


class Quiet(Step):
    name = "quiet"

    def question(self, turn: Turn) -> Question:
        return Ask(
            f"When should I keep quiet? Your local hours, {QUIET_HINT}.",
            lambda raw, _t: raw if raw == KEEP.value else quiet_hours(raw),
            options=(Option("off", "No quiet hours"), KEEP),
        )

    def answered(self, turn: Turn, value: Any) -> type[Menu] | None:
        if value == KEEP.value:
            return _unchanged(turn)
        _change_quiet(turn, value)
        return _after(turn)


class Pause(Step):
    name = "pause"

    def question(self, turn: Turn) -> Question:
        # Option n is n weeks, so a typed number means the same either way.
        weeks = tuple(Option(str(n), f"{n} week{'s' if n > 1 else ''}") for n in range(1, 5))
        return Ask(
            f"For how many weeks? Anything due meanwhile waits. Up to {MAX_PAUSE_WEEKS}, "
            "or a few days, like `3 days`.",
            lambda raw, _t: pause_length(raw),
            options=weeks,
        )

    def answered(self, turn: Turn, value: timedelta) -> type[Menu] | None:
        _pause(turn, value)
        return _after(turn)


class TellFacilitator(Step):
    name = "tell_facilitator"

    def question(self, turn: Turn) -> Question:
        return Pick(f"{QUIET_NAMED} May they see your name?", (TELL, DONT_TELL, KEEP))

    def answered(self, turn: Turn, value: str) -> type[Menu] | None:
        if value == KEEP.value:
            return _unchanged(turn)
        _change_tell(turn, value == TELL.value)
        return _after(turn)


def on_or_off(raw: str) -> bool:
    word = raw.strip().lower()
    if word in ("on", "yes"):
        return True
    if word in ("off", "no"):
        return False
    raise InvalidAnswer("`on` lets the facilitators see your name if you go quiet; `off` doesn't.")


def _unchanged(turn: Turn) -> type[Menu] | None:
    if turn.data.get("direct"):
        turn.say("Okay, I've left it as it was.")
    return _after(turn)


def _after(turn: Turn) -> type[Menu] | None:
    """Back to the menu, unless the member came straight here with `/settings quiet`."""
    return None if turn.data.get("direct") else Menu


# The changes, each confirmed in a line or two


def _change_timezone(turn: Turn, zone: str) -> None:
    moved = set_timezone(turn.repo, zone)
    turn.data["changed"] = True
    line = f"Your time zone is now {zone}; it's {_local(turn, turn.now):%H:%M} there."
    if moved:
        what = (
            "waiting follow-up keeps its"
            if moved == 1
            else f"{moved} waiting follow-ups keep their"
        )
        line += f" Your {what} time of day, now on {zone} time."
    turn.say(line)


def _change_quiet(turn: Turn, window: QuietHours | None) -> None:
    set_quiet_hours(turn.repo, window)
    turn.data["changed"] = True
    if window is None:
        turn.say("Quiet hours are off: reminders may arrive at any hour.")
        return
    start, end = window
    turn.say(
        f"Quiet hours set: {start:%H:%M} to {end:%H:%M}, your time. "
        f"Anything due then waits until {end:%H:%M}."
    )


def _pause(turn: Turn, length: timedelta) -> None:
    until = turn.now + length
    pause(turn.repo, until, turn.now)
    turn.data["changed"] = True
    turn.say(
        f"Reminders are paused until {_when(turn, until)}. Take the time you need; "
        "/settings resume brings them back sooner."
    )


def _resume(turn: Turn) -> None:
    if not _paused(turn):
        turn.say("Your reminders aren't paused, so there's nothing to resume.")
        return
    held = resume(turn.repo, turn.now)
    turn.data["changed"] = True
    line = "Welcome back: reminders are on again."
    if held:
        line += (
            " The follow-up that waited for you comes now."
            if held == 1
            else f" The {held} follow-ups that waited for you come now."
        )
    turn.say(line)


def _change_tell(turn: Turn, tell: bool) -> None:
    turn.repo.change(tell_facilitator=tell)
    turn.data["changed"] = True
    if tell:
        turn.say(
            "Done: if you go quiet for two weeks, the facilitators see your name, so they "
            "can check in. Only that: not why, and nothing you logged."
        )
    else:
        turn.say("Done: if you go quiet, the facilitators see only a count, never your name.")


READERS: dict[str, Callable[[str], Any]] = {
    "timezone": timezone_name,
    "quiet": quiet_hours,
    "pause": pause_length,
    "facilitator": on_or_off,
}
CHANGES: dict[str, Callable[[Turn, Any], None]] = {
    "timezone": _change_timezone,
    "quiet": _change_quiet,
    "pause": _pause,
    "facilitator": _change_tell,
}
ASKED_BY_NAME: dict[str, type[TimeZone] | type[Quiet] | type[Pause] | type[TellFacilitator]] = {
    "timezone": TimeZone,
    "quiet": Quiet,
    "pause": Pause,
    "facilitator": TellFacilitator,
}


# Showing the settings


def summary(turn: Turn) -> str:
    member = turn.repo.member
    default = "" if member.timezone_chosen else ", the group's default"
    zone = f"{member.timezone}{default} (it's {_local(turn, turn.now):%H:%M} there now)"
    quiet = (
        f"{member.quiet_from:%H:%M} to {member.quiet_until:%H:%M}, your time"
        if member.quiet_from is not None and member.quiet_until is not None
        else "none"
    )
    paused = member.paused_until if _paused(turn) else None
    reminders = f"paused until {_when(turn, paused)}" if paused else "on"
    return "\n".join(
        (
            "Your settings:",
            f"- Time zone: {zone}",
            f"- Quiet hours: {quiet}",
            f"- Reminders: {reminders}",
            "- If you go quiet: the facilitators "
            + ("see your name" if member.tell_facilitator else "see a count, not your name"),
            *(() if member.timezone_chosen else (ASK_FOR_ZONE,)),
        )
    )


def _paused(turn: Turn) -> bool:
    until = turn.repo.member.paused_until
    return until is not None and until > turn.now


def _local(turn: Turn, moment: datetime) -> datetime:
    """A stored (naive UTC) moment on the member's own clock."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(turn.repo.member.timezone))


def _when(turn: Turn, moment: datetime) -> str:
    local = _local(turn, moment)
    today = _local(turn, turn.now).date()
    day = describe_day(local.date(), today)
    return f"{'tomorrow' if day == 'Tomorrow' else day} at {local:%H:%M}"


@command(
    "Your time zone, quiet hours, pausing reminders, and what facilitators see if you go quiet.",
    CommandOption("change", "timezone Z, quiet 22:00-07:00, pause N, resume, facilitator on"),
)
class SettingsDialogue(Dialogue):
    name = "settings"
    steps = (Menu, TimeZone, FirstZone, Quiet, Pause, TellFacilitator)

    def begin(
        self, turn: Turn, args: str
    ) -> (
        type[FirstZone]
        | type[Menu]
        | type[TimeZone]
        | type[Quiet]
        | type[Pause]
        | type[TellFacilitator]
        | None
    ):
        text = args.strip()
        if turn.handover == self.name:  # handed over by ask_zone_once, after a plan
            zone_asked(turn.repo)
            turn.data["direct"] = True
            return FirstZone
        if not text:
            turn.say(summary(turn))
            return Menu
        match = _ARGUMENTS.match(text)
        if not match:
            raise InvalidAnswer(USAGE)
        what = next(
            step for step, group in zip(_STEP_OF_GROUP, match.groups(), strict=False) if group
        )
        if what == "resume":
            _resume(turn)
            return None
        value = (match[6] or "").strip()
        if not value:  # `/settings timezone`: ask, then finish
            turn.data["direct"] = True
            return ASKED_BY_NAME[what]
        CHANGES[what](turn, READERS[what](value))
        return None
