"""`bounceback run`: every configured platform and one scheduler in one asyncio loop.

The services only serve their platform and lend the scheduler their transport;
the runner owns what is shared: the dispatcher and its ticker (one per process,
whatever the platforms), the SQLite checkpointer, /healthz, and the signals.
On SIGTERM or SIGINT it stops taking events, lets the work under way finish,
hands back the outbox leases it still holds, and returns 0.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from adapters.discord.service import DiscordService
from adapters.slack.service import SlackService
from bot.config import ConfigError, Settings
from bot.conversation.core import Bounceback
from bot.reminders.delivery import Delivery
from bot.store.database import Checkpointer
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from scheduler.status import last_tick
from scheduler.ticker import TICK_SECONDS, Ticker
from scheduler.transport import Transport

log = logging.getLogger("bounceback")
HEALTH_PATH = "/healthz"
READY = "bounceback: scheduler ticking as worker"  # the last line of start-up, at INFO
SIGNALS = (signal.SIGTERM, signal.SIGINT)
# A platform that is not up by then (Discord's gateway unreachable: discord.py would
# retry for ever) fails start-up with 1, for the supervisor to try again later.
START_WITHIN = 60.0  # seconds


class StartFailed(Exception):
    """What kept the process from starting, in one line for the operator: a platform
    or the database out of reach, worth a restart (refused credentials are a
    ConfigError instead, which no restart mends)."""


class Service(Protocol):
    """One platform: serves it between `start` and `drain`, sends through `transport`
    until `close`."""

    platform: str

    @property
    def transport(self) -> Transport: ...  # read-only: each service has its own kind

    async def start(self) -> str: ...  # where it serves, for the log

    async def drain(self) -> None: ...  # no new event; the accepted ones answered

    async def close(self) -> None: ...

    async def lost(self) -> str: ...  # returns only if it stops serving on its own: why

    async def replay(self, received_before: datetime) -> None: ...  # acked, never applied


def adapters(settings: Settings) -> dict[str, str]:
    """The configured platforms, each with how it runs: never a token."""
    found: dict[str, str] = {}
    if settings.slack_bot_token or settings.slack_oauth:
        workspaces = "several workspaces" if settings.slack_oauth else "one workspace"
        mode = (
            "Socket Mode"
            if settings.slack_mode == "socket"
            else f"HTTP on port {settings.port}, {HEALTH_PATH} beside /slack/events"
        )
        found["slack"] = f"{mode}, {workspaces}"
    if settings.discord_token:
        ids = ",".join(map(str, settings.discord_shard_ids))
        count = settings.discord_shard_count or "as many as Discord recommends"
        found["discord"] = f"shards {ids} of {count}" if ids else f"every shard ({count})"
    return found


class Runner:
    def __init__(
        self,
        core: Bounceback,
        settings: Settings,
        worker: str,
        *,
        tick: float = TICK_SECONDS,
        start_within: float = START_WITHIN,
        **discord_options: Any,
    ) -> None:
        self.start_within = start_within
        configured = adapters(settings)
        self.services: list[Service] = []
        if "slack" in configured:
            health = health_route(core.engine, worker, core.clock)
            self.services.append(SlackService(core, settings, routes=[health]))
        if "discord" in configured:
            self.services.append(DiscordService(core, settings, **discord_options))
        self.dispatcher = Dispatcher(
            Outbox(core.engine, worker, lease=settings.lease),
            Delivery(core.engine, core.playbook),
            {service.platform: service.transport for service in self.services},
            RateLimits(),
            core.clock,
        )
        self.ticker = Ticker(self.dispatcher, every=tick)
        self.clock, self.lease = core.clock, settings.lease
        self._orphans: asyncio.Task[None] | None = None
        self.checkpointer = Checkpointer(core.engine)

    @property
    def worker(self) -> str:
        return self.dispatcher.outbox.owner

    async def serve(self) -> int:
        """Until SIGTERM or SIGINT, then a graceful stop and 0; or until a platform's
        connection is lost for good, then the same stop and 1, for a supervisor
        (systemd's Restart=on-failure) to start the process again."""
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in SIGNALS:  # before start: a signal during start-up waits for it
            loop.add_signal_handler(number, self._signalled, number, stopping)
        try:
            await self.start()
            signalled = asyncio.create_task(stopping.wait())
            losses = [asyncio.create_task(service.lost()) for service in self.services]
            done, _ = await asyncio.wait({signalled, *losses}, return_when=asyncio.FIRST_COMPLETED)
            for waiting in (signalled, *losses):
                waiting.cancel()
            lost = [task.result() for task in losses if task in done]
            for why in lost:
                log.error("bounceback: %s; stopping so that it can be restarted", why)
            await self.stop()
        finally:
            for number in SIGNALS:
                loop.remove_signal_handler(number)
        return 1 if lost else 0

    async def start(self) -> None:
        self.checkpointer.start()
        opened: list[Service] = []
        try:
            for service in self.services:
                opened.append(service)  # closed if start-up fails, even half started
                where = await _started(service, self.start_within)
                log.info("bounceback: serving %s (%s)", service.platform.capitalize(), where)
        except BaseException:
            for service in opened:
                await service.close()
            self.checkpointer.stop()
            raise
        self.ticker.start()
        self._orphans = asyncio.create_task(self._take_up_orphans(), name="inbox-orphans")
        # What start-up built lives as long as the process: out of the collector's way,
        # so a full collection in a burst of events does not walk all of it again.
        gc.freeze()
        log.info("%s %s", READY, self.worker)

    async def stop(self) -> None:
        """Intake closed and work finished first, so no lease is taken after the release."""
        if self._orphans is not None:
            self._orphans.cancel()
        try:
            # The dispatcher first: it stops between sends and records the one in flight.
            drained = asyncio.gather(*(service.drain() for service in self.services))
            released = await self.dispatcher.stop()
            await asyncio.gather(self.ticker.stop(), drained)
            log.info("bounceback: stopped; %d reminder leases handed back", released)
        finally:  # a failed drain still closes the connections and the checkpointer
            for service in self.services:
                await service.close()
            self.checkpointer.stop()

    async def _take_up_orphans(self) -> None:
        """Events a process acknowledged but never applied (it was killed): once they are
        older than the outbox lease, its process is taken to be gone, as for a reminder
        it held, and any process answers them; this one at once on start-up."""
        while True:
            received_before = self.clock() - self.lease
            for service in self.services:
                try:
                    await service.replay(received_before)
                except Exception as error:  # the database away, say: the next round tries
                    why = type(error).__name__
                    log.warning(
                        "bounceback: could not take up %s events (%s)", service.platform, why
                    )
            await asyncio.sleep(self.lease.total_seconds() / 2)

    def _signalled(self, number: int, stopping: asyncio.Event) -> None:
        name = signal.Signals(number).name
        if stopping.is_set():
            log.info("bounceback: %s again: still finishing what is under way", name)
            return
        log.info("bounceback: %s: stopping, once what is under way is finished", name)
        stopping.set()


async def _started(service: Service, within: float) -> str:
    name = service.platform.capitalize()
    try:
        async with asyncio.timeout(within):
            return await service.start()
    except ConfigError:
        raise
    except TimeoutError:
        raise StartFailed(f"{name} did not start within {within:g} s") from None
    except Exception as error:
        raise StartFailed(f"{name} did not start ({type(error).__name__}: {error})") from error


def health_route(engine: Engine, worker: str, clock: Callable[[], datetime]) -> web.RouteDef:
    """GET /healthz: 200 while the database answers, with this worker's last tick; 503
    when it does not, so a load balancer sends Slack's requests elsewhere."""

    async def health(_request: web.Request) -> web.Response:
        try:
            ticked = await asyncio.to_thread(last_tick, engine, worker)
        except SQLAlchemyError as error:
            log.warning("bounceback: health check: database unreachable (%s)", type(error).__name__)
            return web.json_response({"database": "unreachable"}, status=503)
        age = None if ticked is None else round((clock() - ticked).total_seconds(), 1)
        return web.json_response({"database": "ok", "worker": worker, "last_tick_age": age})

    return web.get(HEALTH_PATH, health)
