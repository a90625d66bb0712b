"""What the store and the API hold of a person, read as bytes to look for their details."""

from __future__ import annotations

import json
import sqlite3

import psycopg
from psycopg import sql

from infra.settings import Settings


def raw_store(settings: Settings) -> bytes:
    """Everything the store holds: the SQLite files byte for byte (free pages and the
    write-ahead log included), or every row of every table in the PostgreSQL schema."""
    if not settings.uses_postgres:
        files = sorted(settings.data_dir.glob("gongzhi.db*"))
        assert files, f"no store in {settings.data_dir}"
        return b"".join(path.read_bytes() for path in files)
    assert settings.database_url
    chunks: list[bytes] = []
    with psycopg.connect(settings.database_url, autocommit=True) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [settings.database_schema],
        ).fetchall()
        assert tables
        for (table,) in tables:
            rows = connection.execute(
                sql.SQL("SELECT * FROM {}").format(sql.Identifier(settings.database_schema, table))
            ).fetchall()
            for row in rows:
                chunks.extend(value if isinstance(value, bytes) else str(value).encode() for value in row)
    return b"\n".join(chunks)


def stored_events(settings: Settings, table: str) -> list[tuple[str, bytes]]:
    """The events table as stored (read with plain SQL): each event's topic and state bytes."""
    if not settings.uses_postgres:
        with sqlite3.connect(settings.data_dir / "gongzhi.db") as connection:
            rows = connection.execute(f"SELECT topic, state FROM {table} ORDER BY rowid").fetchall()
        return [(topic, bytes(state)) for topic, state in rows]
    assert settings.database_url
    with psycopg.connect(settings.database_url, autocommit=True) as connection:
        rows = connection.execute(
            sql.SQL("SELECT topic, state FROM {} ORDER BY notification_id").format(
                sql.Identifier(settings.database_schema, table)
            )
        ).fetchall()
    return [(topic, bytes(state)) for topic, state in rows]


def leaked(details: tuple[str, ...], *texts: str | bytes) -> list[str]:
    """The details found in any of the texts, in UTF-8 or as JSON escapes them (``\\u738b``)."""
    blob = b"\n".join(text.encode() if isinstance(text, str) else text for text in texts)
    return [d for d in details if d.encode() in blob or json.dumps(d)[1:-1].encode() in blob]
