"""Weekly bar charts as PNG pictures, and the words that say what each one shows.

The chart library is imported inside `draw`, not here: a bot that never draws a chart
never loads it, so start-up time and idle memory stay as issue 6 measured them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.conversation.events import Attachment

WIDTH, HEIGHT = 800, 400  # pixels: wide enough for eight weeks' labels in a chat client
CHART_WEEKS = 8
WEEK = timedelta(days=7)
Span = tuple[datetime, datetime]  # (start, end], UTC and naive like the store's times
_DPI = 100
# Okabe and Ito's palette: its colours stay apart for readers with colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")


@dataclass(frozen=True)
class Series:
    """One count a week, e.g. the follow-ups done."""

    label: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class WeeklyChart:
    """Counts for consecutive weeks, each week named by its last day."""

    title: str
    weeks: tuple[date, ...]
    series: tuple[Series, ...]

    def __post_init__(self) -> None:
        if not self.weeks:
            raise ValueError("a chart needs at least one week")
        if not 1 <= len(self.series) <= len(PALETTE):
            raise ValueError(f"a chart shows 1 to {len(PALETTE)} series")
        for series in self.series:
            if len(series.values) != len(self.weeks):
                raise ValueError(f"{series.label!r} needs one value for each week")
            if any(value < 0 for value in series.values):
                raise ValueError(f"{series.label!r} counts cannot be negative")


def chart_weeks(end: datetime, local_end: datetime) -> tuple[list[Span], tuple[date, ...]]:
    """The eight weeks up to `end`, oldest first, and each one's last day on the clock
    of whoever reads the chart (`local_end` is `end` in their zone)."""
    ago = range(CHART_WEEKS - 1, -1, -1)
    spans = [(end - WEEK * (n + 1), end - WEEK * n) for n in ago]
    return spans, tuple((local_end - WEEK * n).date() for n in ago)


def picture(chart: WeeklyChart, filename: str, note: str = "") -> Attachment:
    """The chart as a PNG attachment whose description is its text alternative."""
    words = f"{alt_text(chart)} {note}".strip()
    return Attachment(filename, draw(chart), "image/png", description=words)


def draw(chart: WeeklyChart) -> bytes:
    """The chart as a PNG of WIDTH x HEIGHT: grouped bars, one group a week."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH / _DPI, HEIGHT / _DPI), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.8 / len(chart.series)
    middle = (len(chart.series) - 1) / 2
    for number, series in enumerate(chart.series):
        places = [week + (number - middle) * width for week in range(len(chart.weeks))]
        axes.bar(places, series.values, width, label=series.label, color=PALETTE[number])
    axes.set_xticks(range(len(chart.weeks)), [_day(week) for week in chart.weeks])
    axes.set_xlabel("Week ending")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(1, *(max(series.values) for series in chart.series)))
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(chart.title, loc="left", fontsize="large")
    figure.legend(loc="outside lower center", ncols=len(chart.series), frameon=False)
    picture = io.BytesIO()
    figure.savefig(picture, format="png")
    return picture.getvalue()


def alt_text(chart: WeeklyChart) -> str:
    """What the picture shows, for a screen reader or a client that shows no images:
    the span, the latest week and each series week by week."""
    first, last = chart.weeks[0], chart.weeks[-1]
    latest = ", ".join(f"{series.label} {series.values[-1]}" for series in chart.series)
    each = "; ".join(
        f"{series.label}: {sum(series.values)} in all ({', '.join(map(str, series.values))})"
        for series in chart.series
    )
    return (
        f"Bar chart, {chart.title}: {len(chart.weeks)} weeks ending "
        f"{_day(first)} to {_day(last)} {last.year}. "
        f"Week ending {_day(last)}: {latest}. Week by week, oldest first: {each}."
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"
