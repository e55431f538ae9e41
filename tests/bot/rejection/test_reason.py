"""Reading a rejection reason: one of the playbook's six categories, or honestly unclear.

The member confirms or corrects our reading, so a wrong guess costs little; a
crash or a guess that flips with capital letters or a trailing full stop would
cost trust.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.playbook import Playbook, load_playbook
from bot.rejection.reason import NO_FEEDBACK, classify_reason

PROPERTY = settings(max_examples=200, deadline=None)
PLAYBOOK = load_playbook()  # the shipped one, read once so strategies can draw from it
CATEGORIES: dict[str, list[str]] = {
    name: list(category["keywords"])
    for name, category in PLAYBOOK.table("feedback.categories").items()
}
ALL_PHRASES = sorted({phrase for phrases in CATEGORIES.values() for phrase in phrases})
CASES: tuple[Callable[[str], str], ...] = (str.upper, str.lower, str.title, str.swapcase)
# Punctuation a member might put around a reason. The underscore is left out: it
# is a word character to a regex, see the markdown-emphasis test at the end.
PUNCTUATION = string.punctuation.replace("_", "") + "…—\u2013“”\u2018\u2019«»¡¿·"
WHITESPACE = " \t\n\r\u00a0\u2003\u3000"
# Sentences from rejection emails that point to no category at all.
NEUTRAL = (
    "Thank you for your time.",
    "We enjoyed meeting you",
    "The recruiter called on Tuesday",
    "after careful consideration",
    "We wish you every success",
    "It was a tough decision, honestly",
    "Kind regards, the hiring team",
    "Acme Corp 🙂",
)


def normal(text: str) -> str:
    """How the reader sees text: lower case, straight apostrophes, single spaces."""
    return " ".join(text.lower().replace("\u2019", "'").split())


def shows_up_in(phrase: str, text: str) -> bool:
    """A plain substring test: looser than whole words, so a safe filter."""
    return phrase in normal(text)


def expected_category(phrase: str) -> str | None:
    """The category a lone phrase belongs to, computed from the playbook lists.

    None when the phrase also contains another category's phrase: then the
    reading is a tie, which the reader leaves for the member to place.
    """
    homes = {name for name, phrases in CATEGORIES.items() if phrase in phrases}
    pattern = r"(?<![\w']){}(?![\w'])"
    for name, phrases in CATEGORIES.items():
        if any(re.search(pattern.format(re.escape(other)), phrase) for other in phrases):
            homes.add(name)
    return homes.pop() if len(homes) == 1 else None


UNAMBIGUOUS = [
    (name, phrase)
    for name, phrases in CATEGORIES.items()
    for phrase in phrases
    if expected_category(phrase) == name
]

# Arbitrary text, often with a few playbook phrases from any category spliced in,
# so the properties below also cover texts that do get a category.
plain_text = st.text(max_size=40)
phrase_text = st.lists(
    st.one_of(plain_text, st.sampled_from(ALL_PHRASES)), min_size=1, max_size=6
).map(" ".join)
reasons = st.one_of(plain_text, phrase_text)
padding = st.text(st.sampled_from(PUNCTUATION + WHITESPACE), max_size=6)
gaps = st.text(st.sampled_from(WHITESPACE), min_size=1, max_size=3)
surroundings = st.one_of(st.text(max_size=30), st.sampled_from(NEUTRAL))
separators = st.one_of(
    gaps, st.tuples(st.sampled_from(PUNCTUATION), gaps).map("".join), st.just(": ")
)


def test_every_category_of_the_playbook_is_read_by_its_phrases() -> None:
    """Guards the test data: an overlap between lists must not hide a category."""
    assert set(CATEGORIES) == {
        "internal_candidate",
        "different_direction",
        "better_qualified",
        "missing_skill",
        "presentation",
        NO_FEEDBACK,
    }
    assert {name for name, _ in UNAMBIGUOUS} == set(CATEGORIES)


@PROPERTY
@given(reasons)
def test_any_text_is_read_as_a_known_category_or_left_unclear(reason: str) -> None:
    assert classify_reason(reason, PLAYBOOK) in {*CATEGORIES, None}


@PROPERTY
@given(st.text(st.sampled_from(WHITESPACE), max_size=10))
def test_no_words_at_all_means_no_reason_was_given(blank: str) -> None:
    assert classify_reason(blank, PLAYBOOK) == NO_FEEDBACK


@PROPERTY
@given(reasons, st.sampled_from(CASES))
def test_the_reading_does_not_depend_on_letter_case(
    reason: str, case: Callable[[str], str]
) -> None:
    # Some characters change when cased (ß to SS): then it is not the same text.
    assume(case(reason).lower() == reason.lower())
    assert classify_reason(case(reason), PLAYBOOK) == classify_reason(reason, PLAYBOOK)


@PROPERTY
@given(reasons, padding, padding)
def test_surrounding_whitespace_and_punctuation_change_nothing(
    reason: str, before: str, after: str
) -> None:
    assume(reason.strip())  # a blank reason is "no reason", a lone "." is unclear
    padded = f"{before}{reason}{after}"
    assert classify_reason(padded, PLAYBOOK) == classify_reason(reason, PLAYBOOK)


@PROPERTY
@given(reasons, st.data())
def test_runs_of_whitespace_between_words_change_nothing(reason: str, data: st.DataObject) -> None:
    words = reason.split()
    spaced = "".join(word + data.draw(gaps) for word in words)
    assert classify_reason(spaced, PLAYBOOK) == classify_reason(reason, PLAYBOOK)


@PROPERTY
@given(
    st.sampled_from(UNAMBIGUOUS),
    surroundings,
    surroundings,
    separators,
    separators,
    st.sampled_from(CASES),
    st.booleans(),
)
def test_a_phrase_from_a_category_is_read_as_that_category_wherever_it_appears(
    entry: tuple[str, str],
    before: str,
    after: str,
    left: str,
    right: str,
    case: Callable[[str], str],
    curly: bool,
) -> None:
    category, phrase = entry
    typed = case(phrase).replace("'", "\u2019") if curly else case(phrase)
    reason = f"{before}{left}{typed}{right}{after}"
    others = [p for name, phrases in CATEGORIES.items() if name != category for p in phrases]
    assume(not any(shows_up_in(other, reason) for other in others))
    assert classify_reason(reason, PLAYBOOK) == category


def test_more_phrases_of_one_category_outweigh_one_of_another() -> None:
    reason = "No feedback, just a generic automated email; it said internal candidate"
    assert classify_reason(reason, PLAYBOOK) == NO_FEEDBACK


def test_one_phrase_repeated_counts_once() -> None:
    """Repeating "internal" three times must not outvote two different phrases."""
    reason = "internal, internal, internal; they lacked hands-on time with me? no: I lacked it"
    assert classify_reason(reason, PLAYBOOK) == "missing_skill"


def with_phrase(phrase: str, *homes: str) -> Playbook:
    """The shipped playbook, as a group might edit it: one more phrase in some lists."""
    categories = {
        name: {**category, "keywords": [*category["keywords"], phrase]}
        if name in homes
        else category
        for name, category in PLAYBOOK.table("feedback.categories").items()
    }
    return Playbook(
        {**PLAYBOOK.files, "feedback": {**PLAYBOOK.files["feedback"], "categories": categories}}
    )


def test_a_phrase_listed_under_two_categories_is_left_unclear() -> None:
    """The tie rule: when the same words mean two things, the member places them."""
    reason = "They mentioned shared words"
    assert classify_reason(reason, with_phrase("shared words", "presentation")) == "presentation"
    both = with_phrase("shared words", "presentation", "missing_skill")
    assert classify_reason(reason, both) is None


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        (
            "Unfortunately we have decided to move forward with an internal candidate.",
            "internal_candidate",
        ),
        ("We decided to promote someone from within the team.", "internal_candidate"),
        ("We've decided to go in a different direction with this role.", "different_direction"),
        ("The position has been put on hold due to a restructuring", "different_direction"),
        ("We went with a candidate who had more experience in fintech", "better_qualified"),
        ("It was a strong field and another applicant was a closer match", "better_qualified"),
        ("You lacked hands-on experience with Kubernetes", "missing_skill"),
        ("They wanted a certification I don't have", "missing_skill"),
        ("The panel said I came across as nervous, with little eye contact", "presentation"),
        ("It was a generic automated email, no feedback", NO_FEEDBACK),
        ("They didn\u2019t say why", NO_FEEDBACK),
        ("It was a tough decision", None),
        ("They wanted more international exposure", None),
        ("They went with an internal candidate who had more experience", None),
    ],
)
def test_reasons_as_members_report_them(reason: str, category: str | None) -> None:
    assert classify_reason(reason, PLAYBOOK) == category


def test_a_phrase_in_markdown_italics_is_still_read() -> None:
    assert classify_reason("They went with an _internal candidate_", PLAYBOOK) == (
        "internal_candidate"
    )
