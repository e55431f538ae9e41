"""The one registry of commands: each declared beside what answers it, and /help,
the core's dispatch, the Slack manifest and the Discord tree all read it.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.commands import (
    SLACK,
    CommandOption,
    CommandSpec,
    command,
    slash_to_command,
)
from bot.conversation.core import _COMMAND_NAME, Bounceback
from bot.conversation.registry import (
    COMMANDS,
    DECLARED,
    DIALOGUES,
    SLACK_COMMANDS,
    UNDER_HOME,
    help_text,
    typed,
)
from bot.store.models import Conversation
from tests.helpers import Chat

# Declared but not listed: a dialogue a member enters by pressing a button, or is held in.
UNLISTED = {spec.name for spec in DECLARED.values() if not spec.listed}
BUTTON_ONLY = UNLISTED - {"care"}


def advertised() -> set[str]:
    """The commands /help shows, one per line, each at the start of its line."""
    return set(re.findall(r"^/([a-z][a-z-]*)", help_text(), re.MULTILINE))


def test_help_lists_every_listed_command_and_nothing_else() -> None:
    assert advertised() == {spec.name for spec in COMMANDS}
    assert {"reminder", "care"} == UNLISTED


def test_every_dialogue_the_core_resumes_is_declared_as_a_command() -> None:
    assert set(DIALOGUES) <= set(DECLARED)
    assert {"rejected", "win", "reminder"} <= set(DIALOGUES)
    assert {"help", "stats", "export", "cancel"}.isdisjoint(DIALOGUES)


def test_commands_come_in_the_order_of_their_features_whatever_was_imported_first() -> None:
    """A process that imports the last feature first still lists the commands as /help
    always has: the order is FEATURES', not the imports'."""
    first = "import bot.reminders.actions, bot.wins.dialogue, bot.member.stats"
    shown = "from bot.conversation.registry import DECLARED; print(*DECLARED)"
    run = subprocess.run(
        [sys.executable, "-c", f"{first}; {shown}"], capture_output=True, text=True, check=True
    )
    assert run.stdout.split() == list(DECLARED)
    assert [spec.name for spec in COMMANDS] == [
        *("rejected", "feedback", "win", "checkin", "interview", "offer", "followups"),
        *("settings", "stats", "export"),
        *("forget-me", "group", "cancel", "help"),
    ]


def test_a_command_declared_twice_is_refused_at_import() -> None:
    def stats(turn, args: str) -> None: ...

    with pytest.raises(ValueError, match="/stats is declared twice"):
        command("Again.")(stats)
    assert DECLARED["stats"].handler is not stats


def test_help_gives_each_command_with_its_usage_and_description() -> None:
    lines = help_text().splitlines()
    for spec in COMMANDS:
        assert f"{spec.usage}: {spec.description}" in lines


def test_help_opens_by_saying_it_stays_private() -> None:
    assert "stays between us" in help_text().splitlines()[0]


@pytest.mark.parametrize("spec", DECLARED.values(), ids=lambda spec: spec.name)
def test_every_declared_command_gets_a_real_answer(chat: Chat, spec: CommandSpec) -> None:
    reply = chat.say(f"/{spec.name}")
    assert reply.text
    assert "I don't know" not in reply


@pytest.mark.parametrize("name", sorted(BUTTON_ONLY))
def test_a_button_only_dialogue_typed_as_a_command_starts_nothing(
    chat: Chat, core: Bounceback, name: str
) -> None:
    """Left out of /help on purpose, so typing it must not open a conversation either."""
    assert name in DIALOGUES
    reply = chat.say(f"/{name}")
    assert reply.text and "I don't know" not in reply
    with Session(core.engine) as session:
        assert session.scalars(select(Conversation)).first() is None


def test_command_names_are_unique_and_fit_every_platform() -> None:
    """Discord takes 1-32 lower-case characters and descriptions up to 100."""
    names = [spec.name for spec in COMMANDS]
    assert len(names) == len(set(names))
    for spec in COMMANDS:
        assert _COMMAND_NAME.match(spec.name), spec.name
        assert 0 < len(spec.description) <= 100, spec.name
        for option in spec.options:
            assert option.name.islower() and 0 < len(option.description) <= 100


def test_usage_marks_required_and_optional_options() -> None:
    options = (CommandOption("first", "x", required=True), CommandOption("then", "y"))
    spec = CommandSpec("demo", "A demo.", lambda turn, args: None, options)
    assert spec.usage == "/demo <first> [then]"
    assert DECLARED["rejected"].usage == "/rejected [company]"
    assert DECLARED["help"].usage == "/help"


def test_on_slack_only_rejected_and_win_are_commands_of_their_own() -> None:
    """Slack's commands are global to a workspace: generic names clash with other apps."""
    assert [spec.name for spec in SLACK_COMMANDS] == ["rejected", "win"]
    assert set(UNDER_HOME) | set(SLACK_COMMANDS) == set(COMMANDS)


def test_help_on_slack_writes_the_rest_under_bounceback() -> None:
    lines = help_text(SLACK).splitlines()
    assert lines[0] == help_text().splitlines()[0]
    for spec in COMMANDS:
        shown = spec.usage if spec.own_slack_command else f"/bounceback {spec.usage[1:]}"
        assert f"{shown}: {spec.description}" in lines
    assert "/bounceback settings [change]" in help_text(SLACK)


@pytest.mark.parametrize("platform", ["discord", "console"])
def test_help_elsewhere_keeps_every_command_at_the_top(platform: str) -> None:
    assert help_text(platform) == help_text()
    assert typed("settings", platform) == "/settings"


def test_typed_names_a_command_as_the_member_would_type_it() -> None:
    assert typed("win", SLACK) == "/win"
    assert typed("help", SLACK) == "/bounceback help"
    assert typed("frobnicate", SLACK) == "/bounceback frobnicate"


@pytest.mark.parametrize(
    ("name", "text", "command"),
    [
        ("/bounceback", "settings pause 3 days", ("settings", "pause 3 days")),
        ("/bounceback", "  Settings\tquiet 22:00-07:00 ", ("settings", "quiet 22:00-07:00")),
        ("/bounceback", "", ("help", "")),
        ("/bounceback", "   ", ("help", "")),
        ("/bounceback", "stats", ("stats", "")),
        ("/bounceback", "frobnicate now", ("frobnicate", "now")),
        ("bounceback", "win Coffee chat", ("win", "Coffee chat")),
        ("/rejected", "Acme Corp", ("rejected", "Acme Corp")),
        ("/settings", "resume", ("settings", "resume")),
    ],
)
def test_slash_to_command_finds_the_command_under_bounceback(
    name: str, text: str, command: tuple[str, str]
) -> None:
    assert slash_to_command(name, text) == command
