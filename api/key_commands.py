"""``gongzhi keys …``: create, list and revoke API keys."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import orjson

from domain.principals import ALL_SCOPES, PrincipalRole
from infra.api_keys import KeyRefused, KeyStore
from infra.settings import Settings, load_settings


@contextmanager
def key_store(settings: Settings) -> Iterator[KeyStore]:
    """The key table of the configured store."""
    from infra.database import Database
    from infra.store.application import open_application

    application = open_application(settings)
    try:
        yield KeyStore(Database(application.recorder.datastore))  # type: ignore[attr-defined]
    finally:
        application.close()


def first_admin_key(settings: Settings) -> str | None:
    """On a store with no keys at all, makes an admin key and returns it (shown once)."""
    with key_store(settings) as keys:
        if not keys.empty():
            return None
        secret, _ = keys.create("admin", PrincipalRole.ADMIN)
        return secret


def _create(args: argparse.Namespace) -> int:
    with key_store(load_settings()) as keys:
        try:
            secret, record = keys.create(
                args.name,
                PrincipalRole(args.role),
                organisations=args.organisation,
                jurisdictions=args.jurisdiction,
                scopes=args.scope,
                expires_at=args.expires,
                person=args.person,
            )
        except KeyRefused as refusal:
            print(f"gongzhi keys create: {refusal}", file=sys.stderr)
            return 2
    print(f"created key {record.id} for {record.principal.name} ({record.principal.role})", file=sys.stderr)
    print("the key is shown only now; keep it secret:", file=sys.stderr)
    print(secret)
    return 0


def _list(_: argparse.Namespace) -> int:
    with key_store(load_settings()) as keys:
        for record in keys.all():
            sys.stdout.write(orjson.dumps(record.summary()).decode() + "\n")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    with key_store(load_settings()) as keys:
        revoked = keys.revoke(args.key)
    if not revoked:
        print(f"gongzhi keys revoke: no key with id or name {args.key!r}", file=sys.stderr)
        return 1
    for record in revoked:
        print(f"revoked key {record.id} ({record.principal.name}) at {record.revoked_at}")
    return 0


def aware_moment(text: str) -> datetime:
    """An argument that is an ISO 8601 time with its UTC offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs its UTC offset, e.g. {text}+08:00")
    return moment


def add_key_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("keys", help="manage API keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="issue a key; it is printed once")
    create.add_argument("--name", required=True, help="the principal, recorded as the actor of its commands")
    create.add_argument("--role", required=True, choices=[str(r) for r in PrincipalRole])
    create.add_argument(
        "--organisation", action="append", default=[], help="officer: an organisation id (repeatable)"
    )
    create.add_argument(
        "--person", help="officer: the person id the key is bound to (its actions are recorded as theirs)"
    )
    create.add_argument(
        "--jurisdiction",
        action="append",
        default=[],
        help="integration: a jurisdiction prefix such as 浙江省/金华市/金东区 (repeatable)",
    )
    create.add_argument(
        "--scope",
        action="append",
        default=[],
        help=f"integration: one of {', '.join(ALL_SCOPES)} (repeatable)",
    )
    create.add_argument(
        "--expires", type=aware_moment, help="ISO 8601 time with UTC offset after which it fails"
    )
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="every key (never its secret), one JSON line each")
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser(
        "revoke", help="revoke a key by id (or all of a principal's keys by name), from the next request on"
    )
    revoke.add_argument("key")
    revoke.set_defaults(handler=_revoke)
