"""Ten members' stories, played through the console as they typed them.

Each line in tests/stories/ was chosen after reading what Bounceback said, as the
member would; replay one with `python -m tests.support.stories FILE` to read it
again. Played here, every line must be understood or answered with a kind
question back, and no sentence of Bounceback's may be said twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.playbook import load_playbook
from tests.support.stories import STORIES, play

REFUSALS = ("didn't recognise", "reads like a question", "couldn't read", "I didn't catch")
SENTENCE = re.compile(r"^bounceback> (.{40,}?[.!])(?= |$)", re.MULTILINE)  # the bot's own words
# Said again by design: a reminder that comes back after a snooze, the plan after a change.
GREETING = re.compile(r"^Good (?:morning|afternoon|evening)\. ")
REMINDERS = load_playbook().table("plan.reminders").values()
AGAIN = (*(kind["message"].split("{")[0] for kind in REMINDERS), "Here is the follow-up plan")


@pytest.mark.parametrize("story", sorted(STORIES.glob("*.txt")), ids=lambda path: path.stem)
def test_a_members_story_is_heard_line_by_line(story: Path, tmp_path: Path) -> None:
    exchanges = play(story, tmp_path)
    for line, said in exchanges:
        assert said.strip(), f"no answer to {line!r}"
        assert not any(refusal in said for refusal in REFUSALS), (line, said)
    sentences = [
        sentence
        for _, said in exchanges
        for sentence in SENTENCE.findall(said)
        if not GREETING.sub("", sentence).startswith(AGAIN)
    ]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated, repeated
