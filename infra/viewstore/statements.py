"""The SQL that writes a batch's changes to a view's tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson

from infra.viewstore.cache import TableRows, Writes
from projections.rows import Row, Table

SQL_TYPES = {
    "sqlite": {"text": "TEXT", "integer": "INTEGER", "json": "TEXT"},
    "postgres": {"text": "TEXT", "integer": "BIGINT", "json": "TEXT"},
}


class Statement(NamedTuple):
    sql: str
    params: Sequence[Any]
    many: bool = False
    """Run once per item of ``params`` (``executemany``)."""
    copy_types: Sequence[str] = ()
    """The column types of a PostgreSQL ``COPY … FROM STDIN``, whose rows are ``params``."""

    def run(self, cursor: Any) -> None:
        if self.copy_types:
            with cursor.copy(self.sql) as copy:
                copy.set_types(self.copy_types)
                for row in self.params:
                    copy.write_row(row)
        elif self.many:
            cursor.executemany(self.sql, self.params)
        else:
            cursor.execute(self.sql, self.params)


def decode(table: Table, row: dict[str, Any]) -> Row:
    for column, kind in table.columns.items():
        if kind == "json" and row.get(column) is not None:
            row[column] = orjson.loads(row[column])
    return row


def _upsert(table: TableRows) -> str:
    """``ON CONFLICT`` clause replacing the whole row."""
    updates = [c for c in table.spec.columns if c not in table.spec.key]
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates) if updates else "DO NOTHING"
    return f"ON CONFLICT ({', '.join(table.spec.key)}) {action}"


def sqlite_writes(table: TableRows, writes: Writes) -> list[Statement]:
    """SQLite: one prepared statement run for each row (in-process, so cheap)."""
    spec, statements = table.spec, []
    if writes.deletes:
        where = " AND ".join(f"{c} = ?" for c in spec.key)
        statements.append(Statement(f"DELETE FROM {table.sql_name} WHERE {where}", writes.deletes, many=True))
    rows = [*writes.inserts, *writes.upserts]
    if rows:
        columns, values = ", ".join(spec.columns), ", ".join("?" for _ in spec.columns)
        insert = f"INSERT INTO {table.sql_name} ({columns}) VALUES ({values}) {_upsert(table)}"
        statements.append(Statement(insert, rows, many=True))
    return statements


def postgres_writes(table: TableRows, writes: Writes) -> list[Statement]:
    """PostgreSQL: new rows are copied in (binary); for the others, each column is sent
    as one array (binary), so that a batch of rows is one statement, not a round trip
    per row."""
    spec, types, statements = table.spec, SQL_TYPES["postgres"], []
    if writes.deletes:
        arrays = ", ".join(f"%b::{types[spec.columns[c]]}[]" for c in spec.key)
        statements.append(
            Statement(
                f"DELETE FROM {table.sql_name} WHERE ({', '.join(spec.key)}) IN "
                f"(SELECT * FROM unnest({arrays}))",
                [list(column) for column in zip(*writes.deletes, strict=True)],
            )
        )
    if writes.inserts:
        statements.append(
            Statement(
                f"COPY {table.sql_name} ({', '.join(spec.columns)}) FROM STDIN (FORMAT BINARY)",
                writes.inserts,
                copy_types=[types[kind].lower() for kind in spec.columns.values()],
            )
        )
    if writes.upserts:
        arrays = ", ".join(f"%b::{types[kind]}[]" for kind in spec.columns.values())
        statements.append(
            Statement(
                f"INSERT INTO {table.sql_name} ({', '.join(spec.columns)}) "
                f"SELECT * FROM unnest({arrays}) {_upsert(table)}",
                [list(column) for column in zip(*writes.upserts, strict=True)],
            )
        )
    return statements
