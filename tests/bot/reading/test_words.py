"""What the reader weighs in a text: stems that meet across word forms, "not" that
changes a word, and groups of words that teach each other."""

from __future__ import annotations

import pytest

from bot.reading.words import features, kin, skipped, stem, stems

GROUPS = kin({"inside": ["internal", "staff member"], "lack": ["missing", "not enough"]})


@pytest.mark.parametrize("word", ["interview", "interviews", "interviewed", "interviewing"])
def test_the_forms_of_a_word_share_one_stem(word: str) -> None:
    assert stem(word) == "interview"


def test_a_word_after_a_negation_is_another_word_until_the_clause_ends() -> None:
    assert stems("It wasn't about my skills, they just had someone internal") == [
        "not_skill",
        "someone",
        "internal",
    ]


def test_apostrophes_accents_and_case_do_not_change_the_stems() -> None:
    assert stems("They DIDN\u2019T say; café") == stems("they didnt say; cafe")


def test_a_word_of_a_group_brings_the_group_and_a_denied_one_its_opposite() -> None:
    assert "@inside" in features("an internal hire", GROUPS)
    assert "@inside" in features("a staff member got it", GROUPS)
    assert "not_@lack" in features("nothing missing", GROUPS)
    assert "@lack" in features("not enough python", GROUPS)


def test_letters_inside_a_word_let_a_typo_meet_its_word() -> None:
    typed = {f for f in features("kubernets", GROUPS) if f.startswith("#")}
    spelled = {f for f in features("kubernetes", GROUPS) if f.startswith("#")}
    assert len(typed & spelled) >= 3


def test_small_words_are_named_as_skipped() -> None:
    assert skipped("went on") == ["on"]
    assert skipped("no longer") == []
