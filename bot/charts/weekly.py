"""Weekly bar charts as PNG pictures, and the words that say what each one shows.

Drawn with Pillow, imported inside `draw`: a bot that never draws a chart never loads
it, so start-up time and idle memory stay as issue 6 measured them. Why Pillow and not
a plotting library: benchmarks/README.md, "Drawing a chart".
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.conversation.events import Attachment

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

WIDTH, HEIGHT = 800, 400  # pixels: wide enough for eight weeks' labels in a chat client
CHART_WEEKS = 8
WEEK = timedelta(days=7)
Span = tuple[datetime, datetime]  # (start, end], UTC and naive like the store's times
# Okabe and Ito's palette: its colours stay apart for readers with colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
_INK, _GRID = "#333333", "#E4E4E4"


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
    """The chart as a PNG of WIDTH x HEIGHT: grouped bars, one group a week, a count
    axis in whole numbers, the weeks under it and a legend at the foot."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    font, title_font = ImageFont.load_default(size=14), ImageFont.load_default(size=19)
    left, top, right, bottom = 56, 52, WIDTH - 24, HEIGHT - 92
    step, highest = _scale(max(max(series.values) for series in chart.series))

    def height_of(count: int) -> float:
        return bottom - (bottom - top) * count / highest

    for tick in range(0, highest + 1, step):
        pen.line([(left, height_of(tick)), (right, height_of(tick))], fill=_GRID)
        pen.text((left - 8, height_of(tick)), str(tick), font=font, fill=_INK, anchor="rm")
    slot = (right - left) / len(chart.weeks)
    bar = slot * 0.8 / len(chart.series)
    for place, week in enumerate(chart.weeks):
        middle = left + slot * (place + 0.5)
        for number, series in enumerate(chart.series):
            start = middle + (number - len(chart.series) / 2) * bar
            if series.values[place]:
                box = (start, height_of(series.values[place]), start + bar - 1, bottom)
                pen.rectangle(box, fill=PALETTE[number])
        pen.text((middle, bottom + 8), _day(week), font=font, fill=_INK, anchor="mt")
    pen.line([(left, bottom), (right, bottom)], fill=_INK)
    pen.text(((left + right) / 2, bottom + 30), "Week ending", font=font, fill=_INK, anchor="mt")
    pen.text((16, 16), chart.title, font=title_font, fill=_INK, anchor="lt")
    _legend(pen, chart.series, font, HEIGHT - 22)
    picture = io.BytesIO()
    image.save(picture, format="PNG")
    return picture.getvalue()


def _scale(most: int) -> tuple[int, int]:
    """A step between ticks of 1, 2 or 5 times a power of ten, for at most six steps,
    and the top of the axis: a whole number of steps, at least one."""
    step = 1
    while most > 6 * step:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step, max(step, -(-most // step) * step)


def _legend(
    pen: ImageDraw.ImageDraw, series: tuple[Series, ...], font: Font, middle: float
) -> None:
    """A swatch and a label for each series, in one centred row."""
    swatch, gap = 12, 28
    widths = [swatch + 6 + pen.textlength(s.label, font=font) for s in series]
    x = (WIDTH - sum(widths) - gap * (len(series) - 1)) / 2
    for number, (one, width) in enumerate(zip(series, widths, strict=True)):
        pen.rectangle(
            (x, middle - swatch / 2, x + swatch, middle + swatch / 2), fill=PALETTE[number]
        )
        pen.text((x + swatch + 6, middle), one.label, font=font, fill=_INK, anchor="lm")
        x += width + gap


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
