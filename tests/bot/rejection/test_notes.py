"""Drafted notes: the facts the member gave, in the variant for who they dealt with,
with no gaps where a fact was skipped, and in Bounceback's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.playbook import load_playbook
from bot.rejection.notes import (
    GROUPS,
    ROLES,
    TITLES,
    drafted_note,
    follow_up_note,
    read_contact,
    tidy_contact,
    without_preface,
)
from bot.rejection.stages import STAGES

EXAMPLES = settings(max_examples=100, deadline=None)
PLAYBOOK = load_playbook()
SEEDS = Path(__file__).parents[3] / "shared" / "seeds"
STAGE_VALUES = tuple(stage.value for stage in STAGES)
CONTACT_ROLES = ("hiring_manager", "recruiter", "interviewer", "insider", "referrer")
FOLLOW_UPS = ("second_ask", "advice_meeting", "keep_in_touch", "reconnect")
FACTS = {
    "company": "Acme Robotics",
    "role": "Data Analyst",
    "stage": "interview",
    "contact_name": "Jane Doe",
    "member_name": "Sam Rivera",
}
# What a sentence looks like when a fact was left out and its words were not.
DANGLING = re.compile(
    r"  |\s[,.;:!?]|\b(?:the|a|an)\s+(?:for|at|of|on|in|to|with|and)\b"
    r"|\b(\w+)\s+\1\b|\b(?:Hi|Dear|Hello)\s*,|\{|\}|\[\]|\(\s*\)",
    re.IGNORECASE,
)


def draft(**changes: str) -> str:
    facts = {**FACTS, "contact_role": "hiring_manager", **changes}
    return drafted_note(PLAYBOOK, **facts)


def later(key: str, **changes: str) -> str:
    facts = {**FACTS, **changes}
    del facts["stage"]
    return follow_up_note(PLAYBOOK, key, **facts)


def dangling(note: str) -> list[str]:
    return [match.group(0) for match in DANGLING.finditer(note)]


# Variants and facts


@pytest.mark.parametrize("contact_role", ["hiring_manager", "recruiter", "interviewer"])
def test_a_named_contact_gets_the_note_written_for_their_part(contact_role: str) -> None:
    note = draft(contact_role=contact_role)
    assert note.startswith("Hi Jane,\n")
    assert note == PLAYBOOK.text(
        f"notes.thank_you.{contact_role}",
        greeting_name="Jane",
        company="Acme Robotics",
        role="Data Analyst",
        stage_line=PLAYBOOK.text("notes.stage_lines.interview", company="Acme Robotics"),
        feedback_ask=PLAYBOOK.text(f"notes.feedback_asks.{contact_role}"),
        strength=PLAYBOOK.text("notes.no_strength"),
        member_name="Sam Rivera",
    )
    for fact in ("Acme Robotics", "Data Analyst", "Sam Rivera"):
        assert fact in note


def test_each_contact_gets_a_different_note() -> None:
    notes = {role: draft(contact_role=role) for role in ("hiring_manager", "recruiter")}
    notes["interviewer"] = draft(contact_role="interviewer")
    notes["nobody"] = draft(contact_name="", contact_role="")
    assert len(set(notes.values())) == 4


@pytest.mark.parametrize("contact_role", CONTACT_ROLES)
def test_without_a_contact_the_note_greets_the_hiring_team(contact_role: str) -> None:
    """A role without a name to go with it still gets the team's note, never 'Hi ,'."""
    note = draft(contact_name="", contact_role=contact_role)
    assert note.startswith("Hi there,\n")
    assert note == draft(contact_name="", contact_role="")
    for fact in ("Acme Robotics", "Data Analyst", "Sam Rivera"):
        assert fact in note


def test_someone_who_referred_or_knows_them_gets_the_note_for_a_connection() -> None:
    assert draft(contact_role="referrer") == draft(contact_role="insider")
    assert "introduction" in draft(contact_role="referrer")


@pytest.mark.parametrize(
    ("stage", "line"),
    [
        ("screen", "screen"),
        ("interview", "interview"),
        ("final", "final"),
        ("runner_up", "final"),
    ],
)
def test_the_note_mentions_how_far_they_got(stage: str, line: str) -> None:
    expected = PLAYBOOK.text(f"notes.stage_lines.{line}", company="Acme Robotics")
    assert expected in draft(stage=stage)


def test_the_greeting_uses_the_contacts_first_name() -> None:
    assert draft(contact_name="Ana María López").startswith("Hi Ana,")


def test_a_note_without_the_members_name_leaves_a_visible_place_for_it() -> None:
    assert draft(member_name="").endswith("[your name]")


def test_braces_in_what_the_member_typed_are_kept_as_typed() -> None:
    note = draft(company="Acme {role}", role="C++ {dev}")
    assert "Acme {role}" in note and "C++ {dev}" in note


names = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñ李&'.-0123456789"),
    min_size=1,
    max_size=12,
).filter(lambda name: name[0].isalnum())
full_names = st.lists(names, min_size=1, max_size=3).map(" ".join)
NOT_NAMES = set(ROLES) | GROUPS | TITLES | {"the", "my", "their", "our"}
contacts = full_names.filter(  # "0 TEAM" is a team, greeted as one
    lambda name: not NOT_NAMES & {word.lower().strip(".") for word in name.split()}
)


@EXAMPLES
@given(
    full_names,
    full_names,
    contacts,  # a name, not "the panel" or "MANAGER", which are greeted otherwise
    full_names,
    st.sampled_from(STAGE_VALUES),
    st.sampled_from(CONTACT_ROLES),
)
def test_every_fact_given_appears_in_the_note(
    company: str, role: str, contact: str, member: str, stage: str, contact_role: str
) -> None:
    note = drafted_note(
        PLAYBOOK,
        company=company,
        role=role,
        stage=stage,
        contact_name=contact,
        contact_role=contact_role,
        member_name=member,
    )
    first = contact.split()[0]
    assert note.startswith(f"Hi {first.capitalize() if first.islower() else first},\n")
    assert company in note and role in note and member in note
    assert "  " not in note


@pytest.mark.parametrize("key", FOLLOW_UPS)
def test_later_notes_carry_the_facts(key: str) -> None:
    note = later(key)
    assert note.startswith("Hi Jane,\n") and note.endswith("Sam Rivera")
    template = PLAYBOOK.text(f"notes.{key}")
    for placeholder, fact in (("{company}", "Acme Robotics"), ("{role}", "Data Analyst")):
        assert (fact in note) == (placeholder in template)


# Skipped facts leave no gaps


def test_the_gap_detector_finds_gaps() -> None:
    """Guards the pattern below, so a passing test means something."""
    assert dangling("Dear ,\nthe for  at Acme .") != []
    assert dangling("Thanks for the the role role") != []
    assert dangling(draft()) == []


@pytest.mark.parametrize("contact_role", ["hiring_manager", "recruiter", "interviewer", ""])
def test_a_skipped_contact_leaves_no_dangling_words(contact_role: str) -> None:
    assert dangling(draft(contact_name="", contact_role=contact_role)) == []


def test_the_note_to_keep_in_touch_needs_no_role() -> None:
    assert dangling(later("keep_in_touch", role="", contact_name="")) == []


@pytest.mark.parametrize("contact_role", ["hiring_manager", "recruiter", "interviewer", ""])
def test_a_skipped_role_leaves_no_dangling_words(contact_role: str) -> None:
    note = draft(role="", contact_role=contact_role, contact_name="Jane" if contact_role else "")
    assert dangling(note) == []


@pytest.mark.parametrize("key", ["second_ask", "advice_meeting", "reconnect"])
def test_a_skipped_role_leaves_no_dangling_words_in_later_notes(key: str) -> None:
    assert dangling(later(key, role="")) == []


# Bounceback's own words


def runs(text: str) -> set[str]:
    """Every run of eight words, apostrophes straightened, case aside."""
    words = re.findall(r"[a-z']+", text.lower().replace("\u2019", "'"))
    return {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}


def strings(node: Any) -> Iterator[str]:
    """Every text value in a parsed playbook file, however deep."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def every_draft() -> Iterator[str]:
    for stage in STAGE_VALUES:
        for contact_role in (*CONTACT_ROLES, ""):
            for role in ("Data Analyst", ""):
                yield draft(stage=stage, contact_role=contact_role, role=role)
    for key in FOLLOW_UPS:
        yield later(key)
        yield later(key, contact_name="", role="", member_name="")


@pytest.fixture(scope="module")
def seed_runs() -> set[str]:
    if not SEEDS.exists():
        pytest.skip("the seed articles live in shared/")
    found = set().union(*(runs(path.read_text()) for path in SEEDS.glob("*.txt")))
    assert found, "no seed articles to compare against"
    return found


def test_no_drafted_note_repeats_eight_words_of_a_seed_article(seed_runs: set[str]) -> None:
    for note in every_draft():
        assert not runs(note) & seed_runs, note


def test_no_playbook_text_repeats_eight_words_of_a_seed_article(seed_runs: set[str]) -> None:
    for stem, content in PLAYBOOK.files.items():
        for text in strings(content):
            assert not runs(text) & seed_runs, f"{stem}: {text}"


@pytest.mark.parametrize(
    ("typed", "greeting", "role", "several"),
    [
        ("Priya, the recruiter", "Priya", "recruiter", False),
        ("the panel, seven interviewers", "all", "interviewer", True),
        ("Dr. Ade Okafor", "Dr. Okafor", "", False),
        ("the hiring manager", "there", "hiring_manager", False),
        ("Tom (hiring manager)", "Tom", "hiring_manager", False),
    ],
)
def test_a_contact_is_read_as_people_write_them(typed, greeting, role, several) -> None:
    contact = read_contact(typed)
    assert (contact.greeting, contact.role, contact.several) == (greeting, role, several)


def test_with_a_reason_given_the_note_does_not_ask_for_it_again() -> None:
    asked = draft(contact_role="interviewer")
    told = draft(contact_role="interviewer", reason_given=True)
    assert "how I came across" in asked and "how I came across" not in told
    assert PLAYBOOK.text("notes.feedback_asks.reason_given") in told


@pytest.mark.parametrize(
    ("typed", "kept", "greeted"),
    [
        ("some hiring manager called priya i think", "Priya (hiring manager)", "Priya"),
        ("Tom, the recruiter. he called me", "Tom, the recruiter", "Tom"),
        ("priya, she was the design lead", "priya", "Priya"),
        ("recruiter was priya", "Priya (recruiter)", "Priya"),
        ("idk her surname, dani something", "dani", "Dani"),
        ("recruiter is kelsey ortiz", "Kelsey ortiz (recruiter)", "Kelsey"),
    ],
)
def test_who_they_dealt_with_is_kept_without_the_remark(typed: str, kept: str, greeted: str):
    assert tidy_contact(typed) == kept
    assert read_contact(kept).name == greeted


@pytest.mark.parametrize(
    ("typed", "greeted"),
    [
        ("The letter came from Mr. Martin Ellery, the Chief Executive.", "Mr Ellery"),
        ("The news came from Mr. Rupert Lang, the Head of People, by telephone.", "Mr Lang"),
    ],
)
def test_how_the_news_came_and_a_title_s_full_stop_are_not_the_name(typed: str, greeted: str):
    kept = tidy_contact(typed)
    assert read_contact(kept).name == greeted
    assert "came from" not in kept


@pytest.mark.parametrize(
    "note",
    [
        "Hi Jane,\nThanks for everything.\nBest, Sam",
        "Thanks for the call today, Jane. Hi to the team too.",
        "Dear hiring team, thank you for your time.",
    ],
)
def test_a_note_with_no_word_to_me_before_it_is_kept_whole(note: str) -> None:
    assert without_preface(note) == note
