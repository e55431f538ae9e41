"""Drawing one chart (issue 17: under 300 ms), and what the chart library costs a process.

Three figures:
- cold: a fresh Python process imports the bot's chart code and draws its first
  chart, which imports Pillow; timed from before the import, with the process's
  resident memory (VmRSS) before and after. Run `--cold` times, each a new process.
- warm: each of the three charts (the digest's, the facilitator's, a member's
  /stats) drawn `--draws` times in one process, PNG and text alternative both;
  median, p95 and max.
- the digest's picture end to end on a migrated SQLite file: its 24 counting
  queries (eight weeks of three counts) and the draw.

    .venv/bin/python benchmarks/chart_draw.py [--draws 50] [--cold 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.charts.weekly import Series, WeeklyChart, alt_text, draw
from bot.group import chart as digest
from bot.group import health
from bot.group.chart import digest_picture
from bot.member import stats
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.groups import Groups

WEEKS = tuple(date(2026, 10, 16) + timedelta(weeks=n) for n in range(8))
CHARTS = {
    "digest": WeeklyChart(
        digest.TITLE,
        WEEKS,
        (
            Series("Follow-ups done", (12, 9, 0, 15, 11, 7, 14, 18)),
            Series("Advice conversations asked for", (3, 2, 0, 4, 3, 0, 5, 6)),
            Series("Wins shared", (2, 1, 3, 4, 0, 2, 3, 5)),
        ),
    ),
    "facilitator": WeeklyChart(
        health.TITLE,
        WEEKS,
        (
            Series("Active members", (21, 19, 17, 23, 20, 18, 22, 24)),
            Series("Follow-ups due", (16, 14, 0, 19, 15, 11, 18, 22)),
            Series("Follow-ups done", (12, 9, 0, 15, 11, 7, 14, 18)),
        ),
    ),
    "stats": WeeklyChart(
        stats.TITLE,
        WEEKS,
        (
            Series("Follow-ups done", (1, 0, 2, 3, 1, 0, 2, 1)),
            Series("Wins logged", (0, 0, 1, 0, 0, 1, 0, 2)),
        ),
    ),
}

COLD = """
import sys, time
from datetime import date, timedelta
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before, start = rss(), time.perf_counter()
from bot.charts.weekly import Series, WeeklyChart, draw
weeks = tuple(date(2026, 10, 16) + timedelta(weeks=n) for n in range(8))
draw(WeeklyChart("Eight weeks", weeks, (Series("Follow-ups done", (1, 4, 0, 6, 3, 0, 5, 9)),)))
print(f"{(time.perf_counter() - start) * 1000:.0f} {before:.1f} {rss():.1f}")
"""


def cold_run() -> tuple[float, float, float]:
    """(ms to the first PNG, MiB before, MiB after) in a new process."""
    done = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True)
    ms, before, after = (float(part) for part in done.stdout.split())
    return ms, before, after


def timed(work, times: int) -> list[float]:
    """Milliseconds of each of `times` runs."""
    taken = []
    for _ in range(times):
        start = time.perf_counter()
        work()
        taken.append((time.perf_counter() - start) * 1000)
    return taken


def summary(taken: list[float]) -> str:
    ordered = sorted(taken)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--cold", type=int, default=3)
    options = parser.parse_args()
    reference = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    print(f"this machine's Python: sum(range(1000)) takes {reference:.1f} µs (for comparison)")

    for run in range(options.cold):
        ms, before, after = cold_run()
        print(f"cold {run + 1}: first chart {ms:.0f} ms; VmRSS {before:.1f} -> {after:.1f} MiB")

    draw(CHARTS["digest"])  # the library is loaded once per process
    for name, chart in CHARTS.items():
        taken = timed(lambda chart=chart: (draw(chart), alt_text(chart)), options.draws)
        print(f"warm {name}: {summary(taken)} over {options.draws}")

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder) / "bounceback.db"))
        upgrade(engine)
        now = datetime(2026, 12, 4, 16, 0)

        def picture() -> None:
            with engine.begin() as db:
                digest_picture(Groups(db, "slack", "T1"), now, now)

        print(f"digest picture with its queries: {summary(timed(picture, options.draws))}")
        engine.dispose()


if __name__ == "__main__":
    main()
