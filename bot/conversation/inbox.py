"""Inbound events as the inbox keeps them: JSON that turns back into the same event.

An adapter writes each event down before it acknowledges it to the platform, so
a process killed after the ack still has what the member said; the event's own
platform id makes a redelivery of it a no-op.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bot.conversation.events import (
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


Arrived = tuple[Inbound, str | None]  # an event and the platform's id for it


class Intake:
    """Writes events down for an adapter's event loop, in batches: while one batch is
    written, every event arriving waits for the next, so a burst of 200 acks costs a
    few transactions instead of 200 queued behind SQLite's one writer."""

    def __init__(self, receive: Callable[[Sequence[Arrived]], list[Receipt]]) -> None:
        self._receive = receive
        self._waiting: list[tuple[Arrived, asyncio.Future[Receipt]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def receive(self, event: Inbound, key: str | None) -> Receipt:
        """Once the event is written down (or known as a repeat)."""
        written: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        self._waiting.append(((event, key), written))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await written

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                receipts = await asyncio.to_thread(self._receive, [arrived for arrived, _ in batch])
            except Exception as error:  # each waiting listener fails as it would alone
                for _, written in batch:
                    written.set_exception(error)
                continue
            for (_, written), receipt in zip(batch, receipts, strict=True):
                written.set_result(receipt)
