"""Replies as plain text, for surfaces without buttons or forms (the console, fallbacks),
and text cut to fit a platform's limits."""

from __future__ import annotations

from bot.conversation.events import Reply


def as_plain_text(reply: Reply) -> str:
    parts = [reply.text]
    if reply.quote:
        parts += [f"  | {line}".rstrip() for line in reply.quote.splitlines()]
    if reply.field_errors:
        parts += [f"  - {field}: {error}" for field, error in reply.field_errors.errors.items()]
    if reply.options:
        parts.append("\n".join(f"  {n}. {o.label}" for n, o in enumerate(reply.options, start=1)))
        parts.append("(reply with a number or the words)")
    return "\n".join(parts)


def shortened(text: str, limit: int) -> str:
    """Text within a platform's limit, an ellipsis showing where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
