"""The machinery every dialogue shares: steps, questions, and turns.

A step asks one question and, given a valid answer, says what it has to say
and returns the next step's class. Its return annotation lists every step it
can lead to, so the type checker holds each step to its edges and a test walks
every dialogue's graph from them. Answers are read by the parsers in
bot.parsing; a bad one is explained and the dialogue stays where it was. Forms
become one question at a time on surfaces without them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from bot.config import Settings
from bot.conversation.answers import answer_to
from bot.conversation.events import (
    Capabilities,
    Choice,
    FieldErrors,
    Form,
    FormField,
    FormSubmitted,
    Inbound,
    Member,
    Option,
    Origin,
    Reply,
    Text,
)
from bot.parsing import (
    InvalidAnswer,
    clean_text,
    matching_options,
    optional,
    pick,
    signature_named,
)
from bot.playbook import Playbook
from bot.store.members import FormFilling
from bot.store.repository import Repository

Reader = Callable[[str, "Turn"], Any]


@dataclass(frozen=True)
class Pick:
    """A question answered by choosing one option."""

    text: str
    options: tuple[Option, ...]
    quote: str | None = None


@dataclass(frozen=True)
class Ask:
    """A question answered in the member's own words; `options` are shortcuts."""

    text: str
    read: Reader
    options: tuple[Option, ...] = ()
    quote: str | None = None
    sentences: bool = False  # the reader reads whole sentences: options only by number or name


@dataclass(frozen=True)
class Field:
    """One input of a form, with the reader that checks it."""

    spec: FormField
    read: Reader


@dataclass(frozen=True)
class Fill:
    """A form: a modal where the surface has them, else a question per field."""

    text: str
    form_id: str
    title: str
    fields: tuple[Field, ...]

    def form(self) -> Form:
        return Form(self.form_id, self.title, tuple(f.spec for f in self.fields))


Question = Pick | Ask | Fill

SKIP = Option("skip", "Skip")


@dataclass
class Turn:
    """Everything a step may use while handling one event for one member."""

    member: Member
    origin: Origin  # where the event came from: a channel, or a DM
    repo: Repository
    playbook: Playbook
    settings: Settings
    now: datetime  # UTC, naive: the store's convention
    today: date  # in the member's own timezone
    capabilities: Capabilities
    data: dict[str, Any] = field(default_factory=dict)  # the dialogue's own, and only that
    filling: FormFilling | None = None  # a form being asked one field at a time
    held: int = 0  # held for care: messages heard since; nothing asked until they say so
    replies: list[Reply] = field(default_factory=list)
    handover: str | None = None  # a dialogue to start once this one has ended
    handover_args: str = ""  # what it starts from, as if typed after its command

    def say(self, text: str, **extra: Any) -> None:
        self.replies.append(Reply(text, **extra))


class Step(ABC):
    name: ClassVar[str]  # kept in the member's saved place: renaming one strands them

    @abstractmethod
    def question(self, turn: Turn) -> Question:
        """The question, changing nothing: it is built again to read each answer."""

    @abstractmethod
    def answered(self, turn: Turn, value: Any) -> type[Step] | None:
        """Act on a valid answer; return the next step, or None when the dialogue is done."""


class Dialogue(ABC):
    name: ClassVar[str]
    steps: ClassVar[tuple[type[Step], ...]]  # every step it can reach, named in its body
    entries: ClassVar[tuple[type[Step], ...]] = ()  # where others place a member directly
    asks: ClassVar[tuple[tuple[str, type[Step]], ...]] = ()  # outbox kinds it asks, and where
    _by_name: ClassVar[dict[str, type[Step]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._by_name = {step.name: step for step in cls.steps}
        if len(cls._by_name) != len(cls.steps):
            raise TypeError(f"two steps of {cls.__name__} share a name")

    @abstractmethod
    def begin(self, turn: Turn, args: str) -> type[Step] | None:
        """Start from a command's arguments; return the first step, or None if done."""

    def revisited(self, turn: Turn, event: Inbound, at: type[Step]) -> type[Step] | None:
        """An earlier step the member asks to go back to from `at` ("back to the draft,
        please"); None to read the message as the answer to `at`."""
        return None

    def step_named(self, name: str) -> type[Step] | None:
        """The step a saved place names; None if this version has no such step."""
        return self._by_name.get(name)


def ask(turn: Turn, step: type[Step]) -> None:
    """Put the step's question to the member, in the form their surface can show."""
    question = step().question(turn)
    if isinstance(question, Fill):
        if turn.capabilities.forms and turn.filling is None:
            turn.say(question.text, form=question.form())
            return
        if turn.filling is None:
            turn.say(question.text)
            turn.filling = FormFilling(0, {})
        spec = question.fields[turn.filling.position].spec
        hint = f" ({spec.placeholder})" if spec.placeholder else ""
        turn.say(f"{spec.label}{hint}", options=() if spec.required else (SKIP,))
        return
    turn.say(question.text, options=question.options, quote=question.quote)


def advance(turn: Turn, step: type[Step], event: Inbound) -> type[Step] | None:
    """Feed an answer to the current step; return the step the dialogue is now at."""
    current = step()
    try:
        value = _read(turn, current.question(turn), event)
    except InvalidAnswer as problem:
        turn.say(str(problem))
        ask(turn, step)
        return step
    except _FormInvalid as problem:
        turn.say("A few things need another look.", field_errors=problem.errors)
        return step
    if value is _STILL_FILLING:
        ask(turn, step)
        return step
    try:
        next_step = current.answered(turn, value)
    except InvalidAnswer as problem:
        turn.say(str(problem))
        ask(turn, step)
        return step
    if next_step is not None:
        ask(turn, next_step)
    return next_step


class _FormInvalid(Exception):
    def __init__(self, errors: FieldErrors) -> None:
        self.errors = errors


_STILL_FILLING = object()


def _read(turn: Turn, question: Question, event: Inbound) -> Any:
    """The answer to the step; a question the member asked on the way is answered too,
    and when it was all they said (a short one ending in "?"), the step's question is
    asked again. A signature named where it is no answer is kept all the same."""
    answer = answer_to(event.text, turn.playbook) if isinstance(event, Text) else None
    if answer is None:
        try:
            return _read_answer(turn, question, event)
        except InvalidAnswer:
            signed = signed_from_now_on(turn, event.text) if isinstance(event, Text) else None
            if signed is None:
                raise
            raise InvalidAnswer(signed) from None
    if isinstance(event, Text) and _only_a_question(event.text):
        raise InvalidAnswer(answer)
    try:
        value = _read_answer(turn, question, event)
    except InvalidAnswer:
        raise InvalidAnswer(answer) from None
    turn.say(answer)
    return value


def _read_answer(turn: Turn, question: Question, event: Inbound) -> Any:
    if isinstance(question, Fill):
        return _read_form(turn, question, event)
    if isinstance(question, Pick):
        return (
            pick(event.text, question.options)
            if isinstance(event, Text)
            else _shortcut(event, question.options)
        )
    raw = _shortcut(event, question.options, in_words=not question.sentences)
    chosen = {option.value for option in question.options}
    if raw in chosen:
        return question.read(raw, turn)
    if not question.sentences:
        return question.read(_not_a_question(raw), turn)
    try:  # a question may be the answer here ("can I move the chat earlier?")
        return question.read(raw, turn)
    except InvalidAnswer:
        _not_a_question(raw)
        raise


def _a_question(raw: str) -> bool:
    return raw.rstrip().endswith("?") and len(raw) <= QUESTION_LENGTH


def _only_a_question(raw: str) -> bool:
    return _a_question(raw) and len(raw.split()) <= QUESTION_WORDS


def _not_a_question(raw: str) -> str:
    """A question typed where an answer was asked for is not taken as the answer; an
    answer that ends by asking something ("they said X. does that make sense?") is."""
    if _only_a_question(raw):
        raise InvalidAnswer(
            "That reads like a question, so I haven't kept it as your answer. I can only "
            "take the answer at this step; here is what I asked:"
        )
    return raw


QUESTION_LENGTH = 300  # longer text ending in "?" is a pasted note or reason, kept
QUESTION_WORDS = 12  # a longer answer ending in "?" says something before it asks


def _shortcut(event: Inbound, options: tuple[Option, ...], *, in_words: bool = True) -> str:
    """The raw answer; a pressed button, its number or its label stands for its value,
    and `in_words`, a short answer naming one option in its own words."""
    if isinstance(event, Choice):
        if event.value not in {option.value for option in options}:
            raise InvalidAnswer("That button belongs to an earlier question. Here is where we are:")
        return event.value
    if not isinstance(event, Text):
        raise InvalidAnswer("That form belongs to an earlier question. Here is where we are:")
    typed = event.text.strip().lower()
    for number, option in enumerate(options, start=1):
        if typed in (str(number), option.label.lower(), option.value):
            return option.value
    # "keep it", "no note", "can you make it shorter?": not a pasted note; and never
    # text the reader must refuse ("@everyone look" is no "looks good")
    short = len(typed.split()) <= SHORTCUT_WORDS or _a_question(typed)
    if in_words and short and _acceptable(event.text):
        chosen = matching_options(typed, options)
        if len(chosen) == 1:
            return chosen[0].value
    return event.text


SHORTCUT_WORDS = 4  # an answer this short may name a shortcut in its own words


def _acceptable(text: str) -> bool:
    try:
        clean_text(text)
    except InvalidAnswer:
        return False
    return True


def _read_form(turn: Turn, question: Fill, event: Inbound) -> Any:
    if isinstance(event, FormSubmitted):
        if event.form_id != question.form_id:
            raise InvalidAnswer("That form belongs to an earlier question. Here is where we are:")
        return _read_fields(turn, question, event.values)
    if turn.filling is None:  # typed text while a modal was offered: go one at a time
        turn.filling = FormFilling(0, {})
        return _STILL_FILLING
    position = turn.filling.position
    current = question.fields[position]
    raw = _shortcut(event, () if current.spec.required else (SKIP,))
    if optional(raw) and not current.spec.required:
        value = ""
    elif optional(raw) and raw.strip():  # "skip" is no company name
        raise InvalidAnswer(f"This one I need: {current.spec.label.lower()}. Could you type it?")
    else:
        value = current.read(_not_a_question(raw), turn)
    values = {**turn.filling.values, current.spec.name: value}
    if position + 1 < len(question.fields):
        turn.filling = FormFilling(position + 1, values)
        return _STILL_FILLING
    turn.filling = None
    return values


def _read_fields(turn: Turn, question: Fill, submitted: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in question.fields:
        raw = str(submitted.get(item.spec.name, "") or "")
        if not raw.strip() and not item.spec.required:
            values[item.spec.name] = ""
            continue
        try:
            values[item.spec.name] = item.read(raw, turn)
        except InvalidAnswer as problem:
            errors[item.spec.name] = str(problem)
    if errors:
        raise _FormInvalid(FieldErrors(question.form_id, errors))
    return values


def member_name(turn: Turn) -> str:
    return turn.member.display_name or turn.repo.member.display_name


def signature(turn: Turn) -> str:
    """The name the member's drafts are signed with: the one they asked for, once."""
    return turn.repo.member.signs_as or member_name(turn)


def signed_from_now_on(turn: Turn, text: str) -> str | None:
    """When the member names the signature they want ("it's signed sam, i'm aisha"),
    it is kept for every draft: what to tell them, or None if they named none."""
    signs_as = signature_named(text, signature(turn))
    if signs_as is None:
        return None
    turn.repo.change(signs_as=signs_as)
    return f"Got it: your drafts are signed {signs_as} from now on."
