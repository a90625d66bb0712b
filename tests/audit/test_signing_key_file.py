"""Processes that start together on a new data directory agree on one signing key."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from infra.audit.signing_key import KEY_FILE, _key_file, public_text


def _public_key_of(directory: str) -> str:
    return public_text(_key_file(Path(directory) / KEY_FILE).public_key())


def test_processes_making_the_key_at_once_all_get_the_same_one(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(6) as pool:
        keys = pool.map(_public_key_of, [str(tmp_path)] * 24)

    assert len(set(keys)) == 1
    assert keys[0] == _public_key_of(str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]  # nothing left aside
