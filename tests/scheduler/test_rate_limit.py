"""Token buckets on a hand-moved clock: bursts, steady rates, all-or-nothing, bounded memory."""

from __future__ import annotations

import tracemalloc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import rate_limit
from scheduler.rate_limit import (
    DISCORD,
    SLACK_WORKSPACE,
    SWEEP_AT,
    UNLIMITED,
    Limit,
    PlatformLimits,
    RateLimits,
    TokenBucket,
)

PROPERTY = settings(max_examples=200, deadline=None)


class FakeClock:
    """Monotonic seconds, moved by hand: no test waits for real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limits(clock: FakeClock) -> RateLimits:
    return RateLimits(clock=clock)


@contextmanager
def tracing() -> Iterator[None]:
    """Python's own allocation tracing, so memory is measured, not asked of the code."""
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def held_by_rate_limits() -> int:
    """Bytes that scheduler/rate_limit.py allocated since tracing began and still holds."""
    mine = tracemalloc.Filter(True, rate_limit.__file__)
    return sum(trace.size for trace in tracemalloc.take_snapshot().filter_traces([mine]).traces)


def bytes_per_channel(clock: FakeClock, channels: int = 1_000) -> int:
    """What one channel's bucket costs when nothing is swept, as traced memory counts it."""
    unswept = RateLimits(clock=clock, sweep_at=channels * 10)
    with tracing():
        for number in range(channels):
            unswept.reserve("slack", "W0", f"C{number}")
        return tracemalloc.get_traced_memory()[0] // channels


def test_a_bucket_gives_its_burst_at_once_then_its_steady_rate(clock) -> None:
    bucket = TokenBucket(rate=4, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [0.0, 0.0, 0.0, 0.25]
    for _ in range(8):
        clock.advance(0.25)
        assert (bucket.take(), bucket.take()) == (0.0, 0.25)
    clock.advance(60)
    assert bucket.available() == 3 and bucket.full()


def test_take_returns_the_exact_wait_and_takes_nothing_while_waiting(clock) -> None:
    bucket = TokenBucket(rate=4, burst=1, clock=clock)
    assert bucket.take() == 0.0
    clock.advance(0.125)
    assert bucket.take() == 0.125
    assert bucket.take() == 0.125
    assert bucket.available() == 0
    clock.advance(0.125)
    assert bucket.available() == 1
    assert bucket.take() == 0.0


def test_reserve_takes_from_every_bucket_or_from_none(clock, limits) -> None:
    for number in range(SLACK_WORKSPACE.burst):
        assert limits.reserve("slack", "W1", f"C{number}") == 0.0
    assert limits.available_in("slack", "W1") == 0
    assert limits.reserve("slack", "W1", "C-new") == 1 / SLACK_WORKSPACE.rate
    clock.advance(1 / SLACK_WORKSPACE.rate)
    assert limits.reserve("slack", "W1", "C-new") == 0.0  # its channel was not spent
    assert limits.reserve("slack", "W1", "C0") == pytest.approx(1 - 1 / SLACK_WORKSPACE.rate)


def test_slack_has_no_app_wide_ceiling_only_each_workspace_s(clock, limits) -> None:
    assert limits.available("slack") == UNLIMITED
    for workspace in range(100):
        for channel in range(SLACK_WORKSPACE.burst):
            assert limits.reserve("slack", f"W{workspace}", f"C{channel}") == 0.0
    assert limits.reserve("slack", "W99", "C-new") > 0.0


def test_a_busy_slack_channel_does_not_slow_the_others(clock, limits) -> None:
    assert limits.reserve("slack", "W1", "C1") == 0.0
    assert limits.reserve("slack", "W1", "C1") == 1.0
    assert [limits.reserve("slack", "W1", f"C{number}") for number in range(2, 10)] == [0.0] * 8
    assert limits.reserve("slack", "W2", "C1") == 0.0
    clock.advance(1.0)
    assert limits.reserve("slack", "W1", "C1") == 0.0


def test_discord_keeps_to_fifty_in_any_second_with_turns_booked_ahead(clock, limits) -> None:
    """Each send goes at the turn it booked: over ten seconds, no second holds more than
    Discord's 50, and the booked rate keeps up the limit's."""
    sends: list[float] = []
    while clock.now < 10:
        wait = limits.reserve("discord", "G1", f"C{len(sends) % 7}", within=1.0)
        if wait <= 1.0:
            sends.append(clock.now + wait)
        else:
            clock.advance(wait - 1.0 + 1e-9)  # just past the turn it missed
    busiest = max(sum(at <= other < at + 1 for other in sends) for at in sends)
    assert busiest <= 50
    assert len(sends) >= DISCORD.burst + 10 * DISCORD.rate  # the rate kept up


def test_a_turn_further_off_than_asked_is_not_booked(clock) -> None:
    bucket = TokenBucket(rate=4, burst=1, clock=clock)
    assert [bucket.take(within=1.0) for _ in range(5)] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert bucket.take(within=1.0) == 1.25  # and nothing booked:
    clock.advance(0.25)
    assert bucket.take(within=1.0) == 1.0


def test_a_message_that_opens_its_dm_first_books_two_of_the_bots_requests(clock) -> None:
    """Discord counts the DM's opening against the bot's 50/s like the message itself;
    the channel's limit counts messages."""
    limits = RateLimits(
        {
            "discord": PlatformLimits(
                platform=Limit(rate=4, burst=1), channel=Limit(rate=1, burst=1)
            )
        },
        clock=clock,
    )
    assert limits.reserve("discord", "G1", "D1", within=2.0, requests=2) == 0.25
    assert limits.reserve("discord", "G1", "D2", within=2.0) == 0.5  # two turns later, not one
    assert limits.reserve("discord", "G1", "D1", within=2.0) == 1.0  # its channel: one message


def test_available_is_what_reserve_then_grants(clock, limits) -> None:
    assert limits.available("discord") == DISCORD.burst
    assert limits.available("discord", within=1.0) == DISCORD.burst + DISCORD.rate
    for _ in range(limits.available("discord", within=1.0)):
        assert limits.reserve("discord", "G1", "C1", within=1.0) <= 1.0
    assert limits.available("discord", within=1.0) == 0
    assert limits.reserve("discord", "G1", "C1", within=1.0) > 1.0
    clock.advance(0.5)
    assert limits.available("discord", within=1.0) == DISCORD.rate // 2


def test_available_in_a_workspace_is_its_own_bucket(clock, limits) -> None:
    assert limits.available_in("discord", "G1") == UNLIMITED  # Discord has no workspace limit
    assert limits.available_in("slack", "T1") == SLACK_WORKSPACE.burst
    for _ in range(5):
        assert limits.reserve("slack", "T1", f"D{_}") == 0.0
    assert limits.available_in("slack", "T1") == SLACK_WORKSPACE.burst - 5
    assert limits.available_in("slack", "T2") == SLACK_WORKSPACE.burst


def test_two_workers_sharing_the_limits_together_keep_to_the_bot_s(clock) -> None:
    """Each of two processes of one bot books half of each limit: over ten seconds their
    sends together never put more in a second than one worker alone may (a limit's burst
    and a second of its rate: 50 for Discord), and they keep up the rates."""
    workers = [RateLimits(clock=clock), RateLimits(clock=clock)]
    for worker in workers:
        worker.share(2)
    sends: dict[str, list[float]] = {"discord": [], "slack": []}
    while clock.now < 10:
        for worker in workers:
            for platform, sent in sends.items():
                wait = worker.reserve(platform, "W1", f"D{len(sent)}", within=1.0)
                if wait <= 1.0:
                    sent.append(clock.now + wait)
        clock.advance(0.01)
    for platform, limit in (("discord", DISCORD), ("slack", SLACK_WORKSPACE)):
        at = sends[platform]
        assert max(sum(t <= other < t + 1 for other in at) for t in at) <= limit.burst + limit.rate
        assert len(at) >= 10 * limit.rate * 0.95


def test_a_share_keeps_what_is_booked_and_changes_what_follows(clock, limits) -> None:
    assert limits.available("discord", within=1.0) == DISCORD.burst + DISCORD.rate
    limits.share(2)
    assert limits.available("discord", within=1.0) == DISCORD.burst + DISCORD.rate // 2
    for _ in range(10):
        limits.reserve("discord", "G1", "C1", within=1.0)
    limits.share(1)  # the other worker is gone: the booked turns stay booked
    assert limits.available("discord", within=1.0) == DISCORD.burst + DISCORD.rate - 10


def test_a_429_holds_the_bucket_it_came_from_for_its_wait(clock, limits) -> None:
    limits.hold("discord", "G1", "C1", 5.0, "platform")  # the whole bot waits
    assert limits.reserve("discord", "G2", "C2", within=10.0) == pytest.approx(5.0)
    limits.hold("slack", "T1", "D1", 3.0, "workspace")  # only T1 waits
    assert limits.reserve("slack", "T1", "D2", within=10.0) == pytest.approx(3.0)
    assert limits.reserve("slack", "T2", "D1") == 0.0
    limits.hold("slack", "T3", "D1", 2.0, "route")  # only the conversation waits
    assert limits.reserve("slack", "T3", "D1", within=10.0) == pytest.approx(2.0)
    assert limits.reserve("slack", "T3", "D2") == 0.0


def test_unlimited_never_waits_and_keeps_nothing() -> None:
    limits = RateLimits.unlimited()
    for platform in ("slack", "discord", "console"):
        assert limits.available(platform) == UNLIMITED
        with tracing():
            assert all(limits.reserve(platform, f"W{n}", f"C{n}") == 0.0 for n in range(5_000))
            assert held_by_rate_limits() == 0


def test_a_platform_without_limits_is_not_limited(limits) -> None:
    assert limits.available("console") == UNLIMITED
    assert all(limits.reserve("console", "local", "console") == 0.0 for _ in range(1_000))


def test_memory_stays_bounded_with_100000_channels(clock, limits) -> None:
    most = 0
    with tracing():
        for number in range(100_000):
            while wait := limits.reserve("slack", f"W{number % 3}", f"C{number}"):
                clock.advance(wait)
            most = max(most, tracemalloc.get_traced_memory()[0])
    assert most <= 2 * SWEEP_AT * bytes_per_channel(clock)
    clock.advance(1.0)
    assert limits.reserve("slack", "W0", "C0") == 0.0  # a dropped bucket comes back full


def test_sweeping_drops_only_full_buckets(clock) -> None:
    levels = PlatformLimits(workspace=Limit(rate=1, burst=4), channel=Limit(rate=1, burst=2))
    limits = RateLimits({"slack": levels}, clock=clock, sweep_at=0)
    assert [limits.reserve("slack", "W1", f"C{number}") for number in range(3)] == [0.0] * 3
    with tracing():
        others = [limits.reserve("slack", "W2", f"C{number}") for number in range(100)]
        held = held_by_rate_limits()
    assert others.count(0.0) == 4 and held < 20 * bytes_per_channel(clock)  # refused: swept
    assert limits.reserve("slack", "W1", "C3") == 0.0
    assert limits.reserve("slack", "W1", "C4") == 1.0  # W1 kept its spent tokens


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0.5), (float("inf"), 1)])
def test_a_limit_must_be_a_real_rate_with_room_for_one_message(rate, burst) -> None:
    with pytest.raises(ValueError, match="rate"):
        Limit(rate, burst)


LIMITS = st.builds(Limit, rate=st.floats(0.1, 100), burst=st.floats(1, 20))
STEPS = st.lists(
    st.tuples(
        st.none() | st.just(0.0) | st.floats(0, 2),  # None: advance by the wait just returned
        st.sampled_from(["W1", "W2"]),
        st.sampled_from(["C1", "C2", "C3"]),
    ),
    max_size=120,
)


@PROPERTY
@given(
    levels=st.builds(PlatformLimits, LIMITS | st.none(), LIMITS | st.none(), LIMITS | st.none()),
    steps=STEPS,
    sweep_at=st.sampled_from([0, 1, 3, SWEEP_AT]),  # sweeping must never loosen a limit
)
def test_no_window_grants_more_than_burst_plus_rate_times_its_length(
    levels, steps, sweep_at
) -> None:
    clock = FakeClock()
    limits = RateLimits({"slack": levels}, clock=clock, sweep_at=sweep_at)
    granted: list[tuple[float, str, str]] = []
    wait = 0.0
    for advance, workspace, channel in steps:
        clock.advance(wait if advance is None else advance)
        wait = limits.reserve("slack", workspace, channel)
        if not wait:
            granted.append((clock.now, workspace, channel))
    for limit, key in (
        (levels.platform, lambda grant: ()),
        (levels.workspace, lambda grant: grant[1]),
        (levels.channel, lambda grant: grant[1:]),
    ):
        if limit is None:
            continue
        times: dict[object, list[float]] = defaultdict(list)
        for grant in granted:
            times[key(grant)].append(grant[0])
        for when in times.values():
            for first, start in enumerate(when):
                for last in range(first, len(when)):
                    window = when[last] - start
                    assert last - first + 1 <= limit.burst + limit.rate * window + 1e-6
