"""Posts a member chose to make to the group: one line, in the group's channel."""

from __future__ import annotations

from bot.conversation.engine import Turn
from bot.conversation.events import ChannelPost
from bot.conversation.inert_text import one_line
from bot.group.rhythm import channel_for

CHOOSE_A_CHANNEL = "A facilitator can choose one by running /group in the group's channel."


def post_to_group(turn: Turn, text: str) -> bool:
    """Say `text` in the group's channel, on one line so no member words in it can pass
    as a post of the bot's own; False, with nothing said, when there is no channel to
    say it in, so the caller answers the member once, truthfully."""
    channel = channel_for(turn.repo.group.find(), turn.origin)
    if channel is None:
        return False
    turn.replies.append(ChannelPost(one_line(text), channel=channel))
    return True
