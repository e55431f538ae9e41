"""The group's rhythm: check-ins and digests planned once, at local time, and written
from the week's real activity without a company name or a rejection in sight."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.conversation.events import Member, Origin, Visibility
from bot.group.rhythm import (
    CHECKIN,
    DIGEST,
    GroupPost,
    group_post,
    plan_group_posts,
)
from bot.store.database import make_engine
from bot.store.models import Reminder
from tests.conftest import SAM
from tests.helpers import CHANNEL, PRIVATE_CHECKIN_WORDS, Chat, a_week_of_check_ins, plan_for

ALEX = Member("slack", "T1", "U-alex", display_name="Alex")
LEE = Member("slack", "T1", "U-lee", display_name="Lee")
JO = Member("slack", "T1", "U-jo", display_name="Jo")
KIM = Member("slack", "T2", "U-kim", display_name="Kim")
OTHER_CHANNEL = Origin("C-other", in_dm=False)


def set_up_group(core, member: Member = SAM, *commands: str, origin=CHANNEL) -> Chat:
    """The member runs /group in the group's channel, then any further settings."""
    chat = Chat(core, member, origin=origin)
    chat.say("/group channel")
    for command in commands:
        chat.say(command)
    return chat


def plan(engine: Engine, now: datetime, **horizon: timedelta) -> int:
    with engine.begin() as db:
        return plan_group_posts(db, now, **horizon)


def group_rows(engine: Engine, kind: str | None = None) -> list[tuple]:
    query = select(Reminder).where(Reminder.member_id.is_(None)).order_by(Reminder.due_at)
    if kind:
        query = query.where(Reminder.kind == kind)
    with Session(engine) as session:
        return [
            (
                r.platform,
                r.workspace,
                r.kind,
                r.idempotency_key,
                r.due_at,
                r.local_due,
                r.zone,
                r.status,
                r.member_id,
                r.rejection_id,
            )
            for r in session.scalars(query)
        ]


def post(
    engine: Engine,
    playbook,
    kind: str,
    now: datetime,
    workspace: str = "T1",
    *,
    due: datetime | None = None,
):
    """The post as sent at `now` (UTC, and the group's zone) for `due`, by default now."""
    due = due or now
    with engine.begin() as db:
        return group_post(
            db,
            playbook,
            platform="slack",
            workspace=workspace,
            kind=kind,
            local_due=due,
            due_at=due,
            now=now,
        )


# Planning


def test_nothing_is_planned_without_a_group_or_a_channel(core, clock) -> None:
    assert plan(core.engine, clock.now) == 0
    Chat(core, SAM).say("/group")  # a group, but run in a DM: no channel yet
    assert plan(core.engine, clock.now) == 0
    assert group_rows(core.engine) == []


def test_a_paused_rhythm_plans_nothing(core, clock) -> None:
    set_up_group(core, SAM, "/group off")
    assert plan(core.engine, clock.now) == 0


def test_the_next_check_in_and_digest_are_planned_as_group_rows(core, clock) -> None:
    set_up_group(core, SAM, "/group timezone Europe/Berlin")
    assert clock.now == datetime(2026, 11, 23, 14, 0)  # a Monday afternoon, UTC
    assert plan(core.engine, clock.now) == 2
    assert group_rows(core.engine) == [
        (
            "slack",
            "T1",
            DIGEST,
            "digest:slack:T1:2026-11-27",
            datetime(2026, 11, 27, 15, 0),  # Friday 16:00 in Berlin
            datetime(2026, 11, 27, 16, 0),
            "Europe/Berlin",
            "pending",
            None,
            None,
        ),
        (
            "slack",
            "T1",
            CHECKIN,
            "checkin:slack:T1:2026-11-30",  # this Monday's 09:00 has passed: next week's
            datetime(2026, 11, 30, 8, 0),
            datetime(2026, 11, 30, 9, 0),
            "Europe/Berlin",
            "pending",
            None,
            None,
        ),
    ]


def test_planning_twice_creates_each_row_once(core, clock) -> None:
    set_up_group(core)
    assert plan(core.engine, clock.now) == 2
    before = group_rows(core.engine)
    assert plan(core.engine, clock.now) == 0
    clock.advance(hours=5)
    assert plan(core.engine, clock.now) == 0  # the same posts are still the next ones
    assert group_rows(core.engine) == before


def test_two_instances_create_each_row_once(core, clock, engine: Engine) -> None:
    set_up_group(core)
    second = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        assert plan(engine, clock.now) == 2
        assert plan(second, clock.now) == 0
        assert len(group_rows(engine)) == 2
    finally:
        second.dispose()


def test_two_instances_planning_at_the_same_moment_create_each_row_once(
    core, clock, engine: Engine
) -> None:
    set_up_group(core)
    engines = [engine, make_engine(engine.url.render_as_string(hide_password=False))]
    start = threading.Barrier(len(engines))
    inserted: list[int] = []
    problems: list[BaseException] = []

    def instance(each: Engine) -> None:
        try:
            start.wait()
            inserted.append(plan(each, clock.now))
        except BaseException as problem:  # surfaced below, in the test's own thread
            problems.append(problem)

    threads = [threading.Thread(target=instance, args=(each,)) for each in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        engines[1].dispose()
    assert problems == []
    assert sorted(inserted) == [0, 2]
    assert len(group_rows(engine)) == 2


def test_a_post_beyond_the_horizon_waits(core, clock) -> None:
    set_up_group(core)  # UTC: check-in Mondays 09:00, digest Fridays 16:00
    assert plan(core.engine, clock.now, horizon=timedelta(days=1)) == 0
    assert plan(core.engine, clock.now, horizon=timedelta(days=4, hours=2)) == 1
    assert [row[2] for row in group_rows(core.engine)] == [DIGEST]


def test_each_tenant_gets_its_own_rows(core, clock) -> None:
    set_up_group(core, SAM)
    set_up_group(core, KIM, "/group checkin tue 08:30")
    assert plan(core.engine, clock.now) == 4
    keys = {row[3] for row in group_rows(core.engine)}
    assert keys == {
        "checkin:slack:T1:2026-11-30",
        "digest:slack:T1:2026-11-27",
        "checkin:slack:T2:2026-11-24",
        "digest:slack:T2:2026-11-27",
    }


DST = {
    "berlin-spring": ("Europe/Berlin", date(2026, 3, 9), date(2026, 4, 13), date(2026, 3, 29), 8),
    "berlin-autumn": ("Europe/Berlin", date(2026, 10, 5), date(2026, 11, 9), date(2026, 10, 25), 7),
    "new-york-spring": (
        "America/New_York",
        date(2026, 2, 23),
        date(2026, 3, 30),
        date(2026, 3, 8),
        14,
    ),
    "new-york-autumn": (
        "America/New_York",
        date(2026, 10, 12),
        date(2026, 11, 16),
        date(2026, 11, 1),
        13,
    ),
}


@pytest.mark.parametrize("case", DST)
def test_a_monday_check_in_stays_at_nine_local_across_a_clock_change(core, clock, case) -> None:
    zone, first_monday, last_monday, change, utc_hour_before = DST[case]
    clock.now = datetime.combine(first_monday - timedelta(days=3), time(12, 0))
    set_up_group(core, SAM, f"/group timezone {zone}")  # check-ins: Mondays at 09:00
    # A scheduler planning every six hours, day and night, for five weeks.
    while clock.now < datetime.combine(last_monday, time(0, 0)):
        plan(core.engine, clock.now)
        clock.advance(hours=6)
    rows = group_rows(core.engine, CHECKIN)
    mondays = [first_monday + timedelta(weeks=n) for n in range(6)]
    assert [row[5] for row in rows] == [datetime.combine(day, time(9, 0)) for day in mondays]
    assert len({row[3] for row in rows}) == len(rows)  # one key, one row, per Monday
    shift = 1 if change.month < 6 else -1  # spring: the UTC hour falls back by one
    for row in rows:
        local_day = row[5].date()
        expected = utc_hour_before if local_day < change else utc_hour_before - shift
        assert row[4] == datetime.combine(local_day, time(expected, 0)), row
        assert row[6] == zone


# Writing the posts


def test_the_check_in_invites_wins_and_keeps_rejections_private(core, clock, playbook) -> None:
    set_up_group(core)
    found = post(core.engine, playbook, CHECKIN, clock.now)
    assert isinstance(found, GroupPost)
    assert found.channel == "C-group"
    assert found.reply.visibility is Visibility.GROUP
    text = found.reply.text
    assert "/win" in text and "private" in text
    assert "@" not in text and len(text) < 400


def test_check_in_wording_turns_over_week_by_week(core, clock, playbook) -> None:
    set_up_group(core)
    texts = {
        post(core.engine, playbook, CHECKIN, clock.now + timedelta(weeks=n)).reply.text
        for n in range(3)
    }
    assert len(texts) == 3


def test_no_post_once_the_group_is_gone_silent(core, clock, playbook) -> None:
    assert post(core.engine, playbook, CHECKIN, clock.now) is None  # no group at all
    chat = Chat(core, SAM)
    chat.say("/group")  # a group without a channel
    assert post(core.engine, playbook, DIGEST, clock.now) is None
    set_up_group(core, SAM, "/group off")
    assert post(core.engine, playbook, CHECKIN, clock.now) is None


def test_an_unknown_kind_is_a_mistake_not_a_post(core, clock, playbook) -> None:
    set_up_group(core)
    with pytest.raises(ValueError, match="not a group post"):
        post(core.engine, playbook, "send_note", clock.now)


def share_a_win(chat: Chat, description: str, kind: str, *, shared: bool) -> None:
    replies = chat.steps(f"/win {description}", kind)
    if "Did it come from one of your follow-ups?" in replies:
        chat.say("Not linked to one")
    chat.say("Share with the group" if shared else "Keep it private")


def test_the_digest_counts_the_week_and_names_only_those_who_shared(core, clock, playbook) -> None:
    set_up_group(core)
    set_up_group(core, KIM, origin=OTHER_CHANNEL)
    lee = Chat(core, LEE)
    plan_for(lee, "Umbrella")  # more than a week before the digest: not counted
    share_a_win(lee, "Lunch with an Umbrella engineer", "Made a new contact", shared=True)
    clock.advance(days=10)

    sam, alex, jo, kim = Chat(core, SAM), Chat(core, ALEX), Chat(core, JO), Chat(core, KIM)
    for member, company in ((sam, "Acme"), (alex, "Globex"), (jo, "Hooli")):
        plan_for(member, company)
        assert "Marked number 1 done" in member.say("/followups done 1")
    share_a_win(sam, "Coffee with the Acme hiring manager", "Had an advice meeting", shared=True)
    share_a_win(alex, "Globex passed my name on", "Got a referral", shared=False)
    plan_for(kim, "Initech")
    kim.say("/followups done 1")
    share_a_win(kim, "Initech called back", "Got a call-back", shared=True)
    clock.advance(hours=2)

    digest = post(core.engine, playbook, DIGEST, clock.now)
    assert digest is not None and digest.channel == "C-group"
    assert digest.reply.visibility is Visibility.GROUP
    text = digest.reply.text
    assert "3 rejections logged" in text
    assert "3 follow-ups done" in text
    assert "1 win shared with the group (Had an advice meeting)" in text
    assert "Thank you, Sam," in text
    for absent in ("Alex", "Lee", "Jo ", "Kim", "Acme", "Globex", "Initech", "Umbrella", "Coffee"):
        assert absent not in text, absent

    theirs = post(core.engine, playbook, DIGEST, clock.now, workspace="T2")
    assert theirs is not None and theirs.channel == "C-other"
    assert "Thank you, Kim," in theirs.reply.text
    assert "rejection logged" not in theirs.reply.text  # Kim's alone: it would point at Kim
    assert "Sam" not in theirs.reply.text and "Initech" not in theirs.reply.text


def test_the_digest_counts_check_ins_and_shows_only_the_goals_shared(core, clock, playbook) -> None:
    set_up_group(core)
    a_week_of_check_ins(core, SAM, ALEX, JO)
    clock.advance(hours=2)
    text = post(core.engine, playbook, DIGEST, clock.now).reply.text
    assert "- 3 check-ins answered" in text
    assert "- Sam: two applications and a coffee chat" in text
    for private in ("Alex", "Jo ", "Jo:", "Good", *PRIVATE_CHECKIN_WORDS):
        assert private not in text, private


def test_check_ins_of_fewer_than_three_members_are_not_counted(core, clock, playbook) -> None:
    set_up_group(core)
    a_week_of_check_ins(core, SAM, ALEX)
    clock.advance(hours=2)
    text = post(core.engine, playbook, DIGEST, clock.now).reply.text
    assert "check-in" not in text and "Sam: two applications" in text


def test_a_two_member_groups_digest_names_no_rejection_count(core, clock, playbook) -> None:
    set_up_group(core)
    sam, alex = Chat(core, SAM), Chat(core, ALEX)
    for member, company in ((sam, "Acme"), (alex, "Globex")):
        plan_for(member, company)
        member.say("/followups done 1")
    share_a_win(sam, "Coffee with the Acme hiring manager", "Had an advice meeting", shared=True)
    clock.advance(hours=2)
    text = post(core.engine, playbook, DIGEST, clock.now).reply.text
    assert "Thank you, Sam," in text
    assert "1 win shared with the group" in text
    assert not re.search(r"\d+ (rejection|follow-up)", text), text
    assert "counted only when 3 or more of you logged one" in text


def test_a_quiet_week_gets_a_gentle_digest(core, clock, playbook) -> None:
    set_up_group(core)
    digest = post(core.engine, playbook, DIGEST, clock.now)
    assert digest is not None
    assert "no wins shared this time" in digest.reply.text
    assert "Thank you" not in digest.reply.text


def test_the_digest_counts_follow_ups_closed_in_the_week_only(core, clock, playbook) -> None:
    set_up_group(core)
    chats = [Chat(core, member) for member in (SAM, ALEX, JO)]
    for chat in chats:
        plan_for(chat, "Acme")
        chat.say("/followups done 1")
    clock.advance(days=8)
    for chat in chats:
        chat.say("/followups cancel 1")  # cancelled is not done
    digest = post(core.engine, playbook, DIGEST, clock.now)
    assert "no wins shared this time" in digest.reply.text
    assert "follow-up" not in digest.reply.text


def test_a_late_digest_says_so_and_counts_the_week_it_was_due_for(core, clock, playbook) -> None:
    set_up_group(core)
    due = clock.now + timedelta(days=1)
    share_a_win(Chat(core, SAM), "Coffee with a recruiter", "Made a new contact", shared=True)
    clock.advance(days=1, hours=20)  # the digest was due 20 hours ago
    share_a_win(Chat(core, ALEX), "A referral at Hooli", "Got a referral", shared=True)
    late = post(core.engine, playbook, DIGEST, clock.now, due=due)
    assert late.late
    first, _, rest = late.reply.text.partition("\n")
    assert first == (
        f"This week's digest is late: it was due {due:%A at %H:%M}, and I was offline for a while."
    )
    assert rest.startswith(f"The group's week to {due:%a %-d %b}:")
    assert "1 win shared with the group (Made a new contact)" in rest
    assert "Alex" not in rest  # shared after it was due: next week's
    following = post(core.engine, playbook, DIGEST, due + timedelta(days=7))
    assert not following.late and "late" not in following.reply.text
    assert "1 win shared with the group (Got a referral)" in following.reply.text
    assert "Sam" not in following.reply.text  # counted once, in the week it was for


def test_a_check_in_is_late_only_after_a_while_and_then_says_so(core, clock, playbook) -> None:
    set_up_group(core)
    due = clock.now
    soon = post(core.engine, playbook, CHECKIN, due + timedelta(hours=1), due=due)
    assert not soon.late and "late" not in soon.reply.text
    late = post(core.engine, playbook, CHECKIN, due + timedelta(hours=3), due=due)
    assert late.late
    assert late.reply.text.startswith(f"This week's check-in is late: it was due {due:%A at %H:%M}")
    assert late.reply.text.endswith(soon.reply.text)


def test_a_sharer_name_that_would_ping_is_made_plain(core, clock, playbook) -> None:
    set_up_group(core)
    loud = Chat(core, Member("slack", "T1", "U-loud", display_name="<!channel> @here Jo"))
    share_a_win(loud, "A referral", "Got a referral", shared=True)
    text = post(core.engine, playbook, DIGEST, clock.now + timedelta(hours=1)).reply.text
    assert "<!channel>" not in text and "@here" not in text
    assert "Jo" in text


def test_cancelled_rows_give_their_key_back_and_sent_ones_keep_it(core, clock) -> None:
    chat = set_up_group(core)  # Monday 09:00 check-ins, UTC
    clock.now = datetime(2026, 11, 29, 12, 0)  # Sunday
    assert plan(core.engine, clock.now) == 2
    chat.say("/group checkin mon 10:00")  # same date, later hour
    assert plan(core.engine, clock.now) == 1
    checkins = group_rows(core.engine, CHECKIN)
    assert [row[7] for row in checkins] == ["cancelled", "pending"]
    assert checkins[0][3].startswith("checkin:slack:T1:2026-11-30:cancelled:")
    assert checkins[1][3] == "checkin:slack:T1:2026-11-30"
    assert checkins[1][5] == datetime(2026, 11, 30, 10, 0)
    with Session(core.engine) as session, session.begin():
        session.execute(update(Reminder).where(Reminder.status == "pending").values(status="sent"))
    clock.now = datetime(2026, 11, 30, 10, 30)  # after Monday's post went out
    chat.say("/group checkin mon 11:00")
    assert plan(core.engine, clock.now) == 0  # Monday had its check-in: never two
    assert len(group_rows(core.engine, CHECKIN)) == 2
