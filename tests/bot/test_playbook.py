"""The playbook: shipped texts load, and a broken file names itself and the key."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.group.rhythm import checkin_text
from bot.playbook import SHIPPED, PlaybookError, load_playbook

SEEDS = Path(__file__).parents[3] / "shared" / "seeds"


@pytest.fixture
def group_copy(tmp_path: Path) -> Path:
    """A group's own playbook folder, starting from the shipped files."""
    for path in SHIPPED.glob("*.toml"):
        shutil.copy(path, tmp_path)
    return tmp_path


def rewrite(path: Path, old: str, new: str) -> None:
    content = path.read_text()
    assert old in content
    path.write_text(content.replace(old, new, 1))


def test_the_shipped_playbook_loads(playbook) -> None:
    assert len(playbook.table("feedback.categories")) == 6
    assert "{" not in playbook.text("comfort.resilience", count=3)


def test_a_group_can_change_the_voice(group_copy: Path) -> None:
    rewrite(group_copy / "comfort.toml", 'mood_question = "', 'mood_question = "Hey friend. ')
    assert load_playbook(group_copy).text("comfort.mood_question").startswith("Hey friend.")


def test_a_missing_key_is_named(group_copy: Path) -> None:
    rewrite(group_copy / "moods.toml", "response =", "reply =")
    with pytest.raises(PlaybookError, match=r"moods\.toml: 'moods\.low\.response' is missing"):
        load_playbook(group_copy)


def test_an_unknown_placeholder_is_named(group_copy: Path) -> None:
    rewrite(group_copy / "comfort.toml", "{company}", "{employer}")
    with pytest.raises(
        PlaybookError, match=r"'acknowledgement' uses unknown placeholder \{employer\}"
    ):
        load_playbook(group_copy)


def test_broken_toml_is_named(group_copy: Path) -> None:
    (group_copy / "plan.toml").write_text("[reminders\n")
    with pytest.raises(PlaybookError, match=r"plan\.toml: not valid TOML"):
        load_playbook(group_copy)


def test_a_plan_offset_must_be_whole_days(group_copy: Path) -> None:
    content = (group_copy / "plan.toml").read_text()
    (group_copy / "plan.toml").write_text(re.sub(r"days = \d+", 'days = "soon"', content, count=1))
    with pytest.raises(PlaybookError, match=r"'reminders\.\w+\.days' must be a whole number"):
        load_playbook(group_copy)


def test_a_group_writes_its_own_check_in_prompts(group_copy: Path) -> None:
    (group_copy / "group.toml").write_text('checkin_prompts = ["Monday! How are we all?"]\n')
    local_due = datetime(2026, 11, 30, 9, 0)
    assert checkin_text(load_playbook(group_copy), local_due) == "Monday! How are we all?"
    assert "/win" in checkin_text(load_playbook(), local_due)  # the shipped ones, in turn


def test_check_in_prompts_must_be_a_list_of_texts(group_copy: Path) -> None:
    (group_copy / "group.toml").write_text('checkin_prompts = "How are we all?"\n')
    with pytest.raises(PlaybookError, match="'checkin_prompts' must be a non-empty list"):
        load_playbook(group_copy)


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed articles live in shared/")
def test_bounceback_speaks_in_its_own_words() -> None:
    """No run of eight words from a source article appears in the playbook."""

    def runs(text: str) -> set[str]:
        words = re.findall(r"[a-z']+", text.lower().replace("\u2019", "'"))
        return {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}

    seeds = set().union(*(runs(path.read_text()) for path in SEEDS.glob("*.txt")))
    ours = set().union(*(runs(path.read_text()) for path in SHIPPED.glob("*.toml")))
    assert not seeds & ours


def test_a_word_group_the_reader_cannot_read_is_named(group_copy: Path) -> None:
    rewrite(group_copy / "examples.toml", "hopeless = [\n", 'hopeless = [\n  "go on",\n')
    with pytest.raises(PlaybookError, match=r"'kin\.hopeless' has \"go on\""):
        load_playbook(group_copy)


def test_a_reason_of_two_things_names_two_of_the_categories(group_copy: Path) -> None:
    unknown = '  { text = "no SQL", categories = ["missing_skill", "luck"] },\n'
    rewrite(
        group_copy / "examples.toml",
        "[two_reasons]\nexamples = [\n",
        f"[two_reasons]\nexamples = [\n{unknown}",
    )
    with pytest.raises(PlaybookError, match=r"'two_reasons\.examples' has .*no SQL.*two of"):
        load_playbook(group_copy)
