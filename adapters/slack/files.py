"""Files to Slack: an export to a member's DM, a digest's chart to the group's channel."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.events import Reply


async def upload_attachments(client: AsyncWebClient, channel: str, reply: Reply) -> None:
    """Each file of the reply, after its message (files_upload_v2 needs files:write)."""
    for attachment in reply.attachments:
        await client.files_upload_v2(
            channel=channel,
            filename=attachment.filename,
            title=attachment.filename,
            content=attachment.content,
            alt_txt=attachment.description or None,
        )
