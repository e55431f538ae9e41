"""`/forget-me`: delete everything about the member, once they confirm."""

from __future__ import annotations

from bot.conversation.commands import command
from bot.conversation.engine import Dialogue, Pick, Question, Step, Turn
from bot.conversation.events import Option


class Confirm(Step):
    name = "confirm"

    def question(self, turn: Turn) -> Question:
        return Pick(
            "This deletes everything I keep about you: rejections, notes, wins, follow-ups. "
            "It can't be undone (/export first if you want a copy). Delete it all?",
            (Option("yes", "Yes, delete everything"), Option("no", "No, keep my data")),
        )

    def answered(self, turn: Turn, value: str) -> None:
        if value == "yes":
            turn.repo.forget()
            turn.say("Done: everything I kept about you is deleted. Take care of yourself.")
        else:
            turn.say("Nothing was deleted.")


@command("Delete everything Bounceback keeps about you.")
class ForgetDialogue(Dialogue):
    name = "forget-me"
    steps = (Confirm,)

    def begin(self, turn: Turn, args: str) -> type[Confirm]:
        return Confirm
