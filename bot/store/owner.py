"""Whose rows a repository touches: one member of one tenant, fenced in every statement."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import Column, ColumnElement, Row, Table, bindparam


@dataclass(frozen=True)
class Owner:
    platform: str
    workspace: str
    member_id: int

    @property
    def fence(self) -> dict[str, Any]:
        """The parameters of `owned`: bound at execution, so statements are built once."""
        return {
            "t_platform": self.platform,
            "t_workspace": self.workspace,
            "t_member": self.member_id,
        }

    @property
    def columns(self) -> dict[str, Any]:
        """The tenant columns of a new row of theirs."""
        return {"platform": self.platform, "workspace": self.workspace, "member_id": self.member_id}


def owned(table: Table) -> ColumnElement[bool]:
    """This member's rows in this tenant; bound from Owner.fence at execution."""
    return (
        (table.c.platform == bindparam("t_platform"))
        & (table.c.workspace == bindparam("t_workspace"))
        & (table.c.member_id == bindparam("t_member"))
    )


def columns_of(record: type[Any], table: Table) -> list[Column[Any]]:
    """A table's columns in the order of a record's fields, so a row unpacks by position."""
    return [table.c[field.name] for field in fields(record)]


R = TypeVar("R")


def records(record: Callable[..., R], rows: Iterable[Row[Any]]) -> list[R]:
    """Rows selected with `columns_of(record, ...)`, as records."""
    return [record(*row) for row in rows]


def of_tenant(table: Any, platform: str, workspace: str) -> list[Any]:
    """The conditions that keep a statement to one tenant's rows of `table`."""
    return [table.c.platform == platform, table.c.workspace == workspace]
