"""`/offer [company]`: the good news a search ends with.

Congratulations first; then, each only when it applies: sharing the win with the group
(that there was an offer, nothing more), stopping the weekly check-ins, and stopping the
waiting follow-ups of the earlier applications the member is done with, keeping the
keep-in-touch ones if they like: the people met along the way outlast the search.
"""

from __future__ import annotations

from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import Ask, Dialogue, Pick, Question, Step, Turn
from bot.conversation.events import Option
from bot.parsing import InvalidAnswer, name, numbers
from bot.reminders.describing import rejection_label
from bot.wins.dialogue import offer_win, record_win

CONTACT_KINDS = ("keep_in_touch", "reconnect")  # the follow-ups worth keeping after an offer
ALL, CHOOSE, NONE = "all", "choose", "none"


def _text(turn: Turn, path: str, **facts: str) -> str:
    return turn.playbook.text(f"interviews.offer.{path}", **facts)


def _waiting(turn: Turn) -> dict[int, list[str]]:
    """The member's rejections with follow-ups still waiting: id -> their kinds."""
    waiting: dict[int, list[str]] = {}
    for reminder in turn.repo.reminders.open():
        if reminder.rejection_id is not None:
            waiting.setdefault(reminder.rejection_id, []).append(reminder.kind)
    return waiting


def _after_sharing(turn: Turn) -> type[PauseCheckins] | type[DoneWith] | None:
    group = turn.repo.group.find()
    if turn.repo.member.checkins_on and group is not None and group.rhythm_on:
        return PauseCheckins
    return _after_pausing(turn)


def _after_pausing(turn: Turn) -> type[DoneWith] | None:
    return DoneWith if _waiting(turn) else None


class ShareOffer(Step):
    name = "share"

    def question(self, turn: Turn) -> Question:
        return offer_win(_text(turn, "share_question"), logging=False)

    def answered(self, turn: Turn, value: str) -> type[PauseCheckins] | type[DoneWith] | None:
        shared = value == "share"
        record_win(turn, "offer", "", None, shared=shared, celebrated=True)
        following = _after_sharing(turn)
        if following is None and not shared:
            turn.say(_text(turn, "kept_private"))
        return following


class PauseCheckins(Step):
    name = "pause_checkins"

    def question(self, turn: Turn) -> Question:
        options = (Option("stop", "Stop my check-ins"), Option("keep", "Keep them coming"))
        return Pick(_text(turn, "pause_question"), options)

    def answered(self, turn: Turn, value: str) -> type[DoneWith] | None:
        if value == "stop":
            turn.repo.change(checkins_on=False)
            turn.repo.reminders.cancel_checkins(turn.now)
            turn.say(_text(turn, "paused"))
        else:
            turn.say(_text(turn, "kept"))
        return _after_pausing(turn)


class DoneWith(Step):
    name = "done_with"

    def question(self, turn: Turn) -> Question:
        options = (
            Option(ALL, "All of them"),
            Option(CHOOSE, "Let me choose"),
            Option(NONE, "Keep them all"),
        )
        return Pick(_text(turn, "done_with_question"), options)

    def answered(self, turn: Turn, value: str) -> type[Choose] | type[KeepContacts] | None:
        if value == CHOOSE:
            return Choose
        return _done_with(turn, list(_waiting(turn)) if value == ALL else [])


class Choose(Step):
    name = "choose"

    def question(self, turn: Turn) -> Question:
        rejections = filter(None, (turn.repo.rejections.get(id_) for id_ in _waiting(turn)))
        listed = [f"{n}. {rejection_label(rejection)}" for n, rejection in enumerate(rejections, 1)]
        text = "\n".join(["Which ones? Their numbers, like `1, 3`.", *listed])
        return Ask(text, _chosen)

    def answered(self, turn: Turn, value: list[int]) -> type[KeepContacts] | None:
        return _done_with(turn, value)


def _chosen(raw: str, turn: Turn) -> list[int]:
    """The rejections the member is done with, by their numbers in the list."""
    ids = list(_waiting(turn))
    return [ids[number - 1] for number in numbers(raw, upper=len(ids))]


def _done_with(turn: Turn, rejections: list[int]) -> type[KeepContacts] | None:
    if not rejections:
        turn.say(_text(turn, "nothing_stopped"))
        return None
    turn.data["done_with"] = rejections
    waiting = _waiting(turn)
    if any(kind in CONTACT_KINDS for rejection in rejections for kind in waiting[rejection]):
        return KeepContacts
    _stop(turn, keep_contacts=False)
    return None


class KeepContacts(Step):
    name = "keep_contacts"

    def question(self, turn: Turn) -> Question:
        options = (Option("yes", "Yes, keep those"), Option("no", "No, stop them all"))
        return Pick(_text(turn, "keep_contacts_question"), options)

    def answered(self, turn: Turn, value: str) -> None:
        _stop(turn, keep_contacts=value == "yes")


def _stop(turn: Turn, *, keep_contacts: bool) -> None:
    stopped = 0
    for rejection in turn.data["done_with"]:
        kinds = {
            reminder.kind
            for reminder in turn.repo.reminders.open()
            if reminder.rejection_id == rejection
        }
        if keep_contacts:
            kinds -= set(CONTACT_KINDS)
        stopped += turn.repo.reminders.cancel(rejection, kinds, turn.now)
    kept = ", the keep-in-touch ones kept" if keep_contacts else ""
    count = f"{stopped} waiting follow-up{'' if stopped == 1 else 's'}"
    turn.say(_text(turn, "stopped", count=count, kept=kept))


@command(
    "Good news: an offer. Share it if you like, and wind the search down.",
    CommandOption("company", "Who it's from"),
)
class OfferDialogue(Dialogue):
    name = "offer"
    steps = (ShareOffer, PauseCheckins, DoneWith, Choose, KeepContacts)

    def begin(self, turn: Turn, args: str) -> type[ShareOffer]:
        company = ""
        if args.strip():
            try:
                company = name(args, what="company name")
            except InvalidAnswer:
                company = ""
        from_company = f" from {company}" if company else ""
        turn.say(_text(turn, "congratulations", from_company=from_company))
        return ShareOffer
