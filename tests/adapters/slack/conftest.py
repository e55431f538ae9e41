"""The `engine` fixture, also leaving slack-sdk's OAuth tables empty for the next test.

The root fixture empties the models' tables on the shared PostgreSQL server; the
Slack tables (migration 0004) are not among the models, so their rows go here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from adapters.slack.install import slack_metadata


@pytest.fixture
def engine(engine: Engine) -> Iterator[Engine]:
    yield engine
    with engine.begin() as connection:
        for table in slack_metadata().sorted_tables:
            connection.execute(table.delete())
