"""The group's charts: eight weeks of counts, in a picture and in words.

Group-level counts only, under the digest's own rule: follow-ups are counted in a
week only when PRIVATE_MINIMUM members or more did some, so a small group's chart
never points at anyone; wins count as their members shared them. No name, company
or reason reaches a chart's data, so none can reach its picture or its text
alternative. Drawing imports the chart library, once, on the first chart.
"""

from __future__ import annotations

from datetime import datetime

from bot.charts.weekly import Series, WeeklyChart, chart_weeks, picture
from bot.conversation.events import Attachment
from bot.group.privacy import PRIVATE_MINIMUM, shown_count
from bot.store.groups import Groups

TITLE = "The group's last eight weeks"
COUNTED = (
    f"Follow-ups are counted in a week when {PRIVATE_MINIMUM} or more members had some; "
    "no one is named."
)


def digest_chart(groups: Groups, end: datetime, local_end: datetime) -> WeeklyChart:
    spans, labels = chart_weeks(end, local_end)
    weeks = [groups.effort(start, stop) for start, stop in spans]
    return WeeklyChart(
        TITLE,
        labels,
        (
            Series("Follow-ups done", tuple(shown_count(w.followups_done) for w in weeks)),
            Series(
                "Advice conversations asked for",
                tuple(shown_count(w.advice_asked) for w in weeks),
            ),
            Series("Wins shared", tuple(w.wins_shared for w in weeks)),
        ),
    )


def digest_picture(groups: Groups, end: datetime, local_end: datetime) -> Attachment:
    chart = digest_chart(groups, end, local_end)
    return picture(chart, f"group-week-{local_end:%Y-%m-%d}.png", COUNTED)
