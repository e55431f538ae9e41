"""`/rejected [company]`: from the first minutes after a "no" to a follow-up plan.

Acknowledge, check the mood, capture the facts, then branch on how far the
member got: a light path for an automated no after applying, the full
gracious note for everyone who met people, and the advice meeting for those
who came close. It ends with their own evidence, the offer to pass the
opening on, and a plan they accept, trim or move.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.conversation.answers import sounds_like_a_question
from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import (
    SKIP,
    Ask,
    Dialogue,
    Field,
    Fill,
    Pick,
    Question,
    Reader,
    Step,
    Turn,
    signature,
)
from bot.conversation.events import FormField, Inbound, Option, Text
from bot.group.posts import CHOOSE_A_CHANNEL, post_to_group
from bot.parsing import (
    InvalidAnswer,
    capitalised,
    free_text,
    name,
    optional_name,
    past_date,
    pick,
    signature_named,
    without_aside,
)
from bot.rejection.notes import (
    drafted_note,
    follow_up_note,
    read_contact,
    tidy_contact,
    without_preface,
)
from bot.rejection.plan_steps import Move, Plan, Trim, offer_plan
from bot.rejection.reason import (
    CANCELLED,
    CANDID,
    FILLED,
    NO_FEEDBACK,
    SITUATION_CATEGORY,
    VAGUE,
    category_advice,
    category_question,
    classify_reason,
    confirmed_categories,
    note_reading,
    role_filled,
    situation,
    went_quiet,
)
from bot.rejection.stages import CAME_CLOSE, STAGES
from bot.wins.evidence import evidence

STAGE_OPTIONS = tuple(Option(stage.value, stage.label, also=stage.also) for stage in STAGES)
CONTACT_OPTIONS = (
    Option("hiring_manager", "Hiring manager"),
    Option("recruiter", "Recruiter or HR"),
    Option("interviewer", "An interviewer"),
    Option("insider", "Someone I know there"),
    Option("referrer", "The person who referred me"),
)


class Mood(Step):
    name = "mood"

    def question(self, turn: Turn) -> Question:
        moods = turn.playbook.table("moods.moods")
        options = tuple(
            Option(key, mood["label"], also=tuple(mood.get("also", ())))
            for key, mood in moods.items()
        )
        return Ask(turn.playbook.text("comfort.mood_question"), _read_mood(options), options)

    def answered(self, turn: Turn, value: tuple[str, str]) -> type[Stage]:
        mood, told = value
        turn.data["mood"] = mood
        if went_quiet(told, turn.playbook):  # "they just ghosted me after 2 interviews"
            turn.data["ghosted"] = True
        response = f"moods.moods.{mood}.response" if mood else "comfort.mood_in_own_words"
        turn.say(turn.playbook.text(response))
        return Stage


OWN_WORDS = 6  # an answer this long that names no mood is how they feel, in their words


def _read_mood(options: tuple[Option, ...]) -> Reader:
    """A mood as chosen, or none when the member said how it went in their own words:
    a story of what happened is not refused for not being on the list."""

    def read(raw: str, _turn: Turn) -> tuple[str, str]:
        if raw in {option.value for option in options}:
            return raw, ""
        try:
            return pick(raw, options), raw
        except InvalidAnswer:
            if len(raw.split()) < OWN_WORDS:
                raise
            return "", free_text(raw)

    return read


class Stage(Step):
    name = "stage"

    def question(self, turn: Turn) -> Question:
        return Pick("When you're ready: how far did you get with them?", STAGE_OPTIONS)

    def answered(self, turn: Turn, value: str) -> type[Facts]:
        turn.data["stage"] = value
        return Facts


class Facts(Step):
    """One form of at most five fields, so it fits a Discord modal."""

    name = "facts"

    def question(self, turn: Turn) -> Question:
        company = turn.data.get("company", "")
        fields: list[Field] = []
        if not company or turn.capabilities.forms:
            fields.append(
                Field(
                    FormField("company", "Company", "Who said no?", required=True, initial=company),
                    _listening(lambda raw, _t: name(without_aside(raw), what="company name")),
                )
            )
        fields.append(
            Field(
                FormField("role", "Role", "e.g. Data Analyst"),
                _listening(lambda raw, _t: optional_name(without_aside(raw), what="role")),
            )
        )
        if turn.data["stage"] != "applied":
            fields.append(
                Field(
                    FormField(
                        "contact_name", "Who did you deal with?", "their name, if you know it"
                    ),
                    _listening(lambda raw, _t: optional_name(tidy_contact(raw), what="name")),
                )
            )
        fields += [
            Field(
                FormField("heard_on", "When did the news come?", "today, yesterday, 2026-11-20"),
                _listening(lambda raw, t: past_date(raw, today=t.today).isoformat()),
            ),
            Field(
                FormField(
                    "reason",
                    "Did they give a reason?",
                    "in their words, or leave it empty",
                    multiline=True,
                    max_length=2000,
                ),
                lambda raw, _t: free_text(raw),
            ),
        ]
        text = "Let's note down the facts. Only the company is needed; skip anything else."
        return Fill(text, "rejection_facts", "The facts", tuple(fields))

    def answered(
        self, turn: Turn, value: dict[str, Any]
    ) -> (
        type[ContactRole]
        | type[Note]
        | type[Category]
        | type[AdviceMeeting]
        | type[PassOn]
        | type[Plan]
        | None
    ):
        facts = {key: item for key, item in value.items() if item or key not in turn.data}
        turn.data.update(facts)
        turn.data.setdefault("contact_name", "")
        if not turn.data["heard_on"]:
            turn.data["heard_on"] = turn.today.isoformat()
        reason = turn.data.get("reason", "")
        turn.data["ghosted"] = turn.data.get("ghosted") or went_quiet(reason, turn.playbook)
        turn.data["situation"] = situation(reason, turn.playbook)  # a budget cut, a pay gap
        named_role = read_contact(turn.data["contact_name"]).role  # "Priya, the recruiter"
        if named_role and turn.data["contact_name"]:
            turn.data["contact_role"] = named_role
        turn.data["rejection_id"] = turn.repo.rejections.add(
            company=turn.data["company"],
            role=turn.data.get("role", ""),
            stage=turn.data["stage"],
            contact_name=turn.data["contact_name"],
            contact_role=turn.data.get("contact_role", ""),
            heard_on=date.fromisoformat(turn.data["heard_on"]),
            reason=turn.data.get("reason", ""),
            mood=turn.data.get("mood", ""),
            created_at=turn.now,
        )
        turn.say(f"Noted: {_summary(turn.data)}.")
        if turn.data["contact_name"] and not turn.data.get("contact_role"):
            return ContactRole  # not asked when their words already said it
        return _after_facts(turn)


def _listening(read: Reader) -> Reader:
    """A fact's reader that also hears "they didn't reject me, they just vanished" said
    beside the fact: a member who was ghosted says so wherever it comes to them."""

    def heard(raw: str, turn: Turn) -> Any:
        if went_quiet(raw, turn.playbook):
            turn.data["ghosted"] = True
        return read(raw, turn)

    return heard


class ContactRole(Step):
    name = "contact_role"

    def question(self, turn: Turn) -> Question:
        who = re.split(r"[,(]", turn.data["contact_name"])[0].strip()  # not their description
        return Pick(f"What was {who}'s part in it?", CONTACT_OPTIONS)

    def answered(
        self, turn: Turn, value: str
    ) -> type[Note] | type[Category] | type[AdviceMeeting] | type[PassOn] | type[Plan] | None:
        turn.data["contact_role"] = value
        _update(turn, contact_role=value)
        return _after_facts(turn)


def _after_facts(
    turn: Turn,
) -> type[Note] | type[Category] | type[AdviceMeeting] | type[PassOn] | type[Plan] | None:
    if turn.data["stage"] != "applied":
        return Note
    turn.say(turn.playbook.text("comfort.light_path"))
    if turn.data.get("reason"):
        return _read_reason(turn)
    turn.say(evidence(turn))
    return PassOn


class Note(Step):
    """The gracious thank-you and feedback request, which must sound like the member."""

    name = "note"

    def question(self, turn: Turn) -> Question:
        who = _addressed(turn.data["contact_name"])
        what = (
            "a short, cordial check-in (they went quiet, so there is nothing to thank them for yet)"
            if turn.data.get("ghosted")
            else "a thank-you and feedback request"
        )
        text = (
            f"Here is a draft of {what} for {who}. It should sound like you, so change "
            "anything that doesn't: paste your own version back, or keep this one."
        )
        return Ask(text, _read_note, options=NOTE_OPTIONS, quote=_draft(turn), sentences=True)

    def answered(
        self, turn: Turn, value: str
    ) -> type[Note] | type[Strength] | AfterTheDraft | None:
        if value == "strength":
            return Strength
        if value == "short" and (turn.data.get("short") or turn.data.get("ghosted")):
            turn.say(
                "That's about as short as a note gets while still saying what matters. "
                "Trim it yourself if you like and paste it back, or reply `keep`."
            )
            return Note
        if value == "short":
            turn.data["short"] = True
            return Note
        if value.startswith(READDRESS):  # "can it say hi marcus instead?"
            turn.data["contact_name"] = value.removeprefix(READDRESS)
            _update(turn, contact_name=turn.data["contact_name"])
            if turn.data["contact_name"]:
                turn.say(f"Done: it's addressed to {_addressed(turn.data['contact_name'])} now.")
            else:
                turn.say("Done: it opens without a name now.")
            return Note
        if value.startswith(SIGNED):  # "my name is jonas, not sam"
            signs_as = value.removeprefix(SIGNED)
            turn.repo.change(signs_as=signs_as)
            turn.say(f"Done: it's signed {signs_as} now, and so will every draft I write you.")
            return Note
        if value in (REMARK, REQUEST) and not turn.data.get("remarked"):
            turn.data["remarked"] = True
            turn.say(NOT_A_NOTE if value == REMARK else CANNOT_EDIT)
            return Note
        if value in (REMARK, REQUEST):  # twice: they want to go on; the draft waits, as it is
            turn.say(
                "Let's keep going; I've kept my draft for now, and you can change it "
                "before you send it."
            )
            value = "keep"
        if value == "skip":
            turn.say("That's fine. You can always come back to it.")
        else:
            _update(turn, note=_draft(turn) if value == "keep" else value)
            tip = "notes.nudge_tip" if turn.data.get("ghosted") else "notes.send_tip"
            turn.say(turn.playbook.text(tip))
        turn.data["note"] = value != "skip"
        back_to = turn.data.pop("back_to", None)
        if back_to is not None:  # come back to the draft from a later step: return there
            return AFTER_THE_DRAFT[back_to]
        return _read_reason(turn)


class Strength(Step):
    """One strength the member wants remembered, so the note's keep-in-mind line is
    theirs rather than "my experience"."""

    name = "strength"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "What's one strength you'd like them to remember you by? A few words, like "
            "`SQL dashboards`, `client workshops` or `the data migration I led`.",
            _read_strength,
            options=(SKIP,),
        )

    def answered(self, turn: Turn, value: str) -> type[Note]:
        turn.data["strength"] = value
        return Note


STRENGTH_WORDS = 8  # it fills one line of the note: "where my SQL dashboards could help"


def _read_strength(raw: str, _turn: Turn) -> str:
    strength = optional_name(without_aside(raw), what="strength").removeprefix("my ")
    if len(strength.split()) > STRENGTH_WORDS:
        raise InvalidAnswer(
            "That's more than one line of the note can carry. Could you put it in a few "
            "words, like `patient-facing software` or `cutting invoice time by 40%`?"
        )
    return strength


def _a_reason_given(turn: Turn) -> bool:
    """Whether they gave a candid one to thank them for: a skill, how the member came
    across, someone internal; not silence, "not a fit", "a different direction" or "many
    strong applicants", which would read as sarcasm."""
    reason = turn.data.get("reason", "")
    if not reason or turn.data.get("situation") == VAGUE:
        return False
    return classify_reason(reason, turn.playbook) in CANDID


def _later_note(turn: Turn, key: str) -> str:
    """A playbook note other than the thank-you, filled from this rejection's facts."""
    return follow_up_note(
        turn.playbook,
        key,
        company=turn.data["company"],
        role=turn.data.get("role", ""),
        contact_name=turn.data["contact_name"],
        member_name=signature(turn),
    )


def _addressed(contact_name: str) -> str:
    """Who a draft is for, as the member would say it: "Priya", "the panel"."""
    contact = read_contact(contact_name)
    if contact.name:
        return contact.name
    return contact_name.split(",")[0].strip() if contact.several else "the hiring team"


def _draft(turn: Turn) -> str:
    if turn.data.get("ghosted"):
        return _later_note(turn, "nudge")
    return drafted_note(
        turn.playbook,
        company=turn.data["company"],
        role=turn.data.get("role", ""),
        stage=turn.data["stage"],
        contact_name=turn.data["contact_name"],
        contact_role=turn.data.get("contact_role", ""),
        member_name=signature(turn),
        reason_given=_a_reason_given(turn),
        strength=turn.data.get("strength", ""),
        situation=turn.data.get("situation", ""),
        short=bool(turn.data.get("short")),
    )


SHORTER = ("shorten", "short", "sentences", "briefer")
NOTE_OPTIONS = (
    Option("keep", "Keep this draft"),
    Option("skip", "No note this time", also=("not now", "not right now", "not yet", "later")),
    Option("strength", "Add a strength of mine"),
    Option("short", "A shorter one", also=SHORTER),
)
REMARK = "remark"  # words about the draft, not a note of their own
REQUEST = "request"  # a change to the draft asked for, beyond what I can make
READDRESS = "to:"  # the draft addressed to someone else: "to:Marcus"; "to:" for no name
SIGNED = "signed:"  # the draft signed with the name the member gave: "signed:Jonas"
_TO_NOBODY = re.compile(
    r"\b(?:dear|hi|hello)\s+(?:hiring manager|hiring team|the team|team|sir or madam|all)\b",
    re.IGNORECASE,
)
CANNOT_EDIT = (
    "I can't rewrite parts of it myself yet. Copy it, change what you like, and paste your "
    "version back: I'll keep yours. Or reply `keep`, `shorter` or `skip`."
)
_TITLED = r"(?:(?:ms|mr|mrs|miss|mx|dr)\.?\s+)?[^\W\d_][\w'-]+"  # "Ms Okafor", "dani"
_READDRESS = re.compile(
    rf"\b(?:say|says|saying|start with|open with|change it to|make it|prefer)\s+['\"]?"
    rf"(?:hi|hello|dear)\s+(?P<a>{_TITLED})"
    rf"|\b(?:hi|hello|dear)\s+(?P<b>{_TITLED})\s+instead"
    r"|\b(?:her|his|their)\s+name(?:'s|\s+is)\s+(?P<e>[^\W\d_][\w'-]+)"
    r"|\baddress(?:ed)?\s+(?:it\s+)?to\s+(?P<c>[^\W\d_][\w'-]*)"
    r"|\b(?:should be|make it|send it|it'?s)\s+(?:to|for)\s+(?!me\b|them\b|him\b|her\b)"
    r"(?P<d>[^\W\d_][\w'-]*)",
    re.IGNORECASE,
)
_ASKING_A_CHANGE = re.compile(
    r"^(?:can|could|would|will)\s+(?:it|you|u|i|we)\b|^(?:please|pls|make it|add|change|mention)\b"
    r"|\b(?:can|could)\s+(?:it|you|u)\s+(?:say|mention|add|include|change|drop|remove)\b",
    re.IGNORECASE,
)
NOT_A_NOTE = (
    "That reads like a comment on the draft rather than a note to send, so I haven't "
    "kept it. Reply `keep` for this one, `shorter` for a shorter one, `skip` for no note, "
    "or paste your own version, starting with a greeting."
)
_LETTER = re.compile(  # a note thanks them *for* something; "thank you, that helps" is to me
    r"^(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b"
    r"|(?:thanks|thank you|many thanks)\s+(?:so much\s+|again\s+)?for\b)",
    re.IGNORECASE,
)
_ASKS_ME = re.compile(r"\b(?:how do i|how can i|should i|do i|where do i|what do i)\b", re.I)
NOTE_WORDS = 35  # a pasted note may open without a greeting, but it is rarely this short
SHORTEST_NOTE = 20  # characters


def _read_note(raw: str, turn: Turn) -> str:
    """The member's own note, or one of the options said in a sentence; a remark about
    the draft is not kept as a note (REMARK)."""
    if raw in {option.value for option in NOTE_OPTIONS}:
        return raw
    note = free_text(raw, max_length=3000)
    long = len(note.split()) >= NOTE_WORDS
    pasted = long or "\n" in note or (_LETTER.match(note) and not _ASKS_ME.search(note))
    if pasted and len(note) >= SHORTEST_NOTE:
        return without_preface(note)
    if _TO_NOBODY.search(note):  # "can it just say Dear Hiring Manager"
        return READDRESS
    readdressed = _READDRESS.search(note)
    if readdressed is not None:
        name = next(found for found in readdressed.groups() if found)
        return READDRESS + " ".join(map(capitalised, name.split()))
    name = signature_named(note, signature(turn))
    if name:
        return SIGNED + name
    try:  # "keep it", "not right now. i cant face talking to him yet"
        return pick(note, NOTE_OPTIONS)
    except InvalidAnswer:
        pass
    if len(note) < SHORTEST_NOTE:
        raise InvalidAnswer(
            "That's a little short for a note. Reply `keep` for the draft, `skip` for no "
            "note, or paste your own version."
        )
    asking = _ASKING_A_CHANGE.search(note) or sounds_like_a_question(note)
    return REQUEST if asking else REMARK


def _read_reason(
    turn: Turn,
) -> type[Category] | type[AdviceMeeting] | type[PassOn] | type[Plan] | None:
    """Ask the member to confirm our reading of the reason, or go straight on without one."""
    reason = turn.data.get("reason", "")
    note_reading(turn, reason)
    if turn.data.get("ghosted"):  # silence is its own answer: nothing to confirm
        return _read_without_asking(turn, NO_FEEDBACK, "feedback.ghosted_advice")
    found = turn.data.get("situation")
    if found:  # no verdict on them to confirm: the role or budget moved, or "not a fit"
        return _read_without_asking(turn, SITUATION_CATEGORY[found], f"feedback.{found}_advice")
    if reason:
        return Category
    _apply_category(turn, (NO_FEEDBACK,))
    return _after_category(turn)


def _read_without_asking(
    turn: Turn, category: str, advice: str
) -> type[AdviceMeeting] | type[PassOn] | type[Plan] | None:
    """A reading with nothing in it for the member to confirm: kept, and its advice said."""
    _update(turn, category=category)
    turn.data["category"] = category
    turn.say(turn.playbook.text(advice))
    return _after_category(turn)


class Category(Step):
    name = "category"

    def question(self, turn: Turn) -> Question:
        return category_question(turn)

    def answered(
        self, turn: Turn, value: str
    ) -> type[AdviceMeeting] | type[PassOn] | type[Plan] | None:
        _apply_category(turn, confirmed_categories(turn, value))
        return _after_category(turn)


def _apply_category(turn: Turn, categories: tuple[str, ...]) -> None:
    _update(turn, category=categories[0])
    turn.data["category"] = categories[0]
    automated = turn.data["stage"] == "applied"  # no people met, nothing guarded to weigh
    if automated and categories == (NO_FEEDBACK,):
        return  # the light path has said what there is to say
    reason = turn.data.get("reason", "")
    gentle = turn.data.get("mood") == "low"  # "nothing you need to do right now" holds
    advice = category_advice(turn.playbook, categories, reason, weigh=not automated, gentle=gentle)
    turn.say(advice)


def _after_category(turn: Turn) -> type[AdviceMeeting] | type[PassOn] | type[Plan] | None:
    if turn.data["stage"] in CAME_CLOSE:
        return AdviceMeeting
    turn.say(evidence(turn))
    return _pass_on_or_plan(turn)


def _pass_on_or_plan(turn: Turn) -> type[PassOn] | type[Plan] | None:
    """Only an opening that may still be open is worth passing on: not one someone else
    now fills (they came close, or the reason says who got it), nor one that was cut."""
    filled = (
        turn.data["stage"] in CAME_CLOSE
        or turn.data.get("category") in FILLED
        or role_filled(turn.data.get("reason", ""), turn.playbook)
    )
    if filled or turn.data.get("ghosted") or turn.data.get("situation") == CANCELLED:
        return offer_plan(turn)  # ghosted: their own application may still be alive
    return PassOn


class AdviceMeeting(Step):
    """Coming close means people there liked the member: ask them for advice."""

    name = "advice_meeting"

    def question(self, turn: Turn) -> Question:
        draft = _later_note(turn, "advice_meeting")
        options = (Option("yes", "I'll ask for one"), Option("no", "Not this time"))
        intro = turn.playbook.text(
            "notes.advice_meeting_intro",
            came_close=turn.playbook.text(f"notes.came_close.{turn.data['stage']}"),
            who=_advice_from(turn),
        )
        return Pick(intro, options, quote=draft)

    def answered(self, turn: Turn, value: str) -> type[PassOn] | type[Plan] | None:
        turn.data["advice_meeting"] = value == "yes"
        turn.say(evidence(turn))
        return _pass_on_or_plan(turn)


def _advice_from(turn: Turn) -> str:
    """Who to ask for advice: the person they met, if they decided; else the hiring
    manager, through whoever the member dealt with."""
    contact = read_contact(turn.data["contact_name"])
    role = turn.data.get("contact_role", "")
    if contact.name and role in ("hiring_manager", "interviewer"):
        return contact.name
    if contact.name:
        return turn.playbook.text("notes.advice_meeting_through", contact=contact.name)
    return turn.playbook.text("notes.advice_meeting_who")


class PassOn(Step):
    """A role that didn't fit one member may fit another: only with consent, no details."""

    name = "pass_on"

    def question(self, turn: Turn) -> Question:
        role = turn.data.get("role", "")
        text = turn.playbook.text(
            "comfort.pass_on_question", role=role, company=turn.data["company"]
        )
        return Pick(text, (Option("yes", "Yes, pass it on"), Option("no", "No, keep it private")))

    def answered(self, turn: Turn, value: str) -> type[Plan] | None:
        if value == "yes":
            role = turn.data.get("role") or "a role"
            post = turn.playbook.text(
                "comfort.pass_on_post", role=role, company=turn.data["company"]
            )
            if post_to_group(turn, post):
                _update(turn, opening_shared=True)
                turn.say("Passed on to the group, without your name.")
            else:
                turn.say(
                    "I haven't passed it on: the group has no channel yet, so there was "
                    f"nowhere to post it. {CHOOSE_A_CHANNEL}"
                )
        return offer_plan(turn)


def _update(turn: Turn, **values: Any) -> None:
    if not turn.repo.rejections.update(turn.data["rejection_id"], **values):
        # deleted by /forget-me from another surface, mid-dialogue
        raise InvalidAnswer("I can't find that rejection any more. Type /rejected to start again.")


def _summary(data: dict[str, Any]) -> str:
    what = f"{data['role']} at {data['company']}" if data.get("role") else data["company"]
    stage = {stage.value: stage.counted for stage in STAGES}[data["stage"]]  # "as runner-up"
    parts = [what, stage]
    if data.get("contact_name"):
        parts.append(f"with {data['contact_name']}")
    heard = "last heard from them" if data.get("ghosted") else "heard"
    parts.append(f"{heard} on {date.fromisoformat(data['heard_on']):%-d %b %Y}")
    return ", ".join(parts)


@command(
    "Had a no? Talk it through privately and plan the follow-up.",
    CommandOption("company", "The company that said no"),
    own_slack_command=True,
)
class RejectionDialogue(Dialogue):
    name = "rejected"
    steps = (
        Mood,
        Stage,
        Facts,
        ContactRole,
        Note,
        Strength,
        Category,
        AdviceMeeting,
        PassOn,
        Plan,
        Trim,
        Move,
    )

    def revisited(self, turn: Turn, event: Inbound, at: type[Step]) -> type[Note] | None:
        """From any step after the draft, "can we go back to the draft?" shows it again;
        once it is settled, the dialogue returns to where the member was."""
        if not isinstance(event, Text) or at.name not in AFTER_THE_DRAFT:
            return None
        if not _BACK_TO_THE_DRAFT.search(event.text):
            return None
        turn.data["back_to"] = at.name
        turn.say("Of course. Here's the draft again:")
        return Note

    def begin(self, turn: Turn, args: str) -> type[Mood]:
        if args.strip():
            try:
                turn.data["company"] = name(args, what="company name")
            except InvalidAnswer as problem:
                turn.say(f"{problem} I'll ask for it in a moment.")
        company = turn.data.get("company", "them")
        turn.say(turn.playbook.text("comfort.acknowledgement", company=company))
        return Mood


AfterTheDraft = (
    type[Category] | type[AdviceMeeting] | type[PassOn] | type[Plan] | type[Trim] | type[Move]
)
AFTER_THE_DRAFT: dict[str, AfterTheDraft] = {
    step.name: step for step in (Category, AdviceMeeting, PassOn, Plan, Trim, Move)
}
_BACK_TO_THE_DRAFT = re.compile(
    r"\b(?:back to the (?:draft|note)|(?:change|edit|redo|fix) the (?:draft|note)"
    r"|the (?:draft|note) again|add a strength)\b",
    re.IGNORECASE,
)
