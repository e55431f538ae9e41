"""The group's charts: eight weeks of counts, in a picture and in words.

Group-level counts only, under the digest's own rule: follow-ups are counted in a
week only when PRIVATE_MINIMUM members or more did some, so a small group's chart
never points at anyone; wins count as their members shared them. No name, company
or reason reaches a chart's data, so none can reach its picture or its text
alternative. Drawing imports the chart library, once, on the first chart.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.charts.weekly import Series, WeeklyChart, alt_text, draw
from bot.conversation.events import Attachment
from bot.group.privacy import PRIVATE_MINIMUM, shown_count
from bot.store.groups import Groups

CHART_WEEKS = 8
WEEK = timedelta(days=7)
TITLE = "The group's last eight weeks"
COUNTED = (
    f"Follow-ups are counted in a week when {PRIVATE_MINIMUM} or more members had some; "
    "no one is named."
)

Span = tuple[datetime, datetime]  # (start, end], UTC and naive like the store's times


def chart_weeks(end: datetime, local_end: datetime) -> tuple[list[Span], tuple[date, ...]]:
    """The eight weeks up to `end`, oldest first, and each one's last day on the
    group's clock (`local_end` is `end` in the group's zone)."""
    ago = range(CHART_WEEKS - 1, -1, -1)
    spans = [(end - WEEK * (n + 1), end - WEEK * n) for n in ago]
    return spans, tuple((local_end - WEEK * n).date() for n in ago)


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


def picture(chart: WeeklyChart, filename: str) -> Attachment:
    """The chart as a PNG, with its text alternative and the rule its counts follow."""
    return Attachment(
        filename, draw(chart), "image/png", description=f"{alt_text(chart)} {COUNTED}"
    )


def digest_picture(groups: Groups, end: datetime, local_end: datetime) -> Attachment:
    return picture(digest_chart(groups, end, local_end), f"group-week-{local_end:%Y-%m-%d}.png")
