"""What a process started by a test or a benchmark needs: the settings of its store, and a port."""

from __future__ import annotations

import os
import socket

from infra.settings import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """This process's environment, pointing a child's ``load_settings()`` at the same store and key."""
    env = dict(
        os.environ,
        GONGZHI_DATA_DIR=str(settings.data_dir),
        GONGZHI_MASTER_KEY=settings.master_key.get_secret_value(),
    )
    if settings.database_url:
        env |= {
            "GONGZHI_DATABASE_URL": settings.database_url,
            "GONGZHI_DATABASE_SCHEMA": settings.database_schema,
        }
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
