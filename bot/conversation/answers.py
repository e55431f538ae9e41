"""Answers to the questions members ask along the way (bot/playbook/answers.toml).

A member in the middle of a dialogue asks "should I even bother asking for
feedback?". Refusing it as "not the answer" leaves them alone with the question;
one the playbook answers gets that answer, and the dialogue then asks its own
question again.
"""

from __future__ import annotations

import re

from bot.parsing import count_mentioned, normalised
from bot.playbook import Playbook

_ASKING = re.compile(
    r"^(?:what|how|why|when|who|which)\b"
    r"|\b(?:should|would|could|can|do|does|did|is|are|will|shall)\s+"
    r"(?:i|we|you|it|they|there|he|she|that|this)\b"
    r"|\b(?:what|how|why)\s+(?:is|are|should|do|does|can|would)\b"  # "6 nos. what is one..."
)


def sounds_like_a_question(text: str) -> bool:
    folded = normalised(text)
    return "?" in folded or _ASKING.search(folded) is not None


def answer_to(text: str, playbook: Playbook) -> str | None:
    """The playbook's answer to a question the member asked, if it has one."""
    if not sounds_like_a_question(text):
        return None
    topics = playbook.table("answers.answers").values()
    said = [(count_mentioned(text, topic["phrases"]), topic) for topic in topics]
    hits, best = max(said, key=lambda pair: pair[0])  # the first, of those that say most
    return str(best["answer"]) if hits else None
