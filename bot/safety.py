"""Keeping names we did not write from pinging anyone when they are posted."""

from __future__ import annotations

import re

_MENTION_MARKS = re.compile(r"[@<>!#&]")


def inert_name(display_name: str) -> str:
    """A platform display name with every mention-making character taken out."""
    cleaned = " ".join(_MENTION_MARKS.sub("", display_name).split())
    return cleaned[:80] or "A member"
