"""The one list of commands: `/help`, the Slack manifest and the Discord tree read it.

Slack's slash commands are global to a workspace, so generic names (`/help`,
`/settings`) clash with other apps: there only `/rejected` and `/win` are
commands of their own, and the rest are typed under one, `/bounceback
settings`. A Discord app's commands are its own, and the console's too, so
they keep every command at the top.
"""

from __future__ import annotations

from dataclasses import dataclass

SLACK = "slack"
HOME = "bounceback"  # the Slack command every other command is typed under


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
    own_slack_command: bool = False  # else typed as `/bounceback <name>` on Slack

    @property
    def usage(self) -> str:
        return self.usage_on("")

    @property
    def options_usage(self) -> str:
        """`<required> [optional]`, what follows the command's name."""
        return " ".join(
            f"<{option.name}>" if option.required else f"[{option.name}]" for option in self.options
        )

    def usage_on(self, platform: str) -> str:
        return " ".join(filter(None, (typed(self.name, platform), self.options_usage)))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "rejected",
        "Had a no? Talk it through privately and plan the follow-up.",
        (CommandOption("company", "The company that said no"),),
        own_slack_command=True,
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
        own_slack_command=True,
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


SLACK_COMMANDS = tuple(spec for spec in COMMANDS if spec.own_slack_command)
UNDER_HOME = tuple(spec for spec in COMMANDS if not spec.own_slack_command)


def typed(name: str, platform: str) -> str:
    """How a member types the command `name` where they are: `/settings`, or on
    Slack `/bounceback settings` (a name the catalogue lacks included)."""
    spec = BY_NAME.get(name)
    if platform == SLACK and not (spec and spec.own_slack_command):
        return f"/{HOME} {name}"
    return f"/{name}"


def slash_to_command(name: str, text: str) -> tuple[str, str]:
    """`/bounceback settings pause 3` is the command `settings` with `pause 3`, and
    `/bounceback` alone is help; any other slash command is itself."""
    if name.lstrip("/").lower() != HOME:
        return name.lstrip("/"), text
    words = text.split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), words[1].strip() if len(words) > 1 else ""


def help_text(platform: str = "") -> str:
    """Every command, written the way it is typed on `platform`."""
    lines = ["Here is what I can do. Everything stays between us unless you choose to share."]
    lines += [f"{spec.usage_on(platform)}: {spec.description}" for spec in COMMANDS]
    return "\n".join(lines)
