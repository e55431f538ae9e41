"""Words that answer no question, read for what the member means: news worth
celebrating, the name to sign their drafts with, a question about what Bounceback
keeps for them. Each gets a reply that acts on it, instead of "nothing was kept"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.answers import sounds_like_a_question
from bot.conversation.engine import Turn, signed_from_now_on
from bot.conversation.registry import typed
from bot.parsing import mentions_any

# most news first (an offer beats the reply that led to it), then how the member feels
NEWS = ("job", "interview", "win", "nervous", "better")


@dataclass(frozen=True)
class Heard:
    reply: str  # may be empty when the command that follows says it all
    then: str = ""  # a command that follows the reply: the follow-ups for "did it save?"


def heard(turn: Turn, text: str) -> Heard | None:
    """What the member meant, when it is one of the things read here; None otherwise."""
    signed = signed_from_now_on(turn, text)
    if signed is not None:
        return Heard(signed)
    for news in NEWS:
        if mentions_any(text, turn.playbook.table(f"unprompted.{news}.phrases")):
            return Heard(_reply(turn, f"unprompted.{news}.reply"))
    if mentions_any(text, turn.playbook.table("unprompted.remind_me.phrases")):
        return Heard(_reply(turn, "unprompted.remind_me.reply"))
    own = mentions_any(text, turn.playbook.table("unprompted.followups.phrases"))
    if own and sounds_like_a_question(text):  # /followups says so when none are waiting
        kept = turn.repo.reminders.open()
        return Heard(turn.playbook.text("unprompted.followups.reply") if kept else "", "followups")
    return None


def _reply(turn: Turn, path: str) -> str:
    where = turn.member.platform
    commands = {name: typed(name, where) for name in ("win", "offer", "interview", "followups")}
    return turn.playbook.text(path, **commands)
