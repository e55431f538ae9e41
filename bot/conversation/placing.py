"""Where each reply of a turn is seen, decided once, here; adapters only render it.

A reply goes to the member's DM, only to them where they asked, or to the
group's channel (a group post always names its channel). Asked in a channel,
anything for the DM is announced there by a `DmPointer`; a one-off command
answered in place stays where it was asked, seen only by the member.
"""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.events import DmPointer, Reply, Visibility


def placed(replies: list[Reply], *, in_dm: bool, in_place: bool) -> list[Reply]:
    """A rejection never shows in a shared channel: what is private goes to the DM,
    with a pointer to it where the member asked."""
    if in_dm:
        return replies
    shown = [
        _only_to_the_member(reply)
        if in_place and reply.visibility is Visibility.DM and not reply.attachments
        else reply
        for reply in replies
    ]
    if any(reply.visibility is Visibility.DM for reply in shown):
        shown.insert(0, DmPointer())
    return shown


def without_dm(replies: list[Reply], note: str) -> list[Reply]:
    """The one DM fallback, for an adapter that cannot reach the member's DM (closed on
    Discord): the pointer becomes `note`, saying how to open it, and what was for the
    DM is shown only to the member, where they asked."""
    return [
        Reply(note, visibility=Visibility.ONLY_MEMBER)
        if isinstance(reply, DmPointer)
        else _only_to_the_member(reply)
        if reply.visibility is Visibility.DM
        else reply
        for reply in replies
    ]


def _only_to_the_member(reply: Reply) -> Reply:
    return replace(reply, visibility=Visibility.ONLY_MEMBER)
