"""Bounceback on Slack: Bolt listeners that hand the core neutral events and post
its replies in Block Kit.

Every listener acks first and hands the rest to a small pool of workers:
Slack allows three seconds, and under a burst the acks must not wait behind
the core's work (a database transaction, run in a thread) or the replies.
A slash command in a channel is answered only to the member, and the
dialogue carries on in a DM; group posts go to the channel the core names.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import (
    CHOICE_ACTION,
    FORM_BUTTON,
    FORM_VIEW,
    error_response,
    form_id_of,
    home_view,
    message,
    modal,
    submitted_values,
)
from adapters.slack.direct import opener, to_dm
from adapters.slack.files import HomeImages, upload_attachments
from bot.conversation.commands import slash_to_command
from bot.conversation.core import Bounceback
from bot.conversation.dm_channels import DmChannels
from bot.conversation.events import (
    Capabilities,
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

log = logging.getLogger(__name__)
PLATFORM = "slack"
WORKERS = 4  # events answered at once; the rest wait their turn, already acked
ACKS_FIRST_FOR = 0.5  # seconds the work after an ack waits, at most, for other acks
EVENTS_PATH = "/slack/events"  # where Slack posts everything in HTTP mode, as Bolt expects
SLACK = Capabilities(buttons=True, forms=True, max_form_fields=10)
ClientFor = Callable[[str], Awaitable[AsyncWebClient]]  # a workspace's own client
_SLACK_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}


class SlackBot:
    """The core on Slack: events in, replies out.

    Every call takes the Web API client of the request at hand: with OAuth, each
    workspace has its own token, and Bolt hands each listener a client holding it.
    """

    def __init__(self, core: Bounceback) -> None:
        self.core = core
        self.intake = Intake(core.receive)
        self._replaying: set[str] = set()  # inbox keys being taken up
        self.dm_channels = DmChannels(core.engine)  # the transport's too, in SlackService
        self.home_images = HomeImages(self.dm_channels)
        self._zones: dict[Member, str | None] = {}  # each member's Slack profile zone
        self._work: asyncio.Queue[Callable[[], Awaitable[object]]] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._acking = 0
        self._no_ack_waiting = asyncio.Event()
        self._no_ack_waiting.set()

    @web.middleware
    async def acks_first(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """HTTP mode: while requests wait for their ack, the work queued after earlier acks
        holds back (up to ACKS_FIRST_FOR), so a burst of commands is acked first."""
        self._acking += 1
        self._no_ack_waiting.clear()
        try:
            return await handler(request)
        finally:
            self._acking -= 1
            if not self._acking:
                self._no_ack_waiting.set()

    def later(self, job: Callable[[], Awaitable[object]]) -> None:
        """Run after the ack, by one of WORKERS tasks started on first use."""
        if self._work is None:
            self._work = asyncio.Queue()
            self._workers = [asyncio.create_task(self._drain()) for _ in range(WORKERS)]
        self._work.put_nowait(job)

    async def settled(self) -> None:
        """Once every event accepted so far has been answered."""
        if self._work is not None:
            await self._work.join()

    async def finish(self) -> None:
        """Let every accepted event be answered, then stop the workers."""
        await self.settled()
        for worker in self._workers:
            worker.cancel()

    async def _drain(self) -> None:
        assert self._work is not None
        while True:
            job = await self._work.get()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._no_ack_waiting.wait(), ACKS_FIRST_FOR)
            try:
                await job()
            except Exception:  # one failed reply must not stop the others
                log.exception("a Slack event was acknowledged but could not be answered")
            finally:
                self._work.task_done()

    async def receive(self, event: Inbound, key: str | None, ack: AsyncAck) -> Receipt:
        """Written down, then acknowledged: Slack redelivers nothing it saw acked, so
        what the member did must be in the database first."""
        receipt = await self.intake.receive(event, key)
        await ack()
        return receipt

    async def handle(
        self,
        client: AsyncWebClient,
        event: Inbound,
        *,
        key: str | None = None,
        trigger_id: str | None = None,
    ) -> list[Reply]:
        event = await self.with_profile_zone(client, event)
        replies = await asyncio.to_thread(self.core.handle, event, SLACK, key=key)
        await self.deliver(client, event.member, event.origin, replies, trigger_id=trigger_id)
        return replies

    def replay(self, receipts: list[Receipt], client_for: ClientFor) -> None:
        """Events acknowledged by a process that died before applying them (unless this
        process is at them already): answered in the DM, their trigger ids long expired."""
        for receipt in receipts:
            key = receipt.key
            assert key is not None
            if key in self._replaying:
                continue
            self._replaying.add(key)

            async def answer(receipt: Receipt = receipt, key: str = key) -> None:
                try:
                    client = await client_for(receipt.event.member.workspace)
                    await self.handle(client, receipt.event, key=key)
                except Exception:  # given up, or it would fail again at every sweep
                    await asyncio.to_thread(self.core.give_up, PLATFORM, key)
                    raise
                finally:
                    self._replaying.discard(key)

            self.later(answer)

    async def with_profile_zone(self, client: AsyncWebClient, event: Inbound) -> Inbound:
        """The event with the zone of the member's Slack profile, which the turn adopts
        unless they chose one: asked of Slack once per member and process."""
        member = event.member
        if member not in self._zones:
            try:
                profile = await client.users_info(user=member.user)
            except Exception as error:  # a nicety: Slack away must not cost the answer
                log.warning("could not read a Slack profile's time zone: %s", error)
                return event  # asked again with their next event
            self._zones[member] = (profile.get("user") or {}).get("tz") or None
        zone = self._zones[member]
        return replace(event, member=replace(member, platform_zone=zone)) if zone else event

    async def publish_home(self, client: AsyncWebClient, member: Member) -> None:
        """The member's App Home; a facilitator's shows the group's chart, and if Slack
        will not show the picture (a file still processing), the tab shows the rest."""
        replies = await asyncio.to_thread(self.core.home, member)
        images = await self.home_images.ids(client, member, replies)
        try:
            await client.views_publish(user_id=member.user, view=home_view(replies, images))
        except SlackApiError as error:
            if not images or error.response.get("error") != "invalid_blocks":
                raise
            log.warning("the App Home's chart was refused (%s); shown without it", error)
            await client.views_publish(user_id=member.user, view=home_view(replies))

    async def deliver(
        self,
        client: AsyncWebClient,
        member: Member,
        origin: Origin,
        replies: list[Reply],
        *,
        trigger_id: str | None = None,
    ) -> None:
        for reply in replies:
            if reply.form is not None and trigger_id is not None:
                await self.open_form(client, reply, trigger_id)
                trigger_id = None  # a trigger opens one modal
                continue
            await self.post(client, member, origin, reply)

    async def post(
        self, client: AsyncWebClient, member: Member, origin: Origin, reply: Reply
    ) -> None:
        if isinstance(reply, ChannelPost):
            await client.chat_postMessage(channel=reply.channel, **message(reply))
            await upload_attachments(client, reply.channel, reply)
            return
        if reply.visibility is Visibility.ONLY_MEMBER and not origin.in_dm:
            await client.chat_postEphemeral(
                channel=origin.channel, user=member.user, **message(reply)
            )
            return

        async def to_their_dm(channel: str) -> None:
            await client.chat_postMessage(channel=channel, **message(reply))
            await upload_attachments(client, channel, reply)  # an export's files

        await to_dm(self.dm_channels, client, member, to_their_dm)

    async def open_form(self, client: AsyncWebClient, reply: Reply, trigger_id: str) -> None:
        assert reply.form is not None
        await client.views_open(trigger_id=trigger_id, view=modal(reply.form, intro=reply.text))

    async def dm(self, client: AsyncWebClient, member: Member) -> str:
        return await self.dm_channels.channel(member, opener(client, member))


def _not_the_ignored_token_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself, then warns at every
    start that `client` wins over it: Bounceback's own reading of the same setting."""
    return record.getMessage() != warning_client_prioritized_and_token_skipped()


def build_app(
    core: Bounceback,
    client: AsyncWebClient,
    *,
    signing_secret: str | None = None,
    installation_store: AsyncInstallationStore | None = None,  # OAuth, with oauth_settings
    oauth_settings: Any = None,  # AsyncOAuthSettings; then `client` must carry no token
) -> tuple[AsyncApp, SlackBot]:
    """The Bolt app; with a signing secret every HTTP request must carry a valid signature."""
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_not_the_ignored_token_warning)
    if oauth_settings is None and client.token:
        token = client.token
        client = AsyncWebClient(
            base_url=client.base_url, logger=client.logger, retry_handlers=client.retry_handlers
        )
        authorize = _one_workspace(client, token)
    else:
        authorize = None
    app = AsyncApp(
        name="bounceback",  # else Bolt walks the whole call stack to name itself
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,
        process_before_response=False,
        # Bolt finds each workspace's token in the store and builds every request's
        # client from `client` (its base URL, retry handlers) with that token; the
        # OAuth flow calls oauth.v2.access through `client` too.
        installation_store=installation_store,
        oauth_settings=oauth_settings,
        authorize=authorize,
    )
    bot = SlackBot(core)

    @app.command(re.compile(r"^/[a-z-]+$"))
    async def slash_command(
        ack: AsyncAck, client: AsyncWebClient, context: AsyncBoltContext, command: dict[str, Any]
    ) -> None:
        member = Member(
            PLATFORM, _tenant(context), command["user_id"], command.get("user_name", "")
        )
        origin = _origin(command["channel_id"], command.get("channel_name", ""))
        name, text = slash_to_command(command["command"], command.get("text", ""))
        event = Command(member, origin, name, text)
        trigger_id = command.get("trigger_id")
        receipt = await bot.receive(event, _key("command", trigger_id), ack)
        if not receipt.repeat:
            bot.later(lambda: bot.handle(client, event, key=receipt.key, trigger_id=trigger_id))

    @app.action(re.compile(rf"^{CHOICE_ACTION}:\d+$"))
    async def button(
        ack: AsyncAck,
        client: AsyncWebClient,
        context: AsyncBoltContext,
        body: dict[str, Any],
        action: dict[str, Any],
    ) -> None:
        if not isinstance(action.get("value"), str):
            await ack()
            return  # not a button of ours: each carries its choice as text
        member = _member(context, body)
        event = Choice(member, _where(body), action["value"])
        receipt = await bot.receive(event, _key("action", body.get("trigger_id")), ack)

        async def answer() -> None:
            await bot.handle(client, event, key=receipt.key)
            if (body.get("view") or {}).get("type") == "home":
                await bot.publish_home(client, member)  # the tab shows what the press changed

        if not receipt.repeat:
            bot.later(answer)

    @app.event("app_home_opened")
    async def home_opened(
        client: AsyncWebClient, context: AsyncBoltContext, event: dict[str, Any]
    ) -> None:
        if event.get("tab") == "home":
            await bot.publish_home(client, Member(PLATFORM, _tenant(context), event["user"]))

    @app.action(FORM_BUTTON)
    async def form_button(
        ack: AsyncAck,
        client: AsyncWebClient,
        context: AsyncBoltContext,
        body: dict[str, Any],
        action: dict[str, Any],
    ) -> None:
        event = FormRequested(_member(context, body), _where(body), action["value"])
        trigger_id = body["trigger_id"]
        receipt = await bot.receive(event, _key("action", trigger_id), ack)
        if not receipt.repeat:
            bot.later(lambda: bot.handle(client, event, key=receipt.key, trigger_id=trigger_id))

    @app.view(re.compile(rf"^{FORM_VIEW}:"))
    async def form_submitted(
        ack: AsyncAck,
        client: AsyncWebClient,
        context: AsyncBoltContext,
        body: dict[str, Any],
        view: dict[str, Any],
    ) -> None:
        """Answered before the ack, which carries any field errors back to the modal:
        the turn's own commit makes it durable, and its key makes a resend a no-op."""
        member = _member(context, body)
        origin = Origin(await bot.dm(client, member), in_dm=True)
        event = FormSubmitted(
            member, origin, form_id_of(view["callback_id"]), submitted_values(view)
        )
        receipt = await bot.intake.receive(event, _key("view", body.get("trigger_id")))
        if receipt.repeat:
            await ack()
            return
        replies = await asyncio.to_thread(core.handle, event, SLACK, key=receipt.key)
        problems = next((reply.field_errors for reply in replies if reply.field_errors), None)
        if problems is not None:
            await ack(**error_response(problems))
            return
        await ack()
        await bot.deliver(client, member, origin, replies)

    async def written_down(
        context: AsyncBoltContext, body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> None:
        """Bolt acks an event before its listener runs: a member's DM is written down
        here, in the listener's middleware, which runs before that ack."""
        said = _typed_in_dm(context, body.get("event"))
        if said is not None:
            context["receipt"] = await bot.intake.receive(said, _key("event", body.get("event_id")))
        await next()

    @app.event("message", middleware=[written_down])
    async def direct_message(client: AsyncWebClient, context: AsyncBoltContext) -> None:
        receipt: Receipt | None = context.get("receipt")
        if receipt is not None and not receipt.repeat:
            bot.later(lambda: bot.handle(client, receipt.event, key=receipt.key))

    if installation_store is not None:
        _forget_departed_workspaces(app, bot, installation_store)
    return app, bot


def _forget_departed_workspaces(
    app: AsyncApp, bot: SlackBot, installations: AsyncInstallationStore
) -> None:
    """An uninstall, or a revoked bot token, deletes what the store holds for the workspace:
    Bolt then answers its members "reinstall", and its reminders fail as undeliverable."""

    async def forget(enterprise_id: str | None, team_id: str | None) -> None:
        await installations.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    @app.event("app_uninstalled")
    async def uninstalled(context: AsyncBoltContext) -> None:
        bot.later(lambda: forget(context.enterprise_id, context.team_id))

    @app.event("tokens_revoked")
    async def revoked(context: AsyncBoltContext, event: dict[str, Any]) -> None:
        # A bot-only app: its installations hold nothing but the bot token, now dead.
        if (event.get("tokens") or {}).get("bot"):
            bot.later(lambda: forget(context.enterprise_id, context.team_id))


def _origin(channel: str, channel_name: str) -> Origin:
    return Origin(channel, in_dm=channel.startswith("D") or channel_name == "directmessage")


def _tenant(context: AsyncBoltContext) -> str:
    """The workspace whose installation Bolt authorized the request with: its token
    answers, so its data is acted on. A member's own team (a Slack Connect guest, an
    Enterprise Grid member) may differ, and is never the tenant."""
    team = context.team_id
    if not team:
        raise ValueError("a Slack request Bolt authorized for no workspace")
    return team


def _member(context: AsyncBoltContext, body: dict[str, Any]) -> Member:
    user = body["user"]
    name = user.get("username") or user.get("name", "")
    return Member(PLATFORM, _tenant(context), user["id"], name)


def _typed_in_dm(context: AsyncBoltContext, event: Any) -> Text | None:
    """What a member typed to the bot in their DM; None for any other message."""
    if not isinstance(event, dict) or event.get("type") != "message":
        return None
    if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
        return None  # only what a member types to the bot in their DM is an answer
    if not (isinstance(event.get("user"), str) and isinstance(event.get("text", ""), str)):
        return None  # not a member's message, whatever it is
    member = Member(PLATFORM, _tenant(context), event["user"])
    return Text(member, Origin(event["channel"], in_dm=True), _unescaped(event.get("text", "")))


def _key(kind: str, platform_id: Any) -> str | None:
    """The inbox key of a Slack request: an event's id, or an interaction's trigger id
    (new at every press or command, the same in every redelivery)."""
    return f"{kind}:{platform_id}" if isinstance(platform_id, str) and platform_id else None


def _where(body: dict[str, Any]) -> Origin:
    """Where a button was pressed: a message's channel, or the App Home (a DM)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id", ""
    )
    return _origin(channel, "") if channel else Origin("app_home", in_dm=True)


def _unescaped(text: str) -> str:
    """Slack escapes `& < >` in message text; the core reads what the member typed."""
    return re.sub("&(lt|gt|amp);", lambda match: _SLACK_ENTITIES[match[0]], text)


def _one_workspace(client: AsyncWebClient, token: str) -> Callable[..., Awaitable[AuthorizeResult]]:
    """With one bot token, ask Slack who we are once, not once per request: a burst
    of cold requests would each call auth.test before their ack."""
    lock = asyncio.Lock()
    known: list[AuthorizeResult] = []

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        async with lock:
            if not known:
                found = await client.auth_test(token=token)
                known.append(
                    AuthorizeResult.from_auth_test_response(
                        auth_test_response=found, bot_token=token, user_token=None
                    )
                )
        return known[0]

    return authorize
