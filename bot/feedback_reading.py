"""Reading the reason a member was given into one of the playbook's six categories."""

from __future__ import annotations

import re

from bot.playbook import Playbook

NO_FEEDBACK = "no_feedback"


def classify_reason(reason: str, playbook: Playbook) -> str | None:
    """The category whose phrases the reason mentions most; None when it is unclear."""
    text = " ".join(reason.lower().split())
    if not text:
        return NO_FEEDBACK
    scores: dict[str, int] = {}
    for name, category in playbook.table("feedback.categories").items():
        hits = sum(1 for phrase in category["keywords"] if _mentions(text, phrase.lower()))
        if hits:
            scores[name] = hits
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None
