"""`/group`: the group's channel and weekly rhythm, set by its facilitators only."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import ConfigError, Settings, load_settings
from bot.conversation.core import Bounceback
from bot.conversation.events import Member, Origin, Visibility
from bot.group.dialogue import user_reference
from bot.group.rhythm import plan_group_posts
from bot.member.settings import timezone_name
from bot.parsing import InvalidAnswer, day_and_time, weekday
from bot.store.models import Conversation, Group, Reminder
from tests.conftest import SAM
from tests.helpers import DM, Chat, snapshot

ALEX = Member("slack", "T1", "U-alex", display_name="Alex")
PRIYA = Member("slack", "T1", "U-priya", display_name="Priya")
KIM = Member("slack", "T2", "U-kim", display_name="Kim")
PROPERTY = settings(max_examples=200, deadline=None)
MENU = "Anything to change?"


def group(core, workspace: str = "T1") -> Group | None:
    with Session(core.engine) as session:
        return session.scalars(select(Group).where(Group.workspace == workspace)).first()


def in_channel(core, member: Member = SAM, channel: str = "C-group") -> Chat:
    return Chat(core, member, origin=Origin(channel, in_dm=False))


def with_facilitators(engine, playbook, clock, tmp_path, *entries: str) -> Bounceback:
    return Bounceback(engine, playbook, Settings(data_dir=tmp_path, facilitators=entries), clock)


def conversation(core) -> Conversation | None:
    with Session(core.engine) as session:
        return session.scalars(select(Conversation)).first()


# Who may run it


def test_the_first_to_run_it_becomes_the_facilitator(core) -> None:
    reply = in_channel(core).say("/group")
    assert "You're the first to set up this group, so you're its facilitator." in reply
    assert "Here's the group's rhythm:" in reply
    assert "- Channel: none yet, so nothing is posted" in reply
    assert "- Check-in: Mondays at 09:00" in reply and "- Digest: Fridays at 16:00" in reply
    assert "- Facilitators: Sam" in reply
    assert reply.options[0] == "channel"  # run in a channel: it can become the group's
    assert reply[0].visibility is Visibility.ONLY_MEMBER  # the rest goes to a DM
    saved = group(core)
    assert (saved.facilitators, saved.channel, saved.timezone) == (["U-sam"], "", "UTC")


def test_anyone_else_is_told_kindly_who_can_help(core) -> None:
    in_channel(core).say("/group channel")
    alex = in_channel(core, ALEX)
    alex.say("/help")  # Alex is known to Bounceback before trying
    before = snapshot(core)
    for attempt in ("/group", "/group off", "/group checkin tue 10:00"):
        reply = alex.say(attempt)
        assert "looked after by its facilitators" in reply, attempt
        assert "Sam can help if you'd like something changed." in reply
        assert MENU not in reply
        assert snapshot(core) == before


def test_the_refusal_names_facilitators_without_pinging_them(core) -> None:
    loud = Member("slack", "T1", "U-loud", display_name="@everyone <!here> Jo")
    Chat(core, loud).say("/group")
    reply = Chat(core, ALEX).say("/group")
    assert "Jo can help" in reply
    assert "@everyone" not in reply and "<!here>" not in reply


def test_a_facilitator_not_met_yet_is_not_named(core) -> None:
    sam = Chat(core, SAM)
    sam.steps("/group facilitator U-zed")
    reply = Chat(core, ALEX).say("/group")
    assert "Sam (or another facilitator) can help" in reply
    assert "U-zed" not in reply


def test_a_configured_facilitator_may_run_it_and_nobody_else_claims_it(
    engine, playbook, clock, tmp_path
) -> None:
    core = with_facilitators(engine, playbook, clock, tmp_path, "slack:T1:U-priya")
    sam = Chat(core, SAM)
    assert "Your group's facilitator can help" in sam.say("/group")  # no first-comer claim
    assert group(core) is None
    reply = in_channel(core, PRIYA).say("/group")
    assert "Here's the group's rhythm:" in reply and "You're the first" not in reply
    assert "- Facilitators: Priya" in reply
    assert group(core).facilitators == []  # the setting, not the row, lets Priya in
    assert "Priya can help" in sam.say("/group")


def test_a_facilitator_configured_for_another_workspace_changes_nothing_here(
    engine, playbook, clock, tmp_path
) -> None:
    core = with_facilitators(engine, playbook, clock, tmp_path, "slack:T9:U-priya")
    assert "You're the first" in Chat(core, SAM).say("/group")


def test_a_group_nobody_looks_after_any_more_is_claimed_by_the_next_to_run_it(
    engine, playbook, clock, tmp_path
) -> None:
    configured = with_facilitators(engine, playbook, clock, tmp_path, "slack:T1:U-priya")
    Chat(configured, PRIYA).say("/group")
    core = with_facilitators(engine, playbook, clock, tmp_path)  # Priya taken off the list
    reply = Chat(core, SAM).say("/group")
    assert "You're the first" in reply
    assert group(core).facilitators == ["U-sam"]


def test_a_facilitator_added_by_name_can_then_run_it(core) -> None:
    Chat(core, ALEX).say("/help")
    sam = Chat(core, SAM)
    sam.steps("/group", "Add a facilitator")
    assert "Added Alex as a facilitator." in sam.say("alex")
    assert group(core).facilitators == ["U-sam", "U-alex"]
    reply = Chat(core, ALEX).say("/group")
    assert "Here's the group's rhythm:" in reply
    assert "- Facilitators: Sam, Alex" in reply


def test_a_facilitator_can_be_added_by_mention_or_id(core) -> None:
    sam = Chat(core, SAM)
    assert "Added U0456DEF as a facilitator. I haven't met them yet" in sam.say(
        "/group facilitator <@U0456DEF>"
    )
    assert "U0456DEF is already a facilitator." in sam.say("/group facilitator U0456DEF")
    assert "Added 81234 as a facilitator." in sam.say("/group add <@!81234>")
    assert group(core).facilitators == ["U-sam", "U0456DEF", "81234"]


def test_one_workspace_cannot_touch_another(core) -> None:
    Chat(core, SAM).say("/group timezone Europe/Berlin")
    reply = in_channel(core, KIM, "C-kim").say("/group channel")
    assert "You're the first" in reply  # T2 is its own group
    assert (group(core, "T1").channel, group(core, "T1").timezone) == ("", "Europe/Berlin")
    assert (group(core, "T2").channel, group(core, "T2").timezone) == ("C-kim", "UTC")


# The menu, one branch at a time


def test_use_this_channel(core) -> None:
    chat = in_channel(core)
    chat.say("/group")
    reply = chat.say("Use the channel I ran /group in")
    assert "Done: check-ins and digests will go to the channel you ran /group in." in reply
    assert "channel" not in reply.options  # it already is the group's
    assert group(core).channel == "C-group"


def test_in_a_dm_it_explains_where_to_choose_the_channel(core) -> None:
    chat = Chat(core, SAM, origin=DM)
    reply = chat.say("/group")
    assert "To choose the group's channel, run /group in that channel" in reply
    assert "channel" not in reply.options
    assert "run /group in that channel" in chat.say("/group channel")
    assert group(core).channel == ""


def test_time_zone(core) -> None:
    chat = Chat(core, SAM)
    chat.say("/group")
    assert "Which time zone" in chat.say("Time zone")
    reply = chat.say("america/new_york")
    assert "Done: the group's times now follow America/New_York." in reply
    assert MENU in reply
    assert group(core).timezone == "America/New_York"


def test_check_in_day_and_time(core) -> None:
    chat = Chat(core, SAM)
    chat.say("/group")
    assert "Which day and time for the weekly check-in?" in chat.say("Check-in day and time")
    reply = chat.say("Tuesday 8:30am")
    assert "Done: the check-in now goes out on Tuesdays at 08:30 (UTC)." in reply
    saved = group(core)
    assert (saved.checkin_day, saved.checkin_at) == ("tue", time(8, 30))


def test_a_check_in_at_24_00_goes_out_at_the_midnight_that_ends_the_day(core) -> None:
    chat = Chat(core, SAM)
    chat.steps("/group", "Check-in day and time")
    reply = chat.say("fri 24:00")
    assert "Done: the check-in now goes out on Saturdays at 00:00 (UTC)." in reply
    assert (group(core).checkin_day, group(core).checkin_at) == ("sat", time(0, 0))


def test_digest_day_and_time(core) -> None:
    chat = Chat(core, SAM)
    chat.steps("/group", "Digest day and time")
    assert "Done: the digest now goes out on Thursdays at 17:15" in chat.say("thu 17:15")
    saved = group(core)
    assert (saved.digest_day, saved.digest_at) == ("thu", time(17, 15))


def test_pause_and_turn_the_rhythm_back_on(core) -> None:
    chat = in_channel(core)
    chat.say("/group")
    reply = chat.say("Pause the rhythm")
    assert "Paused: no check-ins or digests" in reply
    assert "on" in reply.options and "off" not in reply.options
    assert group(core).rhythm_on is False
    reply = chat.say("Turn it on")
    assert "The rhythm is on again. It still needs a channel" in reply
    assert group(core).rhythm_on is True


def test_back_returns_to_the_menu_and_done_ends_it(core) -> None:
    chat = Chat(core, SAM)
    chat.say("/group")
    chat.say("Time zone")
    assert MENU in chat.say("Back")
    assert group(core).timezone == "UTC"
    assert "All set." in chat.say("Done")
    assert conversation(core) is None


def test_the_summary_shows_when_the_next_posts_go_out(core, clock) -> None:
    clock.now = datetime(2026, 11, 23, 7, 0)  # Monday morning, before the check-in
    chat = in_channel(core)
    chat.say("/group channel")
    reply = chat.say("/group")
    assert "- Rhythm: on (next check-in Today at 09:00, next digest Fri 27 Nov at 16:00)" in reply


# Shortcuts


def test_every_shortcut(core) -> None:
    chat = in_channel(core)
    assert "will go to the channel you ran /group in" in chat.say("/group channel")
    assert "The group already posts in that channel." in chat.say("/group channel")
    assert "Tuesdays at 10:00" in chat.say("/group checkin tue 10:00")
    assert "already on Tuesdays at 10:00" in chat.say("/group check-in Tue 10:00")
    assert "Wednesdays at 16:00" in chat.say("/group digest wed 4pm")
    assert "now follow Europe/Berlin" in chat.say("/group timezone Europe/Berlin")
    assert "already follows Europe/Berlin" in chat.say("/group tz europe/berlin")
    assert "Paused" in chat.say("/group off")
    assert "already paused" in chat.say("/group pause")
    assert "The rhythm is on again." in chat.say("/group on")
    saved = group(core)
    assert (saved.channel, saved.timezone, saved.rhythm_on) == ("C-group", "Europe/Berlin", True)
    assert (saved.checkin_day, saved.checkin_at) == ("tue", time(10, 0))
    assert (saved.digest_day, saved.digest_at) == ("wed", time(16, 0))
    assert conversation(core) is None  # a shortcut opens no conversation


def test_the_support_contact_is_set_shown_and_cleared(core) -> None:
    chat = in_channel(core)
    assert "pointed to: support lines for their country" in chat.say("/group")
    priya = "/group support Priya, our facilitator (DM her any time)"
    assert "pointed to Priya, our facilitator (DM her any time), and to" in chat.say(priya)
    assert "already who members are pointed to" in chat.say(priya)
    assert "pointed to: Priya, our facilitator" in chat.say("/group")
    assert group(core).support == "Priya, our facilitator (DM her any time)"
    assert "pointed to the support lines" in chat.say("/group support none")
    assert group(core).support == ""


def test_the_support_contact_can_be_set_from_the_menu(core) -> None:
    chat = Chat(core, SAM)
    chat.say("/group")
    asked = chat.say("Who members can reach in a hard moment")
    assert "Who should that be?" in asked
    assert MENU in chat.say("Dev, who runs the group (@dev on here)")
    assert group(core).support == "Dev, who runs the group (@dev on here)"


# Bad input: short, kind, nothing changed


SHORTCUTS = {
    "unknown setting": "/group frobnicate",
    "no day": "/group checkin 09:00",
    "no such day": "/group digest funday 09:00",
    "no such hour": "/group checkin mon 25:00",
    "pm past twelve": "/group digest fri 16pm",
    "no zone": "/group timezone Mars/Olympus",
    "zone path": "/group timezone ../../etc/passwd",
    "zone folder": "/group timezone Europe",
    "mass mention": "/group facilitator @everyone",
    "unknown name": "/group facilitator Someone Else",
    "off with more": "/group off now",
    "support mention": "/group support ask @here",
    "support too long": "/group support " + "Priya " * 60,
}


@pytest.mark.parametrize("kind", SHORTCUTS)
def test_a_bad_shortcut_is_explained_and_changes_nothing(core, kind: str) -> None:
    chat = Chat(core, SAM)
    chat.say("/group timezone UTC")  # Sam's group exists, Sam looks after it
    before = snapshot(core)
    reply = chat.say(SHORTCUTS[kind])
    assert len(reply) == 1 and 0 < len(reply[0].text) < 220, reply.text
    assert snapshot(core) == before


def test_a_bad_first_shortcut_claims_nothing(core) -> None:
    chat = Chat(core, SAM)
    chat.say("/help")
    before = snapshot(core)
    assert "Try `/group`" in chat.say("/group everything")
    assert snapshot(core) == before
    assert group(core) is None


STEPS = {
    "timezone": ("Time zone", ("Mars/Olympus", "", "Europe", "@here", "x" * 200)),
    "checkin": ("Check-in day and time", ("someday", "mon 24:30", "fri 13pm", "9", "🙂")),
    "digest": ("Digest day and time", ("friday", "sat 12:60", "monday morning")),
    "facilitator": ("Add a facilitator", ("@everyone", "Nobody We Know", "<!channel>")),
}


@pytest.mark.parametrize("step", STEPS)
def test_a_bad_answer_is_explained_the_question_repeated_and_nothing_changed(
    core, step: str
) -> None:
    chat = Chat(core, SAM)
    chat.say("/group")
    choice, answers = STEPS[step]
    question = chat.say(choice)[-1].text
    before = snapshot(core)
    for answer in answers:
        reply = chat.say(answer)
        assert 0 < len(reply[0].text) < 220, reply.text
        assert question in reply.text, answer
        assert snapshot(core) == before, answer


def test_two_members_with_the_same_name_need_an_id(core) -> None:
    Chat(core, Member("slack", "T1", "U-a", display_name="Robin")).say("/help")
    Chat(core, Member("slack", "T1", "U-b", display_name="Robin")).say("/help")
    reply = Chat(core, SAM).say("/group facilitator Robin")
    assert "More than one member goes by that name." in reply


# A new schedule replaces what was planned


def test_a_schedule_change_cancels_pending_posts_for_re_planning(core, clock) -> None:
    chat = in_channel(core)
    chat.say("/group channel")
    with core.engine.begin() as db:
        assert plan_group_posts(db, clock.now) == 2

    def statuses() -> dict[str, list[str]]:
        with Session(core.engine) as session:
            rows = session.scalars(select(Reminder).order_by(Reminder.id)).all()
            found: dict[str, list[str]] = {}
            for row in rows:
                found.setdefault(row.kind, []).append(row.status)
            return found

    chat.say("/group digest fri 17:00")
    assert statuses() == {"group_checkin": ["pending"], "group_digest": ["cancelled"]}
    chat.say("/group timezone Europe/Berlin")
    assert statuses() == {"group_checkin": ["cancelled"], "group_digest": ["cancelled"]}
    with core.engine.begin() as db:
        assert plan_group_posts(db, clock.now) == 2
    chat.say("/group off")
    assert statuses() == {
        "group_checkin": ["cancelled", "cancelled"],
        "group_digest": ["cancelled", "cancelled"],
    }
    with core.engine.begin() as db:
        assert plan_group_posts(db, clock.now) == 0


def test_a_setting_that_does_not_change_cancels_nothing(core, clock) -> None:
    chat = in_channel(core)
    chat.say("/group channel")
    with core.engine.begin() as db:
        plan_group_posts(db, clock.now)
    before = snapshot(core)
    chat.say("/group checkin mon 09:00")
    chat.say("/group timezone UTC")
    chat.say("/group on")
    assert snapshot(core) == before


# Configuration


def test_facilitators_are_read_from_the_environment() -> None:
    loaded = load_settings(
        {"BOUNCEBACK_FACILITATORS": " slack:T0123:U0456 ,discord:81234:95678,,slack:T0123:U0456"}
    )
    assert loaded.facilitators == ("slack:T0123:U0456", "discord:81234:95678")
    assert load_settings({}).facilitators == ()


@pytest.mark.parametrize(
    "raw",
    ["slack:T1", "slack:T1:U1:extra", "slack::U1", ":T1:U1", "slack:T1:U 1", "U0456", "a:b:c\x00"],
)
def test_a_malformed_facilitator_stops_start_up_by_name(raw: str) -> None:
    with pytest.raises(ConfigError, match="BOUNCEBACK_FACILITATORS") as refused:
        load_settings({"BOUNCEBACK_FACILITATORS": raw})
    assert "platform:workspace:user" in str(refused.value)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 200


@PROPERTY
@given(st.text(max_size=60))
def test_any_facilitator_list_is_read_or_refused_by_name(raw: str) -> None:
    try:
        loaded = load_settings({"BOUNCEBACK_FACILITATORS": raw})
    except ConfigError as problem:
        assert "BOUNCEBACK_FACILITATORS" in str(problem)
        return
    for entry in loaded.facilitators:
        assert len(entry.split(":")) == 3 and all(entry.split(":"))


# The parsers, for any input


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mon 09:00", ("mon", time(9, 0))),
        ("Monday 9:00", ("mon", time(9, 0))),
        ("tues at 7.45", ("tue", time(7, 45))),
        ("Thurs 16h30", ("thu", time(16, 30))),
        ("fri 4pm", ("fri", time(16, 0))),
        ("sun 12am", ("sun", time(0, 0))),
        ("sat 12 pm", ("sat", time(12, 0))),
        ("wed, 23:59", ("wed", time(23, 59))),
    ],
)
def test_days_and_times_are_read(raw: str, expected: tuple[str, time]) -> None:
    assert day_and_time(raw) == expected


@PROPERTY
@given(st.text(max_size=30))
def test_any_day_and_time_is_read_or_explained(raw: str) -> None:
    try:
        day, at = day_and_time(raw)
    except InvalidAnswer as problem:
        assert 0 < len(str(problem)) < 220
        return
    assert day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert isinstance(at, time)


@PROPERTY
@given(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), st.times())
def test_every_day_and_minute_reads_back(day: str, at: time) -> None:
    assert day_and_time(f"{day} {at:%H:%M}") == (day, at.replace(second=0, microsecond=0))


def test_weekday_needs_three_letters_of_a_real_day() -> None:
    assert [weekday(w) for w in ("mo", "mon", "thursday", "thursdays", "mun")] == [
        None,
        "mon",
        "thu",
        None,
        None,
    ]


@PROPERTY
@given(st.text(max_size=40))
def test_any_zone_is_a_real_iana_zone_or_explained(raw: str) -> None:
    try:
        zone = timezone_name(raw)
    except InvalidAnswer as problem:
        assert 0 < len(str(problem)) < 220
        return
    assert ZoneInfo(zone)


def test_zones_are_found_whatever_the_case() -> None:
    assert timezone_name("europe/berlin") == "Europe/Berlin"
    assert timezone_name(" America/New York ") == "America/New_York"
    for odd in ("localtime", "Europe", "posixrules", "/etc/localtime"):
        with pytest.raises(InvalidAnswer):
            timezone_name(odd)


@PROPERTY
@given(st.text(max_size=100))
def test_any_user_reference_is_an_id_a_clean_name_or_explained(raw: str) -> None:
    try:
        typed, is_id = user_reference(raw)
    except InvalidAnswer as problem:
        assert 0 < len(str(problem)) < 220
        return
    assert typed and "\n" not in typed
    if is_id:
        assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in typed)
