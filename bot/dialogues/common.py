"""Pieces more than one dialogue says: reading a reason, the member's evidence, dates,
posting to the group."""

from __future__ import annotations

from datetime import UTC, date
from zoneinfo import ZoneInfo

from bot.dialogues.engine import Pick, Turn
from bot.events import Option, Visibility
from bot.group_rhythm import channel_for
from bot.playbook import Playbook
from bot.safety import one_line
from bot.store.models import Rejection, Reminder
from bot.store.repository import Repository

CHOOSE_A_CHANNEL = "A facilitator can choose one by running /group in the group's channel."


def post_to_group(turn: Turn, text: str) -> bool:
    """Say `text` in the group's channel, on one line so no member words in it can pass
    as a post of the bot's own; False, with nothing said, when there is no channel to
    say it in, so the caller answers the member once, truthfully."""
    platform, workspace = turn.member.tenant
    channel = channel_for(turn.repo.db, platform, workspace, turn.origin)
    if channel is None:
        return False
    turn.say(one_line(text), visibility=Visibility.GROUP, channel=channel)
    return True


def member_name(turn: Turn) -> str:
    return turn.member.display_name or turn.repo.member.display_name


def category_question(playbook: Playbook, guess: str | None) -> Pick:
    """Our reading of the reason, for the member to confirm or correct."""
    categories = playbook.table("feedback.categories")
    others = tuple(
        Option(key, category["label"]) for key, category in categories.items() if key != guess
    )
    if guess is None:
        return Pick("Which of these comes closest to the reason they gave?", others)
    label = categories[guess]["label"]
    return Pick(
        f"Reading what they said, it sounds like: {label}. Is that right? "
        "If not, pick the one that fits better.",
        (Option("yes", "Yes, that's it"), *others),
    )


def category_advice(playbook: Playbook, category: str, *, weigh: bool) -> str:
    entry = playbook.table(f"feedback.categories.{category}")
    advice = f"{entry['meaning']} {entry['next_step']}"
    if weigh:
        advice += " " + playbook.text("feedback.weigh_it")
    return advice


def win_lines(repo: Repository, playbook: Playbook, count: int = 3) -> list[str]:
    """The member's newest wins, a line each: `- Had a coffee chat: with Jane`."""
    kinds = playbook.table("wins.kinds")
    return [
        f"- {kinds[kind]['label']}" + (f": {description}" if description else "")
        for kind, description in repo.recent_wins(count)
    ]


def evidence(turn: Turn) -> str:
    """The member's own past wins and resilience count: the best answer to one 'no'."""
    wins = win_lines(turn.repo, turn.playbook)
    if wins:
        lines = [turn.playbook.text("comfort.wins_intro"), *wins]
    else:
        lines = [turn.playbook.text("comfort.no_wins_yet")]
    count = turn.repo.rejection_count()
    if count <= 1:
        lines.append(turn.playbook.text("comfort.first_resilience"))
    else:
        lines.append(turn.playbook.text("comfort.resilience", count=count, up=count + 1))
    return "\n".join(lines)


def describe_day(day: date, today: date) -> str:
    """`tomorrow`, `Mon 30 Nov` or `Mon 30 Nov 2027`: short, and unambiguous."""
    if (day - today).days == 1:
        return "Tomorrow"
    return f"{day:%a %-d %b}" if day.year == today.year else f"{day:%a %-d %b %Y}"


def rejection_label(rejection: Rejection) -> str:
    what = f"{rejection.role} at {rejection.company}" if rejection.role else rejection.company
    return f"{what} ({rejection.heard_on:%-d %b})"


def describe_followup(repo: Repository, playbook: Playbook, reminder: Reminder, today: date) -> str:
    """`Tue 24 Nov at 09:00: Send your thank-you and feedback request (Acme)`.

    The time is when it is due now, on its own zone's clock: the time chosen, unless a
    pause, quiet hours or a resume moved it.
    """
    label = playbook.text(f"plan.reminders.{reminder.kind}.label")
    rejection = repo.rejection(reminder.rejection_id) if reminder.rejection_id else None
    company = f" ({rejection.company})" if rejection else ""
    due = reminder.due_at.replace(tzinfo=UTC).astimezone(ZoneInfo(reminder.zone))
    return f"{describe_day(due.date(), today)} at {due:%H:%M}: {label}{company}"
