"""Smoke test: the test run can start, use and stop its own PostgreSQL server."""

import pytest
from sqlalchemy import create_engine, text

from .postgres import running_postgres


@pytest.mark.postgres
def test_running_postgres_serves_a_usable_database() -> None:
    with running_postgres() as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                assert "PostgreSQL" in conn.execute(text("select version()")).scalar_one()
                conn.execute(text("create table smoke (id serial primary key, note text)"))
                conn.execute(text("insert into smoke (note) values ('ok')"))
                assert conn.execute(text("select note from smoke")).scalar_one() == "ok"
                conn.execute(text("drop table smoke"))
        finally:
            engine.dispose()
