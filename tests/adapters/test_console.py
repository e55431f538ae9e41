"""The console adapter: lines in, plain-text replies out, files for exports."""

from __future__ import annotations

import io
import json

from adapters.console import ConsoleChat, ConsoleClock, console_member, read_line
from bot.conversation.core import Bounceback
from bot.conversation.events import Command, Text
from bot.reminders.delivery import Delivery
from bot.store.groups import Groups
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits


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


def test_the_slack_forms_work_in_the_console_too_and_help_shows_its_own(core, tmp_path) -> None:
    """What a member learnt on Slack (`/bounceback settings`) works here as well."""
    output = run_console(core, tmp_path, "/bounceback settings quiet 22:00-07:00\n/bounceback\n")
    assert "22:00" in output
    assert "\n/settings [change]: " in output and "/bounceback settings" not in output


def test_choices_are_numbered_and_taken_by_number_or_label(core, tmp_path) -> None:
    output = run_console(core, tmp_path, "/rejected Acme\nsteady enough\n2\n")
    assert "  1. Pretty low" in output
    assert "how far did you get" in output
    assert "Let's note down the facts" in output


def test_group_posts_are_marked_and_exports_are_saved(core, tmp_path, clock) -> None:
    with core.engine.begin() as db:
        Groups(db, "console", "local").create(timezone="UTC", facilitators=[], now=clock.now)
        Groups(db, "console", "local").update(channel="console-group")
    output = run_console(
        core, tmp_path, "/win Offer from Hooli\nGot an offer\nShare with the group\n/export\n"
    )
    assert "[posted to the group channel]" in output
    [exported] = (tmp_path / "exports").glob("bounceback-2*.json")
    assert json.loads(exported.read_text())["wins"][0]["description"] == "Offer from Hooli"


def test_end_of_input_ends_the_chat_cleanly(core, tmp_path) -> None:
    assert "Type /help to begin" in run_console(core, tmp_path, "")


def watch_console(core, tmp_path, lines: str) -> str:
    """The console as `bounceback console` wires it: with its clock and the scheduler."""
    out = io.StringIO()
    clock = ConsoleClock(core.clock)
    core = Bounceback(core.engine, core.playbook, core.settings, clock)
    chat = ConsoleChat(
        core, console_member("sam"), out, tmp_path / "exports", prompt=False, clock=clock
    )
    chat.dispatcher = Dispatcher(
        Outbox(core.engine, "console-test"),
        Delivery(core.engine, core.playbook),
        {chat.platform: chat},
        RateLimits.unlimited(),
        clock,
    )
    assert chat.run(io.StringIO(lines)) == 0
    return out.getvalue()


LIGHT_PLAN = "/rejected Acme\nPretty low\nApplied, no interview\nskip\ntoday\nskip\n2\n1\n"


def test_moving_the_clock_plays_the_plan_out_and_reminders_take_answers(core, tmp_path) -> None:
    output = watch_console(core, tmp_path, LIGHT_PLAN + "/clock +1d\n1\n")
    assert "Saved 1 follow-up" in output
    assert "The console's clock now reads Tue 24 Nov 2026" in output
    assert "Just checking in after yesterday" in output
    assert "late" not in output  # the clock walks: each reminder arrives when due
    assert output.index("Just checking in") < output.index("The console's clock now reads")
    assert output.rstrip().endswith("Marked done. Each one keeps a door open.")


def test_the_digest_s_chart_is_saved_and_its_path_printed(core, tmp_path) -> None:
    with core.engine.begin() as db:
        Groups(db, "console", "local").create(timezone="UTC", facilitators=[], now=core.clock())
        Groups(db, "console", "local").update(channel="console-group")
    output = watch_console(core, tmp_path, "/clock +1w\n")
    [chart] = (tmp_path / "exports").glob("group-week-*.png")
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert f"saved {chart}" in output


def test_the_clock_only_moves_forward_and_says_how(core, tmp_path) -> None:
    output = watch_console(core, tmp_path, "/clock -1d\n/clock soon\n")
    assert output.count("Move the clock forward with `/clock +3d`") == 2


def test_a_move_beyond_a_year_is_refused_kindly_and_the_clock_stays(core, tmp_path) -> None:
    output = watch_console(core, tmp_path, "/clock +9999w\n/clock +9999h\n/stats\n")
    assert output.count("The clock moves up to a year at a time: try `/clock +52w`.") == 2
    assert "clock now reads" not in output
    assert "Nothing logged yet" in output  # the console goes on answering
