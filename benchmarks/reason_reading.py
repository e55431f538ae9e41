"""How well Bounceback reads a rejection reason, and words of despair, on a labelled
set it never learned from (benchmarks/data/reasons_measured.toml).

Prints, for the reasons: right (the first reading is one of the labels), wrong (a
reading, none of the labels) and unclear (no reading: the member is asked), and how
many of the two-thing reasons had both read; for despair: the share of the distress
set caught and of the ordinary-disappointment set flagged; and the time a reading
takes. `--folds K` instead measures on the playbook's own examples, each fold read
by a reader that learned from the others: that is the set to tune on.

    .venv/bin/python benchmarks/reason_reading.py [--folds 5] [--show-misses]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tomllib
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.conversation.care import sounds_like_crisis
from bot.playbook import Playbook, load_playbook
from bot.rejection.reason import read_reason

MEASURED = Path(__file__).parent / "data" / "reasons_measured.toml"


@dataclass(frozen=True)
class Labelled:
    reasons: list[tuple[str, tuple[str, ...]]]
    distress: list[str]
    ordinary: list[str]


def measured_set() -> Labelled:
    data = tomllib.loads(MEASURED.read_text())
    reasons = data["reasons"]
    return Labelled(
        [(text, (name,)) for name, texts in reasons.items() if name != "two" for text in texts]
        + [(item["text"], tuple(item["categories"])) for item in reasons["two"]],
        list(data["despair"]["distress"]),
        list(data["despair"]["ordinary"]),
    )


def playbook_set(playbook: Playbook) -> Labelled:
    examples = playbook.table("examples")
    return Labelled(
        [(text, (name,)) for name, texts in examples["reasons"].items() for text in texts],
        list(examples["despair"]["distress"]),
        list(examples["despair"]["ordinary"]),
    )


def without(playbook: Playbook, held: Labelled) -> Playbook:
    """The playbook with the held-out fold's examples taken out of its bank."""
    examples = playbook.table("examples")
    left = {text for text, _ in held.reasons} | set(held.distress) | set(held.ordinary)
    bank: dict[str, Any] = {
        **examples,
        "reasons": {
            name: [text for text in texts if text not in left]
            for name, texts in examples["reasons"].items()
        },
        "despair": {
            kind: [text for text in examples["despair"][kind] if text not in left]
            for kind in ("distress", "ordinary")
        },
    }
    return replace(playbook, files={**playbook.files, "examples": bank})


def folds(labelled: Labelled, count: int) -> list[Labelled]:
    return [
        Labelled(
            labelled.reasons[index::count],
            labelled.distress[index::count],
            labelled.ordinary[index::count],
        )
        for index in range(count)
    ]


@dataclass
class Tally:
    outcomes: Counter[str]
    by_category: dict[str, Counter[str]]
    both: Counter[str]
    caught: int = 0
    flagged: int = 0
    misses: list[str] | None = None

    def add(self, playbook: Playbook, labelled: Labelled, show: bool) -> None:
        for text, labels in labelled.reasons:
            read = read_reason(text, playbook)
            outcome = "unclear" if not read else "right" if read[0] in labels else "wrong"
            self.outcomes[outcome] += 1
            self.by_category[labels[0]][outcome] += 1
            if len(labels) > 1:
                self.both["all" if set(labels) <= set(read) else "part"] += 1
            if show and outcome != "right" and self.misses is not None:
                self.misses.append(f"{outcome:7} {labels} read {read}: {text}")
        for text in labelled.distress:
            caught = sounds_like_crisis(text, playbook)
            self.caught += caught
            if show and not caught and self.misses is not None:
                self.misses.append(f"missed distress: {text}")
        for text in labelled.ordinary:
            flagged = sounds_like_crisis(text, playbook)
            self.flagged += flagged
            if show and flagged and self.misses is not None:
                self.misses.append(f"flagged ordinary: {text}")


def report(tally: Tally, labelled_sizes: tuple[int, int, int]) -> None:
    reasons, distress, ordinary = labelled_sizes
    share = {key: tally.outcomes[key] / reasons for key in ("right", "wrong", "unclear")}
    print(f"reasons: {reasons}")
    for key in ("right", "wrong", "unclear"):
        print(f"  {key:8} {tally.outcomes[key]:4}  {share[key]:6.1%}")
    print("  by category (right / wrong / unclear):")
    for name, counts in tally.by_category.items():
        print(f"    {name:20} {counts['right']:3} / {counts['wrong']:3} / {counts['unclear']:3}")
    if tally.both:
        print(f"  two things named: both read {tally.both['all']} of {sum(tally.both.values())}")
    print(f"distress caught: {tally.caught} of {distress} ({tally.caught / distress:.1%})")
    print(f"ordinary flagged: {tally.flagged} of {ordinary} ({tally.flagged / ordinary:.1%})")


def timing(texts: Sequence[str]) -> None:
    """What learning costs once (time and memory, both readers), then each reading."""
    playbook = load_playbook()
    begun = time.perf_counter()
    playbook.reason_reader, playbook.despair_reader  # noqa: B018 (learned on first use)
    learned = time.perf_counter() - begun
    tracemalloc.start()  # on a second playbook: tracing slows what it traces
    again = load_playbook()
    again.reason_reader, again.despair_reader  # noqa: B018
    memory = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    took = []
    for text in texts:
        begun = time.perf_counter()
        read_reason(text, playbook)
        sounds_like_crisis(text, playbook)
        took.append((time.perf_counter() - begun) * 1000)
    took.sort()
    print(f"learning both readers: {learned * 1000:.0f} ms, {memory:.1f} MiB held")
    print(
        f"one text read as a reason and checked for despair: median "
        f"{statistics.median(took):.2f} ms, p99 {took[int(len(took) * 0.99)]:.2f} ms, "
        f"max {took[-1]:.2f} ms ({len(took)} texts)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    playbook = load_playbook()
    tally = Tally(Counter(), {}, Counter(), misses=[] if args.show_misses else None)
    for name in playbook.table("feedback.categories"):
        tally.by_category[name] = Counter()
    if args.folds:
        labelled = playbook_set(playbook)
        for fold in folds(labelled, args.folds):
            tally.add(without(playbook, fold), fold, args.show_misses)
        print(f"cross-validated on the playbook's own examples, {args.folds} folds")
    else:
        labelled = measured_set()
        tally.add(playbook, labelled, args.show_misses)
        print(f"measured on {MEASURED.relative_to(Path.cwd())}, never learned from")
    report(tally, (len(labelled.reasons), len(labelled.distress), len(labelled.ordinary)))
    timing([text for text, _ in labelled.reasons] + labelled.distress + labelled.ordinary)
    for miss in tally.misses or ():
        print(miss)


if __name__ == "__main__":
    main()
