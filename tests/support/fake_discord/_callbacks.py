"""The bot's answers to interactions: the callback (once, within the deadline) and the
webhook follow-ups, edits and deletions that come after it."""

from __future__ import annotations

import asyncio
from typing import Any

from ._channels import check_message
from ._interactions import Interaction, Interactions
from ._wire import (
    COMPONENTS_V2,
    EPHEMERAL,
    LOADING,
    NO_CONTENT,
    Args,
    Call,
    DiscordError,
    InteractionType,
    ResponseType,
    invalid,
    invoker_of,
)


class Callbacks(Interactions):
    """The REST routes of interaction callbacks and webhooks."""

    async def _callback(self, call: Call, interaction_id: str, token: str) -> Any:
        interaction = self.interactions.get(int(interaction_id))
        if interaction is None or interaction.token != token:
            raise DiscordError(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if asyncio.get_running_loop().time() - interaction.created_at > self.response_deadline:
            raise DiscordError(404, 10062, "Unknown interaction")
        body = call.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        check_response_type(interaction.type, kind)
        if kind in (ResponseType.MESSAGE, ResponseType.DEFERRED_MESSAGE):
            if kind == ResponseType.MESSAGE:
                check_message(data, call.files)
            else:
                data = {"flags": (int(data.get("flags") or 0) & EPHEMERAL) | LOADING}
            interaction.original = self._store_message(
                int(interaction.payload["channel_id"]),
                data,
                author=self.bot_user,
                files=call.files,
                extra=self._interaction_extra(interaction),
            )
        elif kind in (ResponseType.DEFERRED_UPDATE, ResponseType.UPDATE_MESSAGE):
            source = interaction.payload.get("message")
            if source is None:
                raise invalid(f"type: {kind} needs a message, and this interaction has none")
            target = self._by_id.get(int(source["id"]))
            if target is None:
                raise DiscordError(404, 10008, "Unknown Message")
            if kind == ResponseType.UPDATE_MESSAGE:
                self._apply_edit(target, data, call.files)
            interaction.original = target
        elif kind == ResponseType.MODAL:
            check_modal(data)
            self.modals[data["custom_id"]] = (interaction, data)
        interaction.callback = body
        if kind in (ResponseType.MESSAGE, ResponseType.DEFERRED_MESSAGE):
            assert interaction.original is not None
            await self._echo(interaction.original)
        if "with_response" not in call.query:
            return NO_CONTENT
        return self._callback_answer(interaction, int(kind))

    def _callback_answer(self, interaction: Interaction, kind: int) -> Args:
        summary: Args = {"id": str(interaction.id), "type": interaction.type}
        answer: Args = {"interaction": summary, "resource": {"type": kind}}
        message = interaction.original
        if message is not None and kind != ResponseType.DEFERRED_UPDATE:
            summary |= {
                "response_message_id": message["id"],
                "response_message_loading": bool(message["flags"] & LOADING),
                "response_message_ephemeral": bool(message["flags"] & EPHEMERAL),
            }
            answer["resource"]["message"] = message
        return answer

    def _interaction_extra(self, interaction: Interaction) -> Args:
        """What marks a message as an interaction's: webhook id, metadata, type."""
        invoker = invoker_of(interaction.payload)
        metadata: Args = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": invoker,
            "authorizing_integration_owners": interaction.payload["authorizing_integration_owners"],
        }
        if interaction.type == InteractionType.COMMAND:
            metadata["name"] = interaction.payload["data"]["name"]
        return {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "type": 20 if interaction.type == InteractionType.COMMAND else 0,
            "interaction_metadata": metadata,
        }

    def _webhook_interaction(self, application_id: str, token: str) -> Interaction:
        interaction = self._by_token.get(token)
        if int(application_id) != self.application_id or interaction is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if interaction.callback is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        return interaction

    async def _followup(self, call: Call, application_id: str, token: str) -> Any:
        """A follow-up; the first one after a deferral replaces the "thinking" message."""
        interaction = self._webhook_interaction(application_id, token)
        body = call.json or {}
        original = interaction.original
        if (
            original is not None
            and original["flags"] & LOADING
            and interaction.response_type == ResponseType.DEFERRED_MESSAGE
        ):
            check_message(body, call.files)
            message = self._apply_edit(
                original, {k: v for k, v in body.items() if k != "flags"}, call.files
            )
        else:
            check_message(body, call.files)
            message = self._store_message(
                int(interaction.payload["channel_id"]),
                {**body, "flags": int(body.get("flags") or 0) & (EPHEMERAL | COMPONENTS_V2)},
                files=call.files,
                extra=self._interaction_extra(interaction),
            )
            await self._echo(message)
        interaction.followups.append(message)
        return message if call.query.get("wait") in ("1", "true", "True") else NO_CONTENT

    def _hook_message(self, interaction: Interaction, message_id: str) -> Args:
        if message_id == "@original":
            if interaction.original is None or int(interaction.original["id"]) not in self._by_id:
                raise DiscordError(404, 10008, "Unknown Message")
            return interaction.original
        message = self._by_id.get(int(message_id))
        if message is None or message not in (interaction.original, *interaction.followups):
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _hook_get(self, call: Call, application_id: str, token: str, message_id: str) -> Args:
        interaction = self._webhook_interaction(application_id, token)
        return self._hook_message(interaction, message_id)

    async def _hook_edit(
        self, call: Call, application_id: str, token: str, message_id: str
    ) -> Args:
        interaction = self._webhook_interaction(application_id, token)
        message = self._hook_message(interaction, message_id)
        return self._apply_edit(message, call.json or {}, call.files)

    async def _hook_del(
        self, call: Call, application_id: str, token: str, message_id: str
    ) -> object:
        interaction = self._webhook_interaction(application_id, token)
        self._forget(self._hook_message(interaction, message_id))
        return NO_CONTENT


def check_modal(data: Args) -> None:
    if not data.get("custom_id") or len(data["custom_id"]) > 100:
        raise invalid("modal custom_id: 1 to 100 characters")
    if not 1 <= len(data.get("title") or "") <= 45:
        raise invalid("modal title: 1 to 45 characters")
    if not 1 <= len(data.get("components") or []) <= 5:
        raise invalid("modal components: 1 to 5")


_ALLOWED_RESPONSES: dict[int, frozenset[int]] = {
    InteractionType.COMMAND: frozenset({4, 5, 9}),
    InteractionType.COMPONENT: frozenset({4, 5, 6, 7, 9}),
    InteractionType.AUTOCOMPLETE: frozenset({8}),
    InteractionType.MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}


def check_response_type(interaction_type: int, response_type: Any) -> None:
    if response_type not in _ALLOWED_RESPONSES[interaction_type]:
        raise invalid(f"type: {response_type} is not a valid answer to a type {interaction_type}")
