"""A member's DM channel is opened once, however many sends ask at once, whichever
process asks later, and opened once more only when the platform refuses it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

import pytest

from bot.conversation.dm_channels import DmChannels
from bot.conversation.events import Member
from bot.store.members import dm_channel, remember_dm_channel
from bot.store.repository import Repository

NOW = datetime(2026, 11, 23, 12, 0)
SAM = Member("slack", "T1", "U-sam", "Sam")
ANA = Member("slack", "T1", "U-ana", "Ana")
JO = Member("slack", "T1", "U-jo", "Jo")


class Gone(Exception):
    """The platform's answer for a channel that is no longer there."""


class Platform:
    """Opens DM channels as a platform does, each a new id, and counts the openings."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def opener(self, member: Member):
        async def open_dm() -> str:
            await asyncio.sleep(0.01)  # a request: other sends get to ask meanwhile
            self.opened.append(f"D-{member.user}-{len(self.opened) + 1}")
            return self.opened[-1]

        return open_dm


@pytest.fixture
def members(engine) -> None:
    with engine.begin() as db:
        for who in (SAM, ANA, JO):
            Repository.open(db, who, NOW)


def stored(engine, who: Member) -> str | None:
    with engine.connect() as db:
        return dm_channel(db, who)


@pytest.mark.usefixtures("members")
def test_sends_asking_at_once_share_one_opening_and_a_second_process_opens_none(engine) -> None:
    platform = Platform()

    async def scenario() -> list[str]:
        here = DmChannels(engine)
        renamed = replace(SAM, display_name="Sam B.")  # still Sam: one channel
        asked = [here.channel(SAM, platform.opener(SAM)) for _ in range(4)]
        asked.append(here.channel(renamed, platform.opener(renamed)))
        found = await asyncio.gather(*asked)
        elsewhere = DmChannels(engine)  # another process, or this one restarted
        return [*found, await elsewhere.channel(SAM, platform.opener(SAM))]

    assert asyncio.run(scenario()) == ["D-U-sam-1"] * 6
    assert platform.opened == ["D-U-sam-1"]
    assert stored(engine, SAM) == "D-U-sam-1"


@pytest.mark.usefixtures("members")
def test_a_refused_channel_is_forgotten_opened_anew_once_and_sent_to_once_more(engine) -> None:
    platform = Platform()
    with engine.begin() as db:
        remember_dm_channel(db, SAM, "D-old")
    tried: list[str] = []

    async def send(channel: str) -> str:
        tried.append(channel)
        if channel == "D-old":
            raise Gone(channel)
        return f"sent to {channel}"

    async def scenario() -> str:
        return await DmChannels(engine).send(
            SAM, platform.opener(SAM), send, lambda error: isinstance(error, Gone)
        )

    assert asyncio.run(scenario()) == "sent to D-U-sam-1"
    assert tried == ["D-old", "D-U-sam-1"]
    assert stored(engine, SAM) == "D-U-sam-1"


@pytest.mark.usefixtures("members")
def test_any_other_failure_keeps_the_channel_and_is_not_retried(engine) -> None:
    platform = Platform()
    with engine.begin() as db:
        remember_dm_channel(db, SAM, "D-kept")
    tried: list[str] = []

    async def send(channel: str) -> None:
        tried.append(channel)
        raise TimeoutError("the platform is slow today")

    async def scenario() -> None:
        await DmChannels(engine).send(
            SAM, platform.opener(SAM), send, lambda error: isinstance(error, Gone)
        )

    with pytest.raises(TimeoutError):
        asyncio.run(scenario())
    assert (tried, platform.opened, stored(engine, SAM)) == (["D-kept"], [], "D-kept")


@pytest.mark.usefixtures("members")
def test_memory_holds_only_the_most_recent_members_and_reads_the_rest_back(engine) -> None:
    platform = Platform()

    async def scenario() -> tuple[str, str]:
        here = DmChannels(engine, most=2)
        for who in (SAM, ANA, JO):  # Sam's is no longer kept once Jo's is
            await here.channel(who, platform.opener(who))
        with engine.begin() as db:  # as another process that opened a new one would
            remember_dm_channel(db, SAM, "D-sam-new")
            remember_dm_channel(db, JO, "D-jo-new")
        sam = await here.channel(SAM, platform.opener(SAM))
        jo = await here.channel(JO, platform.opener(JO))
        return sam, jo

    assert asyncio.run(scenario()) == ("D-sam-new", "D-U-jo-3")  # Jo's kept, Sam's read
    assert len(platform.opened) == 3


@pytest.mark.usefixtures("members")
def test_a_kept_channel_is_read_again_after_a_while(engine) -> None:
    platform = Platform()

    async def scenario() -> str:
        here = DmChannels(engine, kept_for=0.0)
        await here.channel(SAM, platform.opener(SAM))
        with engine.begin() as db:
            Repository.open(db, SAM, NOW).forget()  # /forget-me, in another process
        return await here.channel(SAM, platform.opener(SAM))

    assert asyncio.run(scenario()) == "D-U-sam-2"
    assert stored(engine, SAM) is None  # a forgotten member has no row to keep it in
