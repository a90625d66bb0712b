"""The world most security tests look at: built once per module and backend."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.security.worlds import World, build_world

if TYPE_CHECKING:
    from tests.conftest import Api


@pytest.fixture(scope="module")
def world(shared_api: Api) -> World:
    """Two organisations in different jurisdictions, each with a member, a funded fund, a
    project and a pending disbursement, and a council that A belongs to."""
    return build_world(shared_api)
