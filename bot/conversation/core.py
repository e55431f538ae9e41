"""Bounceback's core: one event in, the replies out, one transaction in between.

Adapters call `handle` with a neutral event and their capabilities. The
member's place in a dialogue is read from and written to the database in the
same transaction as anything the step saves, so a crash loses nothing that
was acknowledged and a restart continues where the member was.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.conversation.answers import answer_to, sounds_like_a_question
from bot.conversation.care import (
    CareDialogue,
    Listening,
    asks_for_a_person,
    crisis_response,
    held_reply,
    people_to_reach,
    sounds_like_crisis,
    support_contact,
    wants_to_continue,
)
from bot.conversation.engine import Dialogue, Fill, Step, Turn, advance, ask
from bot.conversation.events import (
    PLAIN_TEXT,
    Capabilities,
    Choice,
    Command,
    FormRequested,
    FormSubmitted,
    Inbound,
    Member,
    Reply,
    Text,
    Visibility,
)
from bot.conversation.inbox import Receipt, decoded, encoded
from bot.conversation.placing import placed
from bot.conversation.registry import ASKING, DECLARED, DIALOGUES, typed
from bot.conversation.unprompted import heard
from bot.group.health import facilitator_home
from bot.member.home import home
from bot.member.settings import adopt_timezone
from bot.parsing import InvalidAnswer, mentions_any
from bot.playbook import Playbook
from bot.reminders.actions import ReminderDialogue, act, answer_pause_offer, still_waiting
from bot.reminders.arrival import PAUSE, parse_action, welcome_back
from bot.reminders.asking import parse_ask_value, row_data
from bot.reminders.delivery import gives_way_to_a_reminder
from bot.store import inbox, members
from bot.store.database import Connection, Engine, IntegrityError, OperationalError
from bot.store.members import CrossedAnswers, Place, Roster
from bot.store.models import OPEN
from bot.store.repository import Repository

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

FAREWELL_WORDS = 15  # "ok ill take that as a no haha. thanks anyway, feeling better about it"
_COMMAND_NAME = re.compile(r"^[a-z][a-z-]{0,20}$")
UNAVAILABLE = Reply(  # the database is away (restarting, unreachable): nothing was saved
    "I can't reach my notes for a moment, so I couldn't take that in. "
    "Nothing you told me before is lost: please try again in a minute.",
    visibility=Visibility.ONLY_MEMBER,
)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Bounceback:
    def __init__(
        self,
        engine: Engine,
        playbook: Playbook,
        settings: Settings,
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.playbook = playbook
        self.settings = settings
        self.clock = clock

    def receive(self, arrived: Sequence[tuple[Inbound, str | None]]) -> list[Receipt]:
        """Write events down under the platforms' ids for them, in one transaction, before
        the adapter acknowledges them: a kill after the ack then loses nothing, and a
        redelivery is known as one. Without an id, or with the database away, nothing
        is written (the turn then applies the event, or says it could not be saved)."""
        entries = [(event.member, key, encoded(event)) for event, key in arrived if key]
        new: set[str] = set()
        if entries:
            try:
                with self.engine.begin() as db:
                    new = inbox.write_down(db, entries, self.clock())
            except OperationalError as error:
                log.warning("the database is unavailable: %s", str(error).splitlines()[0])
                return [Receipt(event, None) for event, _ in arrived]
        return [
            Receipt(event, key, repeat=key is not None and key not in new) for event, key in arrived
        ]

    def handle(
        self, event: Inbound, capabilities: Capabilities = PLAIN_TEXT, *, key: str | None = None
    ) -> list[Reply]:
        """Answer one event. Nothing is saved unless the whole turn succeeds; with the
        `key` it was received under, it is applied at most once, whoever replays it."""
        for attempt in range(2):
            try:
                with self.engine.begin() as db:
                    if not self._settled(db, event, key):
                        return []  # applied already: by an earlier delivery, or a replay
                    replies = self._handle(db, event, capabilities)
                return _placed(event, replies)
            except IntegrityError:  # two first contacts created the member at once
                if attempt:
                    raise
            except CrossedAnswers:  # another answer from this member landed first
                break
            except OperationalError as error:
                log.warning("the database is unavailable: %s", str(error).splitlines()[0])
                return [UNAVAILABLE]
        return _placed(event, self._where_we_are(event, capabilities, key))

    def unsettled(self, platform: str, received_before: datetime) -> list[Receipt]:
        """Events of this platform acknowledged but never applied (the process that took
        them was killed), oldest first: each start-up replays them with their keys."""
        with self.engine.connect() as db:
            waiting = inbox.unsettled(db, platform, received_before)
        return [Receipt(decoded(event), key) for key, event in waiting]

    def give_up(self, platform: str, key: str) -> None:
        """An event whose replay failed too: settled, so it is not tried at every start."""
        with self.engine.begin() as db:
            inbox.settle(db, platform, key, self.clock())

    def home(self, member: Member) -> list[Reply]:
        """The member's home (Slack's App Home tab): waiting follow-ups, wins, settings,
        and for a facilitator how the group is doing."""
        now = self.clock()
        with self.engine.begin() as db:
            repo = Repository.open(db, member, now, timezone=self.settings.default_timezone)
            own = home(repo, self.playbook, local_today(now, repo.member.timezone))
            return own + facilitator_home(repo, self.settings, now)

    def workspace_of(self, platform: str, user: str) -> str | None:
        """Where a user last talked to Bounceback: for a DM that names no workspace
        (Discord), the tenant of their open dialogue, else the newest they joined."""
        with self.engine.connect() as db:
            return members.workspace_of(db, platform, user)

    def is_member(self, member: Member) -> bool:
        """Whether this user already belongs to this tenant: a button or form from a DM
        names its group, and a user may act only in a group they are in."""
        with self.engine.connect() as db:
            return Roster(db, member.platform, member.workspace).knows(member.user)

    def recent_companies(self, member: Member) -> list[str]:
        """The companies of the member's recent rejections, newest first (autocomplete)."""
        with self.engine.begin() as db:
            repo = Repository.open(
                db, member, self.clock(), timezone=self.settings.default_timezone
            )
            return list(dict.fromkeys(r.company for r in repo.rejections.newest(limit=25)))

    def _handle(self, db: Connection, event: Inbound, capabilities: Capabilities) -> list[Reply]:
        turn, conversation = self._turn(db, event, capabilities)
        crisis = any(sounds_like_crisis(words, self.playbook) for words in _typed(event))
        if crisis and not turn.held:
            self._hold_for_care(turn, conversation)  # before anything, commands included
        elif crisis:
            self._still_held(turn, conversation, event)
        elif isinstance(event, Command):
            self._command(turn, conversation, event)
        elif isinstance(event, Choice) and _answers_a_reminder(event.value):
            self._answer_reminder(turn, conversation, event.value)
        elif isinstance(event, Choice) and _answers_another_question(conversation, event.value):
            self._answer_asked(turn, conversation, event)
        elif isinstance(event, FormRequested):
            self._reopen_form(turn, conversation, event.form_id)
        elif conversation is None:
            self._unprompted(turn, " ".join(_typed(event)))
        elif turn.held:
            self._resume(turn, conversation, event)
        else:
            dialogue, step = _resumed(conversation)
            back = dialogue.revisited(turn, event, step)
            if back is not None:
                ask(turn, back)
                self._save(turn, dialogue, back)
            else:
                self._save(turn, dialogue, advance(turn, step, event))
                self._hand_over(turn)
        return turn.replies

    def _turn(
        self, db: Connection, event: Inbound, capabilities: Capabilities
    ) -> tuple[Turn, Place | None]:
        now = self.clock()
        repo = Repository.open(db, event.member, now, timezone=self.settings.default_timezone)
        if event.member.platform_zone:
            adopt_timezone(repo, event.member.platform_zone)
        today = local_today(now, repo.member.timezone)
        turn = Turn(
            event.member, event.origin, repo, self.playbook, self.settings, now, today, capabilities
        )
        welcome_back(repo, now)
        conversation = repo.place
        ttl = timedelta(hours=self.settings.conversation_ttl_hours)
        if _gone_quiet(conversation, now - ttl):
            repo.end_place()
            if not isinstance(event, Command):
                turn.say("Our earlier conversation went quiet for a while, so I set it aside.")
            conversation = None
        if conversation is not None and _unknown(conversation):
            repo.end_place()  # saved by a version that had a step this one lacks
            turn.say("I've been updated and couldn't pick up where we were, so I set it aside.")
            conversation = None
        if conversation is not None:
            turn.data = _detached(conversation.data)  # compared on save: keep apart
            turn.filling, turn.held = conversation.filling, conversation.held
        return turn, conversation

    def _command(self, turn: Turn, conversation: Place | None, event: Command) -> None:
        name = _command_name(event)
        spec = DECLARED.get(name)
        if spec is None:
            where = turn.member.platform
            shown = typed(name, where) if _COMMAND_NAME.match(name) else "that command"
            turn.say(f"I don't know {shown}. {typed('help', where)} lists what I can do.")
        elif isinstance(spec.handler, Dialogue):
            self._start(turn, conversation, spec.handler, event.args)
            return
        else:
            spec.handler(turn, event.args)
        self._remind(turn, conversation)

    def _start(self, turn: Turn, conversation: Place | None, dialogue: Dialogue, args: str) -> None:
        earlier = turn.data, turn.filling
        turn.data, turn.filling = {}, None
        try:
            step = dialogue.begin(turn, args)
        except InvalidAnswer as problem:
            turn.say(str(problem))
            step = None
        if step is None:  # done at once: whatever we were doing before carries on
            turn.data, turn.filling = earlier
            self._remind(turn, conversation)
            return
        if conversation is not None:
            turn.say("I've set our earlier conversation aside.")
        ask(turn, step)
        self._save(turn, dialogue, step)

    def _save(self, turn: Turn, dialogue: Dialogue, step: type[Step] | None) -> None:
        if turn.repo.forgotten:
            return
        if step is None:
            turn.repo.end_place()
        else:
            _save_place(turn, dialogue.name, step.name)

    def _answer_reminder(self, turn: Turn, conversation: Place | None, value: str) -> None:
        """A reminder's button, pressed at any time: act on it, then carry on where we were."""
        if conversation is not None and conversation.dialogue == ReminderDialogue.name:
            waiting = still_waiting(conversation, value)
            if waiting:  # the button answered one of several: the others stay the question
                turn.repo.save_place(ReminderDialogue.name, conversation.step, waiting, turn.now)
            else:
                turn.repo.end_place()  # the button answers the reminder that was asked
            conversation, turn.data = None, {}
        action = parse_action(value)
        if action is not None and action[1] == "later" and conversation is not None:
            turn.say(
                "Let's finish what we're in first (or /cancel it), then pick another day. "
                "Tomorrow, in 3 days and next week work right away."
            )
            self._remind(turn, conversation)
            return
        earlier = turn.data, turn.filling
        try:
            if action is None:
                answer_pause_offer(turn, value)
                step = None
            else:
                step = act(turn, *action)
        except InvalidAnswer as problem:
            turn.say(str(problem))
            step = None
        if step is not None:
            ask(turn, step)
            self._save(turn, DIALOGUES[ReminderDialogue.name], step)
        elif turn.handover:
            self._hand_over(turn)
        else:
            turn.data, turn.filling = earlier
            self._remind(turn, conversation)

    def _answer_asked(self, turn: Turn, conversation: Place | None, event: Choice) -> None:
        """A button of a check-in or an interview's question pressed away from it: that
        question goes on from there, unless the member is in the middle of something else."""
        if conversation is not None and not gives_way_to_a_reminder(conversation):
            turn.say(
                "Let's finish what we're in first (or /cancel it). That message's buttons "
                "will still work afterwards."
            )
            self._remind(turn, conversation)
            return
        pressed = parse_ask_value(event.value)
        row = turn.repo.reminders.get(pressed[0]) if pressed else None
        if row is None or row.status not in OPEN or row.kind not in ASKING:
            turn.say("That one is already answered, or its moment has passed.")
            return
        dialogue, step = ASKING[row.kind]
        turn.data = row_data(row)
        self._save(turn, dialogue, advance(turn, step, event))
        self._hand_over(turn)

    def _reopen_form(self, turn: Turn, conversation: Place | None, form_id: str) -> None:
        """The form again, if it is still the question; otherwise where we are now."""
        if conversation is not None:
            question = _resumed(conversation)[1]().question(turn)
            if isinstance(question, Fill) and question.form_id == form_id:
                turn.say(question.text, form=question.form())
                return
        turn.say("That form belongs to an earlier question.")
        self._remind(turn, conversation)

    def _unprompted(self, turn: Turn, text: str) -> None:
        """Words that answer no question: a member asking for a person is shown people;
        anyone else is told honestly that nothing was kept, and where to start."""
        if asks_for_a_person(text, self.playbook):
            contact = support_contact(turn)
            turn.say(people_to_reach(self.playbook, contact, turn.repo.member.timezone))
            return
        answer = answer_to(text, self.playbook)
        if answer is not None:
            turn.say(answer)
            return
        meant = heard(turn, text)
        if meant is not None:
            if meant.reply:
                turn.say(meant.reply)
            if meant.then:
                self._start(turn, None, DIALOGUES[meant.then], "")
            return
        farewell = mentions_any(text, self.playbook.table("answers.farewells"))
        if farewell and len(text.split()) <= FAREWELL_WORDS and not sounds_like_a_question(text):
            turn.say(self.playbook.text("answers.farewell"))
            return
        if sounds_like_a_question(text) and len(text.split()) >= 3:  # not a bare "hello?"
            turn.say(self.playbook.text("answers.unknown_question"))
            return
        where = turn.member.platform
        turn.say(
            "Thanks for telling me. I'm not sure what to do with that on its own, so here's "
            f"where I can help: {typed('win', where)} keeps good news as a win, "
            f"{typed('rejected', where)} talks a new no through, {typed('followups', where)} "
            f"shows what's waiting, and {typed('help', where)} lists the rest."
        )

    def _hand_over(self, turn: Turn) -> None:
        """A step asked for another dialogue to follow (log a win from a reminder)."""
        if turn.handover is not None:
            self._start(turn, None, DIALOGUES[turn.handover], turn.handover_args)

    def _remind(self, turn: Turn, conversation: Place | None) -> None:
        """After a one-off command, show where the open dialogue is waiting (unless the
        command ended it)."""
        if conversation is None or turn.repo.place is None or turn.held:
            return
        turn.say("We were in the middle of something:")
        ask(turn, _resumed(conversation)[1])

    def _hold_for_care(self, turn: Turn, conversation: Place | None) -> None:
        """No coaching now: care, a person to reach, and the dialogue kept for later;
        with none open, the member is held all the same, so what they say next is heard."""
        turn.say(crisis_response(self.playbook, support_contact(turn), turn.repo.member.timezone))
        turn.held = 1
        if conversation is None:
            _save_place(turn, CareDialogue.name, Listening.name)
        else:
            _save_place(turn, conversation.dialogue, conversation.step)

    def _resume(self, turn: Turn, conversation: Place, event: Inbound) -> None:
        if isinstance(event, Text) and wants_to_continue(event.text, self.playbook):
            turn.held = 0
            if conversation.dialogue == CareDialogue.name:
                turn.repo.end_place()
                turn.say(self.playbook.text("care.ended"))
                return
            turn.say("Okay, gently. Here's where we were:")
            ask(turn, _resumed(conversation)[1])
            _save_place(turn, conversation.dialogue, conversation.step)
            return
        self._still_held(turn, conversation, event)

    def _still_held(self, turn: Turn, conversation: Place | None, event: Inbound) -> None:
        """Held for care, and still heard: whatever they write gets a caring answer."""
        assert conversation is not None  # held only with a place saved
        turn.held += 1
        turn.say(held_reply(" ".join(_typed(event)), turn))
        _save_place(turn, conversation.dialogue, conversation.step)

    def _settled(self, db: Connection, event: Inbound, key: str | None) -> bool:
        return key is None or inbox.settle(db, event.member.platform, key, self.clock())

    def _where_we_are(
        self, event: Inbound, capabilities: Capabilities, key: str | None
    ) -> list[Reply]:
        with self.engine.begin() as db:
            if not self._settled(db, event, key):
                return []
            turn, conversation = self._turn(db, event, capabilities)
            turn.say("That crossed with another answer of yours, so I've kept the first one.")
            self._remind(turn, conversation)
            return turn.replies


def _detached(data: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a place's data, so the step's changes can be told from the saved;
    the data is stored as JSON, so a JSON round trip copies it exactly."""
    return json.loads(json.dumps(data))


def _gone_quiet(conversation: Place | None, since: datetime) -> bool:
    """A dialogue untouched since then is set aside; a reminder's question is not: it
    may be answered whenever the member gets to it."""
    return (
        conversation is not None
        and conversation.updated_at < since
        and conversation.dialogue != ReminderDialogue.name
    )


def _unknown(conversation: Place) -> bool:
    dialogue = DIALOGUES.get(conversation.dialogue)
    return dialogue is None or dialogue.step_named(conversation.step) is None


def _resumed(conversation: Place) -> tuple[Dialogue, type[Step]]:
    """The dialogue and step a saved place names (`_turn` set aside unknown ones)."""
    dialogue = DIALOGUES[conversation.dialogue]
    step = dialogue.step_named(conversation.step)
    assert step is not None
    return dialogue, step


def _save_place(turn: Turn, dialogue: str, step: str) -> None:
    turn.repo.save_place(dialogue, step, turn.data, turn.now, held=turn.held, filling=turn.filling)


def local_today(now: datetime, zone: str) -> date:
    """The member's own date at this UTC moment."""
    return now.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


def _answers_another_question(conversation: Place | None, value: str) -> bool:
    """A button of a delivered question (bot/reminders/asking.py), but not of the one
    the member is at now."""
    pressed = parse_ask_value(value)
    if pressed is None:
        return False
    return conversation is None or conversation.data.get("reminder_id") != pressed[0]


def _answers_a_reminder(value: str) -> bool:
    return parse_action(value) is not None or value.startswith(PAUSE)


def _command_name(event: Command) -> str:
    return event.name.strip().lstrip("/").lower()


def _typed(event: Inbound) -> list[str]:
    """Everything the member wrote in their own words in this event."""
    if isinstance(event, Text):
        return [event.text]
    if isinstance(event, Command):
        return [event.args]
    if isinstance(event, FormSubmitted):
        return [str(value) for value in event.values.values()]
    return []


def _placed(event: Inbound, replies: list[Reply]) -> list[Reply]:
    spec = DECLARED.get(_command_name(event)) if isinstance(event, Command) else None
    return placed(replies, in_dm=event.origin.in_dm, in_place=spec is not None and spec.in_place)
