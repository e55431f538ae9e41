"""Reading the reason a member was given into one of the playbook's six categories."""

from __future__ import annotations

import re

from bot.conversation.engine import Pick, Turn
from bot.conversation.events import Option
from bot.parsing import mentions_any
from bot.playbook import NEUTRAL, Playbook

NO_FEEDBACK = "no_feedback"


SURE = 0.9  # how sure the reader must be to name a category: a wrong one misleads
_SPACES = re.compile(r"[^\S\n]+")
_CLAUSES = re.compile(r"[.;!?\n]+|,?\s+(?:and|but|also|plus|though)\s+", re.IGNORECASE)


def read_reason(reason: str, playbook: Playbook) -> tuple[str, ...]:
    """The categories a reason names, likeliest first: two when it names two things
    ("more SQL, and someone internal"), none when the reader is unsure. "No reason" is
    read only when nothing else is: a recruiter's stock lines wrap many real reasons."""
    if not reason.strip():
        return (NO_FEEDBACK,)
    reason = _SPACES.sub(" ", reason)  # a phone's no-break spaces read as spaces
    clauses = [clause for clause in _CLAUSES.split(reason) if clause.strip()]
    readings = [playbook.reason_reader.read(reason)]
    if len(clauses) > 1:
        readings += map(playbook.reason_reader.read, clauses)  # named in the order said
    named: list[str] = []
    for reading in readings:
        if reading.sureness >= SURE and reading.label not in (*named, NEUTRAL):
            named.append(reading.label)
    if len(named) > 1 and NO_FEEDBACK in named:
        named.remove(NO_FEEDBACK)
    rival = named[:1] == ["better_qualified"]  # "more Kubernetes experience" is no rival
    leaning = not named and readings[0].label == "missing_skill"  # a tool named settles it
    if (rival or leaning) and _a_named_tool(reason, playbook):
        named[:1] = ["missing_skill"]
    return tuple(dict.fromkeys(named[:2]))


def _a_named_tool(reason: str, playbook: Playbook) -> bool:
    """The experience asked for is of a thing, as a tool's or a field's name is ("more
    Kubernetes experience"), not of words the reader groups ("more years of experience")."""
    skill = named_skill(reason)
    return skill is not None and not playbook.reason_reader.groups_in(skill)


def classify_reason(reason: str, playbook: Playbook) -> str | None:
    """The likeliest category of the reason; None when it is unclear."""
    named = read_reason(reason, playbook)
    return named[0] if named else None


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


def note_reading(turn: Turn, reason: str) -> None:
    """Keep what the reason reads as, for `category_question` to put to the member."""
    named = read_reason(reason, turn.playbook) if reason else (NO_FEEDBACK,)
    turn.data["guess"] = named[0] if named else None
    turn.data["also"] = named[1] if len(named) > 1 else None


def category_question(turn: Turn) -> Pick:
    """Our reading of the reason, one category or two, for the member to confirm or
    correct."""
    categories = turn.playbook.table("feedback.categories")
    read = _readings(turn)
    others = tuple(
        Option(key, category["label"]) for key, category in categories.items() if key not in read
    )
    unsure = Option(UNSURE, "I'm not sure", also=("idk", "dunno", "no idea", "don't know"))
    if not read:
        return Pick("Which of these comes closest to the reason they gave?", (*others, unsure))
    if len(read) == 1:
        label = categories[read[0]]["label"]
        return Pick(
            f"Reading what they said, it sounds like: {label}. Is that right? "
            "If not, pick the one that fits better.",
            # naming my reading back ("it was a missing skill") confirms it
            (Option("yes", "Yes, that's it", also=(label,)), *others, unsure),
        )
    first, second = (_in_a_sentence(categories[name]["label"]) for name in read)
    return Pick(
        f"Reading what they said, it sounds like two things: {first}, and {second}. "
        "Is that right? If only one of them fits, or another does, pick it.",
        (
            Option("yes", "Yes, both", also=("both",)),
            *(Option(name, f"Only: {categories[name]['label']}") for name in read),
            *others,
            unsure,
        ),
    )


def _in_a_sentence(label: str) -> str:
    """ "An internal candidate got it" as it reads after a comma."""
    return label[:1].lower() + label[1:]


UNSURE = "unsure"  # the member can't say: my reading stands, or no clear reason


def confirmed_categories(turn: Turn, value: str) -> tuple[str, ...]:
    """What the member's answer to `category_question` settles on, the main one first:
    my reading, confirmed or left to me when they are unsure (no clear reason, without a
    reading), or the category they chose."""
    if value == UNSURE:
        turn.say(turn.playbook.text("feedback.unsure"))
    if value not in ("yes", UNSURE):
        return (value,)
    return _readings(turn) or (NO_FEEDBACK,)


def _readings(turn: Turn) -> tuple[str, ...]:
    """What `note_reading` kept: none, one or two categories."""
    return tuple(name for name in (turn.data.get("guess"), turn.data.get("also")) if name)


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
    categories: tuple[str, ...],
    reason: str = "",
    *,
    weigh: bool = True,
    gentle: bool = False,
) -> str:
    """The advice for each category the reason named, with the skill they named, and
    the caveat about guarded feedback only after the stock phrases that deserve it;
    `gentle` (the member feels low) keeps the reading and leaves the week's task for
    later."""
    advice = []
    for category in categories:
        entry = playbook.table(f"feedback.categories.{category}")
        skill = named_skill(reason) if category == "missing_skill" else None
        opening = f"They named {skill}. " if skill else ""
        step = playbook.text("feedback.gentle_step") if gentle else entry["next_step"]
        advice.append(f"{opening}{entry['meaning']} {step}")
    if weigh and reason and GUARDED.intersection(categories):
        advice[-1] += " " + playbook.text("feedback.weigh_it")
    return "\n\n".join(advice)


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
