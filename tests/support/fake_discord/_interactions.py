"""Interactions a member makes (slash commands, autocomplete, clicks, modal
submissions), built as Discord builds them and dispatched on the gateway."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._channels import Channels, find_component, walk_components
from ._commands import Commands
from ._state import State
from ._wire import (
    DEFAULT_TIMEOUT,
    MEMBER_ID,
    MEMBER_PERMISSIONS,
    Args,
    Call,
    InteractionType,
    as_int,
    invoker_of,
    option_type,
)


@dataclass(eq=False)
class Interaction:
    """One interaction the fake dispatched, and how the bot answered it."""

    id: int
    token: str
    type: int
    payload: Args
    created_at: float
    fake: State = field(repr=False)
    callback: Args | None = None  # {"type": ..., "data": ...} as the bot posted it
    original: Args | None = None  # the message the response created or updated
    followups: list[Args] = field(default_factory=list)

    @property
    def response_type(self) -> int | None:
        return None if self.callback is None else self.callback["type"]

    @property
    def data(self) -> Args:
        """The callback's ``data``: the message, choices or modal the bot answered."""
        return {} if self.callback is None else self.callback.get("data") or {}

    async def response(self, timeout: float = DEFAULT_TIMEOUT) -> Args:
        """The bot's callback ``{"type": ..., "data": ...}``, once it has arrived."""
        what = f"the bot to answer interaction {self.id} ({self.payload['data']})"
        await self.fake.wait_until(lambda: self.callback is not None, timeout, what)
        assert self.callback is not None
        return self.callback

    async def wait_followups(self, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> list[Args]:
        """The follow-up messages, once `count` have arrived."""
        what = f"{count} follow-up(s) to interaction {self.id}"
        await self.fake.wait_until(lambda: len(self.followups) >= count, timeout, what)
        return self.followups


class Interactions(Channels, Commands):
    """What a test makes a member do, and the INTERACTION_CREATE it becomes."""

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: int = MEMBER_ID,
        guild_id: int | None = None,
        channel_id: int | None = None,
        in_dm: bool = False,
        locale: str = "en-US",
    ) -> Interaction:
        """A slash command; ``name`` may hold subcommands ("plan snooze").

        Option types come from the published command when there is one, else from
        the Python values (str, int, float, bool). USER options resolve the user.
        """
        guild_id, channel_id = self._place(guild_id, channel_id, in_dm, user)
        data = self._command_data(name, options or {}, guild_id, focused=None)
        return await self._interact(
            InteractionType.COMMAND, data, user, guild_id, channel_id, locale
        )

    async def autocomplete(
        self,
        name: str,
        focused_option: str,
        value: str,
        *,
        options: Mapping[str, Any] | None = None,
        user: int = MEMBER_ID,
        guild_id: int | None = None,
        channel_id: int | None = None,
        in_dm: bool = False,
    ) -> Interaction:
        """The member typing `value` into `focused_option`; the bot answers type 8."""
        guild_id, channel_id = self._place(guild_id, channel_id, in_dm, user)
        values = {**(options or {}), focused_option: str(value)}
        data = self._command_data(name, values, guild_id, focused=focused_option)
        kind = InteractionType.AUTOCOMPLETE
        return await self._interact(kind, data, user, guild_id, channel_id, "en-US")

    async def click(
        self,
        custom_id: str,
        *,
        message: Args | int | Call | Interaction,
        user: int = MEMBER_ID,
        values: Sequence[str] | None = None,
    ) -> Interaction:
        """The member clicking a button (or choosing `values` in a select) on a message.

        `message` is the message that carries the component: its payload, its id, the
        Call that posted it, or the Interaction whose response it was. The fake sends
        that message's current state, since discord.py drops clicks on components the
        message does not carry.
        """
        payload = self._find_message(message)
        component = find_component(payload.get("components", []), custom_id)
        if component is None:
            present = [c.get("custom_id") for c in walk_components(payload.get("components", []))]
            raise AssertionError(
                f"message {payload['id']} has no component {custom_id!r}; it has {present}"
            )
        if component.get("disabled"):
            raise AssertionError(f"component {custom_id!r} is disabled: a member cannot use it")
        data: Args = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] != 2:
            data["values"] = list(values or [])
        channel_id = int(payload["channel_id"])
        guild_id = as_int(self._channels.get(channel_id, {}).get("guild_id"))
        kind = InteractionType.COMPONENT
        return await self._interact(kind, data, user, guild_id, channel_id, "en-US", payload)

    async def click_on(
        self,
        message: Args | int | Call | Interaction,
        custom_id: str,
        *,
        user: int = MEMBER_ID,
        values: Sequence[str] | None = None,
    ) -> Interaction:
        """`click`, with the message first: ``click_on(posted_call, "reminder:42:done")``."""
        return await self.click(custom_id, message=message, user=user, values=values)

    async def submit_modal(
        self,
        custom_id: str,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: int | None = None,
    ) -> Interaction:
        """The member submitting a modal the bot opened (callback type 9) with `values`.

        The components mirror the modal's own structure (action rows or labels), as
        Discord sends them; unfilled optional inputs arrive as "".
        """
        if custom_id not in self.modals:
            raise AssertionError(f"no modal {custom_id!r} was opened; opened: {list(self.modals)}")
        opener, modal = self.modals[custom_id]
        unknown = set(values) - {c.get("custom_id") for c in walk_components(modal["components"])}
        if unknown:
            raise AssertionError(f"modal {custom_id!r} has no inputs {sorted(unknown)}")
        components = [submitted(component, values) for component in modal["components"]]
        data = {"custom_id": custom_id, "components": components}
        source = opener.payload
        user_id = user if user is not None else int(invoker_of(source)["id"])
        guild_id, channel_id = as_int(source.get("guild_id")), int(source["channel_id"])
        message = source.get("message")
        kind = InteractionType.MODAL_SUBMIT
        return await self._interact(kind, data, user_id, guild_id, channel_id, "en-US", message)

    async def raw_interaction(
        self,
        kind: int,
        data: Args,
        *,
        user: int = MEMBER_ID,
        guild_id: int | None = None,
        message: Args | None = None,
    ) -> Interaction:
        """An interaction with whatever `data`, unchecked: what a buggy or hostile client,
        or a newer Discord, might send. In the first guild's first channel, or a DM."""
        in_dm = guild_id is None and not self.guilds
        guild_id, channel_id = self._place(guild_id, None, in_dm, user)
        return await self._interact(
            InteractionType(kind), data, user, guild_id, channel_id, "en-US", message
        )

    def _place(
        self, guild_id: int | None, channel_id: int | None, in_dm: bool, user: int
    ) -> tuple[int | None, int]:
        """Where an interaction happens: a guild channel, or the member's DM."""
        if in_dm:
            return None, channel_id if channel_id is not None else self.dm_channel_of(user)
        if guild_id is not None and guild_id not in self.guilds:
            raise AssertionError(f"the bot is not in guild {guild_id}: pass it to FakeDiscord")
        guild = self.guilds[guild_id] if guild_id is not None else next(iter(self.guilds.values()))
        return guild.id, channel_id if channel_id is not None else guild.first_channel_id

    def _command_data(
        self, name: str, values: Mapping[str, Any], guild_id: int | None, focused: str | None
    ) -> Args:
        top, *path = name.split()
        published = self._published(top, guild_id)
        data: Args = {"id": published["id"] if published else str(self._snowflake())}
        data |= {"name": top, "type": 1}
        if published and "guild_id" in published:
            data["guild_id"] = published["guild_id"]
        definitions = published.get("options", []) if published else []
        for part in path:
            found = next((o for o in definitions if o.get("name") == part), {})
            definitions = found.get("options", [])
        resolved: Args = {}
        options = [
            self._option(key, value, definitions, resolved, guild_id, key == focused)
            for key, value in values.items()
        ]
        for depth in reversed(range(len(path))):
            kind = 2 if depth < len(path) - 1 else 1
            options = [{"name": path[depth], "type": kind, "options": options}]
        if options:
            data["options"] = options
        if resolved:
            data["resolved"] = resolved
        return data

    def _option(
        self,
        name: str,
        value: Any,
        definitions: Sequence[Args],
        resolved: Args,
        guild_id: int | None,
        focused: bool,
    ) -> Args:
        definition = next((o for o in definitions if o.get("name") == name), None)
        kind = definition["type"] if definition else option_type(value)
        option: Args = {"name": name, "type": kind}
        if focused:
            option |= {"value": str(value), "focused": True}
        elif kind == 6:  # USER: Discord sends the id and resolves the user
            user_id = int(value)
            option["value"] = str(user_id)
            resolved.setdefault("users", {})[str(user_id)] = self.user(user_id)
            if guild_id is not None:
                member = self._member(user_id, guild_id)
                member.pop("user")
                resolved.setdefault("members", {})[str(user_id)] = member
        elif kind in (3, 4, 5, 10):
            option["value"] = {3: str, 4: int, 5: bool, 10: float}[kind](value)
        else:
            raise AssertionError(f"option type {kind} ({name!r}) is not supported by the fake")
        return option

    async def _interact(
        self,
        kind: InteractionType,
        data: Args,
        user: int,
        guild_id: int | None,
        channel_id: int,
        locale: str,
        message: Args | None = None,
    ) -> Interaction:
        """Dispatch INTERACTION_CREATE to the shard that owns the guild (DMs: shard 0)."""
        session = await self._session_for(guild_id)
        interaction_id = self._snowflake()
        token = f"itoken.{interaction_id}.{secrets.token_urlsafe(16)}"
        payload: Args = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": int(kind),
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel_id": str(channel_id),
            "channel": self._channels[channel_id] | self._channel_permissions(guild_id, user),
        }
        if guild_id is not None:
            payload |= {
                "guild_id": str(guild_id),
                "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": self._member(user, guild_id),
                "context": 0,
                "authorizing_integration_owners": {"0": str(guild_id)},
            }
        else:
            payload |= {
                "user": self.user(user),
                "context": 1,
                "authorizing_integration_owners": {"0": "0"},  # a guild install, in a DM
            }
        if message is not None:
            payload["message"] = message
        loop = asyncio.get_running_loop()
        interaction = Interaction(interaction_id, token, int(kind), payload, loop.time(), self)
        self.interactions[interaction_id] = interaction
        self._by_token[token] = interaction
        await self._dispatch(session, "INTERACTION_CREATE", payload)
        return interaction

    def _channel_permissions(self, guild_id: int | None, user: int) -> Args:
        if guild_id is None:
            return {}
        return {"permissions": self._member(user, guild_id)["permissions"]}

    def _find_message(self, message: Args | int | Call | Interaction) -> Args:
        if isinstance(message, Interaction):
            if message.original is None:
                raise AssertionError(f"interaction {message.id} has no response message")
            message = message.original
        elif isinstance(message, Call):
            message = message.answer
        message_id = message if isinstance(message, int) else int(message["id"])
        if message_id not in self._by_id:
            raise AssertionError(f"no message {message_id} was sent (or it was deleted)")
        return self._by_id[message_id]


def submitted(component: Args, values: Mapping[str, str | Sequence[str]]) -> Args:
    """A modal component as the submission carries it: inputs with what was entered."""
    kind = component["type"]
    answer: Args = {"type": kind}
    if "id" in component:
        answer["id"] = component["id"]
    if kind == 1:
        answer["components"] = [submitted(c, values) for c in component.get("components", [])]
    elif kind == 18:
        answer["component"] = submitted(component["component"], values)
    elif "custom_id" in component:
        custom_id = component["custom_id"]
        answer["custom_id"] = custom_id
        if kind == 4:
            value = values.get(custom_id, "")
            if not isinstance(value, str):
                raise AssertionError(f"text input {custom_id!r} takes a str, not {value!r}")
            if component.get("required", True) and not value:
                raise AssertionError(f"text input {custom_id!r} is required: give it a value")
            if len(value) > component.get("max_length", 4000):
                raise AssertionError(f"text input {custom_id!r} allows {component['max_length']}")
            answer["value"] = value
        else:
            chosen = values.get(custom_id, [])
            answer["values"] = [chosen] if isinstance(chosen, str) else list(chosen)
    return answer
