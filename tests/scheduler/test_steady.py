"""A failing tick is logged and retried after a growing pause, never fatal to the ticker."""

from __future__ import annotations

import asyncio
import logging

import pytest

from scheduler.steady import Steady


class Ticks:
    """A tick that fails while `down`, counting every call."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.down:
            raise ConnectionError("the database went away\nwith a long story")


def test_failing_ticks_back_off_doubling_and_the_first_good_one_resets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    ticks = Ticks()
    steady = Steady(ticks, every=1.0, longest=8.0, clock=lambda: now[0])

    def tick_at(moment: float) -> None:
        now[0] = moment
        asyncio.run(steady.tick())

    ticks.down = True
    for moment in range(40):  # one call a second, as APScheduler makes them
        tick_at(moment)
    # Tried at 0, then after 2, 4, 8 and 8 (the cap) seconds: 0, 2, 6, 14, 22, 30, 38.
    assert ticks.calls == 7 and steady.failures == 7
    failures = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failures) == 7
    assert failures[0].exc_info  # the traceback once
    assert not any(r.exc_info for r in failures[1:])
    assert "the database went away" in failures[1].getMessage()
    assert "long story" not in failures[1].getMessage()

    ticks.down = False
    tick_at(46)
    assert ticks.calls == 8 and steady.failures == 0
    assert "ticking again after 7 failed" in caplog.records[-1].getMessage()
    tick_at(47)
    assert ticks.calls == 9  # back to every second
