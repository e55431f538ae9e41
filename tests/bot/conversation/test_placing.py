"""Where replies are seen, decided once in the core; the one DM fallback adapters apply."""

from __future__ import annotations

from bot.conversation.events import ChannelPost, DmPointer, Reply, Visibility
from bot.conversation.placing import placed, without_dm

PRIVATE = Reply("How are you feeling?")
POST = ChannelPost("Sam had a win!", channel="C-group")
CLOSED = "Your DMs are closed: here is how to open them."


def test_asked_in_a_dm_everything_stays_as_the_dialogue_said() -> None:
    assert placed([PRIVATE, POST], in_dm=True, in_place=False) == [PRIVATE, POST]


def test_asked_in_a_channel_the_dm_is_announced_there_first() -> None:
    shown = placed([PRIVATE, POST], in_dm=False, in_place=False)
    assert isinstance(shown[0], DmPointer) and shown[0].visibility is Visibility.ONLY_MEMBER
    assert shown[1:] == [PRIVATE, POST]


def test_a_command_answered_in_place_needs_no_pointer() -> None:
    [shown] = placed([PRIVATE], in_dm=False, in_place=True)
    assert shown.visibility is Visibility.ONLY_MEMBER and shown.text == PRIVATE.text


def test_without_the_dm_the_pointer_is_known_by_its_kind_and_says_how_to_open_it() -> None:
    """Any pointer, whatever its wording: not only one equal to the core's own."""
    replies = [DmPointer("Over to your DMs."), PRIVATE, POST]
    note, private, post = without_dm(replies, CLOSED)
    assert (note.text, note.visibility) == (CLOSED, Visibility.ONLY_MEMBER)
    assert (private.text, private.visibility) == (PRIVATE.text, Visibility.ONLY_MEMBER)
    assert post == POST


def test_a_reply_worded_like_the_pointer_is_not_taken_for_it() -> None:
    lookalike = Reply(DmPointer().text, visibility=Visibility.ONLY_MEMBER)
    assert without_dm([lookalike], CLOSED) == [lookalike]
