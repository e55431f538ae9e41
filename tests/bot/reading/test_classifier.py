"""The naive Bayes reader: it learns from examples, and says how sure it is, so a
caller can ask instead of guessing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reading.classifier import Classifier

READER = Classifier(
    {
        "weather": ["it is raining", "sunny skies today", "a cold wind and snow"],
        "food": ["pasta for dinner", "a bowl of soup", "fresh bread and cheese"],
    },
    {"wet": ["raining", "drizzle", "rain"]},
)


def test_a_text_is_read_as_the_label_its_words_were_learned_under() -> None:
    assert READER.read("soup and bread").label == "food"
    assert READER.read("snow again").label == "weather"


def test_a_group_of_words_carries_one_example_to_its_kin() -> None:
    reading = READER.read("drizzle all afternoon")  # never in an example
    assert reading.label == "weather" and reading.sureness > 0.5


def test_words_no_example_used_give_no_evidence_and_no_sureness() -> None:
    reading = READER.read("quarterly tax returns")
    assert reading.evidence == 0
    assert reading.sureness == 0.5


def test_clear_words_make_the_reader_surer_than_few() -> None:
    assert READER.read("pasta and soup and bread").sureness > READER.read("pasta").sureness


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gets_a_known_label_and_a_sureness_between_chance_and_one(text: str) -> None:
    reading = READER.read(text)
    assert reading.label in READER.labels
    assert 0.5 <= reading.sureness <= 1.0
