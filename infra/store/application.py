"""The application on its store, built here and nowhere else: SQLite by default,
PostgreSQL at scale.

The library's factory opens the datastore its settings name; this module then
builds the rest explicitly: the command recorder (events, idempotency keys,
audit hashes and person keys in one transaction), the orjson transcoder, the
event store (group commit of concurrent saves, with each stream's personal
details opened with one key lookup) and the aggregate locks every process on
the store takes.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import ApplicationRecorder, EventStore, Transcoder
from eventsourcing.postgres import PostgresDatastore

from domain.application import Gongzhi
from domain.locks import AggregateLocks
from infra.privacy.mapper import PersonalDataMapper, PersonalReads
from infra.privacy.person_keys import KeyRing
from infra.settings import Settings, SettingsError
from infra.store.aggregate_locks import store_aggregate_locks
from infra.store.command_log import PostgresCommandRecorder, SQLiteCommandRecorder
from infra.store.group_commit import GroupCommitEventStore
from infra.store.setup_lock import store_setup
from infra.store.sqlite_connections import cache_statements
from infra.store.transcoder import OrjsonTranscoder

SQLITE_FILE = "gongzhi.db"


def application_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing library's environment for these settings."""
    env = {
        "AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size),
    }
    if settings.uses_postgres:
        pg = settings.postgres_parts()
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": pg["dbname"],
            "POSTGRES_HOST": pg["host"],
            "POSTGRES_PORT": pg["port"],
            "POSTGRES_USER": pg["user"],
            "POSTGRES_PASSWORD": pg["password"],
            "POSTGRES_SCHEMA": settings.database_schema,
            "POSTGRES_POOL_SIZE": str(settings.database_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(settings.database_pool_size),
        }
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.data_dir / SQLITE_FILE),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    return env


class StoreEvents(PersonalReads, GroupCommitEventStore):
    """Concurrent saves share one transaction (``group_commit``); a stream's personal
    details are opened with one key lookup (``infra.privacy``)."""


class StoredGongzhi(Gongzhi):
    """The application with group commit of concurrent saves, aggregate locks that
    every process on the store takes (``aggregate_locks``), and personal details
    sealed with each person's key (``infra.privacy``)."""

    name = "Gongzhi"

    def __init__(self, env: Any, master_key: bytes) -> None:
        self.master_key = master_key
        super().__init__(env)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_recorder(self) -> ApplicationRecorder:
        datastore = self.factory.datastore  # type: ignore[attr-defined]
        recorder: ApplicationRecorder
        if isinstance(datastore, PostgresDatastore):
            events_table = f"{self.factory.env.name.lower() or 'stored'}_events"
            recorder = PostgresCommandRecorder(datastore, events_table_name=events_table)
        else:
            cache_statements(datastore)
            recorder = SQLiteCommandRecorder(datastore)
        if self.factory.env_create_table():  # type: ignore[attr-defined]
            recorder.create_table()  # type: ignore[attr-defined]
        return recorder

    def construct_event_store(self) -> EventStore[Any]:
        keys = KeyRing(self.master_key, self.recorder.person_keys)  # type: ignore[attr-defined]
        try:
            keys.check()
        except SettingsError:
            self.factory.close()
            raise
        self.mapper = PersonalDataMapper(self.mapper.transcoder, keys)
        return StoreEvents(mapper=self.mapper, recorder=self.recorder)

    def construct_aggregate_locks(self) -> AggregateLocks:
        return store_aggregate_locks(self.recorder.datastore)  # type: ignore[attr-defined]


def open_application(settings: Settings) -> Gongzhi:
    with store_setup(settings):
        return StoredGongzhi(env=application_env(settings), master_key=settings.master_key_bytes())
