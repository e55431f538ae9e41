"""The console adapter: lines in, plain-text replies out, files for exports."""

from __future__ import annotations

import io
import json

from adapters.console import ConsoleChat, console_member, read_line
from bot.events import Command, Text


def run_console(core, tmp_path, lines: str) -> str:
    out = io.StringIO()
    chat = ConsoleChat(core, console_member("sam"), out, tmp_path / "exports", prompt=False)
    assert chat.run(io.StringIO(lines)) == 0
    return out.getvalue()


def test_a_slash_makes_a_command_and_anything_else_an_answer() -> None:
    sam = console_member("sam")
    assert read_line(sam, "/rejected Acme Corp\n") == Command(
        sam, read_line(sam, "/x").origin, "rejected", "Acme Corp"
    )
    assert isinstance(read_line(sam, "/\n"), Text)
    assert read_line(sam, "  2 \n").text == "  2 "


def test_choices_are_numbered_and_taken_by_number_or_label(core, tmp_path) -> None:
    output = run_console(core, tmp_path, "/rejected Acme\nsteady enough\n2\n")
    assert "  1. Pretty low" in output
    assert "how far did you get" in output
    assert "Let's note down the facts" in output


def test_group_posts_are_marked_and_exports_are_saved(core, tmp_path) -> None:
    output = run_console(
        core, tmp_path, "/win Offer from Hooli\nGot an offer\nShare with the group\n/export\n"
    )
    assert "[posted to the group channel]" in output
    [exported] = (tmp_path / "exports").glob("bounceback-2*.json")
    assert json.loads(exported.read_text())["wins"][0]["description"] == "Offer from Hooli"


def test_end_of_input_ends_the_chat_cleanly(core, tmp_path) -> None:
    assert "Type /help to begin" in run_console(core, tmp_path, "")
