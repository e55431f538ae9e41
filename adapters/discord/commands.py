"""The application command tree, made from the command registry: never written by hand.

Every declared option becomes a string option, so `/rejected company:Acme` reaches
the core as `/rejected Acme`, exactly as typed in the console or Slack. Autocomplete
helps where a member would otherwise have to remember: which rejection the
feedback is about, and the name of a time zone.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, Protocol
from zoneinfo import available_timezones

import discord
from discord import app_commands

from bot.conversation.commands import CommandSpec
from bot.conversation.registry import COMMANDS

MOST_CHOICES = 25  # Discord shows at most this many suggestions
SETTINGS_WORDS = ("timezone ", "quiet 22:00-07:00", "quiet off", "pause 2", "resume")
_ZONES = sorted(zone for zone in available_timezones() if "/" in zone)


class Runner(Protocol):
    """What the client does with a command and with a question for suggestions."""

    async def command(self, interaction: discord.Interaction, name: str, args: str) -> None: ...

    async def companies(self, interaction: discord.Interaction) -> list[str]: ...


# A coroutine function, as discord.py's autocomplete takes.
Suggest = Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]


def build_tree(client: discord.Client, runner: Runner) -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    suggestions: dict[tuple[str, str], Suggest] = {
        ("feedback", "company"): _companies(runner),
        ("settings", "change"): _settings,
    }
    for spec in COMMANDS:
        command = _command(spec, runner)
        for option in spec.options:
            suggest = suggestions.get((spec.name, option.name))
            if suggest is not None:
                command.autocomplete(option.name)(suggest)
        tree.add_command(command)
    return tree


def _command(spec: CommandSpec, runner: Runner) -> app_commands.Command[Any, Any, None]:
    """One declared command; the callback's signature is built so discord.py sees its options."""

    async def callback(interaction: discord.Interaction, **options: str | None) -> None:
        # str(): Discord sends the published types, but a client can send any JSON value.
        words = (str(value).strip() for value in options.values() if value is not None)
        args = " ".join(word for word in words if word)
        await runner.command(interaction, spec.name, args)

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_ONLY, annotation=discord.Interaction
        )
    ]
    parameters += [
        inspect.Parameter(option.name, keyword, annotation=str)
        if option.required
        else inspect.Parameter(option.name, keyword, annotation=str | None, default=None)
        for option in spec.options
    ]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        option.name: option.description for option in spec.options
    }
    return app_commands.Command(name=spec.name, description=spec.description, callback=callback)


def _companies(runner: Runner) -> Suggest:
    async def suggest(
        interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        known = await runner.companies(interaction)
        return _choices(name for name in known if typed.strip().lower() in name.lower())

    return suggest


async def _settings(
    _interaction: discord.Interaction, typed: str
) -> list[app_commands.Choice[str]]:
    """`timezone ber` suggests `timezone Europe/Berlin`; otherwise what /settings takes."""
    word, _, rest = typed.strip().partition(" ")
    if word.lower() in ("timezone", "tz", "zone"):
        wanted = rest.strip().lower().replace(" ", "_")
        return _choices(f"timezone {zone}" for zone in _ZONES if wanted in zone.lower())
    return _choices(words for words in SETTINGS_WORDS if words.startswith(typed.lower()))


def _choices(values: Any) -> list[app_commands.Choice[str]]:
    found: list[app_commands.Choice[str]] = []
    for value in values:
        found.append(app_commands.Choice(name=value[:100], value=value[:100]))
        if len(found) == MOST_CHOICES:
            break
    return found
