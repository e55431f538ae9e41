"""The core's boundaries, read from the imports of every module under bot/.

bot/ is platform-neutral: it imports no adapter, no scheduler and no platform SDK,
and only bot/store/ speaks SQLAlchemy, so every query has one home.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
STORE = BOT / "store"
NEVER_IN_BOT = ("adapters", "scheduler", "slack_bolt", "slack_sdk", "discord", "aiohttp")


def imported(path: Path) -> set[str]:
    """The top-level packages and the modules a file imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def top_level(module: str) -> str:
    return module.partition(".")[0]


BOT_MODULES = sorted(BOT.rglob("*.py"))


@pytest.mark.parametrize("path", BOT_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_no_adapter_scheduler_or_platform_sdk(path: Path) -> None:
    assert not {m for m in imported(path) if top_level(m) in NEVER_IN_BOT}


@pytest.mark.parametrize("path", BOT_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_store_imports_sqlalchemy(path: Path) -> None:
    if path.is_relative_to(STORE):
        return
    assert not {m for m in imported(path) if top_level(m) in ("sqlalchemy", "alembic")}


def test_the_reading_sees_imports_wherever_they_are(tmp_path: Path) -> None:
    """Function-level and aliased imports count: the check cannot be stepped around."""
    module = tmp_path / "sneaky.py"
    module.write_text(
        "import sqlalchemy as sa\n"
        "def later():\n"
        "    from slack_sdk.web import WebClient\n"
        "    import scheduler.outbox\n"
    )
    assert imported(module) == {"sqlalchemy", "slack_sdk.web", "scheduler.outbox"}
