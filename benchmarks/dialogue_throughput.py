"""Complete `/rejected` dialogues through the core on a SQLite file: steps/s and latency.

Each step is one member message handled end to end: read the member and their
place in the dialogue, run the step, write everything back, commit. Run:

    .venv/bin/python benchmarks/dialogue_throughput.py [--dialogues 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import timeit
from pathlib import Path

from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.conversation.events import PLAIN_TEXT, Command, Member, Origin, Text
from bot.playbook import load_playbook
from bot.store.database import Checkpointer, make_engine, sqlite_url, upgrade

DM = Origin("D", in_dm=True)
# The full path: interview, named hiring manager, a reason, a note, a plan, trimmed.
SCRIPT = (
    "Disappointed",
    "Interviews",
    "Data Analyst",
    "Jane Doe",
    "yesterday",
    "They chose someone with more experience",
    "Hiring manager",
    "keep",
    "yes",
    "Drop some",
    "4",
    "Sounds good",
)


def run(dialogues: int, members: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder) / "bench.db"))
        upgrade(engine)
        core = Bounceback(engine, load_playbook(), Settings())
        checkpointer = Checkpointer(engine).start()  # as `bounceback run` does
        latencies: list[int] = []
        started, cpu_started = time.perf_counter_ns(), time.process_time()
        for number in range(dialogues):
            member = Member("bench", "T1", f"U{number % members}", "Sam")
            events = [Command(member, DM, "rejected", f"Company {number}")]
            events += [Text(member, DM, answer) for answer in SCRIPT]
            for event in events:
                before = time.perf_counter_ns()
                core.handle(event, PLAIN_TEXT)
                latencies.append(time.perf_counter_ns() - before)
        elapsed = (time.perf_counter_ns() - started) / 1e9
        cpu = time.process_time() - cpu_started
        checkpointer.stop()
    latencies.sort()
    reference = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    p99 = latencies[int(len(latencies) * 0.99)] / 1e6
    print(f"dialogues: {dialogues} complete /rejected dialogues, {members} members, SQLite (WAL)")
    print(f"steps: {len(latencies)} in {elapsed:.2f} s")
    print(f"throughput: {len(latencies) / elapsed:,.0f} steps/s (target >= 2,000)")
    # Robust to other work on the machine: the process's own CPU, both threads included.
    print(f"per CPU-second: {len(latencies) / cpu:,.0f} steps ({cpu:.2f} s of CPU)")
    print(
        f"latency: p50 {statistics.median(latencies) / 1e6:.2f} ms, p99 {p99:.2f} ms "
        f"(target p99 < 10 ms), max {latencies[-1] / 1e6:.2f} ms"
    )
    print(f"this machine's Python: sum(range(1000)) takes {reference:.1f} µs (for comparison)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", type=int, default=300)
    parser.add_argument("--members", type=int, default=100)
    options = parser.parse_args()
    run(options.dialogues, options.members)
