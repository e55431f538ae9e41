"""Application commands: publishing (global or per guild) with the checks Discord
makes on names, descriptions and option order."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._state import State
from ._wire import NO_CONTENT, Args, Call, DiscordError, as_int, invalid


class Commands(State):
    """The REST routes of application commands, and what was published."""

    async def _get_commands(
        self, call: Call, application_id: str, guild_id: str | None = None
    ) -> list[Args]:
        self._check_application(application_id, guild_id)
        return self.commands.get(as_int(guild_id), [])

    async def _put_commands(
        self, call: Call, application_id: str, guild_id: str | None = None
    ) -> list[Args]:
        """Bulk overwrite: the list replaces what was published; ids survive by name."""
        self._check_application(application_id, guild_id)
        if not isinstance(call.json, list):
            raise invalid("a list of commands is required")
        problems = command_problems(call.json)
        if problems:
            raise invalid("; ".join(problems))
        scope = as_int(guild_id)
        self.commands[scope] = [self._stored_command(command, scope) for command in call.json]
        return self.commands[scope]

    async def _post_command(self, call: Call, application_id: str) -> Args:
        self._check_application(application_id, None)
        problems = command_problems([call.json or {}])
        if problems:
            raise invalid("; ".join(problems))
        stored = self._stored_command(call.json, None)
        kept = [c for c in self.commands.get(None, []) if c["id"] != stored["id"]]
        self.commands[None] = [*kept, stored]
        return stored

    async def _delete_command(self, call: Call, application_id: str, command_id: str) -> object:
        self._check_application(application_id, None)
        self.commands[None] = [c for c in self.commands.get(None, []) if c["id"] != command_id]
        return NO_CONTENT

    def _check_application(self, application_id: str, guild_id: str | None) -> None:
        if int(application_id) != self.application_id:
            raise DiscordError(404, 10002, "Unknown Application")
        if guild_id is not None and int(guild_id) not in self.guilds:
            raise DiscordError(403, 50001, "Missing Access")

    def _stored_command(self, command: Args, scope: int | None) -> Args:
        kind = command.get("type", 1)
        old = next(
            (
                c
                for c in self.commands.get(scope, [])
                if (c["name"], c.get("type", 1)) == (command["name"], kind)
            ),
            None,
        )
        stored: Args = {"description": "", "default_member_permissions": None, "nsfw": False}
        stored |= command
        stored |= {
            "id": old["id"] if old else str(self._snowflake()),
            "application_id": str(self.application_id),
            "version": str(self._snowflake()),
            "type": kind,
        }
        if scope is not None:
            stored["guild_id"] = str(scope)
        return stored

    def _published(self, name: str, guild_id: int | None) -> Args | None:
        scopes = ([guild_id] if guild_id is not None else []) + [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        return None


_COMMAND_NAME = re.compile(r"[-_\w]{1,32}")


def command_problems(commands: Sequence[Args]) -> list[str]:
    """What Discord would refuse in a command list: names, descriptions, option order."""
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    for command in commands:
        name, kind = command.get("name") or "", command.get("type", 1)
        if (name, kind) in seen:
            problems.append(f"{name}: duplicate name")
        seen.add((name, kind))
        if kind == 1:
            problems += named_problems(command, name)
    return problems


def named_problems(item: Args, where: str) -> list[str]:
    problems: list[str] = []
    name = item.get("name") or ""
    if not _COMMAND_NAME.fullmatch(name) or name != name.lower():
        problems.append(f"{where}: name must be 1-32 lowercase letters, digits, - or _")
    if not 1 <= len(item.get("description") or "") <= 100:
        problems.append(f"{where}: description must be 1-100 characters")
    options = item.get("options") or []
    if len(options) > 25:
        problems.append(f"{where}: at most 25 options")
    if len(item.get("choices") or []) > 25:
        problems.append(f"{where}: at most 25 choices")
    required = [bool(o.get("required")) for o in options if o.get("type") not in (1, 2)]
    if required != sorted(required, reverse=True):
        problems.append(f"{where}: required options must come before optional ones")
    for option in options:
        problems += named_problems(option, f"{where}.{option.get('name')}")
    return problems
