"""The digest's picture: the group's last eight weeks of follow-through, and its words.

Group-level counts only, under the digest's own rule: follow-ups are counted in a
week only when PRIVATE_MINIMUM members or more did some, so a small group's chart
never points at anyone; wins count as their members shared them. No name, company
or reason reaches the chart's data, so none can reach its picture or its text
alternative. Drawing imports the chart library, once, on the first digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.charts.weekly import Series, WeeklyChart, alt_text, draw
from bot.conversation.events import Attachment
from bot.group.privacy import PRIVATE_MINIMUM, shown_count
from bot.store.groups import Groups

CHART_WEEKS = 8
WEEK = timedelta(days=7)
TITLE = "The group's last eight weeks"
COUNTED = (
    f"Follow-ups are counted in a week when {PRIVATE_MINIMUM} or more members did some; "
    "no one is named."
)


def digest_chart(groups: Groups, end: datetime, local_end: datetime) -> WeeklyChart:
    """The eight weeks up to `end` (UTC, naive like the store's times), each labelled
    with its last day in the group's time zone (`local_end`'s)."""
    ago = range(CHART_WEEKS - 1, -1, -1)
    weeks = [groups.effort(end - WEEK * (n + 1), end - WEEK * n) for n in ago]
    followups = tuple(shown_count(week.followups_done) for week in weeks)
    advice = tuple(shown_count(week.advice_asked) for week in weeks)
    wins = tuple(week.wins_shared for week in weeks)
    return WeeklyChart(
        TITLE,
        tuple((local_end - WEEK * n).date() for n in ago),
        (
            Series("Follow-ups done", followups),
            Series("Advice conversations asked for", advice),
            Series("Wins shared", wins),
        ),
    )


def digest_picture(groups: Groups, end: datetime, local_end: datetime) -> Attachment:
    """The chart as a PNG for the digest, with its text alternative."""
    chart = digest_chart(groups, end, local_end)
    return Attachment(
        f"group-week-{local_end:%Y-%m-%d}.png",
        draw(chart),
        "image/png",
        description=f"{alt_text(chart)} {COUNTED}",
    )
