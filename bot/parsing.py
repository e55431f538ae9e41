"""Reading what a member typed: every parser either returns a clean value or
raises InvalidAnswer with a short, kind sentence that the member will see; and
finding the playbook's phrases in it, as whole words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, time, timedelta
from functools import lru_cache

from bot.conversation.events import Option

MAX_MESSAGE = 4000
NAME_LENGTH = 120
SKIP_WORDS = frozenset({"", "skip", "none", "no", "-", "n/a", "na", "pass", "nothing", "no idea"})


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


def capitalised(name: str) -> str:
    """A name typed all in lowercase ("priya") as it is written (Priya); any other
    spelling ("McKenzie", "HR") as typed."""
    return name.capitalize() if name.islower() else name


def without_aside(raw: str) -> str:
    """A name as meant when a remark followed it: "Northgate Logistics. well they didnt
    say no" is Northgate Logistics, "priya, she was the design lead" is priya. Only a
    remark of two words or more is cut, so "Acme Inc. UK" keeps its last word."""
    return _ASIDE.split(raw.strip(), maxsplit=1)[0].strip(" ,") or raw


_ASIDE = re.compile(
    r"(?:[.!?]+|,(?=\s+(?:she|he|they|who|i|im|i'm|but|and|though|so|which|lol|like|its|it's|"
    r"hes|he's|shes|she's|theyre|they're)\b))"
    r"\s+(?=\S+\s+\S|(?-i:[a-z]))"  # two words more, or a lowercase one ("engineer. again.")
    r"|\s+(?=(?:lol|lmao|haha\w*|tbh)\b)",  # "Data Analyst lol, exactly that"
    re.IGNORECASE,
)


def optional(raw: str) -> bool:
    """True when the member chose to skip an optional question, or left it empty."""
    return raw.strip().lower().rstrip(".!") in SKIP_WORDS


def optional_name(raw: str, *, what: str = "name") -> str:
    """A name, or none when skipped or not known ("dunno", "skip, can't remember")."""
    return "" if optional(raw) or _UNKNOWN.search(raw) else name(raw, what=what)


_UNKNOWN = re.compile(
    r"^\s*(?:skip|pass|none|n/?a)\b|\b(?:idk|no clue|dunno|don'?t know|do not know|not sure|"
    r"no idea|can'?t remember|cannot remember|don'?t remember|forgot|forget)\b|^\s*i think\b",
    re.IGNORECASE,
)


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
    """An option chosen as a person names it: its number, its words or a clear part of
    them, or yes and no where it says so; unsure, ask back rather than guess."""
    text = _folded(clean_text(raw, max_length=PICK_LENGTH)).strip(" .!")
    number = _LEADING_NUMBER.match(text) or _NAMED_NUMBER.search(text) or _CHOSEN.search(text)
    if number:
        index = int(next(group for group in number.groups() if group))
        if 1 <= index <= len(options):
            return options[index - 1].value
        raise InvalidAnswer(f"Please pick a number from 1 to {len(options)}.")
    chosen = matching_options(text, options) or _by_clause(text, options)
    if len(chosen) == 1:
        return chosen[0].value
    if chosen:
        labels = [f"“{option.label}”" for option in chosen]
        either = ", ".join(labels[:-1]) + f" or {labels[-1]}"
        raise InvalidAnswer(f"Did you mean {either}? Reply with its number or its words.")
    raise InvalidAnswer(
        f"I didn't recognise that choice. Reply with a number from 1 to {len(options)}, "
        "or a few words of one of the options."
    )


PICK_LENGTH = 400  # a choice said with its reasons: "2. agency recruiter tho. is it..."


def matching_options(raw: str, options: Sequence[Option]) -> list[Option]:
    """The options a typed answer names: the one it names best, or the few it could
    mean when no one stands out; none when it names none.

    Yes and no count only for options that are themselves a yes or a no, and an answer
    that opens with one decides those at once. Otherwise a "not" in the answer keeps
    to the options that say no themselves, so "I didn't get an interview" is not
    read as "Interviews"."""
    typed = _folded(raw).strip(" .!")
    word_for_word = [o for o in options if typed in (_folded(o.label), _folded(o.value))]
    if word_for_word:
        return word_for_word[:1]
    quoted = [o for o in options if _quotes(typed, o.label)]
    if len(quoted) == 1:  # "people who ghosted me? nah. drop some": one label, said whole
        return quoted
    said = _spelled_as(_meaning(raw), options)
    exact = [option for option in options if _meaning(option.label) == said]
    if exact:
        return exact
    first, *rest = _WORD.findall(_folded(raw)) or [""]
    opening = _meaning(first)
    meant = _folded(raw)
    if opening in ({YES}, {NO}):
        answering = [option for option in options if option.value in opening]
        if answering:
            return answering
        if rest:  # "no, an internal candidate": the no answers the question, not the options
            meant = " ".join(rest)
            said = _meaning(meant)
    clauses = [_meaning(part) for part in _CLAUSE_BREAK.split(meant) if part.strip()]
    scored = []
    for option in options:
        words = _option_words(option)
        hits = words & said
        if option.value not in (YES, NO):
            hits -= {YES, NO}
        if hits and (NO in words or not _denied(hits, clauses)):
            scored.append((_score(hits, option), option))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    leaders = [option for score, option in scored if score == best]
    if len(leaders) == 1 and (best >= 0.5 or len(scored) == 1):
        return leaders
    return [option for _, option in sorted(scored, key=lambda pair: -pair[0])]


def _spelled_as(said: frozenset[str], options: Sequence[Option]) -> frozenset[str]:
    """The words said, a slip of one letter in a long word read as the option's word
    it misspells: "interveiw" is "interview"."""
    known = frozenset().union(*(_option_words(option) for option in options))
    slips = said - known
    return (said - slips) | {_near(word, known) or word for word in slips}


TYPO_LENGTH = 5  # shorter words are too close to each other to correct


def _near(word: str, known: frozenset[str]) -> str | None:
    if len(word) < TYPO_LENGTH:
        return None
    near = [other for other in known if len(other) >= TYPO_LENGTH and _one_slip(word, other)]
    return near[0] if len(near) == 1 else None


def _one_slip(a: str, b: str) -> bool:
    """One letter wrong, missing, extra, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    start = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    if len(a) == len(b):
        swapped = a[start + 1 : start + 2] + a[start : start + 1] == b[start : start + 2]
        return a[start + 1 :] == b[start + 1 :] or (swapped and a[start + 2 :] == b[start + 2 :])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[start + 1 :] == shorter[start:]


def _denied(hits: frozenset[str], clauses: list[frozenset[str]]) -> bool:
    """Whether every clause that names these words says no to them: "I didn't even get
    an interview" does; "a panel interview. they didn't say if it was the last" does not."""
    naming = [clause for clause in clauses if clause & hits]
    return bool(naming) and all(NO in clause for clause in naming)


ALSO_SCORE = 0.5  # an option named only by its other words ("snooze"), as sure as half a label


def _score(hits: frozenset[str], option: Option) -> float:
    """How much of its label an answer says ("one interview" is all of "Interviews" and
    a third of "Applied, no interview"); named by its other words only, ALSO_SCORE."""
    label = _meaning(option.label) or frozenset({option.value})
    said = hits & label
    return len(said) / len(label) if said else ALSO_SCORE


def _quotes(typed: str, label: str) -> bool:
    """Whether the answer says the option's label whole, its opening article aside."""
    words = _WORD.findall(_folded(label))
    if words and words[0] in ("the", "a", "an"):
        words = words[1:]
    if not words:
        return False
    return re.search(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", typed) is not None


def _by_clause(text: str, options: Sequence[Option]) -> list[Option]:
    """The one option a single clause names, when the whole answer names none clearly:
    in "someone better i suppose. doesn't matter" the "doesn't" is not about the options."""
    clauses = [part for part in _CLAUSE_BREAK.split(text) if part.strip()]
    if len(clauses) < 2:
        return []
    named = {option.value: option for part in clauses for option in _clearly(part, options)}
    return list(named.values()) if len(named) == 1 else []


def _clearly(part: str, options: Sequence[Option]) -> list[Option]:
    found = matching_options(part, options)
    return found if len(found) == 1 else []


def _option_words(option: Option) -> frozenset[str]:
    words = _meaning(option.label) | _meaning(" ".join(option.also))
    if _PLAIN_VALUE.match(option.value):  # "yes", "hiring_manager"; not "r:12:done"
        words |= _meaning(option.value.replace("_", " "))
    return words


YES, NO = "yes", "no"
_YES_WORDS = frozenset(
    {"yes", "yeah", "yep", "yup", "sure", "ok", "okay", "y", "correct", "right", "exactly"}
    | {"definitely", "absolutely", "alright", "please", "agreed", "true"}
)
_NO_WORDS = frozenset(
    {"no", "nope", "nah", "n", "not", "never", "without", "cannot", "aint", "dont", "didnt"}
    | {"doesnt", "wasnt", "isnt", "wont", "wouldnt", "havent", "cant", "couldnt", "arent"}
)
_FILLER = frozenset(
    {"i", "a", "an", "the", "it", "its", "is", "was", "that", "thats", "this", "one"}
    | {"me", "my", "they", "them", "to", "of", "and", "or", "on", "in", "for", "with", "so"}
    | {"just", "really", "honestly", "think", "guess", "um", "uh", "well", "id", "im", "go"}
    | {"lets", "do", "be", "been", "have", "had", "got", "get", "some", "bit", "kind", "of"}
)
_WORD = re.compile(r"[a-z0-9']+")
_COUNTED = (
    r"(?:weeks?|days?|months?|years?|yrs?|hours?|times|rounds?|interviews?|people|of|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\b"  # "3 dec is fine": a date
)
# A number the answer opens with is the choice ("2. a screening call"), unless it counts
# something ("3 weeks of nothing", "2 interviews").
_LEADING_NUMBER = re.compile(
    rf"^(?:#|no\.?\s*|number\s+|option\s+)?(\d{{1,3}})(?:$|[.:)\-,?]|\s+(?!{_COUNTED}))"
)
_PLAIN_VALUE = re.compile(r"^[a-z_]+$")
# A number named as the choice inside a few words ("fine. 1", "put 3 i guess"), not a
# count ("3 weeks of nothing"): at the end, or before words that only hedge.
_NAMED_NUMBER = re.compile(
    r"(?:^|[\s.,:;!(])#?(\d{1,2})(?=$|[\s.,!)]+(?:i guess|i suppose|i think|please|then|"
    r"obviously|probably|maybe|lol|thanks|thank you)?[\s.,!?]*$)"
)
_CHOSEN = re.compile(  # "1 is closest i guess", "go with option 2"
    r"\b(?:option|number|pick|go with|choose)\s+#?(\d{1,2})\b"
    r"|\b(\d{1,2})\s+is\s+(?:closest|nearest|best|right|the one|it)\b"
)
_CLAUSE_BREAK = re.compile(r"[.;!?]+\s+|,\s+(?:but|though|anyway)\s+")


def _meaning(text: str) -> frozenset[str]:
    """The words that carry an answer's meaning: stems, with every yes and every no
    (including "didn't") folded to one word each, and filler left out."""
    meant = set()
    for word in _WORD.findall(_folded(text).replace("-", " ")):
        word = word.strip("'").replace("'", "")
        if word in _YES_WORDS:
            meant.add(YES)
        elif word in _NO_WORDS:
            meant.add(NO)
        elif word and word not in _FILLER:
            meant.add(_stem(word))
    return frozenset(meant)


def _stem(word: str) -> str:
    """Enough of English endings that "interviewed" names "Interviews"."""
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


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


def items_named(raw: str, named: Sequence[Option]) -> list[int]:
    """The numbers of the listed items an answer means: `2, 4`, a number said in a
    sentence ("drop 3, I'm not chasing him twice"), or one item by its words ("the
    second feedback one", "the 2nd feedback one"). Each option describes an item, in
    the list's order."""
    raw = _DIGIT_ORDINAL.sub(lambda found: _ORDINAL_WORDS[found[1]], raw)
    try:
        return numbers(raw, upper=len(named))
    except InvalidAnswer as unread:
        by_place = _by_place(raw, len(named))  # "the last 2" before any number in it
        if by_place:
            return by_place
        said = [int(found) for found in _ITEM_NUMBER.findall(clean_text(raw, max_length=200))]
        if said:
            if not all(1 <= number <= len(named) for number in said):
                raise InvalidAnswer(f"The numbers go from 1 to {len(named)}.") from None
            return sorted(set(said))
        best = _best_described(raw, named)
        if best is None:
            raise unread
        return [best]


_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}
_ORDINAL_WORDS = {"1": "first", **{str(place): word for word, place in _ORDINALS.items()}}
_DIGIT_ORDINAL = re.compile(r"\b([1-5])(?:st|nd|rd|th)\b")
_AMOUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_BY_PLACE = re.compile(
    r"\b(?:the\s+)?(?:(?P<end>last|first)(?:\s+(?P<count>one|two|three|four|[1-4]))?"
    r"|(?P<nth>second|third|fourth|fifth)\s+one)\b"
)


def _by_place(raw: str, upper: int) -> list[int]:
    """ "the last two", "the first one", "the third one": items by where they are."""
    found = _BY_PLACE.search(raw.lower())
    if found is None:
        return []
    if found["nth"]:
        nth = _ORDINALS[found["nth"]]
        return [nth] if nth <= upper else []
    count = min(_AMOUNTS.get(found["count"] or "one", 1), upper)
    if found["end"] == "last":
        return list(range(upper - count + 1, upper + 1))
    return list(range(1, count + 1))


_ITEM_NUMBER = re.compile(rf"(?<![\w.])(\d{{1,2}})(?![\w:])(?!\s+{_COUNTED})")


def _best_described(raw: str, named: Sequence[Option]) -> int | None:
    """The one item whose words the answer says most, if one stands out."""
    said = _meaning(raw) - {YES, NO}
    hits = [len(_option_words(option) & said) for option in named]
    best = max(hits, default=0)
    if best == 0 or hits.count(best) > 1:
        return None
    return hits.index(best) + 1


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
    text = clean_text(raw, max_length=SENTENCE_LENGTH).lower()
    when = _found_in(
        text,
        lambda part: _relative_past(part, today) or _calendar_date(part, today, prefer_past=True),
    )
    if when is None:
        raise InvalidAnswer(f"I couldn't read that date. Try something {DATE_HINT}.")
    if when > today:
        raise InvalidAnswer("That date hasn't come yet. When did the news reach you?")
    if when < today - timedelta(days=365 * oldest_years):
        raise InvalidAnswer(f"That's more than {oldest_years} years ago. Could you check the date?")
    return when


def future_date(raw: str, *, today: date, furthest_days: int = 400) -> date:
    """When something should happen: after today, within about a year."""
    text = clean_text(raw, max_length=SENTENCE_LENGTH).lower()
    when = _found_in(
        text,
        lambda part: (
            _relative_future(part, today) or _calendar_date(part, today, prefer_past=False)
        ),
    )
    if when is None:
        raise InvalidAnswer(f"I couldn't read that date. Try something {FUTURE_HINT}.")
    if when <= today:
        raise InvalidAnswer("Please pick a day after today.")
    if when > today + timedelta(days=furthest_days):
        raise InvalidAnswer("That's more than a year away. Could you pick a nearer day?")
    return when


def coming_day(raw: str, *, today: date, furthest_days: int = 183) -> date:
    """The day something is coming, such as an interview: today, or a later day within
    about six months."""
    if clean_text(raw, max_length=SENTENCE_LENGTH).lower().strip(" .!") == "today":
        return today
    return future_date(raw, today=today, furthest_days=furthest_days)


def name_and_day(args: str, *, today: date, what: str) -> tuple[str, date | None]:
    """`Acme thursday` or `Acme Corp on 12 dec`: the name, and the coming day when its
    last words name one."""
    words = args.split()
    for size in (3, 2, 1):
        if len(words) <= size:
            continue
        try:
            day = coming_day(" ".join(words[-size:]), today=today)
        except InvalidAnswer:
            continue
        return name(" ".join(words[:-size]).removesuffix(" on").strip(), what=what), day
    return name(args, what=what), None


SENTENCE_LENGTH = 200  # a date may come inside a sentence: "they emailed on tuesday"
_DATE_WORDS = re.compile(r"[\w/.-]+")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")


_CORRECTION = re.compile(
    r"\b(?:wait|actually|sorry|i mean|i meant|scratch that|make that|or rather)\b"
)


def _found_in(text: str, read: Callable[[str], date | None]) -> date | None:
    """The date an answer names, the corrected one when the member corrects themselves:
    "friday. wait no, thursday" is a Thursday."""
    correction = _CORRECTION.split(text)[-1]
    if correction != text and (corrected := _named_in(correction, read)) is not None:
        return corrected
    return _named_in(text, read)


def _named_in(text: str, read: Callable[[str], date | None]) -> date | None:
    """The date a whole answer names, or else the first phrase in it that names one,
    longest phrases first: "they emailed me on tuesday afternoon" is a Tuesday."""
    if (whole := read(text)) is not None:
        return whole
    plain = _ORDINAL.sub(r"\1", text).replace(" of ", " ")  # "the 20th of november"
    words = [word.strip(".") for word in _DATE_WORDS.findall(plain)]
    numbered = _date_numbers(words)
    for size in range(min(4, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if numbered - set(range(start, start + size)):
                continue  # "29 feb 2026" is not "feb 2026": every number is part of the date
            if (found := read(" ".join(words[start : start + size]))) is not None:
                return found
    return None


def _date_numbers(words: list[str]) -> set[int]:
    """Where the numbers that belong to a date are: next to a month's name, or written
    as one ("2026-11-20"); "year 9" in "today. had to teach year 9" is not one."""
    month = {index for index, word in enumerate(words) if word in _MONTHS}
    return {
        index
        for index, word in enumerate(words)
        if any(ch.isdigit() for ch in word)
        and ({index - 1, index + 1} & month or any(mark in word for mark in "-/"))
    }


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
    day = _day_index(text.removeprefix("last ").removeprefix("on "))
    if day is not None:
        return today - timedelta(days=(today.weekday() - day) % 7 or 7)
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
    day = _day_index(text.removeprefix("next ").removeprefix("on "))
    if day is not None:
        return today + timedelta(days=(day - today.weekday()) % 7 or 7)
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


# ---- days of the week and times on the clock

# The one table of weekdays, in date.weekday() order. The store and the scheduler's
# cron name a day by its first three letters in lower case: its code, `mon`.
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_CODES = tuple(day[:3].lower() for day in DAY_NAMES)
DAY_TIME_HINT = "a day and a time, like `mon 09:00` or `fri 4pm`"

_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_NAMED_TIMES = {"midnight": time(0, 0), "noon": time(12, 0), "midday": time(12, 0)}
_DAY_TIME = re.compile(r"^([a-z]{2,9})\.?,?\s+(?:at\s+)?(.+)$")


def day_name(code: str) -> str:
    """`Monday` for the code `mon`."""
    return DAY_NAMES[DAY_CODES.index(code)]


def weekday(word: str) -> str | None:
    """`mon`, `Monday`, `tues`, `thurs`: the day's code, or None."""
    index = _day_index(word)
    return None if index is None else DAY_CODES[index]


def _day_index(word: str) -> int | None:
    """At least three letters of a day's name: which day, Monday being 0."""
    word = word.lower()
    if len(word) < 3:
        return None
    return next((i for i, day in enumerate(DAY_NAMES) if day.lower().startswith(word)), None)


def clock_time(text: str, *, example: str) -> time | None:
    """A time of day: `09:00`, `9`, `16.30`, `4pm`, `noon`; `24:00`, the midnight that
    ends a day, is 00:00. None if it isn't written as a time, for the caller to word."""
    read = _clock(text, example)
    return None if read is None else read[0]


def day_and_time(raw: str) -> tuple[str, time]:
    """A weekday and a wall-clock time: `mon 09:00`, `Friday 4pm`, `thu at 16.30`;
    `fri 24:00` is the midnight Friday ends with, so Saturday at 00:00."""
    text = clean_text(raw, max_length=40).lower()
    match = _DAY_TIME.match(text)
    if match is None:
        raise InvalidAnswer(f"I couldn't read that. Please give {DAY_TIME_HINT}.")
    day = _day_index(match[1])
    if day is None:
        raise InvalidAnswer(f"I couldn't tell which day that is. Please give {DAY_TIME_HINT}.")
    read = _clock(match[2], "`mon 09:00` or `fri 4pm`")
    if read is None:
        raise InvalidAnswer(f"I couldn't read that time. Please give {DAY_TIME_HINT}.")
    at, carried = read
    return DAY_CODES[(day + carried) % 7], at


def _clock(text: str, example: str) -> tuple[time, int] | None:
    """The one reading of a time on the clock, with the days it carries into (1 for
    `24:00`); an impossible time (`25:00`, `13pm`) is refused with `example`."""
    text = text.strip().lower()
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text], 0
    match = _CLOCK.match(text)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            raise InvalidAnswer(
                f"With am or pm, the hour goes from 1 to 12. Try one like {example}."
            )
        hour = hour % 12 + (12 if match[3].startswith("p") else 0)
    if (hour, minute) == (24, 0):
        return time(0, 0), 1
    if hour > 23 or minute > 59:
        raise InvalidAnswer(f"That isn't a time on the clock. Try one like {example}.")
    return time(hour, minute), 0


# ---- playbook phrases in what a member wrote


@lru_cache(maxsize=64)
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the phrases, whole words only, as `normalised` text spells them."""
    folded = sorted({normalised(phrase) for phrase in phrases}, key=len, reverse=True)
    # "what's" is often typed "whats": an apostrophe in a phrase may be left out
    alternatives = "|".join(re.escape(p).replace("'", "'?") for p in folded)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_MARKUP = re.compile(r"[_*~`]")


def normalised(text: str) -> str:
    """Lower case, curly apostrophes straightened, chat markup (`_word_`, `*word*`)
    and runs of space folded, so a phrase matches however it was styled."""
    return " ".join(_MARKUP.sub(" ", text.lower().replace("\u2019", "'")).split())


def mentions_any(text: str, phrases: Iterable[str]) -> bool:
    return phrase_pattern(tuple(phrases)).search(normalised(text)) is not None


def count_mentioned(text: str, phrases: Iterable[str]) -> int:
    """How many distinct phrases appear in the text."""
    return len(set(phrase_pattern(tuple(phrases)).findall(normalised(text))))


def signature_named(note: str, signed: str) -> str | None:
    """The name the member wants the draft signed with, not the one it has, written as
    a name: in "it's signed sam, my name is henrik" that is Henrik, and in "HENRIK. not
    sam" too."""
    instead = re.search(
        rf"\b(?P<name>[^\W\d_][\w'-]+)[.,!]?\s+not\s+{re.escape(signed)}\b", note, re.I
    )
    found = [*_SIGNATURE.finditer(note), *([instead] if instead else [])]
    if _ABOUT_THE_SIGNATURE.search(note) and (at_the_end := _NAMED_AT_THE_END.search(note)):
        found.append(at_the_end)
    names = [
        match["name"]
        for match in found
        if match["name"].lower() != signed.lower()
        and match["name"].split()[0].lower() not in _NO_NAMES
    ]
    if not names:
        return None
    return " ".join(
        capitalised(word.lower() if word.isupper() else word) for word in names[0].split()
    )


_SIGNATURE = re.compile(
    r"\b(?:sign(?:ed)?\s+(?:it\s+)?(?:as\s+|with\s+)?|my name is\s+|my name's\s+|"
    r"full name[,:]?\s+(?:is\s+)?|"
    r"i'?m\s+(?=\w+\s+not\b)|it'?s\s+(?=\w+\s+not\s+sam))"
    r"(?P<name>[^\W\d_][\w'-]*(?:\s+(?-i:[A-Z])[\w'-]+)?)",  # a full name: "Marek Nowak"
    re.IGNORECASE,
)
_NO_NAMES = frozenset({"my", "me", "it", "the", "a", "as", "with", "off", "this", "that", "here"})
_ABOUT_THE_SIGNATURE = re.compile(r"\b(?:sam|sign|signed|signature|bottom|name)\b", re.I)
_NAMED_AT_THE_END = re.compile(
    r"\bi'?m\s+(?!(?:fine|ok|okay|good|sure|sorry|happy|done|not|so|just|confused)\b)"
    r"(?P<name>[^\W\d_][\w'-]*)[\s.!]*$",
    re.IGNORECASE,
)
