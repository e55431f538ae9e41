"""The fake platforms, holding chosen requests until a test lets them through: work
kept in flight on purpose, to see what a shutdown does with it."""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from tests.support.fake_discord import FakeDiscord
from tests.support.fake_slack import FakeSlack

TIMEOUT = 30.0


class Gate:
    """Requests wait at it until `open`; `holding` waits until `count` are waiting."""

    def __init__(self) -> None:
        self.held = 0
        self._opened = asyncio.Event()
        self._arrived = asyncio.Condition()

    async def through(self) -> None:
        async with self._arrived:
            self.held += 1
            self._arrived.notify_all()
        await self._opened.wait()

    async def holding(self, count: int = 1, timeout: float = TIMEOUT) -> None:
        async with self._arrived:
            what = f"{count} requests held at the gate"
            try:
                await asyncio.wait_for(self._arrived.wait_for(lambda: self.held >= count), timeout)
            except TimeoutError:
                raise AssertionError(f"not {what} within {timeout} s ({self.held})") from None

    def open(self) -> None:
        self._opened.set()


class HeldSlack(FakeSlack):
    """The fake Slack, holding its Web API `methods` at `gate` (open: none held)."""

    def __init__(self, *methods: str) -> None:
        super().__init__()
        self.held_methods = set(methods)
        self.gate = Gate()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] in self.held_methods:
            await self.gate.through()
        return await super()._api(request)


class HeldDiscord(FakeDiscord):
    """The fake Discord, holding REST calls to paths matching `held` at `gate`."""

    def __init__(self, held: str, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.held_path = re.compile(held)
        self.gate = Gate()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        if self.held_path.search(request.path) and request.method == "POST":
            await self.gate.through()
        return await super()._rest(request)
