"""Statements run on the database driver's own cursor, for the per-message path.

SQLAlchemy's execution machinery costs about 50 µs a statement on the benchmark
machine, against 6-11 µs for the same statement on the driver (see
benchmarks/README.md), and every member message runs two such statements. These
run on the turn's connection and inside its transaction, with SQLAlchemy's own
compiled SQL and its own type conversions for the dialect, so what they read and
write is exactly what SQLAlchemy would (tests/bot/store/test_driver.py checks it).
Driver errors come out as SQLAlchemy's, a lost connection invalidated as SQLAlchemy
would, so callers see no difference; `before_cursor_execute` listeners see them too
(echo does not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, exc
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # parameter names in position order; None: by name
    binds: dict[str, Processor]
    results: tuple[Processor, ...]


class OnDriver:
    """One statement, compiled once per dialect, run on the driver.

    Every parameter must be given: column defaults computed in Python are not applied.
    """

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[Dialect, _Compiled] = {}

    def first(self, db: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, converted as SQLAlchemy converts it; None if there is none."""
        compiled, cursor = self._run(db, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return tuple(
            value if convert is None or value is None else convert(value)
            for convert, value in zip(compiled.results, row, strict=True)
        )

    def rowcount(self, db: Connection, params: Mapping[str, Any]) -> int:
        """How many rows a write changed."""
        _, cursor = self._run(db, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _run(self, db: Connection, params: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        compiled = self._compiled.get(db.dialect) or self._compile(db.dialect)
        values = {
            name: value if (convert := compiled.binds[name]) is None else convert(value)
            for name, value in params.items()
        }
        arguments = values if compiled.order is None else [values[n] for n in compiled.order]
        if not db.in_transaction():
            db.begin()  # as SQLAlchemy's autobegin would, so the caller's commit commits
        pooled = db.connection
        cursor = pooled.driver_connection.cursor()
        # Listeners (tests that inject a crossing answer, statement counters) see these too.
        db.dispatch.before_cursor_execute(db, cursor, compiled.sql, arguments, None, False)
        try:
            cursor.execute(compiled.sql, arguments)
        except db.dialect.loaded_dbapi.Error as error:
            cursor.close()
            if db.dialect.is_disconnect(error, pooled, cursor):
                db.invalidate(error)
            raise exc.DBAPIError.instance(
                compiled.sql, arguments, error, db.dialect.loaded_dbapi.Error
            ) from error
        return compiled, cursor

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binds = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        columns = getattr(self.statement, "selected_columns", ())
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        self._compiled[dialect] = made = _Compiled(compiled.string, order, binds, results)
        return made
