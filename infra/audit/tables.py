"""The audit tables of a store: PostgreSQL's when its recorder keeps the events in
PostgreSQL, SQLite's otherwise.

The tables live next to the events, in the same file or schema, so that links are
written in the events' own transaction. What the tables hold is in
``infra.audit.rows``, what they answer in ``infra.audit.queries``, and what each
database does its own way (creating them, writing, looking hashes up) in
``infra.audit.sqlite_tables`` and ``infra.audit.postgres_tables``.
"""

from __future__ import annotations

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresDatastore

from infra.audit.postgres_tables import PostgresAuditTables
from infra.audit.queries import AuditTables
from infra.audit.sqlite_tables import SQLiteAuditTables


def audit_tables(recorder: ApplicationRecorder) -> AuditTables:
    datastore = recorder.datastore  # type: ignore[attr-defined]
    if isinstance(datastore, PostgresDatastore):
        return PostgresAuditTables(recorder)
    return SQLiteAuditTables(recorder)
