"""A member's own delivery settings: time zone, quiet hours, and a pause.

The parsers read what a member typed and either return a clean value or raise
InvalidAnswer with a short, kind sentence. The writes change this member's
row (and re-time their waiting reminders) inside the turn's transaction.
`next_allowed` is the pure rule the scheduler applies before delivering:
nothing arrives inside quiet hours; it waits for them to end.

Quiet hours are local wall-clock times: a window such as 22:00-07:00 crosses
midnight, and on the days clocks change it is read on the clock the member
sees. Quiet hours are over the first moment that clock shows a time outside
them: when it reaches the end (the first time, if it shows that time twice),
or when it jumps out of the window (past an end time it skips, or back to
before the start).
"""

from __future__ import annotations

import difflib
import importlib.resources
import re
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.parsing import InvalidAnswer, clean_text, clock_time
from bot.rejection.plan import to_utc
from bot.store.repository import Repository

QuietHours = tuple[time, time]

MIN_PAUSE_WEEKS, MAX_PAUSE_WEEKS = 1, 12
LONGEST_QUIET = timedelta(hours=16)
ZONE_HINT = "a name like Europe/Berlin or America/New_York, or just your city"

# Time zones


def timezone_name(raw: str) -> str:
    """An IANA zone name, case aside; a city alone is enough when only one zone has it,
    and so is a country with one zone or a big city (`uk`, `manchester`), even said in
    a sentence ("uk mate, just do london")."""
    text = clean_text(raw, max_length=120)
    if text.lower().strip(" .!") in SEVERAL_ZONES:
        raise InvalidAnswer("That country has more than one time zone. Which city are you in?")
    try:
        return _zone_named(text)
    except InvalidAnswer:
        a_sentence = len(text.split()) > 1 and not _OFFSET.match(_normalised(text))
        found = _places_said(text) if a_sentence else set()
        if len(found) == 1:
            return found.pop()
        raise


def _places_said(text: str) -> set[str]:
    """The zones of the places a sentence names, each word or pair of words tried."""
    words = re.findall(r"[^\W\d_][\w'-]*", text.lower())
    spans = [" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)]
    names, cities = _zone_index()
    found = set()
    for span in spans:
        place = PLACES.get(span) or names.get(_normalised(span))
        city = cities.get(_normalised(span), ())
        if place:
            found.add(place)
        elif len(city) == 1:
            found.add(city[0])
    return found


def _zone_named(text: str) -> str:
    if len(text) > 64:
        raise InvalidAnswer(f"I don't know that time zone. Try {ZONE_HINT}.")
    wanted = _normalised(text)
    if _OFFSET.match(wanted):
        raise InvalidAnswer(
            "An offset like UTC+2 doesn't follow daylight saving, so I need the place "
            f"instead: {ZONE_HINT}."
        )
    if (abbreviation := _ABBREVIATIONS.get(wanted.upper())) is not None:
        example = f", like {abbreviation}" if abbreviation else ""
        raise InvalidAnswer(
            f"{wanted.upper()} can mean more than one place and hides daylight saving. "
            f"Could you give your city or its zone name{example}?"
        )
    names, cities = _zone_index()
    exact, found = names.get(wanted.lower()), cities.get(wanted.lower(), ())
    if len(found) == 1 and (exact is None or found[0] in _canonical_zones()):
        return found[0]  # `Jamaica` (an old alias) is America/Jamaica
    if exact is not None:
        return exact
    if (place := PLACES.get(wanted.lower().replace("_", " "))) is not None:
        return place
    if found:
        raise InvalidAnswer(f"More than one zone has that name: {_either(found)}. Which is yours?")
    if close := _close_matches(wanted.lower()):
        raise InvalidAnswer(f"I don't know that time zone. Did you mean {_either(close)}?")
    raise InvalidAnswer(f"I don't know that time zone. Try {ZONE_HINT}.")


# `UTC+2`, `GMT -05:00`, `+0530`, `Etc/GMT+2` (whose sign runs backwards): offsets, not places.
_OFFSET = re.compile(r"^(?:etc/)?(?:utc|gmt|z)?_?[+\-\u2212]_?\d{1,2}(?::?\d{2})?$", re.IGNORECASE)
# Abbreviations name no place and hide daylight saving; "" where no one zone fits.
_ABBREVIATIONS = {
    **dict.fromkeys(("EST", "EDT", "EST5EDT"), "America/New_York"),
    **dict.fromkeys(("CST", "CDT", "CST6CDT"), "America/Chicago"),
    **dict.fromkeys(("MST", "MDT", "MST7MDT"), "America/Denver"),
    **dict.fromkeys(("PST", "PDT", "PST8PDT"), "America/Los_Angeles"),
    **dict.fromkeys(("AKST", "AKDT"), "America/Anchorage"),
    "HST": "Pacific/Honolulu",
    **dict.fromkeys(("CET", "CEST", "MET", "MEST"), "Europe/Berlin"),
    **dict.fromkeys(("EET", "EEST"), "Europe/Athens"),
    **dict.fromkeys(("WET", "WEST"), "Europe/Lisbon"),
    "BST": "Europe/London",
    **dict.fromkeys(("AEST", "AEDT"), "Australia/Sydney"),
    "JST": "Asia/Tokyo",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
    "IST": "",
}


_LONDON, _BERLIN, _KOLKATA = "Europe/London", "Europe/Berlin", "Asia/Kolkata"
_NEW_YORK, _CHICAGO, _LOS_ANGELES = "America/New_York", "America/Chicago", "America/Los_Angeles"
# Places members name that are no zone's city: countries with one zone, and big cities.
PLACES = {
    **dict.fromkeys(("uk", "united kingdom", "england", "scotland", "wales", "britain"), _LONDON),
    **dict.fromkeys(("manchester", "birmingham", "leeds", "glasgow", "edinburgh"), _LONDON),
    **dict.fromkeys(("bristol", "liverpool", "newcastle", "cardiff", "sheffield"), _LONDON),
    "ireland": "Europe/Dublin",
    **dict.fromkeys(("germany", "munich", "hamburg", "frankfurt", "cologne"), _BERLIN),
    **dict.fromkeys(("france", "lyon", "marseille", "toulouse"), "Europe/Paris"),
    **dict.fromkeys(("spain", "barcelona", "valencia", "seville"), "Europe/Madrid"),
    **dict.fromkeys(("italy", "milan", "naples", "turin"), "Europe/Rome"),
    **dict.fromkeys(("netherlands", "holland", "rotterdam", "utrecht"), "Europe/Amsterdam"),
    **dict.fromkeys(("belgium", "antwerp"), "Europe/Brussels"),
    **dict.fromkeys(("switzerland", "geneva", "basel"), "Europe/Zurich"),
    **dict.fromkeys(("sweden", "gothenburg"), "Europe/Stockholm"),
    **dict.fromkeys(("poland", "krakow"), "Europe/Warsaw"),
    **dict.fromkeys(("portugal", "porto"), "Europe/Lisbon"),
    "austria": "Europe/Vienna",
    "norway": "Europe/Oslo",
    "denmark": "Europe/Copenhagen",
    "finland": "Europe/Helsinki",
    "greece": "Europe/Athens",
    **dict.fromkeys(("india", "bangalore", "bengaluru", "mumbai", "delhi", "new delhi"), _KOLKATA),
    **dict.fromkeys(("hyderabad", "chennai", "pune"), _KOLKATA),
    **dict.fromkeys(("japan", "osaka"), "Asia/Tokyo"),
    **dict.fromkeys(("china", "beijing"), "Asia/Shanghai"),
    **dict.fromkeys(("south korea", "korea"), "Asia/Seoul"),
    **dict.fromkeys(("israel", "tel aviv"), "Asia/Jerusalem"),
    **dict.fromkeys(("uae", "abu dhabi"), "Asia/Dubai"),
    **dict.fromkeys(("south africa", "cape town", "joburg"), "Africa/Johannesburg"),
    **dict.fromkeys(("nigeria", "abuja"), "Africa/Lagos"),
    "kenya": "Africa/Nairobi",
    **dict.fromkeys(("new zealand", "wellington"), "Pacific/Auckland"),
    "philippines": "Asia/Manila",
    **dict.fromkeys(("nyc", "new york city", "boston", "philadelphia", "atlanta"), _NEW_YORK),
    **dict.fromkeys(("miami", "washington", "washington dc", "dc"), _NEW_YORK),
    **dict.fromkeys(("montreal", "ottawa"), "America/Toronto"),
    **dict.fromkeys(("san francisco", "sf", "bay area", "seattle", "san diego"), _LOS_ANGELES),
    **dict.fromkeys(("silicon valley", "portland", "san jose", "oakland"), _LOS_ANGELES),
    **dict.fromkeys(("dallas", "houston", "austin", "minneapolis", "new orleans"), _CHICAGO),
    "salt lake city": "America/Denver",
    "calgary": "America/Edmonton",
    "rio": "America/Sao_Paulo",
    "mexico": "America/Mexico_City",
}


SEVERAL_ZONES = frozenset(
    {"us", "usa", "america", "united states", "the us", "the states", "canada", "australia"}
    | {"brazil", "russia", "indonesia", "the usa"}
)


def _normalised(text: str) -> str:
    """`america / new york` -> `america/new_york`: IANA spells spaces as underscores."""
    text = re.sub(r"\s*/\s*", "/", text.strip())
    return re.sub(r"\s+", "_", text)


# tzdata entries that are no one's time zone: the host's own, and placeholders.
NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zone_index() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Every zone by its lowered name, and by its lowered city (the last part)."""
    zones = available_timezones() - NOT_PLACES
    preferred = _canonical_zones()
    names = {zone.lower(): zone for zone in zones}
    by_city: dict[str, set[str]] = {}
    for zone in zones:
        if "/" in zone:
            by_city.setdefault(zone.rsplit("/", 1)[1].lower(), set()).add(zone)
    cities: dict[str, tuple[str, ...]] = {}
    for city, found in by_city.items():
        main = found & preferred  # `Buenos_Aires`: America/Argentina/..., not the old alias
        cities[city] = tuple(sorted(main if len(main) == 1 else found))
    return names, cities


@cache
def _canonical_zones() -> frozenset[str]:
    """The zones tzdata lists as a place's own (its other names are old aliases)."""
    found: set[str] = set()
    for table in ("zone1970.tab", "zone.tab"):
        try:
            text = importlib.resources.files("tzdata.zoneinfo").joinpath(table).read_text()
        except (ModuleNotFoundError, FileNotFoundError):
            continue
        for line in text.splitlines():
            if line and not line.startswith("#"):
                found.add(line.split("\t")[2])
    return frozenset(found)


def _close_matches(wanted: str) -> list[str]:
    """Up to three zones whose name or city looks like what was typed."""
    names, cities = _zone_index()
    preferred = _canonical_zones()
    suggestions: list[str] = []
    for key in difflib.get_close_matches(wanted, [*names, *cities], n=6, cutoff=0.75):
        for zone in (names[key],) if key in names else cities[key]:
            if zone not in suggestions and (zone in preferred or not preferred):
                suggestions.append(zone)
    return suggestions[:3]


def _either(zones: tuple[str, ...] | list[str]) -> str:
    return ", ".join(zones[:-1]) + f" or {zones[-1]}" if len(zones) > 1 else zones[0]


# Quiet hours

QUIET_HINT = "like `22:00-07:00` or `10pm to 7am`, or `off`"
_OFF = frozenset({"off", "none", "no", "never", "nothing", "clear", "remove", "no quiet hours"})
_SEPARATOR = re.compile(r"\s*(?:-|\u2013|\u2014|\bto\b|\buntil\b|\btill\b|\btil\b)\s*")


def quiet_hours(raw: str) -> QuietHours | None:
    """A local window such as `22:00-08:00` or `10pm to 7am`; None for `off`."""
    text = clean_text(raw, max_length=40).lower().rstrip(".")
    if text in _OFF:
        return None
    parts = _SEPARATOR.split(text.removeprefix("from ").strip())
    if len(parts) != 2:
        raise InvalidAnswer(f"I couldn't read those hours. Try something {QUIET_HINT}.")
    start, end = (_clock_time(part) for part in parts)
    if start == end:
        raise InvalidAnswer(f"That starts and ends at the same time. Try something {QUIET_HINT}.")
    if _length(start, end) > LONGEST_QUIET:
        raise InvalidAnswer(
            f"That would keep things quiet from {start:%H:%M} to {end:%H:%M}, most of the day. "
            "Did you mean something else? Use 24-hour times or am/pm, like `22:00-07:00`."
        )
    return start, end


def _clock_time(text: str) -> time:
    at = clock_time(text, example="`22:00-07:00` or `10pm to 7am`")
    if at is None:
        raise InvalidAnswer(f"I couldn't read those hours. Try something {QUIET_HINT}.")
    return at


def _length(start: time, end: time) -> timedelta:
    day = datetime(2000, 1, 1)
    length = datetime.combine(day, end) - datetime.combine(day, start)
    return length if length > timedelta(0) else length + timedelta(days=1)


# A pause

_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_LENGTH = re.compile(r"^(\d{1,4}|[a-z]+)\s*(weeks?|wks?|w|days?|d)?$")
LONGEST_PAUSE = timedelta(weeks=MAX_PAUSE_WEEKS)
PAUSE_HINT = (
    f"a number of weeks from {MIN_PAUSE_WEEKS} to {MAX_PAUSE_WEEKS}, like `2`, "
    "or of days, like `3 days`"
)


def pause_length(raw: str) -> timedelta:
    """How long to hold reminders: weeks (a bare number, as the buttons offer) or days,
    from a day to 12 weeks."""
    text = clean_text(raw, max_length=40).lower().rstrip(".")
    match = _LENGTH.match(text)
    amount = None
    if match:
        word = match[1]
        amount = int(word) if word.isascii() and word.isdigit() else _WORDS.get(word)
    if match is None or amount is None:
        raise InvalidAnswer(f"I couldn't read that. Give {PAUSE_HINT}.")
    length = (
        timedelta(days=amount) if (match[2] or "w").startswith("d") else timedelta(weeks=amount)
    )
    if length < timedelta(days=1):
        raise InvalidAnswer(
            "The shortest pause is 1 day. If you'd rather keep them coming, that's fine too."
        )
    if length > LONGEST_PAUSE:
        raise InvalidAnswer(
            f"I can pause for up to {MAX_PAUSE_WEEKS} weeks at a time; you can pause again after."
        )
    return length


# When a delivery may happen


def next_allowed(moment_utc: datetime, zone: str, quiet: QuietHours | None) -> datetime:
    """`moment_utc` if it falls outside quiet hours, else the first instant after it that does.

    That is when the member's clock reaches the end of the window, or earlier if
    the clocks change first and the new reading is outside it. Naive datetimes
    are UTC (the store's convention) and the answer comes back naive; an aware
    moment gets an aware UTC answer.
    """
    aware = moment_utc.tzinfo is not None
    if quiet is None or quiet[0] == quiet[1]:
        return moment_utc
    place = ZoneInfo(zone)
    moment = moment_utc.astimezone(UTC) if aware else moment_utc.replace(tzinfo=UTC)
    if not _inside(moment.astimezone(place), quiet):
        return moment_utc
    # Between clock changes the wall clock runs evenly: walk from one change to the next.
    for _ in range(_MAX_CHANGES):
        clock = moment.astimezone(place).replace(tzinfo=None)
        if not _inside(clock, quiet):
            break  # a clock change took the clock out of the window
        ends = datetime.combine(clock.date(), quiet[1])
        if ends <= clock:
            ends += timedelta(days=1)
        change = _next_change(moment, moment + (ends - clock), place)
        if change is None:
            moment += ends - clock
            break
        moment = change
    else:  # pragma: no cover: no zone changes its clocks this often
        raise AssertionError(f"quiet hours in {zone} never end")
    return moment if aware else moment.replace(tzinfo=None)


_MAX_CHANGES = 8
_SCAN = timedelta(hours=1)  # no zone changes its clocks twice within an hour
_SECOND = timedelta(seconds=1)


def _inside(clock: datetime, quiet: QuietHours) -> bool:
    start, end = quiet
    now = clock.time()
    if start < end:
        return start <= now < end
    return now >= start or now < end


def _next_change(after: datetime, until: datetime, place: ZoneInfo) -> datetime | None:
    """The first instant in (after, until] at which `place` changes its UTC offset."""
    offset = after.astimezone(place).utcoffset()
    probe = after
    while probe < until:
        later = min(probe + _SCAN, until)
        if later.astimezone(place).utcoffset() != offset:
            # Offsets change on whole seconds: narrow down to the first one.
            before = probe.replace(microsecond=0)
            changed = later.replace(microsecond=0)
            if changed < later:
                changed += _SECOND
            while changed - before > _SECOND:
                middle = before + (changed - before) // 2
                middle = middle.replace(microsecond=0)
                if middle.astimezone(place).utcoffset() == offset:
                    before = middle
                else:
                    changed = middle
            return changed
        probe = later
    return None


# The writes, each inside this member's tenant


def set_timezone(repo: Repository, zone: str, *, chosen: bool = True) -> int:
    """Adopt `zone` as the member's own, and keep each waiting reminder's wall-clock time.

    Returns how many waiting reminders were re-timed.
    """
    ZoneInfo(zone)  # a name that is no zone fails here, before anything changes
    repo.change(timezone=zone, timezone_chosen=chosen)
    waiting = repo.reminders.waiting_times()  # only those still waiting in the outbox
    due = {id_: to_utc(local.date(), local.time(), zone) for id_, local in waiting}
    repo.reminders.retime(due, zone)
    return len(waiting)


def adopt_timezone(repo: Repository, zone: str) -> bool:
    """A zone the platform knows for the member (Slack's profile), taken unless they
    chose their own with /settings; unknown names are ignored."""
    if repo.member.timezone_chosen or repo.member.timezone == zone:
        return False
    try:
        set_timezone(repo, zone, chosen=False)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# Platforms that tell us a member's zone (Slack's profile, taken before their first turn).
ZONE_GIVING_PLATFORMS = frozenset({"slack"})
COMMON_ZONES = (
    ("America/Los_Angeles", "Los Angeles"),
    ("America/New_York", "New York"),
    ("Europe/London", "London"),
    ("Europe/Berlin", "Berlin"),
    ("Asia/Kolkata", "India"),
)


def zone_question_due(repo: Repository) -> bool:
    """Ask for the zone once, of a member who never chose one and whose platform never
    tells us (Discord, the console): otherwise their reminders keep UTC's hours."""
    member = repo.member
    return not (
        member.timezone_chosen or member.timezone_asked or member.platform in ZONE_GIVING_PLATFORMS
    )


def zone_asked(repo: Repository) -> None:
    """Remembered as soon as the question is put, answered or not, so it comes once."""
    repo.change(timezone_asked=True)


def set_quiet_hours(repo: Repository, window: QuietHours | None) -> None:
    start, end = window if window is not None else (None, None)
    repo.change(quiet_from=start, quiet_until=end)


def pause(repo: Repository, until: datetime, now: datetime) -> None:
    """Hold reminders until `until` (naive UTC, the store's convention).

    A new pause replaces the old one, so what the old one held is released and met
    afresh by the new pause's end, not the old one's.
    """
    repo.change(paused_until=until)
    release_held(repo, now)


def resume(repo: Repository, now: datetime) -> int:
    """Reminders on again; those the pause held come at once. How many it held."""
    repo.change(paused_until=None)
    return release_held(repo, now)


def release_held(repo: Repository, now: datetime) -> int:
    """Waiting reminders whose own time has passed but that were held back (a pause, the
    silence rule): due now. Those whose time is still ahead keep it."""
    local_now = now.replace(tzinfo=UTC).astimezone(ZoneInfo(repo.member.timezone))
    return repo.reminders.release_held(now, local_now.replace(tzinfo=None))
