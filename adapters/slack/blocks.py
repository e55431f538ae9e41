"""The core's replies in Block Kit: sections, buttons, and modals for forms.

Member text only ever reaches Slack as `plain_text`, or as mrkdwn with `& < >`
escaped, so nothing a member typed can become `<!channel>`, a mention or a
disguised link. Limits are Slack's: 3,000 characters a section, 75 a button
label, 2,000 a button value or an image's alt text, 24 a modal title, 25 buttons an
actions block.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.conversation.events import Attachment, FieldErrors, Form, Option, Reply
from bot.conversation.plain_text import shortened

ACTION = "bb"  # every action_id and callback_id of ours starts with it
CHOICE_ACTION = f"{ACTION}:choice"
FORM_BUTTON = f"{ACTION}:open-form"
FORM_VIEW = f"{ACTION}:form"
INPUT = "value"  # the action_id of every modal input
SECTION_LIMIT = 3000
BUTTONS_PER_BLOCK = 25
ALT_TEXT_LIMIT = 2000  # an image block's alt_text and title

Block = dict[str, Any]


def escaped(text: str) -> str:
    """What Slack's mrkdwn needs so `<!here>` or `<http://x|y>` stays literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": shortened(text, limit), "emoji": True}


def message(reply: Reply) -> dict[str, Any]:
    """`text` (the notification and fallback) and `blocks` for chat.postMessage."""
    blocks: list[Block] = [{"type": "section", "text": plain(part)} for part in _parts(reply.text)]
    if reply.quote:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _quoted(reply.quote)}})
    blocks += option_blocks(reply.options)
    if reply.form is not None:
        button = _button(f"Fill in: {reply.form.title}", FORM_BUTTON, reply.form.id)
        blocks.append({"type": "actions", "elements": [button]})
    # `text` is the notification and fallback, which Slack reads as mrkdwn: escaped.
    return {"text": shortened(escaped(reply.text), SECTION_LIMIT), "blocks": blocks}


def home_view(replies: list[Reply], images: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The App Home tab: each reply a section, its buttons under it, and its pictures
    whose Slack file ids `images` holds by filename."""
    blocks: list[Block] = []
    for reply in replies:
        blocks += message(reply)["blocks"]
        for attachment in reply.attachments:
            if images and attachment.filename in images:
                blocks.append(_image(attachment, images[attachment.filename]))
        blocks.append({"type": "divider"})
    return {"type": "home", "blocks": blocks[:100]}  # Slack's limit for a view


def _image(attachment: Attachment, file_id: str) -> Block:
    words = attachment.description or attachment.filename
    return {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": shortened(words, ALT_TEXT_LIMIT),
        "title": plain(attachment.filename, ALT_TEXT_LIMIT),
    }


def option_blocks(options: tuple[Option, ...]) -> list[Block]:
    buttons = [
        _button(option.label, f"{CHOICE_ACTION}:{number}", option.value)
        for number, option in enumerate(options)
    ]
    return [
        {"type": "actions", "elements": buttons[start : start + BUTTONS_PER_BLOCK]}
        for start in range(0, len(buttons), BUTTONS_PER_BLOCK)
    ]


def modal(form: Form, *, intro: str = "", private_metadata: str = "") -> dict[str, Any]:
    """A form as a modal; each field's block_id is its name, so errors land beside it."""
    blocks: list[Block] = []
    if intro:
        blocks.append({"type": "section", "text": plain(intro)})
    for field in form.fields:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": INPUT,
            "multiline": field.multiline,
            "max_length": field.max_length,
        }
        if field.placeholder:
            element["placeholder"] = plain(field.placeholder, 150)
        if field.initial:
            element["initial_value"] = field.initial[: field.max_length]
        blocks.append(
            {
                "type": "input",
                "block_id": field.name,
                "optional": not field.required,
                "label": plain(field.label, 2000),
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": f"{FORM_VIEW}:{form.id}",
        "private_metadata": private_metadata,
        "title": plain(form.title, 24),
        "submit": plain(form.submit_label, 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """A submitted modal's inputs by field name; empty inputs as ""."""
    state = view.get("state", {}).get("values", {})
    return {name: str(inputs.get(INPUT, {}).get("value") or "") for name, inputs in state.items()}


def form_id_of(callback_id: str) -> str:
    return callback_id.removeprefix(f"{FORM_VIEW}:")


def error_response(errors: FieldErrors) -> dict[str, Any]:
    """The ack that shows each problem under its field and keeps the modal open."""
    return {"response_action": "errors", "errors": dict(errors.errors)}


def _button(label: str, action_id: str, value: str) -> dict[str, Any]:
    return {"type": "button", "text": plain(label, 75), "action_id": action_id, "value": value}


def _quoted(text: str) -> str:
    """A draft set apart as a code block: line breaks kept, easy to copy."""
    return "```" + shortened(escaped(text).replace("```", "'''"), SECTION_LIMIT - 6) + "```"


def _parts(text: str) -> list[str]:
    """Long text in sections that each fit, split at line breaks where possible."""
    parts: list[str] = []
    rest = text
    while len(rest) > SECTION_LIMIT:
        cut = rest.rfind("\n", 0, SECTION_LIMIT)
        cut = cut if cut > 0 else SECTION_LIMIT
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    return [*parts, rest] if rest else parts
