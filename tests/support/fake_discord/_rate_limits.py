"""Rate limits and failures: the roomy bucket every answer carries, and the 429s and
5xx a test asks for, shaped as Discord shapes them."""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass

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


class Failures(State):
    """Errors a test has asked for, taken by the next matching calls."""

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

    def _take_failure(self, call: Call) -> Failure | None:
        for index, failure in enumerate(self._failures):
            if matches(call.method, call.path, failure.method, failure.path):
                return self._failures.pop(index)
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
