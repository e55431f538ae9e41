"""Keeping words we did not write from pinging anyone, or passing as the bot's own lines,
when they are posted."""

from __future__ import annotations

import re

_MENTION_MARKS = re.compile(r"[@<>!#&]")


def inert_name(display_name: str) -> str:
    """A platform display name with every mention-making character taken out."""
    return inert_words(display_name, 80) or "A member"


def inert_words(text: str, most: int) -> str:
    """A member's words for a group post: one line, no mention-making character."""
    return one_line(_MENTION_MARKS.sub("", text))[:most]


def one_line(text: str) -> str:
    """Text with every line break (and run of spaces) made one space: member words in a
    group post cannot start a line that reads as another post of the bot's."""
    return " ".join(text.split())
