"""Reading what a member typed: every parser either returns a clean value or
raises InvalidAnswer with a short, kind sentence that the member will see; and
finding the playbook's phrases in it, as whole words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache

from bot.conversation.events import Option

MAX_MESSAGE = 4000
NAME_LENGTH = 120
SKIP_WORDS = frozenset({"skip", "none", "no", "-", "n/a", "na", "pass", "nothing"})


class InvalidAnswer(ValueError):
    """An answer we cannot use; its message is written for the member."""


_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Unicode category Cc is exactly these two ranges; tab is always allowed, newline in multiline.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROLS_BUT_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MENTION = re.compile(r"@(everyone|here|channel)\b|<[!@#][^>]*>", re.IGNORECASE)


def clean_text(raw: str, *, max_length: int = MAX_MESSAGE, multiline: bool = False) -> str:
    """The checks every piece of member text passes before it is kept or echoed."""
    text = raw.strip()
    if not text:
        raise InvalidAnswer("I didn't catch anything there. Could you type it again?")
    if len(text) > max_length:
        raise InvalidAnswer(
            f"That's {len(text):,} characters and I can keep {max_length:,} here. "
            "Could you shorten it?"
        )
    if _BIDI_CONTROLS.search(text):
        raise InvalidAnswer(
            "That has invisible characters that flip the direction of text, which can "
            "disguise what it says. Could you type it again without them?"
        )
    if (_CONTROLS_BUT_NEWLINE if multiline else _CONTROLS).search(text):
        raise InvalidAnswer(
            "That has hidden control characters in it. Could you type it again plainly?"
        )
    if _MENTION.search(text):
        raise InvalidAnswer(
            "Please leave out @everyone, @here and other mentions: I never ping anyone "
            "on your behalf."
        )
    return text if multiline else " ".join(text.split())


def name(raw: str, *, what: str = "name") -> str:
    """A company, role or person: at least one letter or digit, one line."""
    text = clean_text(raw, max_length=NAME_LENGTH)
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise InvalidAnswer(f"I need the {what} in letters or numbers. Could you type it out?")
    return text


def optional(raw: str) -> bool:
    """True when the member chose to skip an optional question."""
    return raw.strip().lower() in SKIP_WORDS


def optional_name(raw: str, *, what: str = "name") -> str:
    return "" if optional(raw) else name(raw, what=what)


def free_text(raw: str, *, max_length: int = 2000) -> str:
    return clean_text(raw, max_length=max_length, multiline=True)


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _folded(text: str) -> str:
    """Case and a phone's curly quotes aside, so a typed label still matches."""
    return text.translate(_TYPOGRAPHIC).casefold()


def _is_number(text: str) -> bool:
    """Plain digits only: `²` and `①` pass str.isdigit() but int() cannot read them."""
    return text.isascii() and text.isdigit()


def pick(raw: str, options: Sequence[Option]) -> str:
    """An option chosen by its number or its label (or its value), case aside."""
    text = _folded(clean_text(raw, max_length=NAME_LENGTH)).rstrip(".")
    if _is_number(text):
        index = int(text)
        if 1 <= index <= len(options):
            return options[index - 1].value
        raise InvalidAnswer(f"Please pick a number from 1 to {len(options)}.")
    for option in options:
        if text in (_folded(option.label), _folded(option.value)):
            return option.value
    raise InvalidAnswer(
        f"I didn't recognise that choice. Reply with a number from 1 to {len(options)}, "
        "or the words of one of the options."
    )


def numbers(raw: str, *, upper: int) -> list[int]:
    """A list like `2, 4` or `1 3`: each between 1 and upper, no repeats, in order."""
    text = clean_text(raw, max_length=200)
    parts = [part for part in re.split(r"[\s,;]+|\band\b", text) if part]
    if not parts or not all(_is_number(part) for part in parts):
        raise InvalidAnswer("Please give the numbers of the items, like `2` or `2, 4`.")
    chosen = sorted({int(part) for part in parts})
    if chosen[0] < 1 or chosen[-1] > upper:
        raise InvalidAnswer(f"The numbers go from 1 to {upper}.")
    return chosen


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    month: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for month in names
}
_AGO = re.compile(r"^(\d{1,3}|a|one|two|three)\s+(day|days|week|weeks)\s+ago$")
_IN = re.compile(r"^in\s+(\d{1,3}|a|one|two|three)\s+(day|days|week|weeks|month|months)$")
_WORD_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")

DATE_HINT = "like `today`, `yesterday`, `3 days ago`, `monday` or `2026-11-20`"
FUTURE_HINT = "like `tomorrow`, `in 5 days`, `next week`, `monday` or `2026-12-01`"


def past_date(raw: str, *, today: date, oldest_years: int = 5) -> date:
    """When something happened: today or earlier, within the last few years."""
    text = clean_text(raw, max_length=40).lower()
    when = _relative_past(text, today) or _calendar_date(text, today, prefer_past=True)
    if when is None:
        raise InvalidAnswer(f"I couldn't read that date. Try something {DATE_HINT}.")
    if when > today:
        raise InvalidAnswer("That date hasn't come yet. When did the news reach you?")
    if when < today - timedelta(days=365 * oldest_years):
        raise InvalidAnswer(f"That's more than {oldest_years} years ago. Could you check the date?")
    return when


def future_date(raw: str, *, today: date, furthest_days: int = 400) -> date:
    """When something should happen: after today, within about a year."""
    text = clean_text(raw, max_length=40).lower()
    when = _relative_future(text, today) or _calendar_date(text, today, prefer_past=False)
    if when is None:
        raise InvalidAnswer(f"I couldn't read that date. Try something {FUTURE_HINT}.")
    if when <= today:
        raise InvalidAnswer("Please pick a day after today.")
    if when > today + timedelta(days=furthest_days):
        raise InvalidAnswer("That's more than a year away. Could you pick a nearer day?")
    return when


def _amount(word: str) -> int:
    return _WORD_NUMBERS.get(word) or int(word)


def _relative_past(text: str, today: date) -> date | None:
    if text in ("today", "just now", "this morning", "earlier today"):
        return today
    if text in ("yesterday", "last night"):
        return today - timedelta(days=1)
    if text == "last week":
        return today - timedelta(days=7)
    if match := _AGO.match(text):
        days = _amount(match[1]) * (7 if match[2].startswith("week") else 1)
        return today - timedelta(days=days)
    day = text.removeprefix("last ").removeprefix("on ")
    if day in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS.index(day)) % 7 or 7
        return today - timedelta(days=back)
    return None


def _relative_future(text: str, today: date) -> date | None:
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text == "next week":
        return today + timedelta(days=7)
    if text == "next month":
        return today + timedelta(days=30)
    if match := _IN.match(text):
        unit = {"d": 1, "w": 7, "m": 30}[match[2][0]]
        return today + timedelta(days=_amount(match[1]) * unit)
    day = text.removeprefix("next ").removeprefix("on ")
    if day in _WEEKDAYS:
        ahead = (_WEEKDAYS.index(day) - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


def _calendar_date(text: str, today: date, *, prefer_past: bool) -> date | None:
    """ISO dates, and `20 Nov` or `Nov 20` with an optional year."""
    if match := _ISO.match(text):
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    match = _DAY_MONTH.match(text)
    if match:
        day, month_name, year = match[1], match[2], match[3]
    elif match := _MONTH_DAY.match(text):
        month_name, day, year = match[1], match[2], match[3]
    else:
        return None
    month = _MONTHS.get(month_name)
    if month is None:
        return None
    if year:
        return _safe_date(int(year), month, int(day))
    return _nearest_without_year(month, int(day), today, prefer_past=prefer_past)


def _nearest_without_year(month: int, day: int, today: date, *, prefer_past: bool) -> date | None:
    """The closest such day on the wanted side of today; years are searched so
    that `29 Feb` finds the nearest leap year rather than failing this year."""
    step = -1 if prefer_past else 1
    for offset in range(5):
        when = _safe_date(today.year + step * offset, month, day)
        if when is not None and (when <= today if prefer_past else when > today):
            return when
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ---- playbook phrases in what a member wrote


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
