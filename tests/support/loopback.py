"""Serving a fake platform on 127.0.0.1, on a free port: shared by both fakes."""

from __future__ import annotations

from aiohttp import web

HOST = "127.0.0.1"


async def serve(app: web.Application) -> tuple[web.AppRunner, int]:
    """Start `app` on a free loopback port; the runner to clean up, and the port."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, HOST, 0).start()
    return runner, runner.addresses[0][1]
