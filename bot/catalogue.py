"""The one list of commands: `/help`, the Slack manifest and the Discord tree read it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandOption:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str
    options: tuple[CommandOption, ...] = ()
    facilitators_only: bool = False

    @property
    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for option in self.options:
            parts.append(f"<{option.name}>" if option.required else f"[{option.name}]")
        return " ".join(parts)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "rejected",
        "Had a no? Talk it through privately and plan the follow-up.",
        (CommandOption("company", "The company that said no"),),
    ),
    CommandSpec(
        "feedback",
        "Record feedback you received on an earlier rejection.",
        (CommandOption("company", "Which rejection it is about"),),
    ),
    CommandSpec(
        "win",
        "Log a win: feedback, a meeting, a referral, an interview, an offer...",
        (CommandOption("description", "What happened"),),
    ),
    CommandSpec(
        "followups",
        "See your follow-ups; mark one done or cancel it.",
        (CommandOption("action", "done N or cancel N"),),
    ),
    CommandSpec(
        "settings",
        "Your time zone, quiet hours, and pausing or resuming reminders.",
        (CommandOption("change", "timezone Z, quiet 22:00-07:00, pause N or resume"),),
    ),
    CommandSpec("stats", "Your own journey so far, in numbers."),
    CommandSpec("export", "Download everything Bounceback keeps about you."),
    CommandSpec("forget-me", "Delete everything Bounceback keeps about you."),
    CommandSpec(
        "group",
        "Facilitators: the group's channel, time zone, weekly check-in and digest.",
        (CommandOption("setting", "channel, checkin mon 09:00, digest fri 16:00, on or off"),),
        facilitators_only=True,
    ),
    CommandSpec("cancel", "Stop the conversation we are in."),
    CommandSpec("help", "What Bounceback can do."),
)

BY_NAME: dict[str, CommandSpec] = {spec.name: spec for spec in COMMANDS}


def help_text() -> str:
    lines = ["Here is what I can do. Everything stays between us unless you choose to share."]
    lines += [f"{spec.usage}: {spec.description}" for spec in COMMANDS]
    return "\n".join(lines)


NO_GROUP_CHANNEL = (
    "I couldn't post that to the group: no group channel is set yet. A facilitator can "
    "choose one by running /group in the group's channel."
)
