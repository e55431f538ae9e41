"""Drafted notes, filled from the facts the member gave."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsing import capitalised, without_aside
from bot.playbook import Playbook
from bot.rejection.reason import CANCELLED, PAY

CONTACT_VARIANT = {
    "hiring_manager": "hiring_manager",
    "recruiter": "recruiter",
    "interviewer": "interviewer",
    "insider": "connection",
    "referrer": "connection",
}


@dataclass(frozen=True)
class Contact:
    """Who the member dealt with, read as people write it: "Priya, the recruiter",
    "the panel, seven interviewers", "Dr. Okafor", "the hiring manager"."""

    name: str  # what to call them: "Priya"; "" when only a role or a group was given
    role: str  # a contact role the words name ("recruiter"), or ""
    several: bool  # a panel or a team: one note to them all

    @property
    def greeting(self) -> str:
        return "all" if self.several else self.name or "there"


GROUPS = frozenset({"panel", "team", "interviewers", "committee", "everyone", "people", "them"})
ROLES = {
    "recruiter": "recruiter",
    "hr": "recruiter",
    "talent": "recruiter",
    "hiring manager": "hiring_manager",
    "manager": "hiring_manager",
    "interviewer": "interviewer",
    "interviewers": "interviewer",
    "panel": "interviewer",
    "referred": "referrer",
    "referral": "referrer",
    "friend": "insider",
}
TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof"})
_NEVER_A_NAME = frozenset({"the", "my", "their", "our"})
_NOT_A_NAME = frozenset({"a", "an", "some", "several", "two", "three", "four", "five"})
_APART = re.compile(r",|\(|\)|;|/| - | from | at ")


def read_contact(text: str) -> Contact:
    words = re.findall(r"[\w'.-]+", text.lower())
    joined = " ".join(words)
    role = next((ROLES[key] for key in ROLES if re.search(rf"\b{key}\b", joined)), "")
    several = any(word in GROUPS for word in words) or bool(
        re.search(r"\b\w+ interviewers\b", joined)
    )
    name = _first_name(_APART.split(text)[0])
    return Contact(capitalised(name), role, several)


_CALLED = re.compile(r"\b(?:called|named)\s+([^\W\d_][\w'-]*)", re.IGNORECASE)


def tidy_contact(raw: str) -> str:
    """Who they dealt with, as the member described them, without the remark that
    followed; "some hiring manager called priya i think" is Priya (hiring manager), and
    "three of them ... recruiter was Priya" is Priya: a person named by their part comes
    before a group."""
    raw = _CAME_FROM.sub("", raw.strip())  # "The letter came from Mr. Ellery"
    raw = _TITLE_STOP.sub(r"\1", raw)
    raw = _SOMETHING.sub("", _SURNAME_UNKNOWN.sub("", raw))  # "idk her surname, dani"
    first = _PART_FIRST.match(raw)  # "recruiter was priya"
    if first is not None:
        return f"{capitalised(first['name'])} ({first['role'].lower()})"
    text = _THEN.split(without_aside(raw))[0].strip(" ,")  # "jess and then the panel"
    described = _DESCRIBED_THEN_NAMED.match(text)  # "some hr person, priya i think"
    if described is not None:
        text = f"{described['name']} ({described['who']})"
    by_part = _BY_PART.search(raw)
    if by_part is not None and (read_contact(text).several or not read_contact(text).name):
        role = by_part["role"] or by_part["role_after"]
        return f"{by_part['name'] or by_part['name_before']} ({role.lower()})"
    called = _CALLED.search(text)
    if called is None:
        return _with_part(text, raw)
    role = _role_words(text)
    return f"{capitalised(called[1])} ({role})" if role else capitalised(called[1])


def _with_part(text: str, raw: str) -> str:
    """ "rachel. hiring manager": the part said after the name is kept beside it."""
    if read_contact(text).role or text == raw.strip():
        return text
    part = _role_words(raw)
    return f"{text} ({part})" if part else text


def _role_words(text: str) -> str:
    """The words of the first part the text names ("hiring manager"), or ""."""
    said = text.lower()
    return next((key for key in ROLES if re.search(rf"\b{key}\b", said)), "")


_THEN = re.compile(r"\s+(?:and then|and also|plus)\s+", re.IGNORECASE)
_DESCRIBED_THEN_NAMED = re.compile(
    r"^(?:some|an?|the)\s+(?P<who>[\w ]{2,30}?)(?:\s+(?:person|guy|lady|woman|man))?,\s*"
    r"(?P<name>[^\W\d_][\w'-]*)(?:\s+i\s+think)?$",
    re.IGNORECASE,
)
_PARTS = r"recruiter|hiring manager|hr|manager|interviewer"
_BY_PART = re.compile(
    rf"\b(?P<role>(?i:{_PARTS}))\s+(?:was|is)\s+(?P<name>[A-Z][\w'-]+)"
    rf"|\b(?P<name_before>[A-Z][\w'-]+)\s+(?:was|is)\s+(?:the|our|my)\s+(?P<role_after>(?i:{_PARTS}))"
)

_PART_FIRST = re.compile(
    rf"^(?:the\s+|my\s+|a\s+)?(?P<role>{_PARTS})\s+(?:was|is|called|named|[:-])\s*"
    r"(?P<name>[^\W\d_][\w'-]*(?:\s+[^\W\d_][\w'-]*)?)$",
    re.IGNORECASE,
)
_SURNAME_UNKNOWN = re.compile(
    r"^(?:idk|dunno|not sure of|don'?t know|no idea of)\s+(?:her|his|their)\s+"
    r"(?:surname|last name|full name)[,.:]?\s*",
    re.IGNORECASE,
)
# How the news came, said before who it came from: "The letter came from Mr. Ellery".
_CAME_FROM = re.compile(
    r"^(?:the\s+|their\s+|an?\s+)?(?:news|letter|email|e-mail|mail|call|message|rejection|"
    r"phone call|no)\s+(?:came\s+|was\s+)?(?:from|by)\s+",
    re.IGNORECASE,
)
_TITLE_STOP = re.compile(rf"\b({'|'.join(TITLES)})\.", re.IGNORECASE)  # "Mr." ends no sentence
_SOMETHING = re.compile(r"\s+(?:something|somebody|smth)\W*$", re.IGNORECASE)


def _first_name(part: str) -> str:
    words = part.split()
    if not words:
        return ""
    first, rest = words[0].lower(), {word.lower() for word in words[1:]}
    if rest and (first in _NEVER_A_NAME or (first in _NOT_A_NAME and rest & (GROUPS | set(ROLES)))):
        return ""  # "the panel", "an interviewer"; but "A Kumar" is a name

    if words[0].lower().strip(".") in TITLES and len(words) > 1:
        return f"{words[0]} {words[-1]}"
    if words[0].lower() in ROLES or words[0].lower() in GROUPS:
        return ""
    return words[0]


# What a member says before pasting their own note ("lol no. ill just write it myself:"),
# up to the greeting that opens it ("Hi Kelsey," or "Dear Ms Okafor" on a line of its own)
_PREFACE = re.compile(
    r"^(?P<preface>(?!(?:hi|hello|dear|hey)\b).{1,200}?)(?:[:\n]|[.!]\s)\s*"
    r"(?P<note>(?:hi|hello|dear|hey|good (?:morning|afternoon))\b[^\n,.!?]{0,40}[,\n].*)$",
    re.IGNORECASE | re.DOTALL,
)


def without_preface(note: str) -> str:
    """The note as it is to be sent, without the words to me that came before it."""
    found = _PREFACE.match(note)
    return found["note"] if found else note


def drafted_note(
    playbook: Playbook,
    *,
    company: str,
    role: str,
    stage: str,
    contact_name: str,
    contact_role: str,
    member_name: str,
    reason_given: bool = False,
    strength: str = "",
    situation: str = "",
    short: bool = False,
) -> str:
    """The thank-you and feedback request, in the variant that fits who they dealt with;
    when they already gave a reason, the note builds on it rather than asking again, and
    a role that went away, or a budget that did not meet, asks for nothing to learn."""
    variant = CONTACT_VARIANT.get(contact_role, "team") if contact_name else "team"
    stage_line = playbook.text(f"notes.stage_lines.{_stage_key(stage)}", company=company)
    ask = SITUATION_ASKS.get(situation) or ("reason_given" if reason_given else variant)
    return playbook.text(
        "notes.short_note" if short else f"notes.thank_you.{variant}",
        greeting_name=_greeting(contact_name),
        company=company,
        role=role,
        stage_line=stage_line,
        feedback_ask=playbook.text(f"notes.feedback_asks.{ask}"),
        strength=f"my {strength}" if strength else playbook.text("notes.no_strength"),
        member_name=member_name or "[your name]",
    )


SITUATION_ASKS = {CANCELLED: "role_cancelled", PAY: "pay"}


def follow_up_note(
    playbook: Playbook, key: str, *, company: str, role: str, contact_name: str, member_name: str
) -> str:
    """A later note (second ask, advice meeting, keep in touch, reconnect)."""
    return playbook.text(
        f"notes.{key}",
        greeting_name=_greeting(contact_name),
        company=company,
        role=role,
        member_name=member_name or "[your name]",
    )


def _stage_key(stage: str) -> str:
    return {"final": "final", "runner_up": "final", "screen": "screen"}.get(stage, "interview")


def _greeting(contact_name: str) -> str:
    return read_contact(contact_name).greeting
