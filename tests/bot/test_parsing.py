"""Reading what a member typed: every parser returns a clean value or a short, kind refusal."""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import date, time, timedelta
from functools import partial

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.conversation.events import Option
from bot.parsing import (
    NAME_LENGTH,
    SKIP_WORDS,
    InvalidAnswer,
    clean_text,
    clock_time,
    day_and_time,
    free_text,
    future_date,
    items_named,
    name,
    name_and_day,
    numbers,
    optional,
    optional_name,
    past_date,
    pick,
    signature_named,
    weekday,
    without_aside,
)
from bot.rejection import stages

PROPERTY = settings(max_examples=200, deadline=None)  # any text at all
EXAMPLES = settings(max_examples=60, deadline=None)  # generated well-formed answers
TODAY = date(2026, 11, 23)  # a Monday
FURTHEST = TODAY + timedelta(days=400)
MARK = "Qzxv"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
MENTION = re.compile(r"@(everyone|here)\b|<![^>]*>", re.IGNORECASE)
STAGES = (
    Option("applied", "Applied, no interview"),
    Option("screen", "A screening call"),
    Option("interview", "Interviews"),
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Pieces that tend to trip a cleaner, mixed into arbitrary text.
TRICKY = (
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\x07",
    "\x85",
    "\u00a0",
    "\u200b",
    "\u202e",
    "\u2067",
    "@everyone",
    "@Here",
    "@channel",
    "<!here>",
    "<!subteam^S1>",
    "<@U123>",
    "-- drop table x",
    "; select",
    "' or '1'='1",
    "Acme",
    "Zoë",
    "🙂",
    "2",
    "12",
    ", ",
    " and ",
    "days ago",
    "2026-11-20",
    "Nov",
)


ODD_DIGITS = [ch for ch in map(chr, range(0x110000)) if ch.isdigit() and not ch.isdecimal()]


def mixed_text(characters: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Arbitrary text, often with a couple of tricky pieces spliced in."""
    alphabet = st.characters() if characters is None else characters
    text, piece = st.text(alphabet, max_size=15), st.sampled_from(TRICKY)
    spliced = st.tuples(text, piece, text, piece, text).map("".join)
    return st.one_of(st.text(alphabet, max_size=40), spliced)


any_text = mixed_text()
safe_text = mixed_text(st.characters(exclude_characters=ODD_DIGITS))
todays = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
# Days from today: mostly near the edges of the windows, sometimes centuries away.
offsets = st.one_of(
    st.integers(min_value=-5 * 365 - 3, max_value=403),
    st.sampled_from([-5 * 365 - 1, -5 * 365, -1, 0, 1, 400, 401]),
    st.integers(min_value=-100_000, max_value=100_000),
)


def assert_clean(text: str, *, max_length: int, multiline: bool) -> None:
    assert text
    assert text == text.strip()
    assert len(text) <= max_length
    for character in text:
        if unicodedata.category(character) == "Cc":
            assert multiline and character in "\n\t", repr(character)
    assert not BIDI.search(text)
    assert not MENTION.search(text)


def assert_kind(problem: InvalidAnswer) -> None:
    """Short, and never an echo: every test input carrying MARK is checked for it."""
    message = str(problem)
    assert 0 < len(message) < 200
    assert MARK.lower() not in message.lower()


# clean_text


@EXAMPLES
@given(any_text, st.integers(min_value=1, max_value=300), st.booleans())
def test_clean_text_returns_clean_text_or_refuses(raw, max_length, multiline):
    try:
        text = clean_text(raw, max_length=max_length, multiline=multiline)
    except InvalidAnswer as problem:
        assert_kind(problem)
        return
    assert_clean(text, max_length=max_length, multiline=multiline)


@EXAMPLES
@given(any_text, st.booleans())
def test_clean_text_keeps_every_word_the_member_typed(raw, multiline):
    try:
        text = clean_text(raw, multiline=multiline)
    except InvalidAnswer:
        return
    if multiline:
        assert text == raw.strip()
    else:
        assert text.split() == raw.split()


@EXAMPLES
@given(any_text, st.booleans())
def test_cleaning_twice_changes_nothing(raw, multiline):
    try:
        once = clean_text(raw, multiline=multiline)
    except InvalidAnswer:
        return
    assert clean_text(once, multiline=multiline) == once


PARSERS = (
    clean_text,
    partial(clean_text, max_length=5),
    free_text,
    name,
    optional_name,
    partial(pick, options=STAGES),
    partial(numbers, upper=3),
    partial(past_date, today=TODAY),
    partial(future_date, today=TODAY),
)


@EXAMPLES
@given(safe_text, safe_text)
def test_a_refusal_from_any_parser_is_short_and_never_echoes_the_input(before, after):
    raw = f"{before}{MARK}{after}"
    for parse in PARSERS:
        try:
            parse(raw)
        except InvalidAnswer as problem:
            assert_kind(problem)


def test_single_line_text_is_trimmed_and_its_spaces_collapsed():
    assert clean_text("  Acme \t  Corp \n") == "Acme Corp"


def test_free_text_keeps_line_breaks_and_tabs():
    assert free_text("  First line\n\n\tSecond line  ") == "First line\n\n\tSecond line"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "didn't catch anything"),
        ("  \n\t ", "didn't catch anything"),
        ("Acme\u202egnp.exe", "invisible characters"),
        ("Acme\x00", "hidden control characters"),
        ("Acme\nCorp", "hidden control characters"),
        ("hi @everyone", "mentions"),
        ("<!channel> news", "mentions"),
        ("x" * 4001, "4,001 characters and I can keep 4,000"),
    ],
)
def test_unusable_text_is_refused_with_a_reason(raw, says):
    with pytest.raises(InvalidAnswer, match=re.escape(says)):
        clean_text(raw)


def test_text_after_a_long_run_of_spaces_is_not_silently_dropped():
    raw = "x" + " " * 8000 + "y"
    try:
        text = clean_text(raw)
    except InvalidAnswer:
        return
    assert text.split() == raw.split()


def test_the_too_long_message_gives_the_real_length():
    with pytest.raises(InvalidAnswer, match="10,000 characters"):
        clean_text("x" * 10_000)


# name, optional, optional_name


@EXAMPLES
@given(any_text)
def test_a_name_has_a_letter_or_digit_and_fits_on_one_line(raw):
    try:
        text = name(raw)
    except InvalidAnswer as problem:
        assert_kind(problem)
        return
    assert any(unicodedata.category(ch)[0] in "LN" for ch in text)
    assert_clean(text, max_length=NAME_LENGTH, multiline=False)


words = st.text(string.ascii_letters + string.digits + "éüßñ李&'.-", min_size=1, max_size=12)
ordinary_names = (
    st.lists(words, min_size=1, max_size=6).map(" ".join).filter(lambda typed: "--" not in typed)
)


@EXAMPLES
@given(ordinary_names)
def test_an_ordinary_name_is_kept_as_typed(typed):
    assume(any(ch.isalnum() for ch in typed))
    assert name(f"  {typed} ") == typed


@pytest.mark.parametrize("typed", ["Acme", "3M", "AT&T", "O'Brien & Sons", "Zoë Müller", "李小龙"])
def test_real_names_are_accepted(typed):
    assert name(typed) == typed


@pytest.mark.parametrize("typed", ["🙂🙂", "...", "-- !"])
def test_a_name_without_letters_or_digits_is_refused(typed):
    with pytest.raises(InvalidAnswer, match="the company in letters or numbers"):
        name(typed, what="company")


def test_a_name_longer_than_120_characters_is_refused():
    assert name("A" * 120) == "A" * 120
    with pytest.raises(InvalidAnswer, match="121 characters"):
        name("A" * 121)


@EXAMPLES
@given(st.sampled_from(sorted(SKIP_WORDS)), st.sampled_from([str.upper, str.title, str.lower]))
def test_skip_words_skip_in_any_case_and_spacing(word, case):
    assert optional(f"  {case(word)}\t")
    assert optional_name(case(word)) == ""


@EXAMPLES
@given(any_text)
def test_optional_name_is_a_name_unless_skipped(raw):
    if optional(raw):
        assert optional_name(raw) == ""
        return
    try:
        expected = name(raw, what="contact")
    except InvalidAnswer as problem:
        with pytest.raises(InvalidAnswer, match=re.escape(str(problem))):
            optional_name(raw, what="contact")
        return
    assert optional_name(raw, what="contact") == expected


def test_optional_questions_can_be_skipped():
    assert optional_name("Skip") == ""
    assert optional_name("n/a") == ""
    assert optional_name("Jane Doe") == "Jane Doe"


# pick


label_words = st.text(string.ascii_letters + "éüñ'&-", min_size=1, max_size=8)
labels = st.lists(label_words, min_size=1, max_size=3).map(" ".join)
values = st.text(string.ascii_lowercase, min_size=1, max_size=8).map("v_{}".format)


@st.composite
def option_lists(draw):
    """Distinct options: values have an underscore, so no label can be mistaken for one."""
    unique = (lambda option: option.value, lambda option: option.label.lower())
    options = draw(
        st.lists(st.builds(Option, values, labels), min_size=1, max_size=6, unique_by=unique)
    )
    assume(not any("--" in option.label for option in options))
    return options


@EXAMPLES
@given(safe_text, option_lists())
def test_pick_returns_one_of_the_options_or_refuses(raw, options):
    try:
        chosen = pick(raw, options)
    except InvalidAnswer as problem:
        assert_kind(problem)
        return
    assert chosen in [option.value for option in options]


@EXAMPLES
@given(option_lists(), st.data())
def test_each_option_can_be_picked_by_number_or_by_label_in_any_case(options, data):
    index = data.draw(st.integers(min_value=0, max_value=len(options) - 1))
    option = options[index]
    assert pick(str(index + 1), options) == option.value
    assert pick(f" {index + 1}. ", options) == option.value
    case = data.draw(st.sampled_from([str.upper, str.lower, str.swapcase, str.title]))
    assert pick(case(option.label), options) == option.value
    assert pick(f"  {option.label}.", options) == option.value


@EXAMPLES
@given(option_lists(), st.integers())
def test_a_number_outside_the_list_is_refused(options, number):
    assume(not 1 <= number <= len(options))
    with pytest.raises(InvalidAnswer):
        pick(str(number), options)


def test_picking_a_stage():
    assert pick("2", STAGES) == "screen"
    assert pick("interviews", STAGES) == "interview"
    assert pick("APPLIED, NO INTERVIEW", STAGES) == "applied"
    with pytest.raises(InvalidAnswer, match="a number from 1 to 3"):
        pick("4", STAGES)
    with pytest.raises(InvalidAnswer, match="didn't recognise that choice"):
        pick("the second one", STAGES)


@pytest.mark.parametrize("typed", ["²", "①"])
def test_pick_refuses_digit_like_symbols_kindly(typed):
    with pytest.raises(InvalidAnswer):
        pick(typed, STAGES)


def test_a_label_typed_with_a_curly_apostrophe_is_recognised():
    options = (Option("yes", "Yes, that's it"), Option("no", "Not really"))
    assert pick("Yes, that\u2019s it", options) == "yes"


# numbers


@PROPERTY
@given(safe_text, st.integers(min_value=1, max_value=20))
def test_numbers_are_sorted_distinct_and_in_range_or_refused(raw, upper):
    try:
        chosen = numbers(raw, upper=upper)
    except InvalidAnswer as problem:
        assert_kind(problem)
        return
    assert chosen
    assert chosen == sorted(set(chosen))
    assert all(1 <= number <= upper for number in chosen)


@PROPERTY
@given(st.integers(min_value=1, max_value=30), st.data())
def test_any_list_of_valid_numbers_is_read_back(upper, data):
    chosen = data.draw(st.lists(st.integers(min_value=1, max_value=upper), min_size=1, max_size=20))
    separator = data.draw(st.sampled_from([",", ", ", " ", ";", " and ", " , "]))
    assert numbers(separator.join(map(str, chosen)), upper=upper) == sorted(set(chosen))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2", [2]), ("2, 4", [2, 4]), ("4 2", [2, 4]), ("1 and 3", [1, 3]), ("3;3;1", [1, 3])],
)
def test_numbers_as_members_type_them(raw, expected):
    assert numbers(raw, upper=4) == expected


@pytest.mark.parametrize("raw", ["0", "5", "1, 7"])
def test_numbers_outside_the_list_are_refused(raw):
    with pytest.raises(InvalidAnswer, match="go from 1 to 4"):
        numbers(raw, upper=4)


@pytest.mark.parametrize("raw", ["two", "1-3", "#2"])
def test_numbers_must_be_digits(raw):
    with pytest.raises(InvalidAnswer, match="numbers of the items"):
        numbers(raw, upper=4)


def test_numbers_refuses_digit_like_symbols_kindly():
    with pytest.raises(InvalidAnswer):
        numbers("1, ²", upper=4)


# past_date


def in_the_window(day: date, today: date) -> bool:
    return today - timedelta(days=5 * 365) <= day <= today


@PROPERTY
@given(any_text, todays)
def test_a_past_date_is_never_in_the_future_nor_over_five_years_old(raw, today):
    try:
        when = past_date(raw, today=today)
    except InvalidAnswer as problem:
        assert_kind(problem)
        return
    assert today - timedelta(days=5 * 365) <= when <= today


@EXAMPLES
@given(todays, offsets, st.booleans())
def test_an_iso_date_is_read_exactly_when_it_is_in_the_window(today, offset, padded):
    day = today + timedelta(days=offset)
    raw = day.isoformat() if padded else f"{day.year}-{day.month}-{day.day}"
    if in_the_window(day, today):
        assert past_date(raw, today=today) == day
    else:
        with pytest.raises(InvalidAnswer):
            past_date(raw, today=today)


@PROPERTY
@given(st.integers(min_value=0, max_value=999), st.sampled_from(["day", "days", "week", "weeks"]))
def test_so_many_days_or_weeks_ago(amount, unit):
    expected = TODAY - timedelta(days=amount * (7 if unit.startswith("week") else 1))
    raw = f"{amount} {unit} ago"
    if in_the_window(expected, TODAY):
        assert past_date(raw, today=TODAY) == expected
    else:
        with pytest.raises(InvalidAnswer, match="more than 5 years ago"):
            past_date(raw, today=TODAY)


@PROPERTY
@given(st.sampled_from(WEEKDAYS), st.sampled_from(["", "last ", "on "]), todays)
def test_a_weekday_means_the_last_one_before_today(weekday, prefix, today):
    when = past_date(f"{prefix}{weekday.title()}", today=today)
    assert WEEKDAYS[when.weekday()] == weekday
    assert 1 <= (today - when).days <= 7


@PROPERTY
@given(todays, st.integers(min_value=0, max_value=364), st.booleans())
def test_a_day_and_month_without_a_year_means_the_last_year(today, back, month_first):
    day = today - timedelta(days=back)
    month = MONTHS[day.month - 1]
    raw = f"{month} {day.day}" if month_first else f"{day.day} {month}"
    assert past_date(raw, today=today) == day


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("today", date(2026, 11, 23)),
        ("Just now", date(2026, 11, 23)),
        ("yesterday", date(2026, 11, 22)),
        ("last night", date(2026, 11, 22)),
        ("3 days ago", date(2026, 11, 20)),
        ("a week ago", date(2026, 11, 16)),
        ("last week", date(2026, 11, 16)),
        ("last monday", date(2026, 11, 16)),
        ("monday", date(2026, 11, 16)),
        ("on Friday", date(2026, 11, 20)),
        ("20 Nov", date(2026, 11, 20)),
        ("20th November", date(2026, 11, 20)),
        ("24 Nov", date(2025, 11, 24)),
        ("Dec 25", date(2025, 12, 25)),
        ("Nov 20 2025", date(2025, 11, 20)),
        ("November 20, 2025", date(2025, 11, 20)),
        ("2026-11-20", date(2026, 11, 20)),
        ("2026-1-5", date(2026, 1, 5)),
        ("friday. wait no, thursday", date(2026, 11, 19)),
        ("monday, sorry i mean sunday", date(2026, 11, 22)),
        ("yesterday actually", date(2026, 11, 22)),
        ("today. between lessons. had to go teach year 9 straight after", TODAY),
    ],
)
def test_past_dates_as_members_type_them(raw, expected):
    assert past_date(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("2026-02-30", "couldn't read that date"),
        ("31 Apr", "couldn't read that date"),
        ("29 Feb 2026", "couldn't read that date"),
        ("2026-13-01", "couldn't read that date"),
        ("sometime last spring", "couldn't read that date"),
        ("2026-11-24", "hasn't come yet"),
        ("2020-01-01", "more than 5 years ago"),
    ],
)
def test_impossible_or_unlikely_past_dates_are_refused_kindly(raw, says):
    with pytest.raises(InvalidAnswer, match=says) as refused:
        past_date(raw, today=TODAY)
    assert len(str(refused.value)) < 200


# name_and_day


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("Acme thursday", ("Acme", date(2026, 11, 26))),
        ("Acme Corp on 12 dec", ("Acme Corp", date(2026, 12, 12))),
        ("Globex today", ("Globex", TODAY)),
        ("Initech", ("Initech", None)),
        ("Monday Studio", ("Monday Studio", None)),
    ],
)
def test_a_name_and_the_coming_day_its_last_words_name(args, expected):
    assert name_and_day(args, today=TODAY, what="company name") == expected


# future_date


@PROPERTY
@given(any_text, todays)
def test_a_future_date_is_after_today_and_within_400_days(raw, today):
    try:
        when = future_date(raw, today=today)
    except InvalidAnswer as problem:
        assert_kind(problem)
        return
    assert today < when <= today + timedelta(days=400)


@EXAMPLES
@given(todays, offsets)
def test_an_iso_date_ahead_is_read_exactly_when_it_is_in_range(today, offset):
    day = today + timedelta(days=offset)
    if today < day <= today + timedelta(days=400):
        assert future_date(day.isoformat(), today=today) == day
    else:
        with pytest.raises(InvalidAnswer):
            future_date(day.isoformat(), today=today)


@PROPERTY
@given(
    st.integers(min_value=0, max_value=999),
    st.sampled_from(["day", "days", "week", "weeks", "month", "months"]),
)
def test_in_so_many_days_weeks_or_months(amount, unit):
    expected = TODAY + timedelta(days=amount * {"d": 1, "w": 7, "m": 30}[unit[0]])
    raw = f"in {amount} {unit}"
    if TODAY < expected <= FURTHEST:
        assert future_date(raw, today=TODAY) == expected
    else:
        with pytest.raises(InvalidAnswer):
            future_date(raw, today=TODAY)


@PROPERTY
@given(st.sampled_from(WEEKDAYS), st.sampled_from(["", "next ", "on "]), todays)
def test_a_weekday_ahead_means_the_next_one_after_today(weekday, prefix, today):
    when = future_date(f"{prefix}{weekday.upper()}", today=today)
    assert WEEKDAYS[when.weekday()] == weekday
    assert 1 <= (when - today).days <= 7


@PROPERTY
@given(todays, st.integers(min_value=1, max_value=365), st.booleans())
def test_a_day_and_month_ahead_means_the_next_one(today, ahead, month_first):
    day = today + timedelta(days=ahead)
    month = MONTHS[day.month - 1]
    raw = f"{month} {day.day}" if month_first else f"{day.day} {month}"
    assert future_date(raw, today=today) == day


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("tomorrow", date(2026, 11, 24)),
        ("in 3 days", date(2026, 11, 26)),
        ("in a week", date(2026, 11, 30)),
        ("in 2 weeks", date(2026, 12, 7)),
        ("next week", date(2026, 11, 30)),
        ("next month", date(2026, 12, 23)),
        ("monday", date(2026, 11, 30)),
        ("next Monday", date(2026, 11, 30)),
        ("on friday", date(2026, 11, 27)),
        ("Dec 1", date(2026, 12, 1)),
        ("20 Nov", date(2027, 11, 20)),
        ("2026-12-01", date(2026, 12, 1)),
        ("friday. wait no, thursday", date(2026, 11, 26)),
        ("tuesday actually make that wednesday", date(2026, 11, 25)),
    ],
)
def test_future_dates_as_members_type_them(raw, expected):
    assert future_date(raw, today=TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("2027-02-29", "couldn't read that date"),
        ("31 Jun", "couldn't read that date"),
        ("when I'm ready", "couldn't read that date"),
        ("2026-11-23", "a day after today"),
        ("2026-11-20", "a day after today"),
        ("in 14 months", "more than a year away"),
        ("2028-01-01", "more than a year away"),
    ],
)
def test_impossible_or_far_future_dates_are_refused_kindly(raw, says):
    with pytest.raises(InvalidAnswer, match=says) as refused:
        future_date(raw, today=TODAY)
    assert len(str(refused.value)) < 200


@pytest.mark.parametrize(
    ("parse", "today", "expected"),
    [
        (past_date, date(2025, 1, 15), date(2024, 2, 29)),
        (future_date, date(2027, 3, 1), date(2028, 2, 29)),
    ],
)
def test_a_leap_day_without_a_year_is_read_when_it_is_in_range(parse, today, expected):
    assert parse("29 Feb", today=today) == expected


# days of the week and times on the clock

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EXAMPLE = "`09:00`"
clock_texts = st.one_of(
    st.builds("{}{}{:02}".format, st.integers(0, 30), st.sampled_from(":.h"), st.integers(0, 99)),
    st.builds("{}{}".format, st.integers(0, 14), st.sampled_from(["am", "pm", " pm", "a.m."])),
    st.sampled_from(["noon", "midnight", "midday", "9", "24", "0", "Noon"]),
)


def test_a_shortened_weekday_reads_the_same_in_dates_as_in_weekly_times():
    assert past_date("last tues", today=TODAY) == past_date("last tuesday", today=TODAY)
    assert future_date("on thurs", today=TODAY) == future_date("on thursday", today=TODAY)
    assert [weekday(w) for w in ("tues", "thurs", "mo", "sunday")] == ["tue", "thu", None, "sun"]


@EXAMPLES
@given(st.integers(0, 30), st.integers(0, 99), st.sampled_from(":.h"))
def test_a_24_hour_time_is_read_or_kindly_refused(hour, minute, mark):
    try:
        at = clock_time(f"{hour}{mark}{minute:02}", example=EXAMPLE)
    except InvalidAnswer as problem:
        assert_kind(problem)
        assert hour > 24 or minute > 59 or (hour == 24 and minute > 0)
        return
    assert at == time(hour % 24, minute)
    assert hour < 24 or minute == 0


@EXAMPLES
@given(st.sampled_from(DAY_CODES), st.sampled_from(["24:00", "24.00", "24h00", "24"]))
def test_24_00_is_the_midnight_that_ends_the_day(day, typed):
    following = DAY_CODES[(DAY_CODES.index(day) + 1) % 7]
    assert day_and_time(f"{day} {typed}") == (following, time(0, 0))
    assert day_and_time(f"{day} {typed}") == day_and_time(f"{following} 00:00")
    assert clock_time(typed, example=EXAMPLE) == time(0, 0)


@EXAMPLES
@given(st.sampled_from(DAY_CODES), clock_texts)
def test_a_weekly_time_and_a_time_of_day_are_read_by_the_one_clock(day, typed):
    try:
        at = clock_time(typed, example=EXAMPLE)
    except InvalidAnswer:
        with pytest.raises(InvalidAnswer):
            day_and_time(f"{day} {typed}")
        return
    assert at is not None, typed  # every generated text is shaped like a time
    weekly_day, weekly_at = day_and_time(f"{day} {typed}")
    assert weekly_at == at
    assert weekly_day == day or (
        at == time(0, 0) and DAY_CODES.index(weekly_day) == (DAY_CODES.index(day) + 1) % 7
    )


ALL_STAGES = tuple(Option(stage.value, stage.label) for stage in stages.STAGES)
YES_NO = (Option("yes", "Yes, pass it on"), Option("no", "No, keep it private"))


@pytest.mark.parametrize(
    ("typed", "options", "meant"),
    [
        ("runner-up", ALL_STAGES, "runner_up"),
        ("I didn't even get an interview", ALL_STAGES, "applied"),
        ("we did three interviews", ALL_STAGES, "interview"),
        ("2. a screening call", ALL_STAGES, "screen"),
        ("sure, pass it on", YES_NO, "yes"),
        ("nah", YES_NO, "no"),
        ("don't pass it on", YES_NO, "no"),
        ("yes, don't worry, pass it on", YES_NO, "yes"),
        ("interviews, two of them. already told you", ALL_STAGES, "interview"),
        ("screening call then a take home design exercise", ALL_STAGES, "screen"),
        ("final round, it was a panel of 4 people", ALL_STAGES, "final"),
    ],
)
def test_a_choice_is_read_as_a_person_means_it(typed: str, options, meant: str) -> None:
    assert pick(typed, options) == meant


def test_an_answer_that_could_mean_two_options_is_asked_back() -> None:
    options = (Option("2", "Pause for 2 weeks"), Option("4", "Pause for 4 weeks"))
    with pytest.raises(InvalidAnswer, match="Did you mean “Pause for 2 weeks” or “Pause for 4"):
        pick("pause", options)


def test_a_no_to_a_question_without_a_no_option_is_not_read_as_one() -> None:
    options = (Option("yes", "Yes, that's it"), Option("fit", "Not the right fit"))
    with pytest.raises(InvalidAnswer):
        pick("no", options)
    assert pick("no, not the right fit", options) == "fit"


@pytest.mark.parametrize(
    ("sentence", "day"),
    [
        ("they emailed me on tuesday afternoon", date(2026, 12, 1)),
        ("got the email yesterday evening, pretty brutal", date(2026, 12, 1)),
        ("on the 20th of november", date(2026, 11, 20)),
    ],
)
def test_a_date_inside_a_sentence_is_found(sentence: str, day: date) -> None:
    assert past_date(sentence, today=date(2026, 12, 2)) == day


PLAN_CHOICES = (
    Option("accept", "Sounds good"),
    Option("trim", "Drop some"),
    Option("move", "Move one"),
    Option("none", "No reminders"),
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("fine. 1", "accept"),
        ("put 2 i guess", "trim"),
        ("none of those, budget cut. 4 i guess?", "none"),
        ("keep in touch with people who ghosted me? nah. drop some", "trim"),
        ("move one i think. the last one is too soon", "move"),
    ],
)
def test_a_choice_said_inside_a_few_words_is_read(typed: str, meant: str) -> None:
    assert pick(typed, PLAN_CHOICES) == meant


@pytest.mark.parametrize("typed", ["3 weeks of nothing", "2 interviews and then silence"])
def test_a_number_that_counts_something_is_not_taken_for_a_choice(typed: str) -> None:
    with pytest.raises(InvalidAnswer):
        pick(typed, PLAN_CHOICES)


def test_a_no_in_another_clause_does_not_hide_the_choice() -> None:
    reasons = (
        Option("internal", "An internal candidate got it"),
        Option("better", "Someone better qualified got it"),
        Option("none", "No reason was given"),
    )
    assert pick("someone better i suppose. doesnt matter", reasons) == "better"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Northgate Logistics. well they didnt say no, they said nothing", "Northgate Logistics"),
        ("Tom, the recruiter. he called me", "Tom, the recruiter"),
        ("priya, she was the design lead", "priya"),
        ("Acme Inc. UK", "Acme Inc. UK"),
        ("J.P. Morgan", "J.P. Morgan"),
        ("Hollis & Grant, its a property management place", "Hollis & Grant"),
        ("Clerk; Select Committee on Work", "Clerk; Select Committee on Work"),
        ("Data Analyst lol, exactly that", "Data Analyst"),
        ("dan okafor, hes the head physio", "dan okafor"),
    ],
)
def test_a_remark_after_a_name_is_not_part_of_it(typed: str, meant: str) -> None:
    assert without_aside(typed) == meant


@pytest.mark.parametrize(
    "typed", ["had one interview with the ops manager", "just the first interview"]
)
def test_one_interview_is_interviews_not_applied_without_one(typed: str) -> None:
    assert pick(typed, ALL_STAGES) == "interview"


def test_a_no_in_another_clause_does_not_deny_the_stage() -> None:
    said = "A panel interview, three people. I think it was the last stage but they didn't say."
    assert pick(said, ALL_STAGES) == "interview"
    assert pick("I didn't even get an interview", ALL_STAGES) == "applied"


@pytest.mark.parametrize(
    ("typed", "stage"),
    [
        ("interveiw with the depot manager and someone from hr", "interview"),
        ("final roud", "final"),
        ("screning call", "screen"),
    ],
)
def test_a_slip_of_one_letter_still_names_the_option(typed: str, stage: str) -> None:
    assert pick(typed, ALL_STAGES) == stage


def test_a_choice_said_with_its_reasons_is_not_refused_for_length() -> None:
    said = (
        "haha the role is just Data Analyst. and 2, shes an agency recruiter at harper & lane. "
        "is it even worth replying to an agency person?"
    )
    assert pick(said, [Option(str(n), f"item {n}") for n in range(1, 6)]) == "2"


def test_a_number_said_as_the_closest_is_the_choice() -> None:
    said = "none of those, it went to someone they already knew. 1 is closest i guess"
    assert pick(said, PLAN_CHOICES) == "accept"


def test_an_item_named_by_a_written_ordinal_is_found() -> None:
    plan = [
        Option("send_note", "Send the thank-you and feedback request"),
        Option("second_ask", "Send a friendly second ask for feedback", also=("second",)),
        Option("reconnect", "Reconnect and ask about new openings"),
    ]
    assert items_named("drop the 2nd feedback one", plan) == [2]
    assert items_named("the 3rd one", plan) == [3]


def test_the_last_few_are_counted_from_the_end() -> None:
    four = [Option(str(n), f"item {n}") for n in range(1, 5)]
    assert items_named("drop the last 2", four) == [3, 4]
    assert items_named("the last two", four) == [3, 4]


@pytest.mark.parametrize(
    ("said", "signs_as"),
    [
        ("its signed sam, my name is priya", "Priya"),
        ("HENRIK. not sam", "Henrik"),
        ("Sign with Marek Nowak please", "Marek Nowak"),
        ("I'd prefer to sign it with my full name, Samantha Reid.", "Samantha Reid"),
        ("sign it Sofia, and take out the linkedin part", "Sofia"),
        ("the note looks fine", None),
    ],
)
def test_the_signature_asked_for_is_read_as_a_name(said: str, signs_as: str | None) -> None:
    assert signature_named(said, "sam") == signs_as


def test_a_no_that_answers_the_question_then_names_an_option_picks_it() -> None:
    """'No' says my reading was wrong; what follows is the member's own pick, not denied."""
    options = (
        Option("yes", "Yes, that's it"),
        Option("internal", "An internal candidate got it"),
        Option("better", "Someone better qualified got it"),
    )
    assert pick("no, an internal candidate", options) == "internal"
    assert pick("no, someone better qualified i suppose", options) == "better"
