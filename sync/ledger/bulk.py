"""Many rows into one table through the driver's ``executemany``, values bound as
SQLAlchemy binds them.

A full listing stores hundreds of thousands of mirror rows; SQLAlchemy's executemany
builds and processes each row's parameters in Python (measured: most of the time the
mirror spent storing 340,000 invoices, three times SQLite's own). Here the statement is
compiled once, each column's bind processor (the JSON encoder, the UTC datetime) is
looked up once, values shared by every row are processed once, and the driver gets
plain tuples or dicts in its own parameter style.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Insert, Table, insert


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]],
                shared: Mapping[str, Any], statement: Insert | None = None) -> None:
    """INSERT ``rows`` (each with the same columns) with the ``shared`` values added;
    ``statement``: the INSERT to run (an upsert, say) when not a plain one."""
    if not rows:
        return
    dialect = connection.dialect
    varying = list(rows[0])
    columns = [*varying, *shared]
    compiled = (insert(table) if statement is None else statement).compile(
        dialect=dialect, column_keys=columns)
    processors = {name: _processor(table, name, dialect) for name in columns}
    constant = {name: _bound(processors[name], value) for name, value in shared.items()}
    converted = [(name, process) for name in varying
                 if (process := processors[name]) is not None]

    def bound(row: Mapping[str, Any]) -> dict[str, Any]:
        values = {**row, **constant}
        for name, process in converted:
            values[name] = process(values[name])
        return values

    named = [bound(row) for row in rows]
    order = compiled.positiontup
    if compiled.positional and order is not None:
        pick = itemgetter(*order)
        if len(order) == 1:
            connection.exec_driver_sql(str(compiled), [(pick(row),) for row in named])
            return
        connection.exec_driver_sql(str(compiled), [pick(row) for row in named])
        return
    connection.exec_driver_sql(str(compiled), named)


def _processor(table: Table, name: str, dialect: Any) -> Callable[[Any], Any] | None:
    column_type = table.c[name].type
    found: Callable[[Any], Any] | None = column_type.dialect_impl(dialect).bind_processor(
        dialect)
    return found


def _bound(process: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if process is None else process(value)
