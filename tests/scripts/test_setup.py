"""scripts/setup, run on a copy of the project whose .venv python only records what it is
asked: it installs when pyproject.toml changed, not at every `scripts/run`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).parents[2]
RECORDING_PYTHON = '#!/usr/bin/env bash\necho "$*" >>"$(dirname "$0")/../../asked"\n'


def project(folder: Path) -> Path:
    """scripts/setup and pyproject.toml in `folder`, with a recording .venv python."""
    (folder / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "setup", folder / "scripts" / "setup")
    shutil.copy(REPO / "pyproject.toml", folder / "pyproject.toml")
    python = folder / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(RECORDING_PYTHON)
    python.chmod(0o755)
    return folder


def installs(folder: Path, *args: str) -> list[str]:
    """The pip installs one run of scripts/setup asked for."""
    asked = folder / "asked"
    asked.unlink(missing_ok=True)
    subprocess.run([str(folder / "scripts" / "setup"), *args], check=True, timeout=60)
    lines = asked.read_text().splitlines() if asked.exists() else []
    return [line.rsplit(" ", 1)[-1] for line in lines if " -e " in line]


def test_setup_installs_once_then_only_when_pyproject_changes(tmp_path: Path) -> None:
    folder = project(tmp_path)
    assert installs(folder) == ["."]
    assert installs(folder) == []  # scripts/run's every start
    assert installs(folder, "--test") == [".[test]"]
    assert installs(folder, "--test") == []
    assert installs(folder) == []  # the test tools installed serve a plain run too
    with (folder / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n# a new dependency, say\n")
    assert installs(folder) == ["."]


def test_a_failed_install_is_tried_again_next_time(tmp_path: Path) -> None:
    folder = project(tmp_path)
    failing = folder / ".venv" / "bin" / "python"
    failing.write_text(RECORDING_PYTHON + "exit 1\n")
    assert subprocess.run([str(folder / "scripts" / "setup")], timeout=60).returncode != 0
    failing.write_text(RECORDING_PYTHON)
    assert installs(folder) == ["."]
