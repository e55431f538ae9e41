"""`/stats`: the member's own numbers, and a chart of their last eight weeks."""

from __future__ import annotations

import io

import PIL.Image

from bot.charts.weekly import CHART_WEEKS, HEIGHT, WIDTH
from bot.member.stats import journey_chart
from bot.store.repository import Repository
from tests.bot.group.test_rhythm import share_a_win
from tests.conftest import SAM
from tests.helpers import Chat, plan_for


def chart_of(core, clock):
    with core.engine.begin() as db:
        return journey_chart(Repository.open(db, SAM, clock.now), clock.now)


def test_nothing_logged_is_said_without_an_empty_chart(chat: Chat) -> None:
    [reply] = chat.say("/stats")
    assert "Nothing logged yet" in reply.text and reply.attachments == ()


def test_the_chart_counts_their_follow_ups_done_and_wins_week_by_week(
    chat: Chat, core, clock
) -> None:
    plan_for(chat, "Acme")
    chat.say("/followups done 1")
    clock.advance(days=7)
    share_a_win(chat, "Coffee with an Acme engineer", "Made a new contact", shared=False)
    clock.advance(hours=1)
    counts = {series.label: series.values for series in chart_of(core, clock).series}
    assert counts["Follow-ups done"] == (0,) * (CHART_WEEKS - 2) + (1, 0)
    assert counts["Wins logged"] == (0,) * (CHART_WEEKS - 1) + (1,)  # private ones count too


def test_the_answer_carries_the_chart_and_its_words(chat: Chat) -> None:
    plan_for(chat, "Acme")
    [reply] = [r for r in chat.say("/stats") if r.attachments]
    assert "Your journey so far" in reply.text
    [chart] = reply.attachments
    assert PIL.Image.open(io.BytesIO(chart.content)).size == (WIDTH, HEIGHT)
    assert "Follow-ups done" in chart.description and "Wins logged" in chart.description
