"""The digest's chart: eight weeks of the group's counts, with nobody in them."""

from __future__ import annotations

from datetime import date

from bot.charts.weekly import CHART_WEEKS
from bot.group.chart import digest_chart
from bot.group.rhythm import DIGEST
from bot.store.groups import Groups
from tests.bot.group.test_rhythm import ALEX, JO, LEE, post, set_up_group, share_a_win
from tests.conftest import SAM
from tests.helpers import Chat, plan_for

NAMES_AND_COMPANIES = ("Sam", "Alex", "Jo", "Lee", "Acme", "Globex", "Hooli", "Umbrella")


def chart_now(core, clock):
    with core.engine.begin() as db:
        return digest_chart(Groups(db, "slack", "T1"), clock.now, clock.now)


def a_busy_fortnight(core, clock) -> None:
    """Lee shares a win in one week; in the next, three members each do a follow-up
    after a rejection, Sam shares a win and Alex keeps one private."""
    set_up_group(core)
    lee = Chat(core, LEE)
    plan_for(lee, "Umbrella")
    share_a_win(lee, "Lunch with an Umbrella engineer", "Made a new contact", shared=True)
    clock.advance(days=10)
    sam, alex, jo = Chat(core, SAM), Chat(core, ALEX), Chat(core, JO)
    for member, company in ((sam, "Acme"), (alex, "Globex"), (jo, "Hooli")):
        plan_for(member, company)
        member.say("/followups done 1")
    share_a_win(sam, "Coffee with the Acme hiring manager", "Had an advice meeting", shared=True)
    share_a_win(alex, "Globex passed my name on", "Got a referral", shared=False)
    clock.advance(hours=2)


def test_the_chart_counts_each_of_the_last_eight_weeks_in_its_own_bar(core, clock) -> None:
    a_busy_fortnight(core, clock)
    chart = chart_now(core, clock)
    assert len(chart.weeks) == CHART_WEEKS and chart.weeks[-1] == clock.now.date()
    assert chart.weeks[0] == date.fromordinal(clock.now.date().toordinal() - 49)
    counts = {series.label: series.values for series in chart.series}
    assert counts["Follow-ups done"] == (0,) * 7 + (3,)
    assert counts["Wins shared"] == (0,) * 6 + (1, 1)  # Alex's private win is not counted


def test_follow_ups_of_fewer_than_three_members_are_not_counted(core, clock) -> None:
    set_up_group(core)
    for member, company in ((SAM, "Acme"), (ALEX, "Globex")):
        chat = Chat(core, member)
        plan_for(chat, company)
        chat.say("/followups done 1")
    clock.advance(hours=2)
    counts = {series.label: series.values for series in chart_now(core, clock).series}
    assert counts["Follow-ups done"] == (0,) * CHART_WEEKS


def test_no_name_or_company_reaches_the_chart_or_its_words(core, clock, playbook) -> None:
    a_busy_fortnight(core, clock)
    digest = post(core.engine, playbook, DIGEST, clock.now)
    assert digest is not None
    [picture] = digest.reply.attachments
    assert picture.media_type == "image/png" and picture.content.startswith(b"\x89PNG")
    assert "Follow-ups done" in picture.description and len(picture.description) < 1000
    data = repr(chart_now(core, clock))
    for private in NAMES_AND_COMPANIES:
        assert private not in data, private
        assert private not in picture.description, private
