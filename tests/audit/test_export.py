"""An auditor takes an export away and verifies it with no database."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.cli import main
from infra.audit.offline import verify_export
from infra.audit.report import Kind
from infra.audit.signing_key import private_key, public_text
from infra.settings import Settings
from tests.audit.tampering import audit_settings, auditor_api, seal, village_story
from tests.conftest import Api

__all__ = ["audit_settings", "auditor_api"]  # fixtures


def exported(api: Api, path: Path, **bounds: int) -> list[dict]:
    response = api.client.get("/audit/export", params=bounds)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    path.write_bytes(response.content)
    return [orjson.loads(line) for line in response.content.splitlines()]


def public_key(settings: Settings) -> str:
    assert settings.audit_signing_key is not None
    return public_text(private_key(settings.audit_signing_key.get_secret_value()).public_key())


@pytest.fixture
def sealed_story(auditor_api: Api) -> Api:
    village_story(auditor_api)
    seal(auditor_api)
    auditor_api.person("赵磊")  # one event after the last checkpoint
    return auditor_api


def test_an_export_verifies_offline(sealed_story: Api, audit_settings: Settings, tmp_path: Path) -> None:
    lines = exported(sealed_story, tmp_path / "audit.jsonl")
    head = sealed_story.store_head()

    report = verify_export(tmp_path / "audit.jsonl", private_key_of(audit_settings).public_key())

    assert report.ok, report.failure
    assert (report.events, report.sealed_up_to) == (head, head - 1)
    events = [line for line in lines if line["type"] == "event"]
    assert events[0]["payload"]["name"] == "濮塘村乡贤协会"
    assert {"state", "hash", "previous_hash", "recorded_at", "metadata", "topic"} <= events[0].keys()
    assert [line["type"] for line in lines].count("checkpoint") == len(range(5, head, 5)) + 1


def test_an_export_of_a_sub_range_chains_on_from_the_past(
    sealed_story: Api, audit_settings: Settings, tmp_path: Path
) -> None:
    lines = exported(sealed_story, tmp_path / "part.jsonl", from_position=7, to_position=12)

    report = verify_export(tmp_path / "part.jsonl", private_key_of(audit_settings).public_key())

    assert report.ok, report.failure
    assert [line["position"] for line in lines if line["type"] == "event"] == list(range(7, 13))
    assert lines[0]["anchor"]["position"] == 5
    assert [entry[0] for entry in lines[0]["prefix"]] == [6]


def test_an_edited_line_fails_at_that_line(
    sealed_story: Api, audit_settings: Settings, tmp_path: Path
) -> None:
    lines = exported(sealed_story, tmp_path / "audit.jsonl")
    number, donation = next(
        (n, line) for n, line in enumerate(lines, start=1) if "amount_fen" in (line.get("payload") or {})
    )
    donation["payload"]["amount_fen"] += 100
    lines[number - 1] = donation
    (tmp_path / "audit.jsonl").write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))

    report = verify_export(tmp_path / "audit.jsonl", private_key_of(audit_settings).public_key())

    assert report.failure is not None
    assert (report.failure.line, report.failure.kind) == (number, Kind.MODIFIED)


def test_a_line_removed_from_the_sealed_history_is_missing(
    sealed_story: Api, audit_settings: Settings, tmp_path: Path
) -> None:
    lines = exported(sealed_story, tmp_path / "audit.jsonl")
    removed = next(n for n, line in enumerate(lines, start=1) if line.get("position") == 3)
    kept = lines[: removed - 1] + lines[removed:]
    (tmp_path / "audit.jsonl").write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in kept))

    report = verify_export(tmp_path / "audit.jsonl", private_key_of(audit_settings).public_key())

    assert report.failure is not None
    assert (report.failure.kind, report.failure.position, report.failure.line) == (Kind.MISSING, 3, removed)


def test_a_wrong_public_key_fails_with_a_bad_signature(sealed_story: Api, tmp_path: Path) -> None:
    exported(sealed_story, tmp_path / "audit.jsonl")

    report = verify_export(tmp_path / "audit.jsonl", Ed25519PrivateKey.generate().public_key())

    assert report.failure is not None
    assert (report.failure.kind, report.failure.position) == (Kind.BAD_SIGNATURE, 5)


def test_the_command_line_verifies_an_export(
    sealed_story: Api, audit_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported(sealed_story, tmp_path / "audit.jsonl")
    key = public_key(audit_settings)

    assert main(["audit", "verify-export", str(tmp_path / "audit.jsonl"), "--public-key", key]) == 0
    assert orjson.loads(capsys.readouterr().out)["status"] == "ok"
    other = public_text(Ed25519PrivateKey.generate().public_key())
    assert main(["audit", "verify-export", str(tmp_path / "audit.jsonl"), "--public-key", other]) == 1
    assert "bad_signature" in capsys.readouterr().err


def private_key_of(settings: Settings) -> Ed25519PrivateKey:
    assert settings.audit_signing_key is not None
    return private_key(settings.audit_signing_key.get_secret_value())
