"""Finding playbook phrases in what a member wrote, as whole words, quickly."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=64)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p.lower()) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_MARKUP = re.compile(r"[_*~`]")


def normalised(text: str) -> str:
    """Lower case, curly apostrophes straightened, chat markup (`_word_`, `*word*`)
    and runs of space folded, so a phrase matches however it was styled."""
    return " ".join(_MARKUP.sub(" ", text.lower().replace("\u2019", "'")).split())


def mentions_any(text: str, phrases: Iterable[str]) -> bool:
    return _pattern(tuple(phrases)).search(normalised(text)) is not None


def count_mentioned(text: str, phrases: Iterable[str]) -> int:
    """How many distinct phrases appear in the text."""
    return len(set(_pattern(tuple(phrases)).findall(normalised(text))))
