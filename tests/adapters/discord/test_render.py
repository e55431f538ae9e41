"""The core's own replies, rendered for Discord: what a member would see and press."""

from __future__ import annotations

from adapters.discord.items import AnswerButton, ChoiceButton, FormButton
from adapters.discord.render import DISCORD, message, modal, shown, submitted
from bot.conversation.events import Attachment, FieldErrors, Form, FormField, Option, Reply
from tests.conftest import SAM
from tests.helpers import Chat

GUILD = "81234"


def custom_ids(rendered) -> list[str]:
    return [item.custom_id for item in rendered.view.children] if rendered.view else []


def test_a_question_becomes_text_with_one_button_per_option(core) -> None:
    replies = Chat(core, SAM, DISCORD).say("/rejected Acme")
    asking = message(replies[-1], GUILD)
    assert "How are you feeling" in asking.content
    assert custom_ids(asking) == [
        "bb:c:81234:low",
        "bb:c:81234:disappointed",
        "bb:c:81234:steady",
        "bb:c:81234:relieved",
    ]
    assert all(isinstance(item, ChoiceButton) for item in asking.view.children)
    assert asking.view.timeout is None and asking.view.is_persistent()


def test_the_facts_form_fits_one_modal_of_five_inputs(core) -> None:
    replies = Chat(core, SAM, DISCORD).steps("/rejected Acme", "disappointed", "interview")
    asking = message(replies[-1], GUILD)
    [button] = asking.view.children
    assert isinstance(button, FormButton) and button.custom_id == "bb:f:81234:rejection_facts"
    assert button.item.label == "Fill in: The facts"

    shape = modal(replies.form, GUILD).to_dict()
    assert shape["custom_id"] == "bb:m:81234:rejection_facts" and len(shape["components"]) == 5
    inputs = [label["component"] for label in shape["components"]]
    assert [i["custom_id"] for i in inputs] == [
        "company",
        "role",
        "contact_name",
        "heard_on",
        "reason",
    ]
    assert inputs[0]["value"] == "Acme" and inputs[0]["required"] is True
    assert inputs[-1]["style"] == 2 and inputs[-1]["max_length"] == 2000  # a paragraph
    assert all(len(label["label"]) <= 45 for label in shape["components"])


def test_a_mistake_keeps_what_was_typed_and_offers_to_try_again() -> None:
    form = Form("facts", "The facts", (FormField("heard_on", "When?"), FormField("role", "Role")))
    problem = Reply(
        "A few things need another look.",
        field_errors=FieldErrors("facts", {"heard_on": "That date is in the future."}),
    )
    rendered = message(problem, GUILD)
    assert rendered.content.endswith("\n• That date is in the future.")
    assert custom_ids(rendered) == ["bb:f:81234:facts"]
    again = modal(form, GUILD, {"heard_on": "next year", "role": "Analyst"}).to_dict()
    assert [label["component"].get("value") for label in again["components"]] == [
        "next year",
        "Analyst",
    ]


def test_a_draft_is_set_apart_in_an_embed_to_copy(core) -> None:
    chat = Chat(core, SAM, DISCORD)
    chat.steps("/rejected Acme", "disappointed", "interview")
    chat.submit("rejection_facts", company="Acme", contact_name="Jane Doe", heard_on="today")
    replies = chat.press("hiring_manager")
    drafted = next(reply for reply in replies if reply.quote)
    [draft] = message(drafted, GUILD).embeds
    assert draft.title == "Your draft"
    assert draft.description.startswith("```\nHi Jane,") and draft.description.endswith("\n```")


def test_member_text_cannot_ping_or_hide_a_link() -> None:
    said = "Thanks @everyone, <@&812345678901234567> [your bank](http://evil.example) **loud**"
    text = message(Reply(said), GUILD).content
    assert "@everyone" not in text and "<@&812345678901234567>" not in text
    assert "\\[your bank](http" in text and "\\*\\*loud\\*\\*" in text  # shown, not a link
    assert shown("https://example.com/a_b") == "https://example.com/a_b"  # links still work


def test_long_text_moves_to_an_embed_and_buttons_stop_at_25() -> None:
    options = tuple(Option(f"v{n}", f"Option {n}") for n in range(30))
    rendered = message(Reply("word " * 500, options=options), GUILD)
    assert rendered.content == "" and len(rendered.embeds[0].description) == 2500
    assert len(rendered.view.children) == 25


def test_where_dms_cannot_be_read_a_question_offers_a_typed_answer() -> None:
    rendered = message(Reply("What did they tell you?"), GUILD, answerable=True)
    [button] = rendered.view.children
    assert isinstance(button, AnswerButton) and button.custom_id == "bb:a:81234"


def test_an_export_arrives_as_files() -> None:
    files = (Attachment("bounceback.json", b"{}", "application/json"),)
    rendered = message(Reply("Here is everything.", attachments=files), GUILD)
    assert [file.filename for file in rendered.files] == ["bounceback.json"]
    assert "files" in rendered.kwargs() and "view" not in rendered.kwargs()


def test_submitted_values_are_read_from_labels_and_rows() -> None:
    data = {
        "custom_id": "bb:m:81234:facts",
        "components": [
            {"type": 18, "component": {"type": 4, "custom_id": "company", "value": "Acme"}},
            {"type": 1, "components": [{"type": 4, "custom_id": "role", "value": None}]},
        ],
    }
    assert submitted(data) == {"company": "Acme", "role": ""}
