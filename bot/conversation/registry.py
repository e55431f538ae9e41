"""Every command Bounceback answers, read from where each is declared.

`FEATURES` names the modules that declare commands, in the order /help lists
them (as slack-machine's settings name its plugins); /help, the core's
dispatch, the Slack manifest and the Discord tree all read what they declared.
The two commands about the conversation itself, /cancel and /help, are
declared here.
"""

from __future__ import annotations

from importlib import import_module

from bot.conversation.commands import CommandSpec, command, declared, typed_as
from bot.conversation.engine import Dialogue, Step, Turn

FEATURES = (
    "bot.rejection.dialogue",
    "bot.rejection.feedback",
    "bot.wins.dialogue",
    "bot.checkins.dialogue",
    "bot.interviews.dialogue",
    "bot.interviews.offer",
    "bot.reminders.followups",
    "bot.member.settings_dialogue",
    "bot.member.stats",
    "bot.member.export",
    "bot.member.forget",
    "bot.group.dialogue",
    "bot.reminders.actions",
    "bot.conversation.care",
    __name__,
)


@command("Stop the conversation we are in.", in_place=True)
def cancel(turn: Turn, args: str) -> None:
    if turn.repo.place is None:
        turn.say("There's nothing to cancel.")
        return
    turn.repo.end_place()
    saved = " What you'd already told me is kept." if "rejection_id" in turn.data else ""
    turn.say(f"Okay, I've set that conversation aside.{saved}")


@command("What Bounceback can do.", in_place=True)
def help(turn: Turn, args: str) -> None:
    turn.say(help_text(turn.member.platform))


def _in_feature_order(specs: tuple[CommandSpec, ...]) -> tuple[CommandSpec, ...]:
    """By FEATURES, then as declared: the same whichever module was imported first."""

    return tuple(sorted(specs, key=lambda spec: FEATURES.index(spec.handler.__module__)))


for _feature in FEATURES[:-1]:
    import_module(_feature)

# every command by name, the unlisted one (answering a reminder) included
DECLARED: dict[str, CommandSpec] = {spec.name: spec for spec in _in_feature_order(declared())}
COMMANDS = tuple(spec for spec in DECLARED.values() if spec.listed)  # what members are shown
DIALOGUES: dict[str, Dialogue] = {
    spec.name: spec.dialogue for spec in DECLARED.values() if spec.dialogue is not None
}
# each outbox kind delivered as a dialogue's question: the dialogue and the step it asks
ASKING: dict[str, tuple[Dialogue, type[Step]]] = {
    kind: (dialogue, step) for dialogue in DIALOGUES.values() for kind, step in dialogue.asks
}
SLACK_COMMANDS = tuple(spec for spec in COMMANDS if spec.own_slack_command)
UNDER_HOME = tuple(spec for spec in COMMANDS if not spec.own_slack_command)


def typed(name: str, platform: str) -> str:
    """How a member types the command `name` where they are (a name not declared
    included: on Slack it would be typed under /bounceback)."""
    spec = DECLARED.get(name)
    return typed_as(name, platform, own_slack_command=spec is not None and spec.own_slack_command)


def help_text(platform: str = "") -> str:
    """Every command, written the way it is typed on `platform`."""
    lines = ["Here is what I can do. Everything stays between us unless you choose to share."]
    lines += [f"{spec.usage_on(platform)}: {spec.description}" for spec in COMMANDS]
    return "\n".join(lines)
