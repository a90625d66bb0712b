"""The demo data set, and settings that stop the service with a clear message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from domain.fund import Fund
from domain.organisation import Organisation
from infra.demo import DemoLoader
from infra.settings import Settings, SettingsError, load_settings
from infra.store.application import open_application
from tests.conftest import TEST_MASTER_KEY


def test_the_demo_loads_the_seed_organisations_into_an_empty_store(settings: Settings) -> None:
    app = open_application(settings)
    try:
        ids = DemoLoader(app).load()
        council = app.get(Organisation, ids["council"])
        sages = app.get(Organisation, ids["sage_association"])
        fund = app.get(Fund, ids["sage_fund"])

        assert council.kind == "coordination_council"
        assert len(council.member_organisations) == 5
        assert len(sages.members) == 64
        assert [m.role for m in sages.members.values()].count("chair") == 1
        assert fund.balance_fen == fund.donated_fen - fund.paid_fen > 0
        assert fund.paid_fen == 800_000 + 600_000
        officers = sorted(m.role for m in sages.members.values() if m.role != "member")
        assert officers == ["chair", "secretary", "treasurer", "vice_chair", "vice_chair"]
        assert len(sages.office_holders("2018-01-01")) == 5
        elder_care = next(d for d in fund.disbursements.values() if d.purpose == "elder_care")
        assert elder_care.resolution_id in sages.resolutions
        with pytest.raises(RuntimeError, match="already holds events"):
            DemoLoader(app).load()
    finally:
        app.close()


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"database_url": "mysql://root@127.0.0.1/test"}, "GONGZHI_DATABASE_URL"),
        ({"database_url": "postgresql://127.0.0.1"}, "GONGZHI_DATABASE_URL"),
        ({"database_schema": "Robert'); DROP TABLE"}, "GONGZHI_DATABASE_SCHEMA"),
        ({"database_pool_size": 0}, "GONGZHI_DATABASE_POOL_SIZE"),
        ({"read_wait_seconds": -1}, "GONGZHI_READ_WAIT_SECONDS"),
    ],
)
def test_a_wrong_setting_is_refused_naming_its_variable(overrides: dict[str, object], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(master_key=TEST_MASTER_KEY, **overrides)


def test_the_command_line_stops_on_a_wrong_setting_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo"],
        env={
            "GONGZHI_DATA_DIR": str(tmp_path),
            "GONGZHI_DATABASE_URL": "sqlite:///x.db",
            "GONGZHI_MASTER_KEY": TEST_MASTER_KEY,
            "PATH": "",
        },
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 2
    assert "GONGZHI_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_line_demo_refuses_a_store_that_holds_events(tmp_path: Path) -> None:
    env = {"GONGZHI_DATA_DIR": str(tmp_path), "GONGZHI_MASTER_KEY": TEST_MASTER_KEY, "PATH": ""}
    cwd = Path(__file__).parents[2]
    first = subprocess.run([sys.executable, "-m", "api.cli", "demo"], env=env, capture_output=True, cwd=cwd)
    second = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo"], env=env, capture_output=True, text=True, cwd=cwd
    )
    assert first.returncode == 0, first.stderr
    assert second.returncode == 1
    assert "already holds events" in second.stderr
