"""API keys: issued once, stored only as hashes, revocable with immediate effect.

A key reads ``gzk_<id>_<secret>``. The id finds the row; the secret, 256 random
bits, is compared with the stored SHA-256 of it in constant time. A slow
password hash would add nothing for secrets of that strength.

Each process keeps the rows it has read, and trusts them only while the key
table has not changed since (``infra.changes``: issuing and revoking a key
announce it), so a revocation counts from the next request on every process;
expiry is checked against the clock on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from domain.principals import ALL_SCOPES, Principal, PrincipalRole
from infra.changes import KEYS, ChangeWatch, Stamp, announce, create_changes_table
from infra.database import Database

KEYS_TABLE = "api_keys"
KEY_PATTERN = re.compile(r"^gzk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
NAME_PATTERN = re.compile(r"^[\w.@:-]{1,128}$")
MAX_CACHED_KEYS = 10_000


class KeyRefused(ValueError):
    """A key that cannot be issued as asked; the message says why."""


@dataclass(frozen=True)
class KeyRecord:
    """What is kept of a key: everything but its secret."""

    id: str
    principal: Principal
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def valid_at(self, moment: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or moment < self.expires_at

    def summary(self) -> dict[str, Any]:
        p = self.principal
        return {
            "id": self.id,
            "name": p.name,
            "role": str(p.role),
            "organisations": sorted(p.organisations),
            "jurisdictions": list(p.jurisdictions),
            "scopes": sorted(p.scopes),
            "person_id": p.person_id,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class KeyStore:
    """The ``api_keys`` table, beside the events (SQLite file or PostgreSQL schema)."""

    def __init__(self, database: Database, watch: ChangeWatch | None = None) -> None:
        self.database = database
        self.watch = watch or ChangeWatch()
        self.table = f"{database.prefix}{KEYS_TABLE}"
        self.known_keys: dict[str, tuple[Stamp, str, KeyRecord]] = {}
        """Key id → the stamp it was read at, its secret's hash and its record."""
        create_changes_table(database)
        database.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} ("
            "id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, "
            "organisations TEXT NOT NULL, jurisdictions TEXT NOT NULL, scopes TEXT NOT NULL, "
            "secret_hash TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, "
            "person TEXT)"
        )
        self._add_person_column()

    def _add_person_column(self) -> None:
        """Tables made before keys could be bound to people gain the column."""
        if self.database.dialect == "postgres":
            self.database.execute(f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS person TEXT")
            return
        columns = {row["name"] for row in self.database.query(f"PRAGMA table_info({self.table})")}
        if "person" not in columns:
            with suppress(sqlite3.OperationalError):  # another process added it meanwhile
                self.database.execute(f"ALTER TABLE {self.table} ADD COLUMN person TEXT")

    def create(
        self,
        name: str,
        role: PrincipalRole,
        *,
        organisations: Iterable[str] = (),
        jurisdictions: Iterable[str] = (),
        scopes: Iterable[str] = (),
        expires_at: datetime | None = None,
        person: str | None = None,
    ) -> tuple[str, KeyRecord]:
        """Issues a key; the secret is returned here and never again. An officer's key may be
        bound to a ``person``."""
        principal = _checked(
            Principal(
                name,
                PrincipalRole(role),
                frozenset(_organisation_id(o) for o in organisations),
                tuple(j.strip().strip("/") for j in jurisdictions),
                frozenset(scopes),
                _person_id(person) if person is not None else None,
            )
        )
        if expires_at is not None and expires_at.tzinfo is None:
            raise KeyRefused("the expiry needs a time zone")
        key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        record = KeyRecord(key_id, principal, datetime.now(UTC), expires_at, None)
        self._changing(
            f"INSERT INTO {self.table} (id, name, role, organisations, jurisdictions, scopes, "
            "secret_hash, created_at, expires_at, revoked_at, person) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            [
                key_id,
                name,
                str(role),
                orjson.dumps(sorted(principal.organisations)).decode(),
                orjson.dumps(list(principal.jurisdictions)).decode(),
                orjson.dumps(sorted(principal.scopes)).decode(),
                _digest(secret),
                record.created_at.isoformat(),
                expires_at.isoformat() if expires_at else None,
                principal.person_id,
            ],
        )
        return f"gzk_{key_id}_{secret}", record

    def authenticate(self, token: str, now: datetime | None = None) -> KeyRecord | None:
        """The key's record if the token is a current key, else None (whatever the reason)."""
        match = KEY_PATTERN.match(token)
        if match is None:
            return None
        key_id, secret = match.groups()
        found = self._read(key_id)
        if found is None or not hmac.compare_digest(found[0], _digest(secret)):
            return None
        record = found[1]
        return record if record.valid_at(now or datetime.now(UTC)) else None

    def known(self, token: str) -> bool:
        """Whether ``authenticate`` answers for this token from memory, reading nothing."""
        match = KEY_PATTERN.match(token)
        if match is None:
            return True
        known = self.known_keys.get(match.group(1))
        stamp = self.watch.stamp(KEYS)
        return stamp is not None and known is not None and known[0] == stamp

    def _read(self, key_id: str) -> tuple[str, KeyRecord] | None:
        """The key's secret hash and record: as this process knows them while the
        table has not changed since, else from the table."""
        stamp = self.watch.stamp(KEYS)  # before the read: a change meanwhile is seen next time
        known = self.known_keys.get(key_id)
        if stamp is not None and known is not None and known[0] == stamp:
            return known[1], known[2]
        rows = self.database.query(f"SELECT * FROM {self.table} WHERE id = ?", [key_id])
        if not rows:
            return None
        if len(self.known_keys) >= MAX_CACHED_KEYS:
            self.known_keys.clear()
        secret_hash, record = rows[0]["secret_hash"], _record(rows[0])
        self.known_keys[key_id] = (stamp, secret_hash, record)
        return secret_hash, record

    def _changing(self, statement: str, params: list[Any]) -> None:
        """Runs a statement that changes keys, announcing the change in its transaction."""
        with self.database.transaction(commit=True) as cursor:
            cursor.execute(self.database.sql(statement), tuple(params))
            announce(cursor, self.database, KEYS)

    def revoke(self, id_or_name: str) -> list[KeyRecord]:
        """Revokes the key with this id, or every key of the principal with this name."""
        found = self.find(id_or_name)
        self._changing(
            f"UPDATE {self.table} SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL",
            [datetime.now(UTC).isoformat(), id_or_name, id_or_name],
        )
        return [record for key in found if (record := self.get(key.id)) is not None]

    def find(self, id_or_name: str) -> list[KeyRecord]:
        """The key with this id, or the keys of the principal with this name."""
        rows = self.database.query(
            f"SELECT * FROM {self.table} WHERE id = ? OR name = ? ORDER BY created_at",
            [id_or_name, id_or_name],
        )
        return [_record(row) for row in rows]

    def get(self, key_id: str) -> KeyRecord | None:
        rows = self.database.query(f"SELECT * FROM {self.table} WHERE id = ?", [key_id])
        return _record(rows[0]) if rows else None

    def all(self) -> list[KeyRecord]:
        return [
            _record(row) for row in self.database.query(f"SELECT * FROM {self.table} ORDER BY created_at")
        ]

    def empty(self) -> bool:
        return not self.database.query(f"SELECT id FROM {self.table} LIMIT 1")


def _record(row: dict[str, Any]) -> KeyRecord:
    principal = Principal(
        row["name"],
        PrincipalRole(row["role"]),
        frozenset(orjson.loads(row["organisations"])),
        tuple(orjson.loads(row["jurisdictions"])),
        frozenset(orjson.loads(row["scopes"])),
        row.get("person"),
    )
    created_at = _moment(row["created_at"])
    assert created_at is not None
    return KeyRecord(row["id"], principal, created_at, _moment(row["expires_at"]), _moment(row["revoked_at"]))


def _organisation_id(text: str) -> str:
    try:
        return str(UUID(text))
    except ValueError:
        raise KeyRefused(f"{text!r} is not an organisation id") from None


def _person_id(text: str) -> str:
    try:
        return str(UUID(text))
    except ValueError:
        raise KeyRefused(f"{text!r} is not a person id") from None


def _checked(principal: Principal) -> Principal:
    """A principal whose role and scoping agree, or the reason it cannot be issued."""
    if not NAME_PATTERN.match(principal.name):
        raise KeyRefused("the name must be 1-128 letters, digits or . @ : - _")
    unknown = principal.scopes - set(ALL_SCOPES)
    if unknown:
        raise KeyRefused(f"unknown scope(s) {', '.join(sorted(unknown))}; known: {', '.join(ALL_SCOPES)}")
    if principal.role is PrincipalRole.OFFICER and not principal.organisations:
        raise KeyRefused("an officer key names one or more organisations")
    if principal.role is PrincipalRole.INTEGRATION and not (principal.jurisdictions and principal.scopes):
        raise KeyRefused("an integration key names one or more jurisdiction prefixes and scopes")
    if principal.role is not PrincipalRole.OFFICER and principal.organisations:
        raise KeyRefused("only officer keys name organisations")
    if principal.role is not PrincipalRole.OFFICER and principal.person_id is not None:
        raise KeyRefused("only officer keys are bound to a person")
    if principal.role is not PrincipalRole.INTEGRATION and (principal.jurisdictions or principal.scopes):
        raise KeyRefused("only integration keys have jurisdictions and scopes")
    if any(not j.strip("/") for j in principal.jurisdictions):
        raise KeyRefused("a jurisdiction prefix must not be empty")
    return principal
