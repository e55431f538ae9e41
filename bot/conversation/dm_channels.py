"""Each member's DM channel: opened once, ever, then every message goes straight to it.

Opening one is a platform request of its own (one platform rates it at about 50 a
minute per workspace, another counts it against the bot's 50 a second) that no rate-limit
token pays for: asked before every message, it doubled the requests and drew 429s.
The channel is kept in the member's row, the truth across processes and restarts;
a bounded memory in front of it spares the database a read per message. One
`DmChannels` per process, shared by an adapter's replies and its transport.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.conversation.events import Member
from bot.store import members
from bot.store.database import Connection, Engine, OperationalError

log = logging.getLogger(__name__)

Opener = Callable[[], Awaitable[str]]  # asks the platform for the member's DM channel id
Refused = Callable[[Exception], bool]  # whether an error means "no such channel for you"
T = TypeVar("T")
MOST_KEPT = 10_000  # members whose channel is kept in memory; the least recent go first
# Seconds a kept channel is trusted before it is read again: one another process
# replaced, or one of a member who asked to be forgotten, does not linger longer.
KEPT_FOR = 600.0

_Who = tuple[str, str, str]  # platform, workspace, user: a member, whatever their name


class DmChannels:
    """Where each member's DM is, on one engine."""

    def __init__(
        self, engine: Engine, *, most: int = MOST_KEPT, kept_for: float = KEPT_FOR
    ) -> None:
        self.engine = engine
        self.most = most
        self.kept_for = kept_for
        self._kept: OrderedDict[_Who, tuple[str, float]] = OrderedDict()  # channel, since
        self._finding: dict[_Who, asyncio.Future[str]] = {}

    async def channel(self, member: Member, open_dm: Opener) -> str:
        """The member's DM channel: kept, else remembered, else opened and remembered.
        Sends asking at once for one member share one read, and at most one opening."""
        who = _who(member)
        kept = self._kept.get(who)
        if kept is not None and time.monotonic() - kept[1] < self.kept_for:
            self._kept.move_to_end(who)
            return kept[0]
        finding = self._finding.get(who)
        if finding is None:
            finding = asyncio.ensure_future(self._find(member, open_dm))
            self._finding[who] = finding
            finding.add_done_callback(lambda done: self._found(who, done))
        return await asyncio.shield(finding)  # one caller cancelled stops no other

    async def send(
        self, member: Member, open_dm: Opener, send: Callable[[str], Awaitable[T]], refused: Refused
    ) -> T:
        """`send` to the member's DM. If the platform refuses the channel (deleted, or
        not this bot's), it is forgotten, a new one opened, and `send` tried once more."""
        channel = await self.channel(member, open_dm)
        try:
            return await send(channel)
        except Exception as error:
            if not refused(error):
                raise
            log.info("a remembered DM channel was refused (%s): opening another", error)
        await self.forget(member, channel)
        return await send(await self.channel(member, open_dm))

    async def forget(self, member: Member, channel: str) -> None:
        """Drop the channel, here and in the store, unless a new one replaced it there."""
        who = _who(member)
        if who in self._kept and self._kept[who][0] == channel:
            del self._kept[who]
        await self._write(members.forget_dm_channel, member, channel)

    async def _find(self, member: Member, open_dm: Opener) -> str:
        try:
            channel = await asyncio.to_thread(self._read, member)
        except OperationalError as error:  # the message still goes, for one more opening
            log.warning("the database is unavailable: %s", str(error).splitlines()[0])
            channel = None
        if channel is None:
            channel = await open_dm()
            await self._write(members.remember_dm_channel, member, channel)
        self._kept[_who(member)] = (channel, time.monotonic())
        while len(self._kept) > self.most:
            self._kept.popitem(last=False)
        return channel

    def _found(self, who: _Who, done: asyncio.Future[str]) -> None:
        self._finding.pop(who, None)
        if not done.cancelled():
            done.exception()  # seen by every caller; marked seen if all were cancelled

    def _read(self, member: Member) -> str | None:
        with self.engine.connect() as db:
            return members.dm_channel(db, member)

    async def _write(
        self, write: Callable[[Connection, Member, str], None], member: Member, channel: str
    ) -> None:
        def written() -> None:
            with self.engine.begin() as db:
                write(db, member, channel)

        try:
            await asyncio.to_thread(written)
        except OperationalError as error:  # kept in memory all the same
            log.warning("the database is unavailable: %s", str(error).splitlines()[0])


def _who(member: Member) -> _Who:
    return (member.platform, member.workspace, member.user)
