"""Reading the reason a member was given into one of the playbook's six categories."""

from __future__ import annotations

from bot.phrases import count_mentioned
from bot.playbook import Playbook

NO_FEEDBACK = "no_feedback"


def classify_reason(reason: str, playbook: Playbook) -> str | None:
    """The category whose phrases the reason mentions most; None when it is unclear."""
    if not reason.strip():
        return NO_FEEDBACK
    scores = {
        name: count_mentioned(reason, category["keywords"])
        for name, category in playbook.table("feedback.categories").items()
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if ranked[0][1] == 0 or ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]
