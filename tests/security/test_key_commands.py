"""``gongzhi keys create|list|revoke``: the secret is printed once, on standard output,
and kept nowhere; a revocation counts at the running service from its next request."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import orjson
import pytest

from api.cli import main
from api.key_commands import first_admin_key, key_store
from infra.api_keys import KEY_PATTERN
from infra.settings import Settings
from tests.conftest import assert_problem

if TYPE_CHECKING:
    from tests.conftest import Api

ORGANISATION = "0c2c5f4e-43d0-4a57-9a41-1b3f0a3f6d5e"


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Runs ``gongzhi …`` on the test's store; returns (exit status, stdout, stderr)."""
    for name in ("GONGZHI_DATABASE_URL", "GONGZHI_DATABASE_SCHEMA", "GONGZHI_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GONGZHI_MASTER_KEY", settings.master_key.get_secret_value())
    if settings.uses_postgres:
        assert settings.database_url
        monkeypatch.setenv("GONGZHI_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("GONGZHI_DATABASE_SCHEMA", settings.database_schema)
    else:
        monkeypatch.setenv("GONGZHI_DATA_DIR", str(settings.data_dir))

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(["keys", *argv])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def create(cli: Any, *argv: str) -> tuple[str, str]:
    """Creates a key; returns (secret, what was said on standard error)."""
    status, out, err = cli("create", *argv)
    assert status == 0, err
    secret = out.strip()
    assert KEY_PATTERN.match(secret), out
    return secret, err


def listed(cli: Any) -> list[dict[str, Any]]:
    status, out, _ = cli("list")
    assert status == 0
    return [orjson.loads(line) for line in out.splitlines()]


def test_a_created_key_is_printed_once_and_listed_without_its_secret(cli: Any, settings: Settings) -> None:
    secret, said = create(cli, "--name", "li.officer", "--role", "officer", "--organisation", ORGANISATION)
    raw = KEY_PATTERN.match(secret)[2]  # type: ignore[index]
    digest = hashlib.sha256(raw.encode()).hexdigest()

    assert raw not in said
    assert "shown only now" in said
    status, out, err = cli("list")
    assert status == 0
    assert raw not in out + err
    assert digest not in out + err
    (entry,) = [orjson.loads(line) for line in out.splitlines()]
    assert entry["name"] == "li.officer"
    assert entry["role"] == "officer"
    assert entry["organisations"] == [ORGANISATION]
    assert entry["revoked_at"] is None
    assert entry["id"] in said
    with key_store(settings) as keys:
        record = keys.authenticate(secret)
    assert record is not None
    assert record.principal.name == "li.officer"


def test_the_secret_is_kept_nowhere_in_the_store(cli: Any, settings: Settings) -> None:
    secret, _ = create(
        cli,
        "--name",
        "jindong.sync",
        "--role",
        "integration",
        "--jurisdiction",
        "浙江省/金华市/金东区",
        "--scope",
        "funds:read",
        "--scope",
        "views:read",
    )
    raw = KEY_PATTERN.match(secret)[2]  # type: ignore[index]

    with key_store(settings) as keys:
        for row in keys.database.query(f"SELECT * FROM {keys.table}"):
            assert raw not in " ".join(map(str, row.values()))
    if not settings.uses_postgres:
        for file in Path(settings.data_dir).iterdir():
            assert raw.encode() not in file.read_bytes(), file


def test_a_key_revoked_from_the_command_line_is_refused_by_the_running_service(cli: Any, api: Api) -> None:
    organisation = api.organisation()
    secret, _ = create(cli, "--name", "zhou.leaving", "--role", "officer", "--organisation", organisation)
    key_id = listed(cli)[-1]["id"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get(f"/organisations/{organisation}", headers=headers).status_code == 200

    status, out, _ = cli("revoke", key_id)

    assert status == 0
    assert key_id in out
    assert secret not in out
    assert_problem(api.client.get(f"/organisations/{organisation}", headers=headers), 401)
    assert listed(cli)[-1]["revoked_at"] is not None


def test_revoking_by_name_ends_every_key_of_the_principal(cli: Any, settings: Settings) -> None:
    first, _ = create(cli, "--name", "bureau.sync", "--role", "dashboard")
    second, _ = create(cli, "--name", "bureau.sync", "--role", "dashboard")
    other, _ = create(cli, "--name", "bureau.other", "--role", "dashboard")

    status, out, _ = cli("revoke", "bureau.sync")

    assert status == 0
    assert len(out.splitlines()) == 2
    assert [e["name"] for e in listed(cli) if e["revoked_at"]] == ["bureau.sync", "bureau.sync"]
    with key_store(settings) as keys:
        assert keys.authenticate(first) is keys.authenticate(second) is None
        assert keys.authenticate(other) is not None


def test_an_expiring_key_is_created_and_refused_after_its_expiry(cli: Any, settings: Settings) -> None:
    passed, _ = create(
        cli, "--name", "temp.audit", "--role", "auditor", "--expires", "2020-01-01T00:00:00+08:00"
    )
    later, _ = create(
        cli, "--name", "temp.audit2", "--role", "auditor", "--expires", "2999-01-01T00:00:00+08:00"
    )

    with key_store(settings) as keys:
        assert keys.authenticate(passed) is None
        assert keys.authenticate(later) is not None


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--name", "li", "--role", "officer"], "organisations"),
        (["--name", "li", "--role", "integration", "--scope", "funds:read"], "jurisdiction"),
        (
            ["--name", "li", "--role", "integration", "--jurisdiction", "浙江省", "--scope", "funds:all"],
            "scope",
        ),
        (["--name", "li", "--role", "admin", "--organisation", ORGANISATION], "only officer keys"),
        (["--name", "李 明", "--role", "admin"], "name"),
    ],
)
def test_a_key_that_cannot_be_issued_is_refused_and_nothing_kept(
    cli: Any, argv: list[str], reason: str
) -> None:
    status, out, err = cli("create", *argv)

    assert status == 2
    assert out == ""
    assert reason in err
    assert listed(cli) == []


def test_an_expiry_without_its_offset_is_refused(cli: Any) -> None:
    with pytest.raises(SystemExit) as exit:
        cli("create", "--name", "temp", "--role", "auditor", "--expires", "2999-01-01T00:00:00")

    assert exit.value.code == 2
    assert listed(cli) == []


def test_revoking_an_unknown_key_says_so(cli: Any) -> None:
    status, _, err = cli("revoke", uuid4().hex[:16])

    assert status == 1
    assert "no key" in err


def test_the_first_admin_key_is_made_only_on_a_store_without_keys(settings: Settings) -> None:
    first = first_admin_key(settings)

    assert first is not None
    assert first_admin_key(settings) is None
    with key_store(settings) as keys:
        record = keys.authenticate(first)
        assert record is not None
        assert str(record.principal.role) == "admin"
        assert len(keys.all()) == 1


def test_an_officer_key_is_bound_to_a_person_and_only_an_officers(cli: Any) -> None:
    person = str(uuid4())
    create(
        cli,
        "--name",
        "treasurer.key",
        "--role",
        "officer",
        "--organisation",
        ORGANISATION,
        "--person",
        person,
    )
    (entry,) = listed(cli)
    assert entry["person_id"] == person
    status, _, err = cli("create", "--name", "auditor.key", "--role", "auditor", "--person", person)
    assert (status, "bound to a person" in err) == (2, True)
    status, _, err = cli(
        "create", "--name", "x", "--role", "officer", "--organisation", ORGANISATION, "--person", "someone"
    )
    assert (status, "not a person id" in err) == (2, True)
