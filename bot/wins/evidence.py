"""The member's own evidence against one "no": the wins they logged, and their count."""

from __future__ import annotations

from bot.conversation.engine import Turn
from bot.playbook import Playbook
from bot.store.repository import Repository


def win_lines(repo: Repository, playbook: Playbook, count: int = 3) -> list[str]:
    """The member's newest wins, a line each: `- Had a coffee chat: with Jane`."""
    kinds = playbook.table("wins.kinds")
    return [
        f"- {kinds[kind]['label']}" + (f": {description}" if description else "")
        for kind, description in repo.wins.recent(count)
    ]


def evidence(turn: Turn) -> str:
    """The member's own past wins and resilience count: the best answer to one 'no'."""
    wins = win_lines(turn.repo, turn.playbook)
    if wins:
        lines = [turn.playbook.text("comfort.wins_intro"), *wins]
    else:
        lines = [turn.playbook.text("comfort.no_wins_yet")]
    count = turn.repo.rejections.count()
    if count <= 1:
        lines.append(turn.playbook.text("comfort.first_resilience"))
    else:
        lines.append(turn.playbook.text("comfort.resilience", count=count))
    return "\n".join(lines)
