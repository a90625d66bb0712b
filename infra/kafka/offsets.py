"""What a consumer group of projectors keeps in the views' database.

- the offsets table: the next offset of every partition, per group; a batch
  writes it in its own transaction, so the views and the offsets never disagree,
  and a projector resumes from it, not from the offsets committed to Kafka;
- the groups table: one row per group, counting the messages it sent to the
  dead-letter topic;
- the applied versions: each aggregate's last version applied to the views, a
  view with generations like the others, so that a rebuild can swap in new
  generations of both together and an event published twice is applied once.
"""

from __future__ import annotations

from typing import Any

from infra.database import Database
from infra.viewstore.generations import live_generation, point
from infra.viewstore.tables import ViewTables
from projections.events import EventRecord
from projections.rows import Rows, Table, View

APPLIED_VIEW = "kafka_applied"
APPLIED = Table("versions", {"aggregate_id": "text", "version": "integer"}, key=("aggregate_id",))


class AppliedVersions(View):
    """Each aggregate's last version applied to the views (read and written by the feeder)."""

    name = APPLIED_VIEW
    tables = (APPLIED,)
    events = frozenset()

    def handle(self, event: EventRecord, rows: Rows) -> None:
        rows.put("versions", {"aggregate_id": event.aggregate_id, "version": event.version})


def live_applied(database: Database) -> ViewTables:
    """The live generation of the applied versions, the first created if there is none."""
    generation = live_generation(database, APPLIED_VIEW)
    if generation is None:
        ViewTables(database, AppliedVersions(), 1).create()
        with database.transaction(commit=True) as cursor:
            point(cursor, database, APPLIED_VIEW, 1, replace=False)
        generation = live_generation(database, APPLIED_VIEW) or 1
    return ViewTables(database, AppliedVersions(), generation)


def kafka_table_names(database: Database) -> tuple[str, str]:
    return f"{database.prefix}view_kafka_offsets", f"{database.prefix}view_kafka_groups"


def create_kafka_tables(database: Database) -> tuple[str, str]:
    """The offsets table and the groups table, created if missing (and the applied
    versions' first generation)."""
    live_applied(database)
    offsets, groups = kafka_table_names(database)
    database.execute(
        f"CREATE TABLE IF NOT EXISTS {offsets} (group_id TEXT, topic TEXT, kafka_partition "
        "INTEGER, next_offset BIGINT NOT NULL, PRIMARY KEY (group_id, topic, kafka_partition))"
    )
    database.execute(
        f"CREATE TABLE IF NOT EXISTS {groups} "
        "(group_id TEXT PRIMARY KEY, dead_letters BIGINT NOT NULL, batches BIGINT NOT NULL)"
    )
    return offsets, groups


def dead_letter_counts(database: Database) -> dict[str, int]:
    """Consumer group → messages it sent to the dead-letter topic."""
    _, groups = kafka_table_names(database)
    return {r["group_id"]: int(r["dead_letters"]) for r in database.query(f"SELECT * FROM {groups}")}


class KafkaState:
    """Offsets, the row and the dead-letter count of one consumer group, in the
    views' database."""

    def __init__(self, database: Database, group_id: str) -> None:
        self.database = database
        self.group_id = group_id
        self.offsets, self.groups = create_kafka_tables(database)
        database.execute(
            f"INSERT INTO {self.groups} VALUES (?, 0, 0) ON CONFLICT (group_id) DO NOTHING", [group_id]
        )

    def next_offsets(self) -> dict[tuple[str, int], int]:
        rows = self.database.query(
            f"SELECT topic, kafka_partition, next_offset FROM {self.offsets} WHERE group_id = ?",
            [self.group_id],
        )
        return {(r["topic"], int(r["kafka_partition"])): int(r["next_offset"]) for r in rows}

    def dead_letters(self) -> int:
        rows = self.database.query(
            f"SELECT dead_letters FROM {self.groups} WHERE group_id = ?", [self.group_id]
        )
        return int(rows[0]["dead_letters"]) if rows else 0

    def record(self, cursor: Any, offsets: dict[tuple[str, int], int], dead_letters: int) -> None:
        sql = self.database.sql
        if offsets:  # one statement for all the partitions (one round trip on PostgreSQL)
            cursor.executemany(
                sql(
                    f"INSERT INTO {self.offsets} VALUES (?, ?, ?, ?) ON CONFLICT "
                    "(group_id, topic, kafka_partition) DO UPDATE SET next_offset = excluded.next_offset"
                ),
                [(self.group_id, topic, partition, offset) for (topic, partition), offset in offsets.items()],
            )
        if dead_letters:
            cursor.execute(
                sql(f"UPDATE {self.groups} SET dead_letters = dead_letters + ? WHERE group_id = ?"),
                (dead_letters, self.group_id),
            )

    def take_offsets(self, cursor: Any, other: KafkaState) -> None:
        """Replaces this group's offsets with those ``other`` has stored."""
        sql = self.database.sql
        cursor.execute(sql(f"DELETE FROM {self.offsets} WHERE group_id = ?"), (self.group_id,))
        cursor.execute(
            sql(
                f"INSERT INTO {self.offsets} (group_id, topic, kafka_partition, next_offset) "
                f"SELECT ?, topic, kafka_partition, next_offset FROM {self.offsets} WHERE group_id = ?"
            ),
            (self.group_id, other.group_id),
        )

    def discard(self) -> None:
        """Forgets the group: its offsets and its row."""
        with self.database.transaction(commit=True) as cursor:
            for table in (self.offsets, self.groups):
                cursor.execute(self.database.sql(f"DELETE FROM {table} WHERE group_id = ?"), (self.group_id,))
