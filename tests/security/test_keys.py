"""API keys: sent as bearer tokens, kept only as hashes, refused from the next request
once revoked, and refused once expired."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from domain.principals import PrincipalRole
from infra.api_keys import KEY_PATTERN, KeyRefused, KeyStore
from tests.conftest import ANONYMOUS, assert_problem
from tests.security.worlds import A_DISTRICT, World, app_of

if TYPE_CHECKING:
    import httpx

    from tests.conftest import Api


def keys(api: Api) -> KeyStore:
    store: KeyStore = app_of(api).state.keys
    return store


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assert_unauthenticated(response: httpx.Response, invalid_token: bool = True) -> None:
    assert_problem(response, 401)
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="gongzhi"')
    assert ('error="invalid_token"' in challenge) is invalid_token


# Sending a key


def test_without_a_key_the_answer_is_a_challenge(shared_api: Api, world: World) -> None:
    assert_unauthenticated(
        shared_api.client.get(f"/funds/{world.a.fund}", headers=ANONYMOUS), invalid_token=False
    )


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic Y2xlcms6c2VjcmV0",
        "Bearer",
        "Bearer not-a-key",
        "gzk_0123456789abcdef_" + "A" * 43,
        "Bearer gzk_0123456789abcdef_" + "A" * 43,
    ],
    ids=["basic", "no token", "not a key", "no scheme", "never issued"],
)
def test_anything_but_a_current_key_is_refused(shared_api: Api, world: World, authorization: str) -> None:
    api = shared_api

    assert_unauthenticated(api.client.get(f"/funds/{world.a.fund}", headers={"Authorization": authorization}))
    api.refuses(
        f"/funds/{world.a.fund}/donations",
        {"amount_fen": 100, "donor_name": "沈先生"},
        status=401,
        headers={"Authorization": authorization},
    )


def test_a_key_with_another_keys_id_or_a_changed_secret_is_refused(shared_api: Api, world: World) -> None:
    api = shared_api
    secret, _ = keys(api).create("li.clerk", PrincipalRole.ADMIN)
    other, _ = keys(api).create("li.other", PrincipalRole.ADMIN)
    key_id, real = KEY_PATTERN.match(secret).groups()  # type: ignore[union-attr]
    other_secret = KEY_PATTERN.match(other).groups()[1]  # type: ignore[union-attr]
    changed = ("B" if real[0] != "B" else "C") + real[1:]

    assert api.client.get(f"/funds/{world.a.fund}", headers=bearer(secret)).status_code == 200
    for forged in (f"gzk_{key_id}_{changed}", f"gzk_{key_id}_{other_secret}", secret + "x", secret.upper()):
        assert_unauthenticated(api.client.get(f"/funds/{world.a.fund}", headers=bearer(forged)))


def test_the_scheme_is_case_insensitive(shared_api: Api, world: World) -> None:
    secret, _ = keys(shared_api).create("li.lowercase", PrincipalRole.AUDITOR)

    response = shared_api.client.get(f"/funds/{world.a.fund}", headers={"Authorization": f"bearer {secret}"})

    assert response.status_code == 200


# Revocation and expiry


def test_a_revoked_key_is_refused_from_the_next_request(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    secret, record = keys(api).create("zhou.leaving", PrincipalRole.OFFICER, organisations=[a.organisation])
    donation = {"amount_fen": 100, "donor_name": "沈先生"}
    assert api.client.get(f"/funds/{a.fund}", headers=bearer(secret)).status_code == 200

    revoked = keys(api).revoke(record.id)

    assert [r.id for r in revoked] == [record.id]
    assert revoked[0].revoked_at is not None
    assert_unauthenticated(api.client.get(f"/funds/{a.fund}", headers=bearer(secret)))
    api.refuses(f"/funds/{a.fund}/donations", donation, status=401, headers=bearer(secret))


def test_revoking_one_key_leaves_the_principals_others_and_revoking_by_name_ends_them_all(
    shared_api: Api, world: World
) -> None:
    api, fund = shared_api, f"/funds/{world.a.fund}"
    first, record = keys(api).create(
        "bureau.sync", PrincipalRole.INTEGRATION, jurisdictions=[A_DISTRICT], scopes=["funds:read"]
    )
    second, _ = keys(api).create(
        "bureau.sync", PrincipalRole.INTEGRATION, jurisdictions=[A_DISTRICT], scopes=["funds:read"]
    )
    unrelated, _ = keys(api).create(
        "bureau.other", PrincipalRole.INTEGRATION, jurisdictions=[A_DISTRICT], scopes=["funds:read"]
    )

    keys(api).revoke(record.id)
    assert_unauthenticated(api.client.get(fund, headers=bearer(first)))
    assert api.client.get(fund, headers=bearer(second)).status_code == 200

    assert len(keys(api).revoke("bureau.sync")) == 2
    assert_unauthenticated(api.client.get(fund, headers=bearer(second)))
    assert api.client.get(fund, headers=bearer(unrelated)).status_code == 200


def test_an_expired_key_is_refused(shared_api: Api, world: World) -> None:
    api, fund = shared_api, f"/funds/{world.a.fund}"
    now = datetime.now(UTC)
    expired, _ = keys(api).create(
        "temp.expired", PrincipalRole.AUDITOR, expires_at=now - timedelta(seconds=1)
    )
    current, record = keys(api).create(
        "temp.current", PrincipalRole.AUDITOR, expires_at=now + timedelta(hours=1)
    )

    assert_unauthenticated(api.client.get(fund, headers=bearer(expired)))
    assert api.client.get(fund, headers=bearer(current)).status_code == 200
    assert keys(api).authenticate(current, now=record.expires_at) is None  # type: ignore[arg-type]
    assert keys(api).authenticate(current, now=now + timedelta(minutes=59)) is not None


def test_an_expiry_without_a_time_zone_is_refused(shared_api: Api) -> None:
    with pytest.raises(KeyRefused, match="time zone"):
        keys(shared_api).create(
            "temp.naive", PrincipalRole.AUDITOR, expires_at=datetime.now() + timedelta(hours=1)
        )


# Storage


def test_the_key_table_holds_no_secret(shared_api: Api) -> None:
    store = keys(shared_api)
    secret, record = store.create("storage.check", PrincipalRole.ADMIN)
    raw = KEY_PATTERN.match(secret)[2]  # type: ignore[index]

    rows = store.database.query(f"SELECT * FROM {store.table} WHERE id = ?", [record.id])

    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0].values())
    assert raw not in stored
    assert secret not in stored
    assert rows[0]["secret_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(record.summary())


def test_secrets_are_long_and_never_repeat(shared_api: Api) -> None:
    made = [keys(shared_api).create(f"many.{i}", PrincipalRole.DASHBOARD)[0] for i in range(20)]

    secrets = [KEY_PATTERN.match(secret).groups()[1] for secret in made]  # type: ignore[union-attr]
    assert len(set(secrets)) == len(set(made)) == 20
    assert all(len(secret) >= 43 for secret in secrets)  # 256 bits in base64url


@pytest.mark.parametrize(
    ("role", "scoping", "reason"),
    [
        (PrincipalRole.OFFICER, {}, "names one or more organisations"),
        (PrincipalRole.OFFICER, {"organisations": ["龙翔"]}, "not an organisation id"),
        (PrincipalRole.INTEGRATION, {"jurisdictions": [A_DISTRICT]}, "jurisdiction prefixes and scopes"),
        (PrincipalRole.INTEGRATION, {"scopes": ["funds:read"]}, "jurisdiction prefixes and scopes"),
        (
            PrincipalRole.INTEGRATION,
            {"jurisdictions": [A_DISTRICT], "scopes": ["funds:admin"]},
            "unknown scope",
        ),
        (PrincipalRole.INTEGRATION, {"jurisdictions": ["/"], "scopes": ["funds:read"]}, "must not be empty"),
        (PrincipalRole.ADMIN, {"scopes": ["funds:read"]}, "only integration keys"),
        (PrincipalRole.DASHBOARD, {"jurisdictions": [A_DISTRICT]}, "only integration keys"),
        (
            PrincipalRole.AUDITOR,
            {"organisations": ["0c2c5f4e-43d0-4a57-9a41-1b3f0a3f6d5e"]},
            "only officer keys",
        ),
    ],
)
def test_a_key_whose_role_and_scoping_disagree_is_not_issued(
    shared_api: Api, role: PrincipalRole, scoping: dict[str, Any], reason: str
) -> None:
    store = keys(shared_api)
    before = len(store.all())

    with pytest.raises(KeyRefused, match=reason):
        store.create("odd.key", role, **scoping)

    assert len(store.all()) == before
