"""Reading the reason a member was given into one of the playbook's six categories."""

from __future__ import annotations

import re

from bot.conversation.engine import Pick, Turn
from bot.conversation.events import Option
from bot.parsing import count_mentioned, mentions_any
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


def went_quiet(reason: str, playbook: Playbook) -> bool:
    """They never said no: the member was ghosted."""
    return mentions_any(reason, playbook.table("feedback.ghosted_phrases"))


# Situations that are no verdict on the member, each read before the categories
CANCELLED, PAY, VAGUE, OVERQUALIFIED = "cancelled", "pay", "vague", "overqualified"
SITUATION_CATEGORY = {
    CANCELLED: "different_direction",
    PAY: "different_direction",
    VAGUE: NO_FEEDBACK,
    OVERQUALIFIED: "different_direction",
}


def situation(reason: str, playbook: Playbook) -> str:
    """What the reason says happened when it was not about the member: the role went
    away, the numbers did not meet, "not a fit", "overqualified"; "" otherwise."""
    for found in (PAY, CANCELLED, OVERQUALIFIED, VAGUE):
        if mentions_any(reason, playbook.table(f"feedback.{found}_phrases")):
            return found
    return ""


def category_question(playbook: Playbook, guess: str | None) -> Pick:
    """Our reading of the reason, for the member to confirm or correct."""
    categories = playbook.table("feedback.categories")
    others = tuple(
        Option(key, category["label"]) for key, category in categories.items() if key != guess
    )
    unsure = Option(UNSURE, "I'm not sure", also=("idk", "dunno", "no idea", "don't know"))
    if guess is None:
        return Pick("Which of these comes closest to the reason they gave?", (*others, unsure))
    label = categories[guess]["label"]
    return Pick(
        f"Reading what they said, it sounds like: {label}. Is that right? "
        "If not, pick the one that fits better.",
        (Option("yes", "Yes, that's it"), *others, unsure),
    )


UNSURE = "unsure"  # the member can't say: my reading stands, or no clear reason


def confirmed_category(turn: Turn, value: str) -> str:
    """What the member's answer to `category_question` settles on: my reading, confirmed
    or left to me when they are unsure (no clear reason, without a reading), or the
    category they chose."""
    if value == UNSURE:
        turn.say(turn.playbook.text("feedback.unsure"))
    guess = turn.data.get("guess")
    return (guess or NO_FEEDBACK) if value in ("yes", UNSURE) else value


# reasons that tell the member something about themselves or the choice: worth thanking
# them for ("thank you for being open about the reason"), unlike a stock line
CANDID = frozenset({"missing_skill", "presentation", "internal_candidate"})
GUARDED = frozenset({"internal_candidate", "different_direction", "better_qualified"})
FILLED = frozenset({"internal_candidate", "better_qualified"})  # someone else has the role


def role_filled(reason: str, playbook: Playbook) -> bool:
    """The reason says someone else got the role ("they went with someone who...")."""
    return mentions_any(reason, playbook.table("feedback.filled_phrases"))


def category_advice(
    playbook: Playbook,
    category: str,
    reason: str = "",
    *,
    weigh: bool = True,
    gentle: bool = False,
) -> str:
    """The advice for a category, with the skill they named, and the caveat about
    guarded feedback only after the stock phrases that deserve it; `gentle` (the member
    feels low) keeps the reading and leaves the week's task for later."""
    entry = playbook.table(f"feedback.categories.{category}")
    skill = named_skill(reason) if category == "missing_skill" else None
    opening = f"They named {skill}. " if skill else ""
    step = playbook.text("feedback.gentle_step") if gentle else entry["next_step"]
    advice = f"{opening}{entry['meaning']} {step}"
    if weigh and reason and category in GUARDED:
        advice += " " + playbook.text("feedback.weigh_it")
    return advice


_SKILL = re.compile(
    r"(?:more|stronger|deeper|enough|hands-on|solid|proven)\s+(?P<a>[\w+#./ -]{2,40}?)\s+"
    r"(?:experience|skills?|knowledge|background)"
    r"|(?:experience|skills?|knowledge|background)\s+(?:with|in|of)\s+(?P<b>[\w+#./ -]{2,40}?)"
    r"(?:[,.;!]|\s+(?:and|but|which|that)\b|$)",
    re.IGNORECASE,
)


def named_skill(reason: str) -> str | None:
    """The skill a reason names: "more Kubernetes experience" is Kubernetes."""
    match = _SKILL.search(reason)
    if not match:
        return None
    skill = (match["a"] or match["b"]).strip()
    return None if skill.lower() in ("relevant", "industry", "the", "direct", "prior") else skill
