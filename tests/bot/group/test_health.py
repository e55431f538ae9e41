"""The facilitator's view: counts of the group's week, and quiet members named only by choice."""

from __future__ import annotations

import io

import PIL.Image

from bot.charts.weekly import HEIGHT, WIDTH
from bot.conversation.events import Member
from bot.group.health import NOT_COUNTED
from tests.bot.group.test_rhythm import ALEX, JO, KIM, LEE, OTHER_CHANNEL, set_up_group, share_a_win
from tests.conftest import SAM
from tests.helpers import Chat, plan_for

MIA = Member("slack", "T1", "U-mia", display_name="@everyone Mia")


def health(core) -> str:
    """What Sam, the group's facilitator, sees of it."""
    return Chat(core, SAM).say("/group health").text


def members_who_planned(core, *members: Member) -> list[Chat]:
    chats = [Chat(core, member) for member in members]
    for chat, company in zip(chats, ("Acme", "Globex", "Hooli", "Initech"), strict=False):
        plan_for(chat, company)
    return chats


def test_a_quiet_member_s_name_reaches_the_facilitator_only_with_their_setting_on(
    core, clock
) -> None:
    set_up_group(core)
    alex, _lee = members_who_planned(core, ALEX, LEE)
    clock.advance(days=15)
    before = health(core)
    assert "Quiet for two weeks or more: 3." in before  # Sam, Alex and Lee: none named
    assert "Alex" not in before and "Lee" not in before

    assert "the facilitators see your name" in alex.say("/settings facilitator on").text
    after = health(core)
    assert "Quiet for two weeks or more: 3. Named at their wish: Alex." in after
    assert "Lee" not in after

    alex.say("/settings facilitator off")
    assert "Alex" not in health(core)


def test_a_member_who_is_active_again_is_no_longer_quiet(core, clock) -> None:
    set_up_group(core)
    [alex] = members_who_planned(core, ALEX)
    alex.say("/settings facilitator on")
    clock.advance(days=15)
    assert "Alex" in health(core)
    share_a_win(alex, "Coffee with a Globex engineer", "Made a new contact", shared=False)
    assert "Alex" not in health(core)


def test_a_named_member_s_name_cannot_ping_anyone(core, clock) -> None:
    set_up_group(core)
    [mia] = members_who_planned(core, MIA)
    mia.say("/settings facilitator on")
    clock.advance(days=15)
    seen = health(core)
    assert "Mia" in seen and "@everyone" not in seen


def test_the_week_is_counted_and_follow_ups_of_too_few_members_are_not(core, clock) -> None:
    set_up_group(core)
    alex, lee = members_who_planned(core, ALEX, LEE)
    alex.say("/followups done 1")
    share_a_win(lee, "Lunch with an Umbrella engineer", "Made a new contact", shared=True)
    Chat(core, JO).say("/settings pause 2")
    seen = health(core)
    assert "Active members: 2 of 4" in seen  # Alex and Lee; Sam set the group up, Jo paused
    assert f"Follow-ups done: {NOT_COUNTED}" in seen  # one member's: it would point at Alex
    assert "Wins shared with the group: 1" in seen
    assert "Members who paused their reminders: 1" in seen


def test_follow_ups_of_three_members_or_more_are_counted(core, clock) -> None:
    set_up_group(core)
    for chat in members_who_planned(core, ALEX, LEE, JO):
        chat.say("/followups done 1")
    clock.advance(hours=1)
    assert "Follow-ups done: 3" in health(core)


def test_another_workspace_is_not_counted(core, clock) -> None:
    set_up_group(core)
    members_who_planned(core, ALEX)
    set_up_group(core, KIM, origin=OTHER_CHANNEL)
    members_who_planned(core, Member("slack", "T2", "U-ola", display_name="Ola"))
    assert "Active members: 1 of 2" in health(core)


def test_the_view_carries_its_chart_and_names_nobody_in_it(core, clock) -> None:
    set_up_group(core)
    [alex] = members_who_planned(core, ALEX)
    alex.say("/settings facilitator on")
    clock.advance(days=15)
    [view] = [reply for reply in Chat(core, SAM).say("/group health") if reply.attachments]
    [chart] = view.attachments
    assert PIL.Image.open(io.BytesIO(chart.content)).size == (WIDTH, HEIGHT)
    assert "Active members" in chart.description
    assert "Alex" in view.text  # the facilitator's words name her, by her choice
    assert "Alex" not in chart.description and "Acme" not in chart.description


def test_a_member_who_is_not_a_facilitator_sees_no_counts(core) -> None:
    set_up_group(core)
    refused = Chat(core, ALEX).say("/group health").text
    assert "looked after by its facilitators" in refused
    assert "Active members" not in refused
