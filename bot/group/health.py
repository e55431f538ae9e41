"""The facilitator's view of the group's health: who is moving, what got done, who went quiet.

Counts, under the digest's rule for whatever comes from rejections: follow-ups are
counted only when PRIVATE_MINIMUM members or more are behind them. A quiet member is
named only when they chose, in /settings, to let the facilitators know; the others
are a count. Shown to facilitators alone: in /group, and in their home.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.charts.weekly import WEEK, Series, Span, WeeklyChart, chart_weeks, picture
from bot.config import Settings
from bot.conversation.events import Reply
from bot.conversation.inert_text import inert_name
from bot.group.chart import COUNTED
from bot.group.facilitators import facilitates
from bot.group.privacy import PRIVATE_MINIMUM, shown_count
from bot.reminders.arrival import local_time
from bot.store.activity import active_members, standings
from bot.store.groups import Groups, Spread
from bot.store.repository import Repository

QUIET_AFTER = timedelta(days=14)  # no activity for this long: the member has gone quiet
TITLE = "How the group has been doing"
NOT_COUNTED = f"not counted: fewer than {PRIVATE_MINIMUM} members had any"


@dataclass(frozen=True)
class Health:
    """The last seven days of one group, as its facilitators see them."""

    members: int
    active: int
    followups_due: Spread
    followups_done: Spread
    wins_shared: int
    paused: int
    quiet: int
    quiet_named: tuple[str, ...]  # only those who asked to be named; inert


def group_health(groups: Groups, now: datetime) -> Health:
    """The seven days up to `now` (UTC, naive like the store's times)."""
    week = groups.effort(now - WEEK, now)
    everyone = standings(groups.db, groups.platform, groups.workspace, now)
    quiet = [m for m in everyone if not m.paused and now - m.last_active >= QUIET_AFTER]
    return Health(
        members=len(everyone),
        active=_active(groups, (now - WEEK, now)),
        followups_due=week.followups_due,
        followups_done=week.followups_done,
        wins_shared=week.wins_shared,
        paused=sum(m.paused for m in everyone),
        quiet=len(quiet),
        quiet_named=tuple(inert_name(m.display_name) for m in quiet if m.tell_facilitator),
    )


def _active(groups: Groups, span: Span) -> int:
    return active_members(groups.db, groups.platform, groups.workspace, *span)


def health_text(health: Health) -> str:
    return "\n".join(
        (
            "How the group is doing, the last seven days:",
            f"- Active members: {health.active} of {health.members}",
            f"- Follow-ups due: {_counted(health.followups_due)}",
            f"- Follow-ups done: {_counted(health.followups_done)}",
            f"- Wins shared with the group: {health.wins_shared}",
            f"- Members who paused their reminders: {health.paused}",
            f"- Quiet for two weeks or more: {_quiet(health)}",
        )
    )


def _counted(spread: Spread) -> str:
    return str(spread.rows) if spread.members >= PRIVATE_MINIMUM else NOT_COUNTED


def _quiet(health: Health) -> str:
    if not health.quiet:
        return "nobody"
    if not health.quiet_named:
        return f"{health.quiet}. Members can choose in /settings to be named here."
    names = ", ".join(health.quiet_named)
    return f"{health.quiet}. Named at their wish: {names}. A kind word from you may help."


def health_chart(groups: Groups, now: datetime, local_now: datetime) -> WeeklyChart:
    spans, labels = chart_weeks(now, local_now)
    weeks = [groups.effort(start, end) for start, end in spans]
    active = tuple(_active(groups, span) for span in spans)
    return WeeklyChart(
        TITLE,
        labels,
        (
            Series("Active members", active),
            Series("Follow-ups due", tuple(shown_count(w.followups_due) for w in weeks)),
            Series("Follow-ups done", tuple(shown_count(w.followups_done) for w in weeks)),
        ),
    )


def health_view(groups: Groups, now: datetime, zone: str) -> Reply:
    """The view as one reply: its counts, and its chart with a text alternative; its
    weeks end on the group's clock (`zone`)."""
    local_now = local_time(now, zone)
    chart = health_chart(groups, now, local_now)
    return Reply(
        health_text(group_health(groups, now)),
        attachments=(picture(chart, f"group-health-{local_now:%Y-%m-%d}.png", COUNTED),),
    )


def facilitator_home(repo: Repository, settings: Settings, now: datetime) -> list[Reply]:
    """The view in a facilitator's home, after their own things; nothing for anyone else."""
    group = repo.group.find()
    if group is None:
        return []
    if not facilitates(settings, (group.platform, group.workspace), repo.member.user_id, group):
        return []
    return [Reply("Your group"), health_view(repo.group, now, group.timezone)]
