"""Verification of the audit trail against the raw floor, on a generated store.

The raw floor (``benchmarks.rebuild.raw_floor``) reads and decodes every
notification with the eventsourcing recorder and mapper and does nothing
else; verification reads the same log with each event's recorded hash and its
stream's previous hash, recomputes every hash and checks every signed
checkpoint. The two take turns in rounds, each in a process of its own (so
that its peak memory is its own). Target: verification at least 0.8 of the
raw rate.
Usage: python -m benchmarks.audit [--events 1000000] [--rounds 3] [sqlite|postgres ...]
"""

from __future__ import annotations

import argparse
import base64
import os

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks.rebuild import Measured, print_peaks, raw_floor
from benchmarks.support import STORES, Ratio, print_measurement, report, side_by_side
from infra.audit.sealer import Sealer
from infra.audit.signing_key import signing_key
from infra.audit.tables import audit_tables
from infra.audit.verify import verify
from infra.progress import Progress
from infra.settings import Settings, load_settings
from infra.store.application import open_application
from testing.generate import generate

TARGET = 0.8


def verification(settings: Settings) -> int:
    app = open_application(settings)
    tables = audit_tables(app.recorder)
    progress = Progress("verification", tables.head())
    report = verify(tables, signing_key(settings).public_key(), progress=progress)
    progress.finish()
    app.close()
    if not report.ok:
        raise SystemExit(f"verification failed: {report.failure}")
    return report.events


def seal(settings: Settings) -> None:
    app = open_application(settings)
    progress = Progress("sealing", app.recorder.max_notification_id())
    sealer = Sealer(app.recorder, settings, signing_key(settings))
    while checkpoint := sealer.seal(force=True):
        progress.advance(checkpoint.event_count)
    progress.finish()
    app.close()


def _measure_here(what: str) -> None:
    settings = load_settings()
    print_measurement(lambda: raw_floor(settings) if what == "raw" else verification(settings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stores", nargs="*", metavar="store", help="sqlite, postgres (default both)")
    parser.add_argument("--events", type=int, default=1_000_000, help="size of the generated store")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of raw floor and verification")
    parser.add_argument("--measure", choices=["raw", "verify"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure_here(args.measure)
        return
    # One key for this run, seen by every measuring process (settings_env passes the environment on).
    key = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    os.environ["GONGZHI_AUDIT_SIGNING_KEY"] = key
    results: list[Ratio] = []
    peaks = []
    for name in args.stores or list(STORES):
        with STORES[name]() as settings:
            signing_key = load_settings(master_key=settings.master_key).audit_signing_key
            settings = settings.model_copy(update={"audit_signing_key": signing_key})
            app = open_application(settings)
            generate(app, args.events)
            app.close()
            seal(settings)
            floor = Measured(settings, "raw", "benchmarks.audit")
            checked = Measured(settings, "verify", "benchmarks.audit")
            path = f"audit verify, {args.events:,} events"
            results.append(side_by_side(path, name, floor, checked, target=TARGET, rounds=args.rounds))
            peaks.append((name, args.events, floor, checked))
    report("Audit verification against the raw read-and-decode floor", results)
    print_peaks("Peak memory (largest process, largest round)", peaks)


if __name__ == "__main__":
    main()
