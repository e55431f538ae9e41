"""Reading a rejection reason: one of the playbook's six categories, two when it names
two things, or honestly unclear.

The member confirms or corrects our reading, so an unclear one costs a tap; a
confident wrong one gives the wrong advice first, and a reading that flips with
capital letters or a trailing full stop would cost trust.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.parsing import mentions_any
from bot.playbook import SHIPPED, load_playbook
from bot.rejection.reason import NO_FEEDBACK, classify_reason, read_reason

PROPERTY = settings(max_examples=200, deadline=None)
PLAYBOOK = load_playbook()  # the shipped one, read once so strategies can draw from it
EXAMPLES: dict[str, list[str]] = dict(PLAYBOOK.table("examples.reasons"))
CATEGORIES = frozenset(EXAMPLES)
ALL_EXAMPLES = sorted({text for texts in EXAMPLES.values() for text in texts})
CASES: tuple[Callable[[str], str], ...] = (str.upper, str.lower, str.title, str.swapcase)
PUNCTUATION = string.punctuation + "…—\u2013“”\u2018\u2019«»¡¿·"
WHITESPACE = " \t\u00a0\u2003\u3000"  # a new line ends a sentence, so it is left out
# Sentences from rejection emails that point to no category at all.
NEUTRAL = (
    "Thank you for your time.",
    "We enjoyed meeting you",
    "The recruiter called on Tuesday",
    "We wish you every success",
    "Kind regards, the hiring team",
    "Acme Corp 🙂",
)

# Arbitrary text, often with examples from any category spliced in, so the
# properties below also cover texts that do get a reading.
plain_text = st.text(max_size=40)
example_text = st.lists(
    st.one_of(plain_text, st.sampled_from(ALL_EXAMPLES)), min_size=1, max_size=4
).map(" ".join)
reasons = st.one_of(plain_text, example_text)
padding = st.text(st.sampled_from(PUNCTUATION + WHITESPACE), max_size=6)
gaps = st.text(st.sampled_from(WHITESPACE), min_size=1, max_size=3)


@PROPERTY
@given(reasons)
def test_any_text_is_read_as_at_most_two_known_categories_or_left_unclear(reason: str) -> None:
    read = read_reason(reason, PLAYBOOK)
    assert set(read) <= CATEGORIES
    assert len(read) <= 2
    assert len(set(read)) == len(read)


@PROPERTY
@given(st.text(st.sampled_from(WHITESPACE + "\n"), max_size=10))
def test_no_words_at_all_means_no_reason_was_given(blank: str) -> None:
    assert classify_reason(blank, PLAYBOOK) == NO_FEEDBACK


@PROPERTY
@given(reasons, st.sampled_from(CASES))
def test_the_reading_does_not_depend_on_letter_case(
    reason: str, case: Callable[[str], str]
) -> None:
    # Some characters change when cased (ß to SS): then it is not the same text.
    assume(case(reason).lower() == reason.lower())
    assert read_reason(case(reason), PLAYBOOK) == read_reason(reason, PLAYBOOK)


@PROPERTY
@given(reasons, padding, padding)
def test_surrounding_whitespace_and_punctuation_change_nothing(
    reason: str, before: str, after: str
) -> None:
    assume(reason.strip())  # a blank reason is "no reason"
    padded = f"{before}{reason}{after}"
    assert read_reason(padded, PLAYBOOK) == read_reason(reason, PLAYBOOK)


@PROPERTY
@given(reasons, st.data())
def test_runs_of_spaces_between_words_change_nothing(reason: str, data: st.DataObject) -> None:
    assume("\n" not in reason)  # a new line ends a sentence, which spaces do not
    spaced = "".join(word + data.draw(gaps) for word in reason.split())
    assert read_reason(spaced, PLAYBOOK) == read_reason(reason, PLAYBOOK)


def test_the_playbook_s_examples_are_read_as_their_own_category() -> None:
    """Guards the bank: eight writers' words overlap at the edges (a "stronger match" who
    "had more SQL"), but a bank that contradicts itself teaches nothing."""
    examples = [(name, text) for name, texts in EXAMPLES.items() for text in texts]
    misread = [
        (name, text)
        for name, text in examples
        if classify_reason(text, PLAYBOOK) not in (name, None)
    ]
    assert len(misread) <= len(examples) // 50, misread


# Each as a member or a recruiter says it, in none of the bank's short phrases.
IN_OTHER_WORDS = [
    ("We decided to move forward with a candidate from inside the company.", "internal_candidate"),
    ("the guy whos been covering the job since march got it", "internal_candidate"),
    ("Budget got cut and they're rethinking what the position should be.", "different_direction"),
    ("they decided the team needs a contractor instead of a permanent hire", "different_direction"),
    ("We found someone whose background lines up more neatly with our needs.", "better_qualified"),
    ("another applicant had a lot more years doing exactly this", "better_qualified"),
    ("They were looking for more Kubernetes experience.", "missing_skill"),
    ("you need a CPA for this one and I don't have it yet", "missing_skill"),
    ("The panel said I talked over them a lot.", "presentation"),
    ("apparently my answers rambled and i never gave a concrete example", "presentation"),
    ("The recruiter ghosted me.", NO_FEEDBACK),
    ("just the usual 'after careful consideration' email, nothing else", NO_FEEDBACK),
]


@pytest.mark.parametrize(("reason", "category"), IN_OTHER_WORDS)
def test_a_reason_in_other_words_than_the_bank_s_phrases_is_read(
    reason: str, category: str
) -> None:
    phrases = [text for text in EXAMPLES[category] if len(text.split()) <= 3]
    assert not mentions_any(reason, phrases)  # guards the test: these are other words
    assert classify_reason(reason, PLAYBOOK) == category


@pytest.mark.parametrize(
    ("reason", "categories"),
    [
        (
            "they wanted more hands-on SQL, and honestly they had someone internal lined up",
            ("missing_skill", "internal_candidate"),
        ),
        (
            "said I seemed nervous. also the budget for the role got slashed",
            ("presentation", "different_direction"),
        ),
    ],
)
def test_a_reason_that_names_two_things_is_read_as_both(
    reason: str, categories: tuple[str, str]
) -> None:
    assert set(read_reason(reason, PLAYBOOK)) == set(categories)


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("it wasn't about my skills, they just had someone internal", "internal_candidate"),
        ("nothing to do with how I came across, they wanted someone with AWS", "missing_skill"),
    ],
)
def test_what_a_reason_says_it_was_not_does_not_count(reason: str, category: str) -> None:
    assert read_reason(reason, PLAYBOOK) == (category,)


@pytest.mark.parametrize("sentence", NEUTRAL)
def test_a_sentence_that_names_no_reason_is_left_unclear(sentence: str) -> None:
    assert classify_reason(sentence, PLAYBOOK) is None


def test_a_group_s_own_examples_change_the_reading(tmp_path: Path) -> None:
    """A group teaches the reader its members' words by adding lines to a copy of
    examples.toml in BOUNCEBACK_PLAYBOOK_DIR."""
    reason = "they flagged my capstone review"  # a bootcamp's word for a mock interview
    assert classify_reason(reason, PLAYBOOK) is None
    shipped = (SHIPPED / "examples.toml").read_text()
    example = "the capstone review flagged how I came across"
    own = shipped.replace("presentation = [\n", f'presentation = [\n  "{example}",\n')
    assert own != shipped
    (tmp_path / "examples.toml").write_text(own)
    assert classify_reason(reason, load_playbook(tmp_path)) == "presentation"


def test_a_reason_in_markdown_italics_is_still_read() -> None:
    assert classify_reason("They went with an _internal candidate_", PLAYBOOK) == (
        "internal_candidate"
    )


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        (
            "We decided to move forward with a candidate from inside the company.",
            "internal_candidate",
        ),
        ("They were looking for more Kubernetes experience.", "missing_skill"),
        (
            "Budget got cut and they're rethinking what the position should be.",
            "different_direction",
        ),
        (
            "We found a candidate whose experience more closely matched our needs.",
            "better_qualified",
        ),
        ("The panel said I talked over them a lot.", "presentation"),
        ("The recruiter ghosted me.", NO_FEEDBACK),
    ],
)
def test_the_six_reasons_issue_15_found_unread_are_read(reason: str, category: str) -> None:
    assert classify_reason(reason, PLAYBOOK) == category
