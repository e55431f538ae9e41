"""The fake Slack speaks well enough for the real slack_sdk and Bolt clients to use it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncSay
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.manifest import BOT_SCOPES

from .fake_slack import (
    METHOD_SCOPES,
    FakeSlack,
    block_action_body,
    event_payload,
    sign,
    signed_headers,
    slash_body,
    slash_payload,
    view_submission_body,
)

TIMEOUT = 5.0
SECRET = "shh-signing-secret"


def run_with_slack(scenario: Callable[[FakeSlack], Awaitable[None]]) -> None:
    """Run `scenario` against a fresh fake Slack, in its own event loop."""

    async def main() -> None:
        async with FakeSlack() as slack:
            await scenario(slack)

    asyncio.run(main())


def web_client(slack: FakeSlack, token: str | None = "xoxb-test", **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=slack.api_url, **kwargs)


def test_api_url_ends_with_a_slash_and_auth_test_answers_as_the_bot() -> None:
    async def scenario(slack: FakeSlack) -> None:
        assert slack.api_url.startswith("http://127.0.0.1:")
        assert slack.api_url.endswith("/api/")
        response = await web_client(slack).auth_test()
        assert response["bot_id"] == slack.bot_id
        assert response["user_id"] == slack.bot_user_id
        assert (response["team_id"], response["team"]) == (slack.team_id, slack.team_name)
        assert [(c.method, c.token, c.status) for c in slack.calls] == [
            ("auth.test", "xoxb-test", 200)
        ]

    run_with_slack(scenario)


def test_a_base_url_without_a_trailing_slash_still_works_in_slack_sdk_3_47() -> None:
    async def scenario(slack: FakeSlack) -> None:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url.rstrip("/"))
        assert (await client.auth_test())["ok"]  # slack_sdk appends the "/" itself now

    run_with_slack(scenario)


def test_a_base_url_missing_api_gets_an_explaining_404() -> None:
    async def scenario(slack: FakeSlack) -> None:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.base_url)
        with pytest.raises(SlackApiError) as raised:
            await client.auth_test()
        assert raised.value.response.status_code == 404
        assert "api_url" in raised.value.response["error"]
        assert slack.calls == []

    run_with_slack(scenario)


def test_posted_messages_are_recorded_with_their_args_and_increasing_ts() -> None:
    async def scenario(slack: FakeSlack) -> None:
        client = web_client(slack)
        first = await client.chat_postMessage(channel="C1", text="Hello & welcome")
        second = await client.chat_postMessage(channel="U-sam", text="In your DMs")
        assert first["channel"] == "C1"
        assert first["message"]["text"] == "Hello & welcome"
        assert second["channel"] == "DU-sam"
        assert float(second["ts"]) > float(first["ts"])
        calls = slack.calls_to("chat.postMessage")
        assert [call.args for call in calls] == [
            {"channel": "C1", "text": "Hello & welcome"},
            {"channel": "U-sam", "text": "In your DMs"},
        ]
        assert {call.token for call in calls} == {"xoxb-test"}

    run_with_slack(scenario)


def test_a_429_with_retry_after_is_retried_by_the_rate_limit_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []

    async def no_wait(seconds: float) -> None:
        slept.append(seconds)

    # Only the handler module's view of asyncio: the test does not wait 3 s for real.
    monkeypatch.setattr(builtin_async_handlers, "asyncio", SimpleNamespace(sleep=no_wait))

    async def scenario(slack: FakeSlack) -> None:
        slack.fail_next("chat.postMessage", status=429, retry_after=3)
        handler = AsyncRateLimitErrorRetryHandler(max_retry_count=1)
        client = web_client(slack, retry_handlers=[handler])
        response = await client.chat_postMessage(channel="C1", text="again")
        assert response["ok"]
        calls = slack.calls_to("chat.postMessage")
        assert [(c.status, c.error) for c in calls] == [(429, "ratelimited"), (200, None)]
        assert calls[0].args == calls[1].args == {"channel": "C1", "text": "again"}
        assert len(slept) == 1
        assert 3 <= slept[0] < 4  # Retry-After plus the handler's jitter

    run_with_slack(scenario)


def test_a_429_without_a_retry_handler_surfaces_with_its_retry_after() -> None:
    async def scenario(slack: FakeSlack) -> None:
        slack.fail_next("chat.postMessage", status=429, retry_after=7, times=2)
        client = web_client(slack)
        for _ in range(2):
            with pytest.raises(SlackApiError) as raised:
                await client.chat_postMessage(channel="C1", text="hi")
            assert raised.value.response.status_code == 429
            assert raised.value.response["error"] == "ratelimited"
            assert raised.value.response.headers["Retry-After"] == "7"
        await client.chat_postMessage(channel="C1", text="hi")
        assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 429, 200]

    run_with_slack(scenario)


def test_a_500_surfaces_as_slack_api_error_and_is_counted() -> None:
    async def scenario(slack: FakeSlack) -> None:
        slack.fail_next("chat.postMessage", status=500)
        client = web_client(slack)
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel="C1", text="hi")
        assert raised.value.response.status_code == 500
        assert (await client.chat_postMessage(channel="C1", text="hi"))["ok"]
        assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 200]

    run_with_slack(scenario)


def test_an_injected_api_error_answers_200_with_ok_false() -> None:
    async def scenario(slack: FakeSlack) -> None:
        slack.fail_next("conversations.open", status=200, error="cannot_dm_bot")
        with pytest.raises(SlackApiError) as raised:
            await web_client(slack).conversations_open(users="U-bot")
        assert raised.value.response.status_code == 200
        assert raised.value.response["error"] == "cannot_dm_bot"

    run_with_slack(scenario)


def test_history_shows_a_posted_messages_metadata_only_when_asked_for() -> None:
    async def scenario(slack: FakeSlack) -> None:
        client = web_client(slack)
        metadata = {"event_type": "bounceback_reminder", "event_payload": {"key": "r:42"}}
        await client.chat_postMessage(channel="D1", text="older", metadata=metadata)
        await client.chat_postMessage(channel="D1", text="newer")
        await client.chat_postMessage(channel="D2", text="elsewhere")

        history = await client.conversations_history(channel="D1", include_all_metadata=True)
        assert [m["text"] for m in history["messages"]] == ["newer", "older"]
        assert history["messages"][1]["metadata"] == metadata
        assert "metadata" not in history["messages"][0]

        plain = await client.conversations_history(channel="D1")
        assert all("metadata" not in message for message in plain["messages"])
        limited = await client.conversations_history(channel="D1", limit=1)
        assert [m["text"] for m in limited["messages"]] == ["newer"]
        assert limited["has_more"] is True
        older_ts = history["messages"][1]["ts"]
        after = await client.conversations_history(channel="D1", oldest=older_ts)
        assert [m["text"] for m in after["messages"]] == ["newer"]

    run_with_slack(scenario)


def test_every_method_served_knows_the_scope_slack_requires_for_it() -> None:
    async def scenario(slack: FakeSlack) -> None:
        assert set(slack._methods) == set(METHOD_SCOPES) | {"conversations.history"}
        assert slack.scopes == set(BOT_SCOPES)

    run_with_slack(scenario)


def test_a_method_without_its_scope_answers_missing_scope_as_slack_does() -> None:
    async def main() -> None:
        async with FakeSlack(scopes=["chat:write"]) as slack:
            client = web_client(slack)
            await client.chat_postMessage(channel="C1", text="allowed")
            with pytest.raises(SlackApiError) as raised:
                await client.users_info(user="U-sam")
            answer = raised.value.response.data
            assert answer == {
                "ok": False,
                "error": "missing_scope",
                "needed": "users:read",
                "provided": "chat:write",
            }
            assert [call.error for call in slack.calls] == [None, "missing_scope"]

    asyncio.run(main())


@pytest.mark.parametrize(
    ("channel", "needed"), [("C1", "channels:history"), ("G1", "groups:history")]
)
def test_history_needs_the_scope_of_the_conversations_kind(channel: str, needed: str) -> None:
    """The manifest grants im:history only: DMs can be read, channels cannot."""

    async def scenario(slack: FakeSlack) -> None:
        client = web_client(slack)
        assert (await client.conversations_history(channel="DU-sam"))["ok"]
        with pytest.raises(SlackApiError) as raised:
            await client.conversations_history(channel=channel)
        assert (raised.value.response["error"], raised.value.response["needed"]) == (
            "missing_scope",
            needed,
        )

    run_with_slack(scenario)


def test_bot_methods_answer_minimal_payloads() -> None:
    async def scenario(slack: FakeSlack) -> None:
        client = web_client(slack)
        opened = await client.conversations_open(users="U-sam")
        assert opened["channel"]["id"] == "DU-sam"

        ephemeral = await client.chat_postEphemeral(channel="C1", user="U-sam", text="psst")
        assert ephemeral["message_ts"]

        posted = await client.chat_postMessage(channel="C1", text="draft")
        updated = await client.chat_update(channel="C1", ts=posted["ts"], text="final")
        assert updated["ts"] == posted["ts"]
        assert slack.messages["C1"][0]["text"] == "final"
        with pytest.raises(SlackApiError) as raised:
            await client.chat_update(channel="C1", ts="1.000001", text="lost")
        assert raised.value.response["error"] == "message_not_found"

        title = {"type": "plain_text", "text": "Plan"}
        modal = {"type": "modal", "callback_id": "plan", "title": title, "blocks": []}
        view = (await client.views_open(trigger_id="1.1.t", view=modal))["view"]
        assert view["id"] and view["callback_id"] == "plan"
        again = await client.views_update(view_id=view["id"], view=modal, hash=view["hash"])
        assert again["view"]["id"] == view["id"]
        with pytest.raises(SlackApiError) as raised:
            await client.views_update(view_id=view["id"], view=modal, hash="stale")
        assert raised.value.response["error"] == "hash_conflict"

        home = {"type": "home", "blocks": []}
        published = await client.views_publish(user_id="U-sam", view=home)
        republished = await client.views_publish(user_id="U-sam", view=home)
        assert published["view"]["id"] == republished["view"]["id"]
        assert slack.home_tabs["U-sam"]["type"] == "home"

        with pytest.raises(SlackApiError) as raised:
            await client.api_call("bounceback.nonsense")
        assert raised.value.response["error"] == "unknown_method"
        assert slack.calls[-1].error == "unknown_method"

    run_with_slack(scenario)


def test_users_info_answers_a_default_profile_or_the_configured_one() -> None:
    async def scenario(slack: FakeSlack) -> None:
        slack.users["U-sam"] = {"tz": "Europe/Berlin", "tz_offset": 3600, "real_name": "Sam"}
        client = web_client(slack)
        sam = (await client.users_info(user="U-sam"))["user"]
        assert (sam["tz"], sam["tz_offset"], sam["real_name"]) == ("Europe/Berlin", 3600, "Sam")
        assert sam["profile"]["real_name"] == "Sam"
        other = (await client.users_info(user="U-kim"))["user"]
        assert (other["id"], other["tz"], other["tz_offset"]) == ("U-kim", "UTC", 0)

    run_with_slack(scenario)


def test_tokens_are_checked_like_slack_does() -> None:
    async def scenario(slack: FakeSlack) -> None:
        with pytest.raises(SlackApiError) as raised:
            await web_client(slack, token=None).auth_test()
        assert raised.value.response["error"] == "not_authed"
        with pytest.raises(SlackApiError) as raised:
            await web_client(slack).apps_connections_open(app_token="xoxb-test")
        assert raised.value.response["error"] == "not_allowed_token_type"
        with pytest.raises(SlackApiError) as raised:
            await web_client(slack, token="xapp-test").chat_postMessage(channel="C1", text="x")
        assert raised.value.response["error"] == "not_allowed_token_type"
        assert all("token" not in call.args for call in slack.calls)

    run_with_slack(scenario)


# slack_sdk 3.47 sends the client credentials with aiohttp.BasicAuth, deprecated in aiohttp 3.14.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
def test_oauth_v2_access_exchanges_a_code_for_a_working_bot_token() -> None:
    async def scenario(slack: FakeSlack) -> None:
        client = web_client(slack, token=None)
        installed = await client.oauth_v2_access(client_id="cid", client_secret="cs", code="c0de")
        assert installed["team"]["id"] == slack.team_id
        assert installed["bot_user_id"] == slack.bot_user_id
        token = installed["access_token"]
        assert token.startswith("xoxb-")
        (call,) = slack.calls_to("oauth.v2.access")
        assert call.token is None
        assert (call.args["client_id"], call.args["code"]) == ("cid", "c0de")
        assert (await client.auth_test(token=token))["bot_id"] == slack.bot_id

    run_with_slack(scenario)


def test_response_urls_record_what_is_posted_to_them() -> None:
    async def scenario(slack: FakeSlack) -> None:
        url = slack.response_url()
        assert url != slack.response_url()
        response = await AsyncWebhookClient(url).send(text="Saved.", response_type="ephemeral")
        assert (response.status_code, response.body) == (200, "ok")
        (posted,) = slack.responses
        assert posted.url == url
        assert posted.body == {"text": "Saved.", "response_type": "ephemeral"}

    run_with_slack(scenario)


def test_socket_mode_client_connects_receives_an_envelope_and_acks_it() -> None:
    async def scenario(slack: FakeSlack) -> None:
        greeted = asyncio.Event()
        requests: list[SocketModeRequest] = []

        async def on_message(client: Any, message: dict, raw: str | None) -> None:
            if message.get("type") == "hello":
                greeted.set()

        async def on_request(client: SocketModeClient, request: SocketModeRequest) -> None:
            requests.append(request)
            ack = SocketModeResponse(request.envelope_id, payload={"text": "On it."})
            await client.send_socket_mode_response(ack)

        client = SocketModeClient(app_token="xapp-test", web_client=web_client(slack, None))
        client.message_listeners.append(on_message)
        client.socket_mode_request_listeners.append(on_request)
        try:
            await client.connect()
            async with asyncio.timeout(TIMEOUT):
                await greeted.wait()
            (opened,) = slack.calls_to("apps.connections.open")
            assert opened.token == "xapp-test"

            envelope_id = await slack.socket_send("slash_commands", slash_payload(text="hi"))
            ack = await slack.acked(envelope_id, timeout=TIMEOUT)
            assert ack == {"envelope_id": envelope_id, "payload": {"text": "On it."}}
            (request,) = requests
            assert (request.type, request.envelope_id) == ("slash_commands", envelope_id)
            assert request.payload["command"] == "/bounceback"
            assert request.accepts_response_payload is True

            await slack.socket_disconnect()
            await slack.wait_connected(count=2, timeout=TIMEOUT)
            assert len(slack.calls_to("apps.connections.open")) == 2
            second = await slack.socket_send("events_api", {"type": "event_callback"})
            assert (await slack.acked(second, timeout=TIMEOUT))["envelope_id"] == second
        finally:
            await client.close()

    run_with_slack(scenario)


def test_acked_times_out_with_a_clear_error_when_no_ack_comes() -> None:
    async def scenario(slack: FakeSlack) -> None:
        client = SocketModeClient(app_token="xapp-test", web_client=web_client(slack, None))
        try:
            await client.connect()
            envelope_id = await slack.socket_send("interactive", {"type": "block_actions"})
            with pytest.raises(TimeoutError, match="not acked"):
                await slack.acked(envelope_id, timeout=0.05)
        finally:
            await client.close()

    run_with_slack(scenario)


def test_sign_produces_a_signature_slack_sdk_accepts() -> None:
    body = slash_body("/bounceback", "plan acme")
    headers = sign(SECRET, body, 1_700_000_000)
    assert headers["X-Slack-Request-Timestamp"] == "1700000000"
    verifier = SignatureVerifier(SECRET, clock=SimpleNamespace(now=lambda: 1_700_000_100.0))
    timestamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert verifier.is_valid(body, timestamp, signature)
    assert not verifier.is_valid(body + b"&x=1", timestamp, signature)
    assert not SignatureVerifier("other").is_valid(body, timestamp, signature)
    fresh = sign(SECRET, body)
    real_clock = SignatureVerifier(SECRET)
    assert real_clock.is_valid(body, fresh["X-Slack-Request-Timestamp"], fresh["X-Slack-Signature"])


def test_bodies_are_shaped_like_slacks() -> None:
    slash = parse_qs(slash_body("/bounceback", "plan acme", response_url="http://x/r/1").decode())
    assert slash["command"] == ["/bounceback"]
    assert slash["text"] == ["plan acme"]
    assert slash["response_url"] == ["http://x/r/1"]

    (raw,) = parse_qs(block_action_body("snooze", "r:42").decode())["payload"]
    action = json.loads(raw)
    assert action["type"] == "block_actions"
    assert (action["actions"][0]["action_id"], action["actions"][0]["value"]) == ("snooze", "r:42")

    values = {"company": {"name": "Acme"}, "when": {"pick": {"type": "datepicker"}}}
    body = view_submission_body("plan", values, private_metadata="m")
    (raw,) = parse_qs(body.decode())["payload"]
    view = json.loads(raw)["view"]
    assert (view["callback_id"], view["private_metadata"]) == ("plan", "m")
    state = view["state"]["values"]
    assert state["company"]["name"] == {"type": "plain_text_input", "value": "Acme"}
    assert state["when"]["pick"] == {"type": "datepicker"}

    event = event_payload({"type": "app_home_opened", "user": "U-sam", "tab": "home"})
    assert (event["type"], event["event"]["type"]) == ("event_callback", "app_home_opened")


def test_a_bolt_app_serves_a_signed_slash_command_against_the_fake() -> None:
    async def scenario(slack: FakeSlack) -> None:
        app = AsyncApp(client=web_client(slack), signing_secret=SECRET)
        answered = asyncio.Event()

        @app.command("/bounceback")
        async def command(ack: AsyncAck, say: AsyncSay, command: dict) -> None:
            await ack()
            await say(f"You said: {command['text']}")
            answered.set()

        body = slash_body("/bounceback", "hello", response_url=slack.response_url())
        request = AsyncBoltRequest(body=body.decode(), headers=signed_headers(SECRET, body))
        response = await app.async_dispatch(request)
        assert response.status == 200
        async with asyncio.timeout(TIMEOUT):  # the listener goes on after the ack
            await answered.wait()
        assert [call.method for call in slack.calls] == ["auth.test", "chat.postMessage"]
        assert slack.calls[-1].args["text"] == "You said: hello"

        forged = AsyncBoltRequest(body=body.decode(), headers=signed_headers("wrong", body))
        assert (await app.async_dispatch(forged)).status == 401

    run_with_slack(scenario)


def test_a_bolt_app_in_socket_mode_acks_through_the_fake() -> None:
    async def scenario(slack: FakeSlack) -> None:
        app = AsyncApp(client=web_client(slack), signing_secret="unused-in-socket-mode")
        answered = asyncio.Event()

        @app.command("/bounceback")
        async def command(ack: AsyncAck, say: AsyncSay) -> None:
            await ack("Working on it.")
            await say("Done.")
            answered.set()

        handler = AsyncSocketModeHandler(app, app_token="xapp-test")
        try:
            await handler.connect_async()
            envelope_id = await slack.socket_send("slash_commands", slash_payload(text="hi"))
            ack = await slack.acked(envelope_id, timeout=TIMEOUT)
            assert ack["payload"] == {"text": "Working on it."}  # a text ack, wrapped
            async with asyncio.timeout(TIMEOUT):
                await answered.wait()
            assert slack.calls_to("chat.postMessage")[0].args["text"] == "Done."
        finally:
            await handler.close_async()

    run_with_slack(scenario)
