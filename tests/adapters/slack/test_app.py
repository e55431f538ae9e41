"""Bounceback in Slack, over signed HTTP, against a fake Slack: what a member sees."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import PIL.Image
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import event

from adapters.slack.app import EVENTS_PATH, SlackBot
from adapters.slack.blocks import CHOICE_ACTION, FORM_BUTTON
from bot.charts.weekly import HEIGHT, WIDTH
from tests.adapters.slack.harness import SECRET, dispatcher_for, slack_app
from tests.bot.group.test_rhythm import ALEX, set_up_group
from tests.conftest import SAM
from tests.helpers import FIRST_DUE, PLAN, Chat
from tests.support.fake_slack import signed_headers, slash_body


def test_rejected_in_a_channel_answers_only_to_the_member_and_goes_on_in_a_dm(core) -> None:
    async def scenario() -> None:
        async with slack_app(core) as harness:
            status, _ = await harness.command("rejected", "Acme")
            assert status == 200
            await harness.slack.wait_for("chat.postMessage", 2)
            [pointer] = harness.posted("chat.postEphemeral")
            assert pointer["user"] == "U-sam" and pointer["channel"] == "C-general"
            assert "direct message" in pointer["text"]
            dms = harness.posted()
            assert {args["channel"] for args in dms} == {"DU-sam"}
            assert "news from Acme" in harness.texts()
            buttons = dms[-1]["blocks"][-1]["elements"]
            assert [button["value"] for button in buttons] == [
                "low",
                "disappointed",
                "steady",
                "relieved",
            ]

    asyncio.run(scenario())


def test_a_whole_rejection_from_slash_command_to_reminder_dm(core, clock) -> None:
    async def scenario() -> None:
        async with slack_app(core) as harness:
            in_dm = {"channel_id": "DU-sam", "channel_name": "directmessage"}
            await harness.command("rejected", "Acme", **in_dm)
            await harness.said("How are you feeling")
            await harness.press(f"{CHOICE_ACTION}:1", "disappointed", channel_id="DU-sam")
            await harness.said("how far did you get")
            await harness.press(f"{CHOICE_ACTION}:2", "interview", channel_id="DU-sam")
            asking = await harness.said("Let's note down the facts")
            form_button = asking["blocks"][-1]["elements"][0]
            assert form_button["action_id"] == FORM_BUTTON

            await harness.press(FORM_BUTTON, form_button["value"], channel_id="DU-sam")
            [opened] = await harness.slack.wait_for("views.open")
            view = opened.args["view"]
            inputs = [block["block_id"] for block in view["blocks"] if block["type"] == "input"]
            assert inputs == ["company", "role", "contact_name", "heard_on", "reason"]
            facts = {"company": "Acme", "role": "Analyst", "contact_name": "Jane Doe"}

            status, body = await harness.submit(
                view["callback_id"], {**facts, "heard_on": "next year", "reason": ""}
            )
            assert status == 200 and json.loads(body)["response_action"] == "errors"
            assert set(json.loads(body)["errors"]) == {"heard_on"}

            reason = "They went with an internal candidate"
            status, body = await harness.submit(
                view["callback_id"], {**facts, "heard_on": "yesterday", "reason": reason}
            )
            assert status == 200 and body == ""
            await harness.said("Noted: Analyst at Acme")
            await harness.dm("Hiring manager")
            await harness.said("Hi Jane,")
            for answer, reply in (
                ("keep", "Within a day or two is a good time to send it"),
                ("Yes, that's it", "Here is the follow-up plan"),  # filled: nothing to pass on
                ("Sounds good", "/followups shows them any time"),
            ):
                await harness.dm(answer)
                await harness.said(reply)

            clock.now = FIRST_DUE  # the next morning: the thank-you note's reminder
            client = AsyncWebClient(token="xoxb-test", base_url=harness.slack.api_url)
            assert (await dispatcher_for(core, client, clock).tick()).sent == 1
            reminder = await harness.said("note to Acme")
            assert reminder["channel"] == "DU-sam"

    asyncio.run(scenario())


def test_a_bad_or_stale_signature_gets_401_and_changes_nothing(core) -> None:
    async def scenario() -> None:
        async with slack_app(core) as harness:
            body = slash_body("/rejected", "Acme")
            forged = {**signed_headers(SECRET, body), "X-Slack-Signature": "v0=" + "0" * 64}
            assert (await harness.post(body, forged))[0] == 401
            stale = signed_headers(SECRET, body, timestamp=1_600_000_000)
            assert (await harness.post(body, stale))[0] == 401
            assert harness.slack.calls_to("chat.postMessage") == []

    asyncio.run(scenario())


def test_the_app_home_shows_follow_ups_whose_buttons_work_in_place(core, clock) -> None:
    Chat(core, SAM).steps(*PLAN)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            opened = {"type": "app_home_opened", "user": "U-sam", "tab": "home"}
            await harness.event(opened)
            [published] = await harness.slack.wait_for("views.publish")
            view = published.args["view"]
            assert published.args["user_id"] == "U-sam" and view["type"] == "home"
            shown = json.dumps(view)
            assert "Send your thank-you and feedback request (Acme)" in shown
            done = next(
                element
                for block in view["blocks"]
                if block["type"] == "actions"
                for element in block["elements"]
                if element["text"]["text"] == "Done"
            )
            await harness.press(done["action_id"], done["value"], view={"type": "home", "id": "V1"})
            await harness.said("Marked done")
            [_, republished] = await harness.slack.wait_for("views.publish", 2)
            assert "(Acme)" in json.dumps(republished.args["view"])

    asyncio.run(scenario())


def image_blocks(published) -> list[dict]:
    return [block for block in published.args["view"]["blocks"] if block["type"] == "image"]


def test_a_facilitator_s_app_home_shows_the_group_s_chart_shared_into_their_dm(core) -> None:
    set_up_group(core)  # Sam ran /group in the channel: its facilitator

    async def scenario() -> None:
        async with slack_app(core) as harness:
            opened = {"type": "app_home_opened", "user": "U-sam", "tab": "home"}
            await harness.event(opened)
            [published] = await harness.slack.wait_for("views.publish")
            assert "How the group is doing" in json.dumps(published.args["view"])
            [image] = image_blocks(published)
            shared = harness.slack.files[image["slack_file"]["id"]]
            assert shared["channel"] == "DU-sam"  # where Sam may open it
            picture = PIL.Image.open(io.BytesIO(shared["content"]))
            assert (picture.format, picture.size) == ("PNG", (WIDTH, HEIGHT))
            assert "Active members" in image["alt_text"]

            await harness.event(opened)  # again: the same picture, not shared twice
            [_, again] = await harness.slack.wait_for("views.publish", 2)
            assert image_blocks(again) == [image]
            assert len(harness.slack.calls_to("files.completeUploadExternal")) == 1

    asyncio.run(scenario())


def test_a_chart_slack_will_not_show_yet_leaves_the_rest_of_the_home(core) -> None:
    set_up_group(core)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            harness.slack.files_ready = False
            await harness.event({"type": "app_home_opened", "user": "U-sam", "tab": "home"})
            [refused, shown] = await harness.slack.wait_for("views.publish", 2)
            assert image_blocks(refused) and not image_blocks(shown)
            assert "How the group is doing" in json.dumps(shown.args["view"])

    asyncio.run(scenario())


def test_a_member_s_app_home_has_no_group_view(core) -> None:
    set_up_group(core)
    Chat(core, ALEX).steps(*PLAN)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            await harness.event({"type": "app_home_opened", "user": ALEX.user, "tab": "home"})
            [published] = await harness.slack.wait_for("views.publish")
            assert "How the group is doing" not in json.dumps(published.args["view"])
            assert not image_blocks(published)
            assert harness.slack.calls_to("files.getUploadURLExternal") == []

    asyncio.run(scenario())


def test_a_members_zone_comes_from_their_slack_profile_until_they_choose(core) -> None:
    async def scenario() -> None:
        async with slack_app(core) as harness:
            harness.slack.users["U-sam"] = {"tz": "America/New_York"}
            await harness.command("stats")
            await harness.slack.wait_for("chat.postEphemeral")
            await harness.command("stats")
            await harness.slack.wait_for("chat.postEphemeral", 2)
            assert len(harness.slack.calls_to("users.info")) == 1  # once per process

    asyncio.run(scenario())
    assert "America/New_York time" in core.home(SAM)[-1].text


def test_a_profile_zone_is_adopted_inside_the_turn_at_no_extra_transaction(core) -> None:
    """The zone rides on the event: a member with one costs the same transactions (the
    inbox's, the turn's) as a member without."""
    transactions: list[object] = []
    event.listen(core.engine, "begin", transactions.append)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            harness.slack.users["U-sam"] = {"tz": "America/New_York"}
            harness.slack.users["U-kim"] = {"tz": ""}
            for user, posts in (("U-kim", 1), ("U-sam", 2)):
                before = len(transactions)
                await harness.command("stats", user_id=user)
                await harness.slack.wait_for("chat.postEphemeral", posts)
                await harness.bot.settled()
                spent[user] = len(transactions) - before

    spent: dict[str, int] = {}
    asyncio.run(scenario())
    assert spent["U-sam"] == spent["U-kim"]
    assert "America/New_York time" in core.home(SAM)[-1].text


def test_an_export_asked_for_in_a_channel_arrives_as_files_in_the_dm(core) -> None:
    Chat(core, SAM).steps(*PLAN)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            await harness.command("export")
            await harness.slack.wait_for("files.completeUploadExternal", 2)
            files = harness.slack.files.values()
            assert {file["channel"] for file in files} == {"DU-sam"}
            [exported] = [f for f in files if f["name"].endswith(".json")]
            assert json.loads(exported["content"])["rejections"][0]["company"] == "Acme"
            assert harness.posted("chat.postEphemeral")[0]["channel"] == "C-general"
            assert "Acme" not in json.dumps(harness.posted("chat.postEphemeral"))

    asyncio.run(scenario())


def test_no_token_or_secret_reaches_the_logs_even_at_debug(core, caplog) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        async with slack_app(core) as harness:
            await harness.command("rejected", "Acme")
            await harness.said("How are you feeling")

    asyncio.run(scenario())
    assert caplog.records  # the libraries did log, at debug
    assert "xoxb-test" not in caplog.text and SECRET not in caplog.text


def test_work_after_an_ack_waits_while_another_request_waits_for_its_ack(core) -> None:
    async def scenario() -> None:
        bot = SlackBot(core)
        acked, answered = asyncio.Event(), []

        async def waiting_for_its_ack(_request: web.Request) -> web.Response:
            await acked.wait()
            return web.Response()

        async def answer() -> None:
            answered.append("answered")

        request = make_mocked_request("POST", EVENTS_PATH)
        in_flight = asyncio.create_task(bot.acks_first(request, waiting_for_its_ack))
        await asyncio.sleep(0)  # the request is in, its ack not yet out
        bot.later(answer)
        for _ in range(10):  # turns of the loop, not time: the workers could run now
            await asyncio.sleep(0)
        assert answered == []
        acked.set()
        assert (await in_flight).status == 200
        await bot.settled()
        assert answered == ["answered"]
        await bot.finish()

    asyncio.run(scenario())
