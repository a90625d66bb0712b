"""Wires the application to its store: SQLite by default, PostgreSQL at scale."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import EventStore

from domain.application import Gongzhi
from domain.locks import AggregateLocks
from infra.aggregate_locks import store_aggregate_locks
from infra.privacy.mapper import PersonalDataMapper, PersonalEventStore
from infra.privacy.person_keys import KeyRing
from infra.settings import Settings, SettingsError
from infra.setup_lock import store_setup

SQLITE_FILE = "gongzhi.db"


def application_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing library's environment for these settings."""
    env = {
        "TRANSCODER_TOPIC": "infra.transcoder:OrjsonTranscoder",
        "AGGREGATE_CACHE_MAXSIZE": str(settings.aggregate_cache_size),
    }
    if settings.uses_postgres:
        pg = settings.postgres_parts()
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": "infra.command_log:PostgresCommandRecorder",
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
            "APPLICATION_RECORDER_TOPIC": "infra.command_log:SQLiteCommandRecorder",
            "SQLITE_DBNAME": str(settings.data_dir / SQLITE_FILE),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    return env


class StoredGongzhi(Gongzhi):
    """The application with group commit of concurrent saves, aggregate locks that
    every process on the store takes (``infra.aggregate_locks``), and personal
    details sealed with each person's key (``infra.privacy``)."""

    name = "Gongzhi"

    def __init__(self, env: Any, master_key: bytes) -> None:
        self.master_key = master_key
        super().__init__(env)

    def construct_event_store(self) -> EventStore[Any]:
        keys = KeyRing(self.master_key, self.recorder.person_keys)  # type: ignore[attr-defined]
        try:
            keys.check()
        except SettingsError:
            self.factory.close()
            raise
        self.mapper = PersonalDataMapper(self.mapper.transcoder, keys)
        return PersonalEventStore(mapper=self.mapper, recorder=self.recorder)

    def construct_aggregate_locks(self) -> AggregateLocks:
        return store_aggregate_locks(self.recorder.datastore)  # type: ignore[attr-defined]


def open_application(settings: Settings) -> Gongzhi:
    with store_setup(settings):
        return StoredGongzhi(env=application_env(settings), master_key=settings.master_key_bytes())
