"""`/win [what happened]`: log something good a follow-up brought; share it only if asked."""

from __future__ import annotations

from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import (
    SKIP,
    Ask,
    Dialogue,
    Pick,
    Question,
    Step,
    Turn,
    member_name,
)
from bot.conversation.events import Option
from bot.conversation.inert_text import inert_name
from bot.group.posts import CHOOSE_A_CHANNEL, post_to_group
from bot.parsing import free_text, optional
from bot.reminders.describing import rejection_label

NOT_LINKED = "none"


class Kind(Step):
    name = "kind"

    def question(self, turn: Turn) -> Question:
        kinds = turn.playbook.table("wins.kinds")
        options = tuple(Option(key, kind["label"]) for key, kind in kinds.items())
        return Pick("Good news is worth keeping. What kind of win was it?", options)

    def answered(self, turn: Turn, value: str) -> type[Description] | type[Link] | type[Share]:
        turn.data["kind"] = value
        return Description if "description" not in turn.data else _link_or_share(turn)


class Description(Step):
    name = "description"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "In a line, what happened?",
            lambda raw, _t: "" if optional(raw) else free_text(raw, max_length=500),
            options=(SKIP,),
        )

    def answered(self, turn: Turn, value: str) -> type[Link] | type[Share]:
        turn.data["description"] = value
        return _link_or_share(turn)


def _link_or_share(turn: Turn) -> type[Link] | type[Share]:
    """Only ask which rejection it came from when there is one to choose."""
    if turn.repo.rejections.count():
        return Link
    turn.data["rejection_id"] = None
    return Share


class Link(Step):
    name = "link"

    def question(self, turn: Turn) -> Question:
        options = tuple(
            Option(str(r.id), rejection_label(r)) for r in turn.repo.rejections.newest(limit=5)
        )
        return Pick(
            "Did it come from one of your follow-ups?",
            (*options, Option(NOT_LINKED, "Not linked to one")),
        )

    def answered(self, turn: Turn, value: str) -> type[Share]:
        turn.data["rejection_id"] = None if value == NOT_LINKED else int(value)
        return Share


class Share(Step):
    name = "share"

    def question(self, turn: Turn) -> Question:
        return offer_win(turn.playbook.text("wins.share_question"), logging=False)

    def answered(self, turn: Turn, value: str) -> None:
        record_win(
            turn,
            turn.data["kind"],
            turn.data["description"],
            turn.data["rejection_id"],
            shared=value == "share",
        )


def offer_win(text: str, *, logging: bool = True) -> Pick:
    options = [Option("private", "Keep it private"), Option("share", "Share with the group")]
    if logging:
        options = [Option("private", "Log it privately"), Option("share", "Log it and share it")]
        options.append(Option("no", "No, thanks"))
    return Pick(text, tuple(options))


def record_win(
    turn: Turn,
    kind: str,
    description: str,
    rejection_id: int | None,
    *,
    shared: bool,
    celebrated: bool = False,
) -> None:
    """Keep the win; post it only when asked and there is a channel, and say which;
    celebrate it, unless the caller `celebrated` already."""
    if not celebrated:
        turn.say(turn.playbook.text(f"wins.kinds.{kind}.celebrate"))
    posted = shared and post_to_group(turn, _share_post(turn, kind, description))
    turn.repo.wins.add(
        kind=kind,
        description=description,
        rejection_id=rejection_id,
        shared=posted,
        created_at=turn.now,
    )
    if posted:
        turn.say("Shared with the group.")
    elif shared:
        turn.say(
            "I've kept this win just for you: the group has no channel yet, so there was "
            f"nowhere to share it. {CHOOSE_A_CHANNEL}"
        )


def _share_post(turn: Turn, kind: str, description: str) -> str:
    label = turn.playbook.text(f"wins.kinds.{kind}.label")
    return turn.playbook.text(
        "wins.share_post",
        member=inert_name(member_name(turn)),
        label=label,
        description=description or label,
    )


@command(
    "Log a win: feedback, a meeting, a referral, an interview, an offer...",
    CommandOption("description", "What happened"),
    own_slack_command=True,
)
class WinDialogue(Dialogue):
    name = "win"
    steps = (Kind, Description, Link, Share)

    def begin(self, turn: Turn, args: str) -> type[Kind]:
        if args.strip():
            turn.data["description"] = free_text(args, max_length=500)
        return Kind
