"""How often a typed answer is read as the member meant it, on answers never tuned on.

The set below was written once, in the way members type, after the matcher was
built, and measured once: keep it held out (add new answers to a tuning set in
the tests, never here). A wrong reading is worse than asking back.

    .venv/bin/python benchmarks/answer_matching.py
"""

from __future__ import annotations

from bot.conversation.events import Option
from bot.parsing import matching_options
from bot.playbook import load_playbook
from bot.rejection.stages import STAGES
from bot.reminders.arrival import reminder_options

PLAYBOOK = load_playbook()
MOODS = tuple(
    Option(key, mood["label"], also=tuple(mood.get("also", ())))
    for key, mood in PLAYBOOK.table("moods.moods").items()
)
STAGE_OPTIONS = tuple(Option(stage.value, stage.label, also=stage.also) for stage in STAGES)
PASS_ON = (Option("yes", "Yes, pass it on"), Option("no", "No, keep it private"))
ADVICE = (Option("yes", "I'll ask for one"), Option("no", "Not this time"))
PLAN = (
    Option("accept", "Sounds good"),
    Option("trim", "Drop some"),
    Option("move", "Move one"),
    Option("none", "No reminders"),
)
REMINDER = reminder_options(1, "second_ask")
HELD_OUT = [
    (MOODS, "honestly pretty crap", "low"),
    (MOODS, "gutted tbh", "low"),
    (MOODS, "I'm ok, it happens", "steady"),
    (MOODS, "kinda bummed", "disappointed"),
    (MOODS, "relieved honestly, wasn't sure about it", "relieved"),
    (STAGE_OPTIONS, "only the recruiter call", "screen"),
    (STAGE_OPTIONS, "we did two rounds of interviews", "interview"),
    (STAGE_OPTIONS, "they said I was their second choice", "runner_up"),
    (STAGE_OPTIONS, "got to the last stage", "final"),
    (STAGE_OPTIONS, "didn't hear back after applying, just an email", "applied"),
    (PASS_ON, "go for it", "yes"),
    (PASS_ON, "rather not", "no"),
    (PASS_ON, "sure why not", "yes"),
    (PASS_ON, "nope, keep it", "no"),
    (ADVICE, "ok I'll try", "yes"),
    (ADVICE, "maybe later", "no"),
    (PLAN, "looks good", "accept"),
    (PLAN, "remove a couple", "trim"),
    (PLAN, "can I change a date", "move"),
    (PLAN, "no reminders please", "none"),
    (REMINDER, "already sent it", "reminder:1:done"),
    (REMINDER, "they got back to me!", "reminder:1:replied"),
    (REMINDER, "tomorrow", "reminder:1:1d"),
    (REMINDER, "not this one", "reminder:1:skip"),
    (REMINDER, "skip it", "reminder:1:skip"),
]


def main() -> None:
    right = wrong = asked = 0
    for options, typed, meant in HELD_OUT:
        found = matching_options(typed, options)
        if len(found) == 1 and found[0].value == meant:
            right += 1
        elif len(found) == 1:
            wrong += 1
            print(f"wrong: {typed!r} read as {found[0].value}")
        else:
            asked += 1
            print(f"asked back: {typed!r}")
    total = len(HELD_OUT)
    print(f"right {right}/{total}, asked back {asked}, wrong {wrong}")


if __name__ == "__main__":
    main()
