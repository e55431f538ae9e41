"""Weekly bar charts: a PNG of the promised size, words that carry the same numbers."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, timedelta

import PIL.Image
import PIL.ImageColor
import pytest

from bot.charts.weekly import HEIGHT, PALETTE, WIDTH, Series, WeeklyChart, alt_text, draw

WEEKS = tuple(date(2026, 10, 12) + timedelta(weeks=n) for n in range(8))
FOLLOWUPS = Series("Follow-ups done", (1, 4, 0, 6, 3, 0, 5, 9))
WINS = Series("Wins shared", (0, 0, 1, 2, 0, 0, 1, 4))
TITLE_BAND = 40  # pixels at the top that hold the title, above every bar


def test_a_chart_is_a_png_of_the_promised_size() -> None:
    picture = PIL.Image.open(io.BytesIO(draw(WeeklyChart("Eight weeks", WEEKS, (FOLLOWUPS, WINS)))))
    assert (picture.format, picture.size) == ("PNG", (WIDTH, HEIGHT))


def test_a_chart_of_quiet_weeks_is_still_drawn() -> None:
    """No follow-ups yet is a chart with empty bars, not an error."""
    quiet = WeeklyChart("Eight weeks", WEEKS, (Series("Follow-ups done", (0,) * 8),))
    assert PIL.Image.open(io.BytesIO(draw(quiet))).size == (WIDTH, HEIGHT)


@pytest.mark.parametrize("most", [1, 7, 60, 1234])
def test_the_axis_reaches_above_the_tallest_bar(most: int) -> None:
    """The bar is drawn, and its top stays under the title, whatever the count."""
    busy = WeeklyChart("Eight weeks", WEEKS, (Series("Follow-ups done", (most,) + (0,) * 7),))
    picture = PIL.Image.open(io.BytesIO(draw(busy))).convert("RGB")
    blue = PIL.ImageColor.getrgb(PALETTE[0])
    first_week = 100  # a column through the first week's bar
    rows = [y for y in range(HEIGHT) if picture.getpixel((first_week, y)) == blue]
    assert rows and min(rows) >= TITLE_BAND


def test_the_words_carry_the_span_the_latest_week_and_every_count() -> None:
    words = alt_text(WeeklyChart("Eight weeks", WEEKS, (FOLLOWUPS, WINS)))
    assert "8 weeks ending 12 Oct to 30 Nov 2026" in words
    assert "Week ending 30 Nov: Follow-ups done 9, Wins shared 4" in words
    assert "Follow-ups done: 28 in all (1, 4, 0, 6, 3, 0, 5, 9)" in words
    assert "Wins shared: 8 in all (0, 0, 1, 2, 0, 0, 1, 4)" in words


@pytest.mark.parametrize(
    ("weeks", "series", "problem"),
    [
        ((), (FOLLOWUPS,), "at least one week"),
        (WEEKS, (), "1 to"),
        (WEEKS, (FOLLOWUPS,) * (len(PALETTE) + 1), "1 to"),
        (WEEKS[:7], (FOLLOWUPS,), "one value for each week"),
        (WEEKS, (Series("Wins shared", (-1,) + (0,) * 7),), "negative"),
    ],
)
def test_a_chart_that_cannot_be_drawn_says_why(weeks, series, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        WeeklyChart("Eight weeks", weeks, series)


def test_the_chart_library_loads_only_when_a_chart_is_drawn() -> None:
    """Start-up and idle memory stay as issue 6 measured them: importing the bot's
    chart code does not import Pillow."""
    probe = "import sys, bot.charts.weekly, bot.group.rhythm; print('PIL' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "False"
