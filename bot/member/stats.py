"""`/stats`: the member's own journey, in numbers and in their words."""

from __future__ import annotations

from bot.conversation.commands import command
from bot.conversation.engine import Turn
from bot.playbook import Playbook
from bot.rejection.stages import STAGES
from bot.store.repository import Repository


def journey_summary(repo: Repository, playbook: Playbook) -> str:
    tally = repo.tally()
    if not tally.rejections and not tally.wins:
        return "Nothing logged yet. /rejected after a no, /win when something good happens."
    stages = ", ".join(
        f"{tally.by_stage[stage.value]} {stage.counted}"
        for stage in STAGES
        if stage.value in tally.by_stage
    )
    lines = [
        "Your journey so far:",
        f"- {tally.rejections} rejection{_s(tally.rejections)} logged"
        + (f": {stages}" if stages else ""),
        f"- feedback heard back on {tally.feedback_received}",
        f"- {tally.wins} win{_s(tally.wins)}, {tally.wins_shared} shared with the group",
        f"- {tally.followups_done} follow-up{_s(tally.followups_done)} done, "
        f"{tally.followups_pending} waiting",
    ]
    if tally.rejections > 1:
        lines.append(
            playbook.text("comfort.resilience", count=tally.rejections, up=tally.rejections + 1)
        )
    return "\n".join(lines)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


@command("Your own journey so far, in numbers.", in_place=True)
def stats(turn: Turn, args: str) -> None:
    turn.say(journey_summary(turn.repo, turn.playbook))
