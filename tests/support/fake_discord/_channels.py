"""Channels and messages: DMs, posting, editing and deleting, with Discord's checks on
a message body, and a member writing to the bot."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence

from ._gateway import Gateway
from ._wire import (
    COMPONENTS_V2,
    EPHEMERAL,
    LOADING,
    NO_CONTENT,
    Args,
    Call,
    DiscordError,
    UploadedFile,
    as_int,
    invalid,
    iso_now,
)


class Channels(Gateway):
    """The REST routes of channels and messages, and the messages they hold."""

    async def message_from(self, user: int, content: str, *, channel_id: int | None = None) -> Args:
        """A member writing `content` (in their DM with the bot unless `channel_id`)."""
        channel_id = channel_id if channel_id is not None else self.dm_channel_of(user)
        await self._session_for(as_int(self._channels[channel_id].get("guild_id")))
        message = self._store_message(channel_id, {"content": content}, author=self.user(user))
        await self._echo(message)
        return message

    async def _create_dm(self, call: Call) -> Args:
        recipient = as_int((call.json or {}).get("recipient_id"))
        if recipient is None:
            raise invalid("recipient_id is required")
        return self._channels[self.dm_channel_of(recipient)]

    async def _get_channel(self, call: Call, channel_id: str) -> Args:
        return self._channel(channel_id)

    async def _typing(self, call: Call, channel_id: str) -> object:
        self._channel(channel_id)
        return NO_CONTENT

    async def _post_message(self, call: Call, channel_id: str) -> Args:
        channel = self._channel(channel_id)
        body = call.json or {}
        if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in self.closed_dms:
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        key = (int(channel_id), str(body.get("nonce")))
        if body.get("enforce_nonce") and "nonce" in body and key in self._nonces:
            sent_at, message_id = self._nonces[key]
            if time.monotonic() - sent_at <= self.nonce_window and message_id in self._by_id:
                return self._by_id[message_id]
        check_message(body, call.files)
        message = self._store_message(int(channel_id), body, files=call.files)
        if body.get("enforce_nonce") and "nonce" in body:
            self._nonces[key] = (time.monotonic(), int(message["id"]))
        await self._echo(message)
        return message

    async def _list_messages(self, call: Call, channel_id: str) -> list[Args]:
        self._channel(channel_id)
        newest_first = list(reversed(self.messages.get(int(channel_id), [])))
        if before := as_int(call.query.get("before")):
            newest_first = [m for m in newest_first if int(m["id"]) < before]
        if after := as_int(call.query.get("after")):
            newest_first = [m for m in newest_first if int(m["id"]) > after]
        return newest_first[: min(int(call.query.get("limit", 50)), 100)]

    async def _get_message(self, call: Call, channel_id: str, message_id: str) -> Args:
        return self._channel_message(channel_id, message_id)

    async def _edit_message(self, call: Call, channel_id: str, message_id: str) -> Args:
        message = self._channel_message(channel_id, message_id)
        if int(message["author"]["id"]) != self.bot_user_id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        return self._apply_edit(message, call.json or {}, call.files)

    async def _delete_message(self, call: Call, channel_id: str, message_id: str) -> object:
        self._forget(self._channel_message(channel_id, message_id))
        return NO_CONTENT

    def _channel(self, channel_id: str) -> Args:
        if int(channel_id) not in self._channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        return self._channels[int(channel_id)]

    def _channel_message(self, channel_id: str, message_id: str) -> Args:
        self._channel(channel_id)
        message = self._by_id.get(int(message_id))
        if message is None or message["channel_id"] != channel_id:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    def _store_message(
        self,
        channel_id: int,
        body: Args,
        *,
        author: Args | None = None,
        files: Sequence[UploadedFile] = (),
        extra: Args | None = None,
    ) -> Args:
        message_id = self._snowflake()
        message: Args = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": author or self.bot_user,
            "content": body.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel_id, body, files),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
        }
        if "nonce" in body:
            message["nonce"] = body["nonce"]
        message |= extra or {}
        self._by_id[message_id] = message
        if not message["flags"] & EPHEMERAL:
            self.messages.setdefault(channel_id, []).append(message)
        return message

    def _apply_edit(self, message: Args, body: Args, files: Sequence[UploadedFile]) -> Args:
        check_message(body, files, edit=True)
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if "flags" in body and body["flags"] is not None:
            kept = message["flags"] & (EPHEMERAL | COMPONENTS_V2)
            message["flags"] = int(body["flags"]) | kept
        if "attachments" in body or files:
            message["attachments"] = self._attachments(int(message["channel_id"]), body, files)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = iso_now()
        return message

    def _forget(self, message: Args) -> None:
        self._by_id.pop(int(message["id"]), None)
        kept = self.messages.get(int(message["channel_id"]), [])
        self.messages[int(message["channel_id"])] = [m for m in kept if m is not message]

    def _attachments(
        self, channel_id: int, body: Args, files: Sequence[UploadedFile]
    ) -> list[Args]:
        """Attachment objects for uploaded files (``files[n]`` matches attachment id n)."""
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        attachments = []
        for index, upload in enumerate(files):
            attachment_id = self._snowflake()
            filename = described.get(str(index), {}).get("filename") or upload.filename
            url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
            self.uploads[str(attachment_id)] = upload.content
            attachments.append(
                {
                    "id": str(attachment_id),
                    "filename": filename,
                    "size": len(upload.content),
                    "url": url,
                    "proxy_url": url,
                    "content_type": "application/octet-stream",
                    "description": described.get(str(index), {}).get("description"),
                }
            )
        return attachments


def check_message(body: Args, files: Sequence[UploadedFile], *, edit: bool = False) -> None:
    """Discord's checks on a message body: length, emptiness, component counts."""
    content = body.get("content") or ""
    if len(content) > 2000:
        raise invalid(f"content: must be 2000 or fewer in length (was {len(content)})")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        raise invalid("embeds: must be 10 or fewer in length")
    for embed in embeds:
        if len(embed.get("description") or "") > 4096:
            raise invalid("embeds: description must be 4096 or fewer in length")
    components = body.get("components") or []
    if not int(body.get("flags") or 0) & COMPONENTS_V2:
        if len(components) > 5:
            raise invalid("components: must be 5 or fewer in length")
        for row in components:
            if row.get("type") != 1 or len(row.get("components", [])) > 5:
                raise invalid("components: each must be an action row of at most 5")
    for component in walk_components(components):
        if len(component.get("custom_id") or "") > 100:
            raise invalid("components: custom_id must be 100 or fewer in length")
        if len(component.get("label") or "") > 80:
            raise invalid("components: label must be 80 or fewer in length")
    parts = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    if not edit and not files and not any(body.get(key) for key in parts):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def walk_components(components: Iterable[Args]) -> Iterator[Args]:
    """Every component, nested ones too (rows, labels, sections, containers)."""
    for component in components:
        yield component
        yield from walk_components(component.get("components", []))
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from walk_components([component[key]])


def find_component(components: Iterable[Args], custom_id: str) -> Args | None:
    return next((c for c in walk_components(components) if c.get("custom_id") == custom_id), None)
