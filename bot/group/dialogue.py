"""`/group [health | channel | checkin DAY HH:MM | digest DAY HH:MM | nudge DAY | goals on|off |
timezone ZONE | on | off | facilitator WHO | support WHO]`: how the group is doing
(bot/group/health.py), its channel, weekly rhythm (the members' own check-ins included)
and the person its members are pointed to in a hard moment, for its facilitators.

A member may run it when the group lists them as a facilitator, when
BOUNCEBACK_FACILITATORS names them, or, in a workspace with no group yet and
no facilitator configured for it, when they are the first to run it (they
become its facilitator). Anyone else is told, kindly, who can help.

A change to the schedule cancels the group's posts not yet sent, so the next
`plan_group_posts` plans them again from the new settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, time

from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import Ask, Dialogue, Pick, Question, Step, Turn
from bot.conversation.events import Option
from bot.conversation.inert_text import inert_name
from bot.group import facilitators
from bot.group.health import health_view
from bot.group.rhythm import (
    CHECKIN,
    DIGEST,
    KINDS,
    POST_NAMES,
    Rhythm,
    next_post,
)
from bot.member.settings import timezone_name
from bot.parsing import InvalidAnswer, clean_text, day_and_time, day_name, weekday
from bot.reminders.describing import describe_day

MAX_FACILITATORS = 20
SUPPORT_LENGTH = 300
BACK = Option("back", "Back")
USAGE = (
    "Try `/group` for the menu, or `/group health`, `channel`, `checkin mon 09:00`, "
    "`digest fri 16:00`, `nudge thu`, `goals off`, `timezone Europe/Berlin`, `on`, `off` "
    "or `support WHO`."
)
NO_SUPPORT = "support lines for their country (`/group support` names someone of yours)"
CLEAR_WORDS = frozenset({"none", "off", "clear", "remove"})
RUN_IN_CHANNEL = (
    "To choose the group's channel, run /group in that channel: I'll pick it up from there."
)

Action = Callable[[Turn], None]


# Who may set the group up


def may_set_up(turn: Turn, group: Rhythm | None) -> bool:
    return facilitators.facilitates(turn.settings, turn.member.tenant, turn.member.user, group)


def facilitator_ids(turn: Turn, group: Rhythm | None) -> list[str]:
    return facilitators.facilitator_ids(turn.settings, turn.member.tenant, group)


def known_names(turn: Turn, user_ids: list[str]) -> dict[str, str]:
    """Display names of these users in this tenant, made unable to ping anyone."""
    if not user_ids:
        return {}
    names = turn.repo.roster.names(user_ids)
    return {user: inert_name(name) for user, name in names.items() if name.strip()}


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"


def refusal(turn: Turn, group: Rhythm | None) -> str:
    ids = facilitator_ids(turn, group)
    names = known_names(turn, ids)
    shown = [names[user] for user in ids if user in names]
    if not shown:
        who = "Your group's facilitator can"
    elif len(shown) < len(ids):
        who = f"{_listed(shown)} (or another facilitator) can"
    else:
        who = f"{_listed(shown)} can"
    return (
        "The group's channel and weekly rhythm are looked after by its facilitators, "
        f"so /group is theirs to use. {who} help if you'd like something changed."
    )


# What the member sees


def _when(day: str, at: time) -> str:
    return f"{day_name(day)}s at {at:%H:%M}"


def summary(turn: Turn, group: Rhythm) -> str:
    lines = ["Here's the group's rhythm:"]
    if group.channel:
        lines.append(f"- Channel: {group.channel}")
    else:
        lines.append("- Channel: none yet, so nothing is posted")
    lines.append(f"- Time zone: {group.timezone}")
    lines.append(f"- Check-in: {_when(group.checkin_day, group.checkin_at)}")
    lines.append(f"- Digest: {_when(group.digest_day, group.digest_at)}")
    lines.append(
        f"- Members' own check-ins: in their DMs, {_when(group.checkin_day, group.checkin_at)} "
        "their own time; "
        + (
            f"a weekly goal, nudged on {day_name(group.nudge_day)}s"
            if group.ask_goals
            else "no weekly goal asked"
        )
    )
    if not group.rhythm_on:
        lines.append("- Rhythm: paused")
    else:
        lines.append("- Rhythm: on" + _next_posts(turn, group))
    ids = facilitator_ids(turn, group)
    names = known_names(turn, ids)
    lines.append(
        "- Facilitators: " + (", ".join(names.get(u, inert_name(u)) for u in ids) or "none listed")
    )
    lines.append(f"- In a hard moment, members are pointed to: {group.support or NO_SUPPORT}")
    if not group.channel and "channel" not in turn.data:
        lines.append(RUN_IN_CHANNEL)
    return "\n".join(lines)


def _next_posts(turn: Turn, group: Rhythm) -> str:
    parts = []
    for kind in KINDS:
        fire = next_post(group, kind, turn.now)
        if fire is not None:
            today = turn.now.replace(tzinfo=UTC).astimezone(fire.tzinfo).date()
            day = "Today" if fire.date() == today else describe_day(fire.date(), today)
            parts.append(f"next {POST_NAMES[kind]} {day} at {fire:%H:%M}")
    return f" ({', '.join(parts)})" if parts else ""


# Reading answers


_MENTION = re.compile(r"^<@!?([A-Za-z0-9._-]{1,64})(?:\|[^<>@]{0,80})?>$")
_USER_ID = re.compile(r"^@?([A-Za-z0-9._-]{1,64})$")


def user_reference(raw: str) -> tuple[str, bool]:
    """Who is meant: (a user id, True) from a mention, else (what was typed, False)."""
    mention = _MENTION.match(raw.strip())
    if mention:
        return mention[1], True
    return clean_text(raw, max_length=80), False


def resolve_user(turn: Turn, raw: str) -> str:
    """A user id in this tenant: from a mention, an id, or a name I know uniquely."""
    typed, is_id = user_reference(raw)
    if is_id:
        return typed
    bare = typed.removeprefix("@")
    if turn.repo.roster.knows(bare):
        return bare
    named = turn.repo.roster.named(bare, most=2)
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise InvalidAnswer("More than one member goes by that name. Their user id will do it.")
    if _USER_ID.match(typed):
        return bare
    raise InvalidAnswer(
        "I don't know anyone here by that name yet. Their user id works too, like U0456DEF."
    )


# Changes


def _group(turn: Turn) -> Rhythm:
    group = turn.repo.group.find()
    if group is None:  # nothing deletes a group, but never act on thin air
        group = turn.repo.group.create(
            timezone=turn.settings.default_timezone,
            facilitators=[turn.member.user],
            now=turn.now,
        )
    return group


def _change(turn: Turn, kinds: tuple[str, ...], **values: object) -> Rhythm:
    """Save the new settings; posts planned from the old ones are cancelled for re-planning."""
    turn.repo.group.update(**values)
    if kinds:
        turn.repo.group.cancel_planned(kinds, turn.now)
    return _group(turn)


def use_channel(turn: Turn) -> None:
    channel = turn.data.get("channel")
    if not channel:
        turn.say(RUN_IN_CHANNEL)
        return
    if _group(turn).channel == channel:
        turn.say("The group already posts in that channel.")
        return
    group = _change(turn, (), channel=channel)
    paused = "" if group.rhythm_on else " The rhythm is paused: turn it on when you're ready."
    turn.say("Done: check-ins and digests will go to the channel you ran /group in." + paused)


def set_zone(turn: Turn, zone: str) -> None:
    if _group(turn).timezone == zone:
        turn.say(f"The group already follows {zone}.")
        return
    _change(turn, KINDS, timezone=zone)
    turn.say(f"Done: the group's times now follow {zone}.")


def set_schedule(turn: Turn, kind: str, day: str, at: time) -> None:
    group = _group(turn)
    if group.when(kind) == (day, at):
        turn.say(f"The {POST_NAMES[kind]} is already on {_when(day, at)}.")
        return
    prefix = "checkin" if kind == CHECKIN else "digest"
    group = _change(turn, (kind,), **{f"{prefix}_day": day, f"{prefix}_at": at})
    turn.say(f"Done: the {POST_NAMES[kind]} now goes out on {_when(day, at)} ({group.timezone}).")


def set_rhythm(turn: Turn, on: bool) -> None:
    group = _group(turn)
    if group.rhythm_on == on:
        turn.say("The rhythm is already " + ("on." if on else "paused."))
        return
    group = _change(turn, KINDS, rhythm_on=on)
    if not on:
        turn.say("Paused: no check-ins or digests until you turn the rhythm back on.")
        return
    needs = "" if group.channel else " It still needs a channel: run /group in that channel."
    turn.say("The rhythm is on again." + needs)


def set_nudge_day(turn: Turn, day: str) -> None:
    if _group(turn).nudge_day == day:
        turn.say(f"Goals are already nudged on {day_name(day)}s.")
        return
    _change(turn, (), nudge_day=day)
    turn.say(
        f"Done: from this week's goals on, members are asked how theirs went on {day_name(day)}s."
    )


def set_goals(turn: Turn, on: bool) -> None:
    if _group(turn).ask_goals == on:
        turn.say("Weekly goals are already " + ("asked." if on else "left out."))
        return
    _change(turn, (), ask_goals=on)
    if on:
        turn.say("Done: each member's check-in asks for one small goal again.")
    else:
        turn.say("Done: check-ins ask how members are and what moved, and no goal.")


def add_facilitator(turn: Turn, user: str) -> None:
    group = _group(turn)
    name = known_names(turn, [user]).get(user, user)
    if user in group.facilitators:
        turn.say(f"{name} is already a facilitator.")
        return
    if len(group.facilitators) >= MAX_FACILITATORS:
        turn.say(f"A group can have {MAX_FACILITATORS} facilitators, and this one has them all.")
        return
    _change(turn, (), facilitators=[*group.facilitators, user])
    if name == user:
        turn.say(
            f"Added {user} as a facilitator. I haven't met them yet, so please check the id: "
            "/group will work for them once it's right."
        )
    else:
        turn.say(f"Added {name} as a facilitator.")


def support_text(raw: str) -> str:
    """Who members in distress are pointed to, in the facilitator's words; "none" clears it."""
    if raw.strip().lower() in CLEAR_WORDS:
        return ""
    return clean_text(raw, max_length=SUPPORT_LENGTH)


def set_support(turn: Turn, support: str) -> None:
    if _group(turn).support == support:
        turn.say("That's already who members are pointed to.")
        return
    _change(turn, (), support=support)
    if support:
        turn.say(
            f"Done: a member in a hard moment is pointed to {support}, "
            "and to the support lines for their country."
        )
    else:
        turn.say(
            "Done: a member in a hard moment is pointed to the support lines for their country."
        )


def show_health(turn: Turn) -> None:
    """The group's last seven days and its eight weeks in a chart, in the facilitator's DM."""
    turn.replies.append(health_view(turn.repo.group, turn.now, _group(turn).timezone))


def shortcut(turn: Turn, args: str) -> Action | None:
    """`/group <setting> [value]`: read in full before anything is saved."""
    word, _, rest = args.strip().partition(" ")
    word, rest = word.lower(), rest.strip()
    if word == "health" and not rest:
        return show_health
    if word == "channel" and not rest:
        return use_channel  # in a DM, it explains where to run it
    if word in ("checkin", "check-in", "digest") and rest:
        kind = DIGEST if word == "digest" else CHECKIN
        day, at = day_and_time(rest)
        return lambda t: set_schedule(t, kind, day, at)
    if word == "nudge" and rest:
        nudge_day = _weekday(rest)
        return lambda t: set_nudge_day(t, nudge_day)
    if word == "goals" and rest.lower() in ("on", "off"):
        on = rest.lower() == "on"
        return lambda t: set_goals(t, on)
    if word in ("timezone", "tz", "zone") and rest:
        zone = timezone_name(rest)
        return lambda t: set_zone(t, zone)
    if word in ("on", "off", "pause", "resume") and not rest:
        on = word in ("on", "resume")
        return lambda t: set_rhythm(t, on)
    if word in ("facilitator", "add") and rest:
        user = resolve_user(turn, rest)
        return lambda t: add_facilitator(t, user)
    if word == "support" and rest:
        support = support_text(rest)
        return lambda t: set_support(t, support)
    raise InvalidAnswer(USAGE)


# Steps


def _still_allowed(turn: Turn) -> bool:
    """A facilitator taken off the list mid-dialogue can change nothing more."""
    group = turn.repo.group.find()
    if group is None or may_set_up(turn, group):
        return True
    turn.say(refusal(turn, group))
    return False


class Menu(Step):
    name = "menu"

    def question(self, turn: Turn) -> Question:
        group = turn.repo.group.find()
        current, paused = (group.channel, not group.rhythm_on) if group else ("", False)
        options = []
        if turn.data.get("channel") not in ("", None, current):
            options.append(Option("channel", "Use the channel I ran /group in"))
        options += [
            Option("health", "How the group is doing"),
            Option("timezone", "Time zone"),
            Option("checkin", "Check-in day and time"),
            Option("digest", "Digest day and time"),
            Option("nudge", "Goal nudge day"),
            Option("goals_off", "Stop asking for weekly goals")
            if group is None or group.ask_goals
            else Option("goals_on", "Ask for weekly goals"),
            Option("on", "Turn it on") if paused else Option("off", "Pause the rhythm"),
            Option("facilitator", "Add a facilitator"),
            Option("support", "Who members can reach in a hard moment"),
            Option("done", "Done"),
        ]
        return Pick("Anything to change?", tuple(options))

    def answered(
        self, turn: Turn, value: str
    ) -> (
        type[Menu]
        | type[Timezone]
        | type[Checkin]
        | type[Digest]
        | type[NudgeDay]
        | type[Facilitator]
        | type[Support]
        | None
    ):
        if value == "done":
            turn.say("All set. /group brings this back whenever you need it.")
            return None
        if not _still_allowed(turn):
            return None
        if value == "health":
            show_health(turn)
            return Menu
        if value == "channel":
            use_channel(turn)
            return Menu
        if value in ("on", "off"):
            set_rhythm(turn, value == "on")
            return Menu
        if value in ("goals_on", "goals_off"):
            set_goals(turn, value == "goals_on")
            return Menu
        return ASKED_BY_NAME[value]


def _or_back(reader: Callable[[str], object]) -> Callable[[str, Turn], object]:
    return lambda raw, _turn: None if raw == BACK.value else reader(raw)


class Timezone(Step):
    name = "timezone"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "Which time zone should the group's times follow? "
            "A name like Europe/Berlin or America/New_York.",
            _or_back(timezone_name),
            options=(BACK,),
        )

    def answered(self, turn: Turn, value: str | None) -> type[Menu]:
        if value is not None and _still_allowed(turn):
            set_zone(turn, value)
        return Menu


class _Schedule(Step):
    kind: str

    def question(self, turn: Turn) -> Question:
        return Ask(
            f"Which day and time for the weekly {POST_NAMES[self.kind]}? "
            "For example `mon 09:00` or `fri 4pm`, in the group's time zone.",
            _or_back(day_and_time),
            options=(BACK,),
        )

    def answered(self, turn: Turn, value: tuple[str, time] | None) -> type[Menu]:
        if value is not None and _still_allowed(turn):
            set_schedule(turn, self.kind, *value)
        return Menu


class Checkin(_Schedule):
    name = "checkin"
    kind = CHECKIN


class Digest(_Schedule):
    name = "digest"
    kind = DIGEST


class NudgeDay(Step):
    name = "nudge"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "Which day should members be asked how their week's goal went? For example `thu`.",
            _or_back(_weekday),
            options=(BACK,),
        )

    def answered(self, turn: Turn, value: str | None) -> type[Menu]:
        if value is not None and _still_allowed(turn):
            set_nudge_day(turn, value)
        return Menu


def _weekday(raw: str) -> str:
    day = weekday(clean_text(raw, max_length=20).lower())
    if day is None:
        raise InvalidAnswer("A day of the week, like `thu` or `Friday`.")
    return day


class Facilitator(Step):
    name = "facilitator"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "Who else should look after the group's rhythm? "
            "Their name as I know it, or their user id (like U0456DEF).",
            lambda raw, t: None if raw == BACK.value else resolve_user(t, raw),
            options=(BACK,),
        )

    def answered(self, turn: Turn, value: str | None) -> type[Menu]:
        if value is not None and _still_allowed(turn):
            add_facilitator(turn, value)
        return Menu


class Support(Step):
    name = "support"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "When a member writes something that sounds like despair, I stop the coaching, "
            "give them the support lines for their country and point them to a person. "
            "Who should that be? For example `Priya, our facilitator (DM her any time)`; "
            "`none` leaves just the lines.",
            _or_back(support_text),
            options=(BACK,),
        )

    def answered(self, turn: Turn, value: str | None) -> type[Menu]:
        if value is not None and _still_allowed(turn):
            set_support(turn, value)
        return Menu


@command(
    "Facilitators: how the group is doing, its channel, weekly rhythm and support contact.",
    CommandOption(
        "setting", "health, channel, checkin mon 09:00, digest fri 16:00, on, off, support WHO"
    ),
    facilitators_only=True,
)
class GroupDialogue(Dialogue):
    name = "group"
    steps = (Menu, Timezone, Checkin, Digest, NudgeDay, Facilitator, Support)

    def begin(self, turn: Turn, args: str) -> type[Menu] | None:
        group = turn.repo.group.find()
        claim = not facilitator_ids(turn, group)  # nobody looks after this group yet
        if not (claim or may_set_up(turn, group)):
            turn.say(refusal(turn, group))
            return None
        action = shortcut(turn, args) if args.strip() else None  # read before writing anything
        if group is None:
            group = turn.repo.group.create(
                timezone=turn.settings.default_timezone,
                facilitators=[turn.member.user] if claim else [],
                now=turn.now,
            )
        elif claim:
            turn.repo.group.update(facilitators=[turn.member.user])
            group = _group(turn)
        if claim:
            turn.say(
                "You're the first to set up this group, so you're its facilitator. "
                "You can add others from here."
            )
        if not turn.origin.in_dm:
            turn.data["channel"] = turn.origin.channel
        if action is not None:
            action(turn)
            return None
        turn.say(summary(turn, group))
        return Menu


ASKED_BY_NAME: dict[
    str,
    type[Timezone]
    | type[Checkin]
    | type[Digest]
    | type[NudgeDay]
    | type[Facilitator]
    | type[Support],
] = {
    "timezone": Timezone,
    "checkin": Checkin,
    "digest": Digest,
    "nudge": NudgeDay,
    "facilitator": Facilitator,
    "support": Support,
}
