"""Rate limits and failures: the roomy bucket every answer carries, the 429s and 5xx
a test asks for, shaped as Discord shapes them, and, when asked for, the bot's global
limit enforced with a 429 (`GlobalLimit`)."""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal

from ._state import State
from ._wire import Args, Call, matches


@dataclass(frozen=True)
class Failure:
    method: str
    path: str | re.Pattern[str]
    status: int
    retry_after: float
    global_: bool
    code: int | None
    message: str | None


# Discord exempts interaction endpoints from the global limit; the bot's own messages
# are what a benchmark counts.
EXEMPT = re.compile(r"/(interactions|webhooks)/.*")
MESSAGES = re.compile(r"/channels/\d+/messages")


class GlobalLimit:
    """Discord's global limit: at most `rate` requests a second from one bot token, and
    a global 429 for any request beyond it (off unless a fake is given one).

    What counts: every REST call with a ``Bot`` token except the interaction endpoints
    (``/interactions/...``, ``/webhooks/...``), as Discord counts; or, with
    ``counts="messages"``, only ``POST /channels/{id}/messages``. Only calls let through
    take a place in the window, so a refused call does not push the next one back.

    How the window is counted, by each call's `received_at` (the wall clock, as the
    fake's per-second counts go): ``"sliding"`` (the default, and the stricter)
    refuses a call if `rate` calls were let through in the second before it, so no
    span of one second anywhere holds more than `rate`; ``"fixed"`` counts per
    wall-clock second (``int(received_at)``), a benchmark's "busiest second", and
    lets `rate` through at the end of one second and `rate` more at the start of the
    next. The 429's ``retry_after`` is the time until the call would have gone.
    """

    def __init__(
        self,
        rate: int = 50,
        *,
        window: Literal["sliding", "fixed"] = "sliding",
        counts: Literal["requests", "messages"] = "requests",
    ) -> None:
        if rate < 1 or window not in ("sliding", "fixed") or counts not in ("requests", "messages"):
            raise ValueError(f"GlobalLimit needs rate >= 1, {window=!r} and {counts=!r} as shown")
        self.rate = rate
        self.window = window
        self.counts = counts
        self._let_through: deque[float] = deque()  # sliding: the last second's
        self._second = 0  # fixed: the wall-clock second being counted, and its count
        self._in_second = 0

    def applies(self, call: Call) -> bool:
        if self.counts == "messages":
            return call.method == "POST" and bool(MESSAGES.fullmatch(call.path))
        bot = call.headers.get("Authorization", "").startswith("Bot ")
        return bot and not EXEMPT.fullmatch(call.path)

    def admit(self, call: Call) -> float | None:
        """None if the call may go (it takes a place in the window); else the seconds
        until one is free, for the 429's ``retry_after``."""
        if not self.applies(call):
            return None
        now = call.received_at or time.time()
        if self.window == "fixed":
            second = int(now)
            if second != self._second:
                self._second, self._in_second = second, 0
            if self._in_second >= self.rate:
                return second + 1 - now
            self._in_second += 1
            return None
        while self._let_through and self._let_through[0] <= now - 1.0:
            self._let_through.popleft()
        if len(self._let_through) >= self.rate:
            return max(self._let_through[0] + 1.0 - now, 0.001)
        self._let_through.append(now)
        return None


class Failures(State):
    """Errors a test has asked for, taken by the next matching calls; the global limit's
    429s, if the fake has one; and what a benchmark counts of both."""

    def fail_next(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        status: int = 429,
        retry_after: float = 1.0,
        times: int = 1,
        global_: bool = False,
        *,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` matching calls with an error instead of serving them.

        `method` may be "*"; `path_pattern` is a path prefix or a regex (fullmatch).
        A 429 looks like Discord's (body ``retry_after``/``global``, ``Retry-After``,
        ``X-RateLimit-*`` with ``Scope``, and ``Via``); other statuses answer Discord's
        error JSON with `code` and `message`. Failed attempts are recorded.
        """
        failure = Failure(method, path_pattern, status, retry_after, global_, code, message)
        self._failures.extend([failure] * times)

    def rate_limited(self) -> list[Call]:
        """Every call answered 429, asked for or the global limit's, oldest first."""
        return [call for call in self.calls if call.status == 429]

    def _take_failure(self, call: Call) -> Failure | None:
        for index, failure in enumerate(self._failures):
            if matches(call.method, call.path, failure.method, failure.path):
                return self._failures.pop(index)
        if self.global_limit is not None:
            wait = self.global_limit.admit(call)
            if wait is not None:
                message = "You are being rate limited."
                return Failure(call.method, call.path, 429, wait, True, None, message)
        return None


def failure_response(failure: Failure, path: str) -> tuple[int, Args, dict[str, str]]:
    if failure.status != 429:
        default = {500: "500: Internal Server Error", 502: "502: Bad Gateway"}.get(
            failure.status, f"{failure.status}: fake Discord failure"
        )
        body = {"message": failure.message or default, "code": failure.code or 0}
        return failure.status, body, {"Via": "1.1 google"}
    body = {
        "message": failure.message or "You are being rate limited.",
        "retry_after": failure.retry_after,
        "global": failure.global_,
    }
    if failure.code is not None:
        body["code"] = failure.code
    headers = {
        "Retry-After": str(math.ceil(failure.retry_after)),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + failure.retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{failure.retry_after:.3f}",
        "X-RateLimit-Bucket": bucket("*", path),
        "X-RateLimit-Scope": "global" if failure.global_ else "user",
        "Via": "1.1 google",
    }
    if failure.global_:
        headers["X-RateLimit-Global"] = "true"
    return 429, body, headers


def ratelimit_headers(method: str, path: str) -> dict[str, str]:
    """A roomy bucket, so discord.py never waits before a request on its own."""
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "49",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": bucket(method, path),
        "Via": "1.1 google",
    }


def bucket(method: str, path: str) -> str:
    template = re.sub(r"\d{6,}", "{id}", path)
    return hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]
