"""The master key: required, never a placeholder, and the one the store's keys were wrapped with."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from domain.context import CommandContext, acting
from domain.person import Person
from infra.settings import Settings, SettingsError, load_settings
from infra.store.application import open_application
from tests.conftest import TEST_MASTER_KEY

ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def no_master_key_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GONGZHI_MASTER_KEY", raising=False)
    monkeypatch.delenv("GONGZHI_MASTER_KEY_FILE", raising=False)
    monkeypatch.setenv("GONGZHI_DATA_DIR", str(tmp_path / "data"))


def other_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_without_a_master_key_the_settings_are_refused_naming_it() -> None:
    with pytest.raises(SettingsError, match=r"GONGZHI_MASTER_KEY: .*required"):
        load_settings()


@pytest.mark.parametrize(
    "key",
    [
        "changethis",
        "CHANGE-ME",
        base64.b64encode(bytes(32)).decode(),  # 32 zero bytes
        base64.b64encode(b"changeme" * 4).decode(),  # not random either
        base64.b64encode(os.urandom(16)).decode(),  # too short for AES-256
        "not base64 at all!",
    ],
    ids=["changethis", "change-me", "zeros", "pattern", "16-bytes", "not-base64"],
)
def test_a_placeholder_or_malformed_master_key_is_refused_naming_it(key: str) -> None:
    with pytest.raises(SettingsError, match="GONGZHI_MASTER_KEY: "):
        load_settings(master_key=key)


def test_the_master_key_can_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(TEST_MASTER_KEY + "\n")

    settings = load_settings(master_key_file=key_file)

    assert settings.master_key.get_secret_value() == TEST_MASTER_KEY
    assert TEST_MASTER_KEY not in repr(settings)


def test_without_a_setting_the_key_beside_the_data_is_used(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "master.key").write_text(TEST_MASTER_KEY + "\n")

    assert load_settings().master_key.get_secret_value() == TEST_MASTER_KEY


def test_without_any_key_the_refusal_names_the_file_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=str(tmp_path / "data" / "master.key")):
        load_settings()


def test_the_command_line_finds_the_key_that_make_run_made(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "master.key").write_text(TEST_MASTER_KEY + "\n")

    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "keys", "create", "--name", "me", "--role", "admin"],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_a_missing_key_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"GONGZHI_MASTER_KEY_FILE .*missing\.key"):
        load_settings(master_key_file=tmp_path / "missing.key")


def refused_serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs `gongzhi serve` with this environment; it must stop with a message, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize("key", [None, "changethis"], ids=["missing", "placeholder"])
def test_the_service_will_not_start_without_a_real_master_key(tmp_path: Path, key: str | None) -> None:
    env = {"GONGZHI_DATA_DIR": str(tmp_path), "PATH": ""} | ({"GONGZHI_MASTER_KEY": key} if key else {})

    result = refused_serve(env)

    assert result.returncode == 2
    assert "GONGZHI_MASTER_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "gongzhi.db").exists()


def test_a_store_refuses_another_master_key_than_the_one_that_wrapped_its_keys(settings: Settings) -> None:
    app = open_application(settings)
    with acting(CommandContext(actor="clerk")):
        person = app.register_person("沈国庆", phone="13957300421").id
    app.close()
    wrong = settings.model_copy(update={"master_key": SecretStr(other_key())})

    with pytest.raises(SettingsError, match="GONGZHI_MASTER_KEY is not the master key of this store"):
        open_application(wrong)
    reopened = open_application(settings)
    try:
        assert reopened.get(Person, person).name == "沈国庆"
    finally:
        reopened.close()


def test_the_command_line_stops_on_the_wrong_master_key_with_a_message(tmp_path: Path) -> None:
    env = {"GONGZHI_DATA_DIR": str(tmp_path), "PATH": "", "GONGZHI_MASTER_KEY": TEST_MASTER_KEY}
    demo = subprocess.run([sys.executable, "-m", "api.cli", "demo"], env=env, capture_output=True, cwd=ROOT)
    assert demo.returncode == 0, demo.stderr

    result = refused_serve(env | {"GONGZHI_MASTER_KEY": other_key()})

    assert result.returncode == 2
    assert "GONGZHI_MASTER_KEY is not the master key of this store" in result.stderr
    assert "Traceback" not in result.stderr
