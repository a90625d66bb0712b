"""``gongzhi audit …``: seal, verify, verify-export, public-key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from infra.audit.report import Report
from infra.settings import load_settings


def _seal(args: argparse.Namespace) -> int:
    """Seals checkpoints until interrupted (or, with --once, everything recorded so far)."""
    from infra.audit.sealer import Sealer
    from infra.audit.signing_key import signing_key
    from infra.store.application import open_application

    settings = load_settings()
    key = signing_key(settings)
    application = open_application(settings)
    sealer = Sealer(application.recorder, settings, key)
    try:
        if args.once:
            sealed = sealer.seal_all()
            sealer.publish()
            print(
                f"sealed {len(sealed)} checkpoint(s), up to position {sealed[-1].position if sealed else '-'}"
            )
        else:
            print(
                f"gongzhi: sealing every {settings.audit_seal_every_events} events "
                f"or {settings.audit_seal_interval_seconds:g} s",
                file=sys.stderr,
            )
            sealer.run_forever()
    except KeyboardInterrupt:
        sealer.stopping.set()
    finally:
        sealer.close()
        application.close()
    return 0


def _verify(args: argparse.Namespace) -> int:
    from infra.audit.signing_key import public_key, verification_key
    from infra.audit.tables import audit_tables
    from infra.audit.verify import verify, verify_stream
    from infra.store.application import open_application

    settings = load_settings()
    key = public_key(args.public_key) if args.public_key else verification_key(settings)
    application = open_application(settings)
    try:
        tables = audit_tables(application.recorder)
        if args.aggregate_id:
            report = verify_stream(tables, args.aggregate_id)
        else:
            report = verify(tables, key, args.from_position, args.to_position)
    finally:
        application.close()
    return _show(report)


def _verify_export(args: argparse.Namespace) -> int:
    from infra.audit.offline import verify_export
    from infra.audit.signing_key import public_key

    try:
        key = public_key(args.public_key)
    except ValueError as error:
        print(f"gongzhi audit verify-export: --public-key: {error}", file=sys.stderr)
        return 2
    return _show(verify_export(Path(args.file), key))


def _public_key(_: argparse.Namespace) -> int:
    from infra.audit.signing_key import key_id, public_text, signing_key

    key = signing_key(load_settings()).public_key()
    print(public_text(key))
    print(f"key id {key_id(key)}", file=sys.stderr)
    return 0


def _show(report: Report) -> int:
    """The report as JSON on stdout, a one-line verdict on stderr; exit status 1 on failure."""
    sys.stdout.write(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode() + "\n")
    failure = report.failure
    if failure is None:
        covered = f"positions {report.from_position} to {report.to_position}"
        print(f"ok: {covered}, sealed up to {report.sealed_up_to}", file=sys.stderr)
        return 0
    where = f"line {failure.line}: " if failure.line else ""
    stream = f" ({failure.aggregate_id} v{failure.version})" if failure.aggregate_id else ""
    print(
        f"FAILED {where}{failure.kind} at position {failure.position}{stream}: {failure.detail}",
        file=sys.stderr,
    )
    return 1


def add_audit_commands(commands: Any) -> None:
    audit = commands.add_parser("audit", help="prove that nothing recorded was altered")
    actions = audit.add_subparsers(dest="action", required=True)
    seal = actions.add_parser("seal", help="seal signed checkpoints over the log, in this process")
    seal.add_argument("--once", action="store_true", help="seal what is recorded, then stop")
    seal.set_defaults(handler=_seal)
    verify = actions.add_parser("verify", help="recompute every hash and checkpoint of the store")
    verify.add_argument("--from", dest="from_position", type=int, help="first position")
    verify.add_argument("--to", dest="to_position", type=int, help="last position")
    verify.add_argument("--aggregate-id", help="check one stream's chain only")
    verify.add_argument("--public-key", help="base64 Ed25519 public key (default: the configured key's)")
    verify.set_defaults(handler=_verify)
    export = actions.add_parser("verify-export", help="verify an export file, with no database")
    export.add_argument("file", help="JSON Lines from GET /audit/export")
    export.add_argument("--public-key", required=True, help="base64 Ed25519 public key of the sealer")
    export.set_defaults(handler=_verify_export)
    key = actions.add_parser("public-key", help="print the public key that checks checkpoints")
    key.set_defaults(handler=_public_key)
