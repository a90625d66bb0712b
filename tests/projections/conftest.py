"""The application the projection tests run against, on each store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.application import Gongzhi
from infra.settings import Settings
from infra.store.application import open_application


@pytest.fixture
def app(settings: Settings) -> Iterator[Gongzhi]:
    application = open_application(settings)
    yield application
    application.close()
