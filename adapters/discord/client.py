"""Bounceback on Discord: interactions in, the core's replies out, privately.

A command in a server channel is answered only to the member and the dialogue
carries on in their DM; when their DMs are closed it carries on ephemerally in
the channel, with how to open them. Buttons are dynamic items (items.py) and
modal submissions are read from the raw interaction, so both keep working
after a restart. Every interaction is deferred before the core runs, except a
click that opens a modal: Discord accepts a modal only as the first answer.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any, Concatenate, ParamSpec, TypeVar

import discord

from adapters.discord.commands import build_tree
from adapters.discord.direct import opener, to_dm
from adapters.discord.items import ANSWER_MODAL, FORM_MODAL, ITEMS
from adapters.discord.render import (
    ANSWER_FIELD,
    DISCORD,
    answer_modal,
    message,
    modal,
    submitted,
)
from adapters.discord.transport import DMS_CLOSED, RATE_LIMIT_WAIT
from bot.conversation.core import Bounceback
from bot.conversation.dm_channels import DmChannels
from bot.conversation.events import (
    ChannelPost,
    Choice,
    Command,
    FormRequested,
    FormSubmitted,
    Inbound,
    Member,
    Origin,
    Reply,
    Text,
    Visibility,
)
from bot.conversation.inbox import Intake, Receipt
from bot.conversation.placing import without_dm

log = logging.getLogger(__name__)
PLATFORM = "discord"
DMS_CLOSED_NOTE = (
    "I couldn't send you a direct message: your DMs are closed for this server. To open "
    "them, click the server's name at the top left, choose Privacy Settings and turn on "
    "Direct Messages. Until then I'll carry on here, where only you can see it."
)
NO_GROUP_YET = (
    "I don't know which group you're in yet. Run any of my commands in your group's "
    "server first, and we can carry on here."
)
FOREIGN_BUTTON = (
    "That button belongs to a group you're not part of here, so I've left it alone. "
    "Run one of my commands in your own group's server to carry on there."
)
TROUBLE = "Something went wrong on my side. Nothing was lost: please try that again."
# discord.py holds `ready` back until no GUILD_CREATE has come for this long (2 s by
# default): start-up waits for it, though nothing here needs every server cached first.
GUILD_READY_WAIT = 0.5  # seconds


class DMsClosed(Exception):
    """The member does not accept direct messages from this server."""


def client_intents() -> discord.Intents:
    """No privileged intent: servers for routing, and DMs, whose text bots may read."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.dm_messages = True
    return intents


class BouncebackClient(discord.AutoShardedClient):
    """discord.py's client, sharded as configured; no member text can ping anyone."""

    def __init__(self, core: Bounceback, **options: Any) -> None:
        options.setdefault("max_ratelimit_timeout", RATE_LIMIT_WAIT)  # see transport.py
        options.setdefault("guild_ready_timeout", GUILD_READY_WAIT)
        super().__init__(
            intents=client_intents(), allowed_mentions=discord.AllowedMentions.none(), **options
        )
        self.bounceback = DiscordBot(core, self)
        self.tree = build_tree(self, self.bounceback)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*ITEMS)

    async def on_message(self, said: discord.Message) -> None:
        if said.guild is None and not said.author.bot:
            await self.bounceback.typed(said)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await self.bounceback.submitted(interaction)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _answering(
    handler: Callable[Concatenate[DiscordBot, _P], Coroutine[Any, Any, _R]],
) -> Callable[Concatenate[DiscordBot, _P], Coroutine[Any, Any, _R]]:
    """Counted while it runs, so a shutdown can wait for the answers under way."""

    @functools.wraps(handler)
    async def counted(bot: DiscordBot, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        bot._under_way += 1
        bot._idle.clear()
        try:
            return await handler(bot, *args, **kwargs)
        finally:
            bot._under_way -= 1
            if not bot._under_way:
                bot._idle.set()

    return counted


class DiscordBot:
    """The core on Discord: what each command, click, modal and DM becomes."""

    def __init__(self, core: Bounceback, client: discord.AutoShardedClient) -> None:
        self.core = core
        self.intake = Intake(core.receive)
        self.client = client
        self.dm_channels = DmChannels(core.engine)  # the transport's too, in DiscordService
        self._typed: dict[tuple[str, str], dict[str, str]] = {}  # a form to try again
        self._replaying: dict[str, asyncio.Task[None]] = {}  # by inbox key
        self._under_way = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def settled(self) -> None:
        """Once every interaction and DM being answered has been."""
        await self._idle.wait()

    @_answering
    async def command(self, interaction: discord.Interaction, name: str, args: str) -> None:
        member = await self._member(interaction, None)
        if member is None:
            await interaction.response.send_message(NO_GROUP_YET, ephemeral=True)
            return
        receipt = await self._received(
            interaction, Command(member, _origin(interaction), name, args)
        )
        await interaction.response.defer(ephemeral=_in_server(interaction), thinking=True)
        await self._answer(interaction, receipt)

    @_answering
    async def companies(self, interaction: discord.Interaction) -> list[str]:
        member = await self._member(interaction, None)
        return [] if member is None else await asyncio.to_thread(self.core.recent_companies, member)

    @_answering
    async def choose(self, interaction: discord.Interaction, tenant: str, value: str) -> None:
        member = await self._member(interaction, tenant)
        if member is None:
            await interaction.response.send_message(FOREIGN_BUTTON, ephemeral=True)
            return
        receipt = await self._received(interaction, Choice(member, _origin(interaction), value))
        await interaction.response.defer()
        await self._answer(interaction, receipt)

    @_answering
    async def open_form(self, interaction: discord.Interaction, tenant: str, form: str) -> None:
        """Straight to the modal if the form is still the question; else where we are."""
        member = await self._member(interaction, tenant)
        if member is None:
            await interaction.response.send_message(FOREIGN_BUTTON, ephemeral=True)
            return
        receipt = await self._received(
            interaction, FormRequested(member, _origin(interaction), form)
        )
        replies = await asyncio.to_thread(self.core.handle, receipt.event, DISCORD, key=receipt.key)
        asking = next((reply for reply in replies if reply.form is not None), None)
        if asking is None or asking.form is None:
            await interaction.response.defer()
        else:
            typed = self._typed.get((member.user, form))
            await _show_modal(interaction, modal(asking.form, tenant, typed))
            replies = [reply for reply in replies if reply is not asking]
        await self._deliver(interaction, member, _origin(interaction), replies)

    @_answering
    async def open_answer(self, interaction: discord.Interaction, tenant: str) -> None:
        if await self._member(interaction, tenant) is None:
            await interaction.response.send_message(FOREIGN_BUTTON, ephemeral=True)
            return
        await _show_modal(interaction, answer_modal(tenant))

    @_answering
    async def submitted(self, interaction: discord.Interaction) -> None:
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        form, answer = FORM_MODAL.fullmatch(custom_id), ANSWER_MODAL.fullmatch(custom_id)
        if form is None and answer is None:
            return  # not one of ours
        member = await self._member(interaction, (form or answer)["tenant"])  # type: ignore[index]
        if member is None:
            await interaction.response.send_message(FOREIGN_BUTTON, ephemeral=True)
            return
        values, origin = submitted(data), _origin(interaction)
        event: Inbound
        if form is not None:
            event = FormSubmitted(member, origin, form["form"], values)
        else:
            event = Text(member, origin, values.get(ANSWER_FIELD, ""))
        receipt = await self._received(interaction, event)
        await interaction.response.defer(ephemeral=_in_server(interaction), thinking=True)
        replies = await self._answer(interaction, receipt)
        if form is not None and not receipt.repeat:
            key = (member.user, form["form"])
            if any(reply.field_errors for reply in replies):
                self._typed[key] = values  # kept for "Try again", in this process only
            else:
                self._typed.pop(key, None)

    @_answering
    async def typed(self, said: discord.Message) -> None:
        """A message in the member's DM: an answer to where the dialogue is."""
        user = str(said.author.id)
        tenant = await asyncio.to_thread(self.core.workspace_of, PLATFORM, user)
        tenant = tenant or self._only_server()
        if tenant is None:
            await said.channel.send(NO_GROUP_YET)
            return
        member = Member(PLATFORM, tenant, user, said.author.display_name)
        event = Text(member, Origin(str(said.channel.id), in_dm=True), said.content)
        receipt = await self.intake.receive(event, f"message:{said.id}")
        if receipt.repeat:
            return
        try:
            await self._in_dm(receipt, said.channel)
        except Exception:
            log.exception("a Discord DM could not be answered")
            await said.channel.send(TROUBLE)

    def replay(self, receipt: Receipt) -> None:
        """Take up an event a killed process received but never applied, unless this
        process is at it already: answered in the DM."""
        key = receipt.key
        assert key is not None
        if key not in self._replaying:
            self._replaying[key] = asyncio.create_task(self._replay(receipt))
            self._replaying[key].add_done_callback(lambda _: self._replaying.pop(key, None))

    @_answering
    async def _replay(self, receipt: Receipt) -> None:
        assert receipt.key is not None
        member = receipt.event.member
        try:
            dm = await self.dm_channels.channel(member, opener(self.client, member))
            # Its interaction died with that process: all of the answer goes to the DM.
            event = replace(receipt.event, origin=Origin(dm, in_dm=True))
            await self._in_dm(Receipt(event, receipt.key), None)
        except Exception:  # given up, or it would fail again at every start
            log.exception("a Discord event received before a restart could not be answered")
            await asyncio.to_thread(self.core.give_up, PLATFORM, receipt.key)

    async def _in_dm(self, receipt: Receipt, dm: discord.abc.Messageable | None) -> None:
        """Answered in `dm`, the channel the member wrote in; None: their DM, wherever."""
        event = receipt.event
        replies = await asyncio.to_thread(self.core.handle, event, DISCORD, key=receipt.key)
        for reply in replies:
            await self._post(None, event.member, event.origin, reply, dm)

    async def _received(self, interaction: discord.Interaction, event: Inbound) -> Receipt:
        """Written down before the interaction is answered, under its id: a kill after
        that loses nothing, and the same interaction never applies twice."""
        return await self.intake.receive(event, f"interaction:{interaction.id}")

    async def _answer(self, interaction: discord.Interaction, receipt: Receipt) -> list[Reply]:
        event = receipt.event
        if receipt.repeat:
            if (
                interaction.response.type
                is discord.InteractionResponseType.deferred_channel_message
            ):
                await interaction.delete_original_response()  # its "thinking..."
            return []
        try:
            replies = await asyncio.to_thread(self.core.handle, event, DISCORD, key=receipt.key)
            await self._deliver(interaction, event.member, event.origin, replies)
            return replies
        except Exception:
            log.exception("a Discord interaction could not be answered")
            await interaction.followup.send(TROUBLE, ephemeral=True)
            return []

    async def _deliver(
        self,
        interaction: discord.Interaction,
        member: Member,
        origin: Origin,
        replies: list[Reply],
    ) -> None:
        """DM replies to the DM first; if it is closed, everything stays in the channel."""
        private = [reply for reply in replies if reply.visibility is Visibility.DM]
        answerable = False
        if private and not origin.in_dm:
            try:
                await self._to_dm(member, private)
                replies = [reply for reply in replies if reply.visibility is not Visibility.DM]
            except DMsClosed:
                replies, answerable = without_dm(replies, DMS_CLOSED_NOTE), True
        for number, reply in enumerate(replies, start=1):
            last = number == len(replies)
            await self._post(interaction, member, origin, reply, answerable=answerable and last)

    async def _post(
        self,
        interaction: discord.Interaction | None,
        member: Member,
        origin: Origin,
        reply: Reply,
        dm: discord.abc.Messageable | None = None,
        *,
        answerable: bool = False,
    ) -> None:
        if isinstance(reply, ChannelPost):
            channel = self.client.get_partial_messageable(int(reply.channel))
            await channel.send(**message(reply, member.workspace).kwargs())
            return
        if interaction is None and dm is None:
            await self._to_dm(member, [reply])
            return
        shown = message(reply, member.workspace, answerable=answerable).kwargs()
        if interaction is not None:
            await interaction.followup.send(ephemeral=not origin.in_dm, **shown)
        else:
            assert dm is not None
            await dm.send(**shown)

    async def _to_dm(self, member: Member, replies: list[Reply]) -> None:
        async def post(channel: discord.abc.Messageable) -> None:
            for reply in replies:
                await channel.send(**message(reply, member.workspace).kwargs())

        try:
            await to_dm(self.dm_channels, self.client, member, post)
        except discord.Forbidden as refused:
            if refused.code == DMS_CLOSED:
                raise DMsClosed from refused
            raise

    async def _member(self, interaction: discord.Interaction, tenant: str | None) -> Member | None:
        """Who, in which group: the server the interaction came from, whose id Discord
        vouches for; from a DM, the group a button names if the user is a member there,
        else where they last were. None for a button of another group (refused)."""
        user, name = str(interaction.user.id), interaction.user.display_name
        if interaction.guild_id is not None:
            server = str(interaction.guild_id)
            return Member(PLATFORM, server, user, name) if tenant in (None, server) else None
        if tenant is not None:
            named = Member(PLATFORM, tenant, user, name)
            return named if await asyncio.to_thread(self.core.is_member, named) else None
        tenant = await asyncio.to_thread(self.core.workspace_of, PLATFORM, user)
        tenant = tenant or self._only_server()
        return None if tenant is None else Member(PLATFORM, tenant, user, name)

    def _only_server(self) -> str | None:
        """A bot in one server serves one group: a newcomer's DM belongs to it. Known only
        to a process running every shard, once ready: until then, or with only some
        shards, the one server it sees need not be the only one."""
        client = self.client
        shards, count = client.shard_ids, client.shard_count
        if not client.is_ready() or (shards is not None and (count is None or len(shards) < count)):
            return None
        return str(client.guilds[0].id) if len(client.guilds) == 1 else None


async def _show_modal(interaction: discord.Interaction, shape: discord.ui.Modal) -> None:
    """Send a modal and forget it: its submission is read from the raw interaction
    (client.on_interaction), the same way before and after a restart."""
    await interaction.response.send_modal(shape)
    shape.stop()


def _in_server(interaction: discord.Interaction) -> bool:
    return interaction.guild_id is not None


def _origin(interaction: discord.Interaction) -> Origin:
    return Origin(str(interaction.channel_id), in_dm=not _in_server(interaction))
