"""A fake Discord on 127.0.0.1 (REST API v10 and gateway) for the real discord.py client.

The Discord adapter is tested through the real discord.py client, because Discord
bugs live in how the client is wired (intents, shards, deferrals, views bound to
message ids, rate limits) and a mock of our own calls would hide exactly that.
The machines have no internet, so this package plays Discord's side in-process
with aiohttp: the REST routes a bot uses, recorded and able to answer 429 or 500
on request, and a gateway WebSocket that says HELLO, READY and GUILD_CREATE per
shard, and dispatches the interactions a test makes (`slash`, `click`,
`submit_modal`, `autocomplete`) to the shard that owns the guild.

    async with FakeDiscord() as discord_fake:
        with pointed_at(discord_fake):  # Route.BASE and DEFAULT_GATEWAY, restored after
            async with started(client, discord_fake):
                interaction = await discord_fake.slash("rejected", {"company": "Acme"})
                assert (await interaction.response())["type"] == ResponseType.MESSAGE

Behaviours copied from Discord because a bot can get them wrong: JSON answers carry
Content-Type exactly ``application/json``; a 429 carries ``Via`` (without it
discord.py assumes a Cloudflare ban); an interaction answered twice, or after
`response_deadline` seconds, is refused; the first follow-up of a deferred
interaction replaces its "thinking" message; ``enforce_nonce`` returns the first
message; closed DMs answer 403/50007; with a `GlobalLimit`, requests beyond the
bot's 50 a second answer a global 429; IDENTIFY with a privileged intent the fake
was not granted is closed with 4014; guild messages reach the bot without content
unless it has the message-content intent or is mentioned; the bot's own messages
come back as MESSAGE_CREATE.

The package is laid out by Discord's own sections (state, gateway, channels and
messages, application commands, interactions and their callbacks, rate limits
and failures, the server that joins them); this module is its one facade.
"""

from ._client import pointed_at, started
from ._interactions import Interaction
from ._rate_limits import GlobalLimit
from ._server import FakeDiscord
from ._wire import (
    ADMINISTRATOR,
    API_VERSION,
    APPLICATION_ID,
    BOT_NAME,
    BOT_USER_ID,
    COMPONENTS_V2,
    DEFAULT_TIMEOUT,
    DIRECT_MESSAGES,
    DISCORD_EPOCH_MS,
    EPHEMERAL,
    GUILD_ID,
    GUILD_MEMBERS,
    GUILD_MESSAGES,
    GUILD_PRESENCES,
    GUILDS,
    HOST,
    LOADING,
    MEMBER_ID,
    MEMBER_PERMISSIONS,
    MESSAGE_CONTENT,
    NO_CONTENT,
    OTHER_GUILD_ID,
    OTHER_MEMBER_ID,
    PRIVILEGED_INTENTS,
    Args,
    Call,
    DiscordError,
    FakeGuild,
    InteractionType,
    ResponseType,
    UploadedFile,
)

__all__ = [
    "ADMINISTRATOR",
    "API_VERSION",
    "APPLICATION_ID",
    "BOT_NAME",
    "BOT_USER_ID",
    "COMPONENTS_V2",
    "DEFAULT_TIMEOUT",
    "DIRECT_MESSAGES",
    "DISCORD_EPOCH_MS",
    "EPHEMERAL",
    "GUILDS",
    "GUILD_ID",
    "GUILD_MEMBERS",
    "GUILD_MESSAGES",
    "GUILD_PRESENCES",
    "HOST",
    "LOADING",
    "MEMBER_ID",
    "MEMBER_PERMISSIONS",
    "MESSAGE_CONTENT",
    "NO_CONTENT",
    "OTHER_GUILD_ID",
    "OTHER_MEMBER_ID",
    "PRIVILEGED_INTENTS",
    "Args",
    "Call",
    "DiscordError",
    "FakeDiscord",
    "FakeGuild",
    "GlobalLimit",
    "Interaction",
    "InteractionType",
    "ResponseType",
    "UploadedFile",
    "pointed_at",
    "started",
]
