"""Sealed details open only with their person's key, in their person's field."""

from __future__ import annotations

import os
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag

from infra.privacy.crypto import (
    UndecryptableKey,
    master_key_id,
    new_data_key,
    seal,
    unseal,
    unwrap,
    wrap,
)

PERSON, OTHER = str(uuid4()), str(uuid4())


def test_a_sealed_detail_opens_with_its_key_as_its_persons_field() -> None:
    key = new_data_key()
    sealed = seal(key, PERSON, "phone", "13957300421")

    assert sealed.startswith("aesgcm:")
    assert "13957300421" not in sealed
    assert unseal(key, PERSON, "phone", sealed) == "13957300421"
    assert seal(key, PERSON, "phone", "13957300421") != sealed  # a fresh nonce each time


@pytest.mark.parametrize(
    ("person", "field"), [(OTHER, "phone"), (PERSON, "id_number")], ids=["other-person", "other-field"]
)
def test_a_sealed_detail_moved_to_another_person_or_field_does_not_open(person: str, field: str) -> None:
    key = new_data_key()
    sealed = seal(key, PERSON, "phone", "13957300421")

    with pytest.raises(InvalidTag):
        unseal(key, person, field, sealed)


def test_a_sealed_detail_does_not_open_with_another_key() -> None:
    sealed = seal(new_data_key(), PERSON, "name", "沈国庆")

    with pytest.raises(InvalidTag):
        unseal(new_data_key(), PERSON, "name", sealed)


def test_a_wrapped_key_opens_only_with_its_master_key_for_its_person() -> None:
    master, key = os.urandom(32), new_data_key()
    wrapped = wrap(master, PERSON, key)

    assert unwrap(master, PERSON, wrapped) == key
    with pytest.raises(UndecryptableKey, match="GONGZHI_MASTER_KEY"):
        unwrap(os.urandom(32), PERSON, wrapped)
    with pytest.raises(UndecryptableKey):
        unwrap(master, OTHER, wrapped)


def test_a_master_key_is_named_without_giving_it_away() -> None:
    master = os.urandom(32)

    assert master_key_id(master) == master_key_id(master)
    assert master_key_id(master) != master_key_id(os.urandom(32))
    assert master.hex()[:16] != master_key_id(master)
