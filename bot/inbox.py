"""Inbound events as the inbox keeps them: JSON that turns back into the same event.

An adapter writes each event down before it acknowledges it to the platform, so
a process killed after the ack still has what the member said; the event's own
platform id makes a redelivery of it a no-op.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.events import (
    Choice,
    Command,
    FormRequested,
    FormSubmitted,
    Inbound,
    Member,
    Origin,
    Text,
)

_KINDS: dict[str, type[Inbound]] = {
    kind.__name__: kind for kind in (Command, Text, Choice, FormSubmitted, FormRequested)
}


@dataclass(frozen=True)
class Receipt:
    """What writing an event down found: new (`key` then settles it when applied), a
    repeat of one already written (not to be applied again), or, with the database
    away, nothing written (`key` None: the turn then says it could not be saved)."""

    event: Inbound
    key: str | None
    repeat: bool = False


def encoded(event: Inbound) -> dict[str, Any]:
    fields = asdict(event)
    if isinstance(event, FormSubmitted):
        fields["values"] = dict(event.values)
    return {"kind": type(event).__name__, **fields}


def decoded(record: dict[str, Any]) -> Inbound:
    fields = dict(record)
    kind = _KINDS[fields.pop("kind")]
    fields["member"] = Member(**fields["member"])
    fields["origin"] = Origin(**fields["origin"])
    return kind(**fields)
