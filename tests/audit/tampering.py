"""A store to audit, and someone with write access to its database who edits rows in SQL."""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from infra.audit.checkpoint import Checkpoint
from infra.audit.report import Report
from infra.audit.sealer import Sealer
from infra.audit.signing_key import private_key
from infra.audit.tables import audit_tables
from infra.audit.verify import verify
from infra.settings import Settings
from infra.store.application import SQLITE_FILE
from tests.conftest import Api, serving

SEAL_EVERY = 5


@pytest.fixture
def audit_settings(settings: Settings) -> Settings:
    """The test's store with a signing key of its own, sealing only when a test says so."""
    key = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    return settings.model_copy(
        update={
            "audit_signing_key": SecretStr(key),
            "audit_seal_every_events": SEAL_EVERY,
            "audit_seal_in_process": False,
        }
    )


@pytest.fixture
def auditor_api(audit_settings: Settings) -> Iterator[Api]:
    with serving(audit_settings) as api:
        yield api


@dataclass
class Story:
    organisation: str
    members: list[str]
    fund: str
    late_person: str


def village_story(api: Api) -> Story:
    """A sage association admits three members, opens a fund that receives four donations,
    and later someone else registers."""
    organisation = api.organisation(kind="sage_association", name="濮塘村乡贤协会")
    members = [api.member(organisation, role=role) for role in ("chair", "member", "member")]
    fund = api.fund(organisation)
    for amount in (50_000, 120_000, 8_800, 30_000):
        api.donate(fund, amount)
    return Story(organisation, members, fund, api.person("李明"))


def sealer(api: Api) -> Sealer:
    settings: Settings = api.client.app.state.settings
    assert settings.audit_signing_key is not None
    key = private_key(settings.audit_signing_key.get_secret_value())
    return Sealer(api.client.app.state.application.recorder, settings, key)


def seal(api: Api) -> list[Checkpoint]:
    return sealer(api).seal_all()


def audit(api: Api, **bounds: Any) -> Report:
    settings: Settings = api.client.app.state.settings
    assert settings.audit_signing_key is not None
    public_key = private_key(settings.audit_signing_key.get_secret_value()).public_key()
    return verify(audit_tables(api.client.app.state.application.recorder), public_key, **bounds)


class Tamperer:
    """Edits the store's tables directly, as a database administrator could."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres = settings.uses_postgres
        self.names = {
            "events": "gongzhi_events" if self.postgres else "stored_events",
            "hashes": "event_hashes",
            "checkpoints": "audit_checkpoints",
            "position": "notification_id" if self.postgres else "rowid",
        }

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        if self.postgres:
            assert self.settings.database_url is not None
            with psycopg.connect(self.settings.database_url, autocommit=True) as conn:
                conn.execute(f'SET search_path TO "{self.settings.database_schema}"')
                yield conn
        else:
            conn = sqlite3.connect(self.settings.data_dir / SQLITE_FILE, isolation_level=None, timeout=10)
            try:
                yield conn
            finally:
                conn.close()

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        statement = statement.format(**self.names)
        if self.postgres:
            statement = statement.replace("?", "%s")
        with self._connection() as conn:
            cursor = conn.execute(statement, params)
            return list(cursor.fetchall()) if cursor.description else []

    def id(self, aggregate_id: str) -> Any:
        return UUID(aggregate_id) if self.postgres else UUID(aggregate_id).hex

    def positions(self, aggregate_id: str) -> list[int]:
        """The stream's positions, in version order."""
        rows = self.sql(
            "SELECT {position} FROM {events} WHERE originator_id = ? ORDER BY originator_version",
            (self.id(aggregate_id),),
        )
        return [row[0] for row in rows]

    def event(self, position: int) -> tuple[Any, int, str, bytes]:
        row = self.sql(
            "SELECT originator_id, originator_version, topic, state FROM {events} WHERE {position} = ?",
            (position,),
        )[0]
        return row[0], row[1], row[2], bytes(row[3])

    def set_state(self, position: int, state: bytes) -> None:
        self.sql("UPDATE {events} SET state = ? WHERE {position} = ?", (state, position))

    def delete_events(self, *positions: int) -> None:
        for position in positions:
            self.sql("DELETE FROM {events} WHERE {position} = ?", (position,))

    def delete_hashes(self, *positions: int) -> None:
        for position in positions:
            self.sql("DELETE FROM {hashes} WHERE position = ?", (position,))

    def swap_versions(self, aggregate_id: str, first: int, second: int) -> None:
        move = "UPDATE {events} SET originator_version = ? WHERE originator_id = ? AND originator_version = ?"
        stream = self.id(aggregate_id)
        self.sql(move, (-1, stream, first))
        self.sql(move, (first, stream, second))
        self.sql(move, (second, stream, -1))

    def insert_event(self, position: int, originator_id: Any, version: int, topic: str, state: bytes) -> None:
        self.sql(
            "INSERT INTO {events} (originator_id, originator_version, topic, state, {position}) "
            "VALUES (?, ?, ?, ?, ?)",
            (originator_id, version, topic, state, position),
        )

    def insert_hash(self, originator_id: Any, version: int, position: int, digest: bytes) -> None:
        self.sql("INSERT INTO {hashes} VALUES (?, ?, ?, ?)", (originator_id, version, position, digest))

    def stored_hash(self, originator_id: Any, version: int) -> bytes:
        rows = self.sql(
            "SELECT hash FROM {hashes} WHERE originator_id = ? AND originator_version = ?",
            (originator_id, version),
        )
        return bytes(rows[0][0])

    def head(self) -> int:
        return int(self.sql("SELECT MAX({position}) FROM {events}")[0][0])
