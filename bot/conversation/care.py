"""Noticing when it is more than a job (PLAYBOOK section 11), and listening after.

Words of despair stop the coaching: care, a person to reach, and whatever
dialogue was open held until the member types `continue`. While held, every
message is still heard: asked who to call, Bounceback names the group's contact
and a line for the member's country; told they are stopping, it says goodnight;
anything else gets a caring line, never the same one twice in a row.
"""

from __future__ import annotations

import re
from typing import Any

from bot.conversation.commands import command
from bot.conversation.engine import Ask, Dialogue, Question, Step, Turn
from bot.parsing import mentions_any, normalised, phrase_pattern
from bot.playbook import DESPAIR, Playbook

DESPAIR_SURE = 0.9  # how sure the reader must be of despair that no plain phrase names


def sounds_like_crisis(text: str, playbook: Playbook) -> bool:
    """Words of despair: a plain phrase of it, once everyday words that share it ("I
    can't do this anymore today") are set aside; or despair in other words, as the
    examples taught the reader, where a word of the playbook's hopeless group is there
    to read (so "keep them coming" can never hold a conversation)."""
    meant = phrase_pattern(tuple(playbook.table("comfort.ordinary_phrases"))).sub(
        " ", normalised(text)
    )
    if mentions_any(meant, playbook.table("comfort.crisis_phrases")):
        return True
    reader = playbook.despair_reader
    if "hopeless" not in reader.groups_in(meant):
        return False
    reading = reader.read(meant)
    return reading.label == DESPAIR and reading.sureness >= DESPAIR_SURE


def support_contact(turn: Turn) -> str:
    """Who this member's group says to reach: set by its facilitators with `/group
    support`, else the deployment's BOUNCEBACK_CRISIS_CONTACT, else nobody named."""
    group = turn.repo.group.find()
    return (group.support if group else "") or turn.settings.crisis_contact


def crisis_response(playbook: Playbook, contact: str, zone: str = "UTC") -> str:
    """Care first, with the lines to call in the same message: nobody should have to ask."""
    care = playbook.text(
        "comfort.crisis_response", contact=contact or playbook.text("comfort.default_contact")
    )
    return f"{care}\n{_listed(playbook.text('care.help_intro'), _lines(playbook, zone))}"


def held_reply(text: str, turn: Turn) -> str:
    """The answer to a member's `turn.held`-th message since they were held for care.
    A member who names someone they know, or turns down a helpline, is heard: the lines
    are not pressed on them again."""
    care = turn.playbook
    if sounds_like_crisis(text, care):
        return people_to_reach(care, support_contact(turn), turn.repo.member.timezone)
    if mentions_any(text, care.table("care.better_words")):
        return care.text("care.better")
    if mentions_any(text, care.table("care.known_people")):
        return care.text("care.someone_known")
    if mentions_any(text, care.table("care.declines_lines")):
        return care.text("care.declined")
    if mentions_any(text, care.table("care.asks_for_help")):
        return people_to_reach(care, support_contact(turn), turn.repo.member.timezone)
    if mentions_any(text, care.table("care.okay_words")):
        return care.text("care.stood_down")
    if mentions_any(text, care.table("care.stopping_words")):
        return care.text("care.stopping")
    if len(text.split()) <= 4 and mentions_any(text, care.table("care.thanks_words")):
        return care.text("care.thanks")
    listening: Any = care.table("care.listening")
    return str(listening[(turn.held - 2) % len(listening)])  # held 2: the first since


def wants_to_continue(text: str, playbook: Playbook) -> bool:
    """ "continue", or a short message that says it ("um im back though? continue"), but
    never one that says they can't go on."""
    said = normalised(text).strip(" .!")
    if said in ("continue", "resume"):
        return True
    return (
        len(said.split()) <= CONTINUE_WORDS
        and mentions_any(said, playbook.table("care.continue_words"))
        and not _NOT.search(said)
        and not sounds_like_crisis(said, playbook)
    )


CONTINUE_WORDS = 8
_NOT = re.compile(r"\b(?:not|no|never|can'?t|cannot|don'?t|won'?t)\b")


def asks_for_a_person(text: str, playbook: Playbook) -> bool:
    return mentions_any(text, playbook.table("care.asks_for_a_person"))


def people_to_reach(playbook: Playbook, contact: str, zone: str) -> str:
    """The group's own contact, the line for the member's country, and where to find
    any other: concrete, so nobody is left to search while they feel like this."""
    people = _listed(
        playbook.text("care.help_intro"), ([contact] if contact else []) + _lines(playbook, zone)
    )
    return "\n".join([people, playbook.text("care.smaller_step"), playbook.text("care.help_outro")])


def _lines(playbook: Playbook, zone: str) -> list[str]:
    country = support_line(playbook, zone)
    return [*([country] if country else []), playbook.text("care.fallback_line")]


def _listed(intro: str, lines: list[str]) -> str:
    return "\n".join([intro, *(f"- {line}" for line in lines)])


def support_line(playbook: Playbook, zone: str) -> str | None:
    """The free line of the country the member's time zone is in, if the playbook has it."""
    for country in playbook.table("care.lines").values():
        if zone in country["zones"]:
            return str(country["line"])
    return None


class Listening(Step):
    """Where a member is held for care when no dialogue was open: nothing is asked."""

    name = "listening"

    def question(self, turn: Turn) -> Question:
        return Ask(turn.playbook.text("care.thanks"), lambda raw, _t: raw)

    def answered(self, turn: Turn, value: str) -> None:
        return None


@command("Someone to talk to, when it is more than a job.", listed=False)
class CareDialogue(Dialogue):
    name = "care"
    steps = (Listening,)
    entries = (Listening,)  # the core holds a member here after words of despair

    def begin(self, turn: Turn, args: str) -> None:
        turn.say(people_to_reach(turn.playbook, support_contact(turn), turn.repo.member.timezone))
