"""The core's vocabulary: what adapters hand in and what they get back.

Frozen dataclasses with no platform types, so Slack, Discord and the console
all translate to and from the same few shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class Member:
    """Who is talking; (platform, workspace) is the tenant boundary. `platform_zone` is
    the time zone the platform knows for them (Slack's profile), adopted in the turn
    unless they chose their own."""

    platform: str
    workspace: str
    user: str
    display_name: str = field(default="", compare=False)
    platform_zone: str | None = field(default=None, compare=False)

    @property
    def tenant(self) -> tuple[str, str]:
        return (self.platform, self.workspace)


@dataclass(frozen=True)
class Origin:
    """Where an event came from: a group channel, or a direct message."""

    channel: str
    in_dm: bool


@dataclass(frozen=True)
class Capabilities:
    """What an adapter can show; the core degrades replies to fit."""

    buttons: bool = False
    forms: bool = False
    max_form_fields: int = 5


PLAIN_TEXT = Capabilities()


@dataclass(frozen=True)
class Command:
    """A slash command such as `/rejected Acme`."""

    member: Member
    origin: Origin
    name: str
    args: str = ""


@dataclass(frozen=True)
class Text:
    """A free-text message, usually an answer inside a dialogue."""

    member: Member
    origin: Origin
    text: str


@dataclass(frozen=True)
class Choice:
    """A button pressed: the value of one of a reply's options."""

    member: Member
    origin: Origin
    value: str


@dataclass(frozen=True)
class FormSubmitted:
    """A form (modal) sent back with its fields filled in."""

    member: Member
    origin: Origin
    form_id: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class FormRequested:
    """The member asked to open the form they are being asked to fill (a button that
    opens a modal: platforms only allow that in answer to a click)."""

    member: Member
    origin: Origin
    form_id: str


Inbound = Command | Text | Choice | FormSubmitted | FormRequested


class Visibility(Enum):
    """Who sees a reply. Rejections stay private unless the member shares."""

    ONLY_MEMBER = "only_member"  # ephemeral, in the channel it came from
    DM = "dm"
    GROUP = "group"  # the group's channel, only after an explicit choice


@dataclass(frozen=True)
class Option:
    """One button, or one numbered choice on a plain-text surface."""

    value: str
    label: str
    also: tuple[str, ...] = ()  # other words a member may type for it ("snooze")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    placeholder: str = ""
    required: bool = False
    multiline: bool = False
    max_length: int = 200
    initial: str = ""


@dataclass(frozen=True)
class Form:
    """A modal; Discord allows five inputs, so no form here has more."""

    id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Save"


@dataclass(frozen=True)
class FieldErrors:
    """Validation errors for a submitted form, shown beside each field."""

    form_id: str
    errors: Mapping[str, str]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    media_type: str
    description: str = ""  # an image's text alternative, for those who cannot see it


@dataclass(frozen=True)
class Reply:
    """One message to show; adapters render it in their own idiom."""

    text: str
    options: tuple[Option, ...] = ()
    form: Form | None = None
    quote: str | None = None  # a draft the member may copy, shown set apart
    attachments: tuple[Attachment, ...] = ()
    field_errors: FieldErrors | None = None
    visibility: Visibility = Visibility.DM


@dataclass(frozen=True)
class ChannelPost(Reply):
    """A message for the group's channel, which it always names: the core has already
    dealt with a group that has none (bot.group.posts), so adapters only post it."""

    channel: str = field(kw_only=True)
    visibility: Visibility = Visibility.GROUP


@dataclass(frozen=True)
class DmPointer(Reply):
    """Where a command asked in a channel goes on in the DM: says so, there, to the member
    only. An adapter that cannot reach the DM replaces it (bot.conversation.placing)."""

    text: str = "I've sent you a direct message, so this stays between us."
    visibility: Visibility = Visibility.ONLY_MEMBER
