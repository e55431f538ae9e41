"""`/stats`: the member's own journey, in numbers, in their words and in a chart.

Answered in their DM, since a chart cannot be shown to one person in a channel, and
a journey is theirs to share or not.
"""

from __future__ import annotations

from datetime import datetime

from bot.charts.weekly import Series, WeeklyChart, chart_weeks, picture
from bot.conversation.commands import command
from bot.conversation.engine import Turn
from bot.playbook import Playbook
from bot.rejection.stages import STAGES
from bot.reminders.arrival import local_time
from bot.store.models import ReminderStatus
from bot.store.repository import Repository, Tally

TITLE = "Your last eight weeks"
NOTHING_YET = "Nothing logged yet. /rejected after a no, /win when something good happens."


def journey_summary(tally: Tally, playbook: Playbook) -> str:
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


def journey_chart(repo: Repository, now: datetime) -> WeeklyChart:
    """Their follow-ups done and wins logged in each of the last eight weeks."""
    spans, labels = chart_weeks(now, local_time(now, repo.member.timezone))
    done = [
        r.closed_at
        for r in repo.reminders.every()
        if r.status is ReminderStatus.DONE and r.closed_at is not None
    ]
    wins = [win.created_at for win in repo.wins.newest()]

    def each_week(moments: list[datetime]) -> tuple[int, ...]:
        return tuple(sum(start < at <= end for at in moments) for start, end in spans)

    return WeeklyChart(
        TITLE,
        labels,
        (Series("Follow-ups done", each_week(done)), Series("Wins logged", each_week(wins))),
    )


def _s(count: int) -> str:
    return "" if count == 1 else "s"


@command("Your own journey so far, in numbers and a chart.")
def stats(turn: Turn, args: str) -> None:
    tally = turn.repo.tally()
    if not tally.rejections and not tally.wins:
        turn.say(NOTHING_YET)
        return
    chart = journey_chart(turn.repo, turn.now)
    turn.say(
        journey_summary(tally, turn.playbook),
        attachments=(picture(chart, f"your-weeks-{turn.today:%Y-%m-%d}.png"),),
    )
