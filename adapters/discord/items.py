"""Buttons that keep working after a restart: dynamic items keyed by the core's own ids.

Nothing about a button lives in memory. Its custom_id carries the tenant (the
server it belongs to: a DM names none) and the core's value or form id, and
discord.py rebuilds the item from that on every click, whichever process or
shard receives it.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord
from discord import ui

from bot.conversation.plain_text import shortened

PREFIX = "bb"
_TENANT = r"(?P<tenant>[^:]+)"


class Handler(Protocol):
    """What the client does with a click; items only parse their custom_id."""

    async def choose(self, interaction: discord.Interaction, tenant: str, value: str) -> None: ...

    async def open_form(self, interaction: discord.Interaction, tenant: str, form: str) -> None: ...

    async def open_answer(self, interaction: discord.Interaction, tenant: str) -> None: ...


def handler_of(interaction: discord.Interaction) -> Handler:
    return interaction.client.bounceback  # type: ignore[attr-defined]


class ChoiceButton(ui.DynamicItem[ui.Button[Any]], template=rf"{PREFIX}:c:{_TENANT}:(?P<value>.+)"):
    """One of a reply's options; pressing it sends the core that option's value."""

    def __init__(self, tenant: str, value: str, label: str = "") -> None:
        self.tenant, self.value = tenant, value
        button: ui.Button[Any] = ui.Button(
            label=shortened(label, 80) or None, custom_id=f"{PREFIX}:c:{tenant}:{value}"
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str], /
    ) -> ChoiceButton:
        return cls(match["tenant"], match["value"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler_of(interaction).choose(interaction, self.tenant, self.value)


class FormButton(ui.DynamicItem[ui.Button[Any]], template=rf"{PREFIX}:f:{_TENANT}:(?P<form>.+)"):
    """Opens a form as a modal: Discord allows a modal only in answer to a click."""

    def __init__(self, tenant: str, form: str, label: str = "") -> None:
        self.tenant, self.form = tenant, form
        button: ui.Button[Any] = ui.Button(
            label=shortened(label, 80) or None,
            style=discord.ButtonStyle.primary,
            custom_id=f"{PREFIX}:f:{tenant}:{form}",
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str], /
    ) -> FormButton:
        return cls(match["tenant"], match["form"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler_of(interaction).open_form(interaction, self.tenant, self.form)


class AnswerButton(ui.DynamicItem[ui.Button[Any]], template=rf"{PREFIX}:a:{_TENANT}"):
    """Where the bot cannot read channel messages (no privileged intent, and they would
    be public), a typed answer comes through a one-field modal instead."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        button: ui.Button[Any] = ui.Button(
            label="Type my answer", emoji="✏️", custom_id=f"{PREFIX}:a:{tenant}"
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(match["tenant"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await handler_of(interaction).open_answer(interaction, self.tenant)


ITEMS = (ChoiceButton, FormButton, AnswerButton)
FORM_MODAL = re.compile(rf"{PREFIX}:m:{_TENANT}:(?P<form>.+)")
ANSWER_MODAL = re.compile(rf"{PREFIX}:s:{_TENANT}")


def form_modal_id(tenant: str, form: str) -> str:
    return f"{PREFIX}:m:{tenant}:{form}"


def answer_modal_id(tenant: str) -> str:
    return f"{PREFIX}:s:{tenant}"
