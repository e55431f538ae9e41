"""What a group's posts may show of its members' private activity: counts, of enough of them."""

from __future__ import annotations

from bot.store.groups import Spread

PRIVATE_MINIMUM = 3  # members behind a count of private activity before it is shown


def shown_count(spread: Spread) -> int:
    """The count; 0 when fewer than PRIVATE_MINIMUM members made it, since
    "1 rejection logged" beside "Thank you, Sam" in a small group says who it was."""
    return spread.rows if spread.members >= PRIVATE_MINIMUM else 0
