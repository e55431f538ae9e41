"""Reading the reason a member was given into one of the playbook's six categories."""

from __future__ import annotations

from bot.conversation.engine import Pick
from bot.conversation.events import Option
from bot.parsing import count_mentioned
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


def category_question(playbook: Playbook, guess: str | None) -> Pick:
    """Our reading of the reason, for the member to confirm or correct."""
    categories = playbook.table("feedback.categories")
    others = tuple(
        Option(key, category["label"]) for key, category in categories.items() if key != guess
    )
    if guess is None:
        return Pick("Which of these comes closest to the reason they gave?", others)
    label = categories[guess]["label"]
    return Pick(
        f"Reading what they said, it sounds like: {label}. Is that right? "
        "If not, pick the one that fits better.",
        (Option("yes", "Yes, that's it"), *others),
    )


def category_advice(playbook: Playbook, category: str, *, weigh: bool) -> str:
    entry = playbook.table(f"feedback.categories.{category}")
    advice = f"{entry['meaning']} {entry['next_step']}"
    if weigh:
        advice += " " + playbook.text("feedback.weigh_it")
    return advice
