"""Files to Slack: an export to a member's DM, a chart to the group's channel or to an
App Home.

An App Home shows an image block only of a file its viewer may open, and a file
uploaded to no channel is the bot's alone. So a chart for a home is shared once into
the viewer's DM with the bot, and its file id kept: opening the tab again shows the
same file until the chart changes.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.direct import to_dm
from bot.conversation.dm_channels import DmChannels
from bot.conversation.events import Attachment, Member, Reply

KEPT_IMAGES = 1000  # file ids remembered, the oldest forgotten first (then shared again)


async def upload_attachments(client: AsyncWebClient, channel: str, reply: Reply) -> None:
    """Each file of the reply, after its message (files_upload_v2 needs files:write)."""
    for attachment in reply.attachments:
        await upload(client, channel, attachment)


async def upload(client: AsyncWebClient, channel: str, attachment: Attachment) -> str:
    """Share the file in the channel; its Slack file id."""
    response = await client.files_upload_v2(
        channel=channel,
        filename=attachment.filename,
        title=attachment.filename,
        content=attachment.content,
        alt_txt=attachment.description or None,
    )
    return str(response["files"][0]["id"])


class HomeImages:
    """The Slack file ids of the charts shown in members' App Homes."""

    def __init__(self, dm_channels: DmChannels) -> None:
        self.dm_channels = dm_channels
        self._ids: OrderedDict[tuple[Member, str], str] = OrderedDict()

    async def ids(
        self, client: AsyncWebClient, member: Member, replies: list[Reply]
    ) -> dict[str, str]:
        """Each image attachment's file id by its filename, shared into the member's DM
        if this very picture has not been yet."""
        found = {}
        for reply in replies:
            for attachment in reply.attachments:
                if attachment.media_type.startswith("image/"):
                    found[attachment.filename] = await self._id(client, member, attachment)
        return found

    async def _id(self, client: AsyncWebClient, member: Member, attachment: Attachment) -> str:
        key = (member, hashlib.sha256(attachment.content).hexdigest())
        if key not in self._ids:

            async def share(channel: str) -> str:
                return await upload(client, channel, attachment)

            self._ids[key] = await to_dm(self.dm_channels, client, member, share)
            if len(self._ids) > KEPT_IMAGES:
                self._ids.popitem(last=False)
        self._ids.move_to_end(key)
        return self._ids[key]
