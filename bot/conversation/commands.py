"""Declaring a command: a decorator on what answers it, in the slack-machine manner.

`@command(...)` on a dialogue class starts that dialogue; on a function
`(turn, args)`, it answers at once. Each declaration says who sees the command
and how: listed or not (a button-only dialogue), for facilitators, a Slack
command of its own, answered in place. bot.conversation.registry collects every
declaration; /help, the Slack manifest and the Discord tree read it there.

Slack's slash commands are global to a workspace, so generic names (`/help`,
`/settings`) clash with other apps: there only `/rejected` and `/win` are
commands of their own, and the rest are typed under one, `/bounceback
settings`. A Discord app's commands are its own, and the console's too, so
they keep every command at the top.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.conversation.engine import Dialogue, Turn

SLACK = "slack"
HOME = "bounceback"  # the Slack command every other command is typed under

OneOff = Callable[[Turn, str], None]  # answers at once from the command's arguments
Handler = Dialogue | OneOff
Answering = TypeVar("Answering", bound=type[Dialogue] | OneOff)


@dataclass(frozen=True)
class CommandOption:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str
    handler: Handler = field(compare=False, repr=False)
    options: tuple[CommandOption, ...] = ()
    facilitators_only: bool = False
    own_slack_command: bool = False  # else typed as `/bounceback <name>` on Slack
    in_place: bool = False  # asked in a channel, answered there, seen only by the member
    listed: bool = True  # in /help, the manifest and the Discord tree; else typed only

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
        return " ".join(filter(None, (self.typed_on(platform), self.options_usage)))

    def typed_on(self, platform: str) -> str:
        return typed_as(self.name, platform, own_slack_command=self.own_slack_command)

    @property
    def dialogue(self) -> Dialogue | None:
        return self.handler if isinstance(self.handler, Dialogue) else None


_DECLARED: list[CommandSpec] = []


def command(
    description: str,
    *options: CommandOption,
    facilitators_only: bool = False,
    own_slack_command: bool = False,
    in_place: bool = False,
    listed: bool = True,
) -> Callable[[Answering], Answering]:
    """Declare the command a dialogue class or a one-off function answers; its name is
    the dialogue's `name`, or the function's (`_` typed as `-`)."""

    def declare(answering: Answering) -> Answering:
        name, handler = _named(answering)
        if any(spec.name == name for spec in _DECLARED):
            raise ValueError(f"the command /{name} is declared twice")
        _DECLARED.append(
            CommandSpec(
                name,
                description,
                handler,
                options,
                facilitators_only=facilitators_only,
                own_slack_command=own_slack_command,
                in_place=in_place,
                listed=listed,
            )
        )
        return answering

    return declare


def _named(answering: type[Dialogue] | OneOff) -> tuple[str, Handler]:
    """A command's name and its handler: a dialogue class's name and an instance of
    it, or a function's name (`_` typed as `-`) and the function."""
    if not isinstance(answering, type):
        return answering.__name__.replace("_", "-"), answering
    if not issubclass(answering, Dialogue):
        raise TypeError(f"@command on the class {answering.__name__}, which is not a Dialogue")
    return answering.name, answering()


def declared() -> tuple[CommandSpec, ...]:
    """Every command declared so far, in the order their modules ran."""
    return tuple(_DECLARED)


def typed_as(name: str, platform: str, *, own_slack_command: bool) -> str:
    """How a member types the command `name` where they are: `/settings`, or on
    Slack `/bounceback settings`."""
    if platform == SLACK and not own_slack_command:
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
