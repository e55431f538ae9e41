"""The core's replies in Discord's idiom: message text, an embed for a draft, buttons,
and forms as modals.

Everything the core says may carry a member's words, so it reaches Discord with
markdown and mentions escaped: no masked link, no @everyone, no <@id> (the
client's AllowedMentions.none() would stop the ping anyway; this stops the
look of one). Limits are Discord's: 2,000 characters of content, 4,096 an
embed, 25 buttons of 80-character labels, modals of 5 inputs titled in 45.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import ui
from discord.utils import escape_markdown, escape_mentions

from adapters.discord.items import (
    AnswerButton,
    ChoiceButton,
    FormButton,
    answer_modal_id,
    form_modal_id,
)
from bot.conversation.events import Capabilities, Form, Reply
from bot.conversation.plain_text import shortened

DISCORD = Capabilities(buttons=True, forms=True, max_form_fields=5)
CONTENT_LIMIT = 2000
EMBED_LIMIT = 4096
MOST_BUTTONS = 25
ANSWER_FIELD = "text"


@dataclass
class Rendered:
    """What one reply becomes: the keyword arguments of a send."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)
    view: ui.View | None = None
    files: list[discord.File] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        sent: dict[str, Any] = {"content": self.content or None, "embeds": self.embeds}
        if self.view is not None:
            sent["view"] = self.view
        if self.files:
            sent["files"] = self.files
        return sent


def shown(text: str) -> str:
    """Text exactly as written: markdown and mentions escaped, links left to autolink."""
    return escape_mentions(escape_markdown(text))


def message(reply: Reply, tenant: str, *, answerable: bool = False) -> Rendered:
    """One reply; `answerable` adds a button for a typed answer where DMs cannot be read."""
    text = shown(reply.text)
    if reply.field_errors is not None:
        text += "".join(f"\n• {shown(error)}" for error in reply.field_errors.errors.values())
    rendered = Rendered(content=text)
    if len(text) > CONTENT_LIMIT:
        rendered.content = ""
        rendered.embeds.append(discord.Embed(description=shortened(text, EMBED_LIMIT)))
    if reply.quote:
        rendered.embeds.append(discord.Embed(title="Your draft", description=_code(reply.quote)))
    buttons = _buttons(reply, tenant)
    if answerable and len(buttons) < MOST_BUTTONS:
        buttons.append(AnswerButton(tenant))
    if buttons:
        rendered.view = ui.View(timeout=None)
        for button in buttons:
            rendered.view.add_item(button)
    rendered.files = [
        discord.File(
            io.BytesIO(attachment.content),
            filename=attachment.filename,
            description=attachment.description or None,
        )
        for attachment in reply.attachments
    ]
    return rendered


def _buttons(reply: Reply, tenant: str) -> list[ui.Item[Any]]:
    buttons: list[ui.Item[Any]] = [
        ChoiceButton(tenant, option.value, option.label) for option in reply.options
    ]
    if reply.form is not None:
        buttons.append(FormButton(tenant, reply.form.id, f"Fill in: {reply.form.title}"))
    elif reply.field_errors is not None:
        buttons.append(FormButton(tenant, reply.field_errors.form_id, "Try again"))
    return buttons[:MOST_BUTTONS]


def modal(form: Form, tenant: str, filled: Mapping[str, str] | None = None) -> ui.Modal:
    """A form as a modal, each input named after its field; `filled` keeps what the member
    typed when they try again after a mistake."""
    shape = ui.Modal(title=shortened(form.title, 45), custom_id=form_modal_id(tenant, form.id))
    for spec in form.fields:
        longest = min(spec.max_length, 4000)
        default = ((filled or {}).get(spec.name) or spec.initial)[:longest]
        text_input: ui.TextInput[Any] = ui.TextInput(
            custom_id=spec.name,
            style=discord.TextStyle.paragraph if spec.multiline else discord.TextStyle.short,
            placeholder=shortened(spec.placeholder, 100) or None,
            default=default or None,
            required=spec.required,
            max_length=longest,
        )
        shape.add_item(ui.Label(text=shortened(spec.label, 45), component=text_input))
    return shape


def answer_modal(tenant: str) -> ui.Modal:
    """One paragraph: a typed answer, for where the member's messages cannot reach us."""
    shape = ui.Modal(title="Your answer", custom_id=answer_modal_id(tenant))
    text_input: ui.TextInput[Any] = ui.TextInput(
        custom_id=ANSWER_FIELD, style=discord.TextStyle.paragraph, max_length=2000
    )
    shape.add_item(ui.Label(text="Your answer", component=text_input))
    return shape


def submitted(data: Mapping[str, Any]) -> dict[str, str]:
    """A submitted modal's inputs by custom_id, in rows (type 1) or labels (type 18)."""
    values: dict[str, str] = {}
    pending = list(data.get("components", []))
    while pending:
        component = pending.pop()
        if "components" in component:
            pending += component["components"]
        elif "component" in component:
            pending.append(component["component"])
        elif "custom_id" in component:
            values[component["custom_id"]] = str(component.get("value") or "")
    return values


def _code(text: str) -> str:
    """A draft in a code block: copied as written, line breaks kept, nothing rendered."""
    return "```\n" + shortened(text.replace("```", "'''"), EMBED_LIMIT - 8) + "\n```"
