"""Token buckets for outgoing platform messages, so a worker never sends faster than allowed.

The dispatcher sizes each claim with `available(platform, within)`, the messages the
platform's limit lets go within the next `within` seconds, hands back the rows beyond
what `available_in(platform, workspace, within)` allows, and calls `reserve` before
every send. A reservation books the message's turn: every bucket that applies gives it
a token, going into debt for one that comes later, and the wait until then is returned
for the dispatcher to keep the row in memory until its turn. A turn further off than
`within` books nothing, and the dispatcher defers the row instead of sleeping on its
lease. Nothing here sleeps. A 429's Retry-After stays the backstop for limits we
guessed wrong or share with others: `hold` makes its bucket wait it out.

The limits are the bot's, and several processes of one bot send at once: `share(n)`
makes each keep to an nth of every limit, n being the workers alive (their heartbeats,
scheduler/ticker.py), so together they keep to the bot's.

A message counts against every bucket that applies to it at once, or against none, so a
message refused by its channel does not spend its workspace's or platform's allowance.

Memory: per-workspace and per-channel buckets are created on first use. A bucket that has
refilled to its burst is indistinguishable from a new one, so once more than `sweep_at` are
held, the full ones are dropped; nothing is lost and limits stay exact. The ones left were
used within one refill (a second for a Slack channel), and the platform bucket caps how many
that can be. If they are still too many, the next sweep waits until their number has doubled,
so sweeping stays cheap per message.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

Clock = Callable[[], float]
Scope = Literal["route", "workspace", "platform"]  # the levels a 429 may concern

SWEEP_AT = 10_000
UNLIMITED = sys.maxsize  # what `available` says of a platform with no platform limit
_ROUNDING = 1e-9  # a token short by this much counts: float clocks never round a wait up twice


def _check(rate: float, burst: float) -> None:
    if not (0 < rate < math.inf and 1 <= burst < math.inf):
        raise ValueError(f"a limit needs a finite rate > 0 and burst >= 1, not {rate=} {burst=}")


@dataclass(frozen=True)
class Limit:
    """A sustained `rate` of messages per second, with up to `burst` at once."""

    rate: float
    burst: float

    def __post_init__(self) -> None:
        _check(self.rate, self.burst)


@dataclass(frozen=True)
class PlatformLimits:
    """One platform's limits at each level; None means no limit at that level."""

    platform: Limit | None = None
    workspace: Limit | None = None
    channel: Limit | None = None


# Discord: 50 requests per second per bot across routes, its global rate limit
# (discord.com/developers/docs/topics/rate-limits#global-rate-limit). Turns are booked
# ahead, so no burst is needed to keep up the rate; with a burst of 1, no second of
# sends holds more than 50, however the platform's window falls.
DISCORD = Limit(rate=49, burst=1)
# Slack, chat.postMessage: "one message per second per channel", short bursts tolerated but
# not guaranteed, so none here (api.slack.com/apis/rate-limits, "Posting messages").
SLACK_CHANNEL = Limit(rate=1, burst=1)
# Slack keeps a workspace-wide limit on posting too but publishes no number: this is our
# estimate, and a 429's Retry-After corrects it.
SLACK_WORKSPACE = Limit(rate=20, burst=20)

DEFAULT_LIMITS: Mapping[str, PlatformLimits] = {
    "discord": PlatformLimits(platform=DISCORD),
    # Slack has no app-wide limit: its limits are per workspace and per channel.
    "slack": PlatformLimits(workspace=SLACK_WORKSPACE, channel=SLACK_CHANNEL),
}
NO_LIMITS = PlatformLimits()


class TokenBucket:
    """Up to `burst` tokens, refilled continuously at `rate` per second. Not thread-safe."""

    def __init__(self, rate: float, burst: float, clock: Clock = time.monotonic) -> None:
        _check(rate, burst)
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def available(self, within: float = 0.0) -> int:
        """Whole tokens now, with those that come within `within` seconds; never below 0."""
        return max(0, math.floor(self._refill() + within * self.rate + _ROUNDING))

    def wait(self, tokens: int = 1) -> float:
        """Seconds until `tokens` are available, 0.0 if they are now; consumes nothing."""
        held = self._refill()
        return 0.0 if held >= tokens - _ROUNDING else (tokens - held) / self.rate

    def take(self, within: float = 0.0, tokens: int = 1) -> float:
        """Book `tokens` and return the wait until they are there (0.0: now), if that is
        at most `within`; else book nothing and return the wait. A booked token may be one
        still to come: the bucket goes into debt, and the next wait is that much longer."""
        wait = self.wait(tokens)
        if wait <= within:
            self._tokens -= tokens
        return wait

    def full(self) -> bool:
        """Whether it has refilled to `burst`, and so holds no state worth keeping."""
        return self._refill() >= self.burst

    def reshape(self, rate: float, burst: float) -> None:
        """A new rate and burst from now on; the tokens in hand (or owed) stay."""
        _check(rate, burst)
        self._refill()
        self.rate, self.burst = rate, burst
        self._tokens = min(self._tokens, burst)

    def hold(self, seconds: float) -> None:
        """No token for `seconds` from now: the platform said to wait that long."""
        self._tokens = min(self._refill(), 1 - seconds * self.rate)

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return self._tokens


class RateLimits:
    """Every bucket a worker's outgoing messages count against; thread-safe.

    Platforms missing from `limits` (the console) are not limited. Per-key buckets are swept
    once more than `sweep_at` are held (see the module docstring). With `share`, each of
    several workers of one bot keeps to its equal part of every limit.
    """

    def __init__(
        self,
        limits: Mapping[str, PlatformLimits] = DEFAULT_LIMITS,
        *,
        clock: Clock = time.monotonic,
        sweep_at: int = SWEEP_AT,
    ) -> None:
        self._limits = dict(limits)
        self._clock = clock
        self._lock = threading.Lock()
        self.workers = 1
        self._platforms = {
            name: TokenBucket(*self._part(level.platform), clock=clock)
            for name, level in self._limits.items()
            if level.platform is not None
        }
        self._keyed: dict[tuple[str, ...], TokenBucket] = {}
        self.sweep_at = sweep_at
        self._next_sweep = sweep_at

    @classmethod
    def unlimited(cls) -> RateLimits:
        """No limit anywhere: for benchmarks, which measure everything but the platforms."""
        return cls({})

    def share(self, workers: int) -> None:
        """Keep to one `workers`-th of each limit from now on: that many processes of one
        bot send together, and the platform counts them as one."""
        workers = max(1, workers)
        with self._lock:
            if workers == self.workers:
                return
            self.workers = workers
            for platform, bucket in self._platforms.items():
                bucket.reshape(*self._part(self._levels(platform).platform))
            for key, bucket in self._keyed.items():
                bucket.reshape(*self._part(self._level_of(key)))

    def hold(self, platform: str, workspace: str, channel: str, seconds: float, level: str) -> None:
        """After a 429: no turn for `seconds` from the bucket of `level` ("route",
        "workspace" or "platform"), if the platform has a limit there."""
        levels = self._levels(platform)
        with self._lock:
            if level == "platform":
                bucket = self._platforms.get(platform)
            elif level == "workspace" and levels.workspace is not None:
                bucket = self._bucket((platform, workspace), levels.workspace)
            elif level == "route" and levels.channel is not None:
                bucket = self._bucket((platform, workspace, channel), levels.channel)
            else:
                bucket = None
            if bucket is not None:
                bucket.hold(seconds)

    def available(self, platform: str, within: float = 0.0) -> int:
        """How many messages the platform limit lets go within `within` seconds: the
        most worth claiming."""
        with self._lock:
            bucket = self._platforms.get(platform)
            return UNLIMITED if bucket is None else bucket.available(within)

    def available_in(self, platform: str, workspace: str, within: float = 0.0) -> int:
        """How many messages the workspace limit lets go within `within` seconds (the
        platform's aside)."""
        limit = self._levels(platform).workspace
        if limit is None:
            return UNLIMITED
        with self._lock:
            return self._bucket((platform, workspace), limit).available(within)

    def reserve(
        self, platform: str, workspace: str, channel: str, within: float = 0.0, requests: int = 1
    ) -> float:
        """Book a turn with every bucket that applies and return the wait until it, or,
        when the turn is further off than `within` seconds, book none and return it.

        A message that costs more than one request (its DM opened first) books them all
        with the platform's bucket, which counts every request the bot makes; the
        workspace's and the channel's count the message."""
        level = self._levels(platform)
        with self._lock:
            buckets = [(self._platforms[platform], requests)] if platform in self._platforms else []
            for key, limit in (
                ((platform, workspace), level.workspace),
                ((platform, workspace, channel), level.channel),
            ):
                if limit is not None:
                    buckets.append((self._bucket(key, limit), 1))
            wait = max((bucket.wait(tokens) for bucket, tokens in buckets), default=0.0)
            if wait <= within:
                for bucket, tokens in buckets:
                    bucket.take(within, tokens)
            if len(self._keyed) > self._next_sweep:
                self._sweep()
            return wait

    def _levels(self, platform: str) -> PlatformLimits:
        return self._limits.get(platform, NO_LIMITS)

    def _level_of(self, key: tuple[str, ...]) -> Limit | None:
        """A keyed bucket's limit: (platform, workspace) or (platform, workspace, channel)."""
        level = self._levels(key[0])
        return level.workspace if len(key) == 2 else level.channel

    def _part(self, limit: Limit | None) -> tuple[float, float]:
        """This worker's rate and burst of `limit` (which its bucket's existence implies).
        Every worker needs a burst of one at least, so where n of them would together
        hold more than the limit's burst, their rate gives up the excess: any second then
        holds what one worker alone may send, burst and rate, and no more."""
        assert limit is not None
        burst = max(1.0, limit.burst / self.workers)
        rate = (limit.rate + limit.burst - burst * self.workers) / self.workers
        # More workers than the limit has room for bursts: half a fair share each, and
        # the platform's 429s correct the excess.
        return max(rate, limit.rate / self.workers / 2), burst

    def _bucket(self, key: tuple[str, ...], limit: Limit) -> TokenBucket:
        bucket = self._keyed.get(key)
        if bucket is None:
            bucket = self._keyed[key] = TokenBucket(*self._part(limit), clock=self._clock)
        return bucket

    def _sweep(self) -> None:
        self._keyed = {key: bucket for key, bucket in self._keyed.items() if not bucket.full()}
        self._next_sweep = max(self.sweep_at, 2 * len(self._keyed))
