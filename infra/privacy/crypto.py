"""AES-256-GCM for personal details: data keys wrapped with the master key, and
field values sealed with a person's data key.

The associated data binds every ciphertext to its place: a wrapped key to its
person, a field value to its person and field, so that none can be moved to
another person or field and still decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED = "aesgcm:"
"""How a sealed field value starts: then base64 of the 12-byte nonce and the ciphertext."""
NONCE_SIZE = 12
KEY_LABEL = b"gongzhi.person-key.v1"
FIELD_LABEL = b"gongzhi.person-field.v1"


class UndecryptableKey(Exception):
    """A wrapped data key that the master key does not open."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def master_key_id(master_key: bytes) -> str:
    """A short name for the master key, stored with every key it wraps (it reveals nothing of it)."""
    return hmac.new(master_key, b"gongzhi.master-key.id.v1", hashlib.sha256).hexdigest()[:16]


def wrap(master_key: bytes, person_id: str, data_key: bytes) -> bytes:
    nonce = os.urandom(NONCE_SIZE)
    return nonce + AESGCM(master_key).encrypt(nonce, data_key, _bound(KEY_LABEL, person_id))


def unwrap(master_key: bytes, person_id: str, wrapped: bytes) -> bytes:
    try:
        return AESGCM(master_key).decrypt(
            wrapped[:NONCE_SIZE], wrapped[NONCE_SIZE:], _bound(KEY_LABEL, person_id)
        )
    except InvalidTag:
        raise UndecryptableKey(
            f"the data key of person {person_id} does not open with GONGZHI_MASTER_KEY"
        ) from None


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(SEALED)


def seal(data_key: bytes, person_id: str, field: str, value: str) -> str:
    nonce = os.urandom(NONCE_SIZE)
    ciphertext = AESGCM(data_key).encrypt(nonce, value.encode(), _bound(FIELD_LABEL, person_id, field))
    return SEALED + base64.b64encode(nonce + ciphertext).decode()


def unseal(data_key: bytes, person_id: str, field: str, sealed: str) -> str:
    """The value in clear; InvalidTag when the ciphertext is not this person's field."""
    raw = base64.b64decode(sealed[len(SEALED) :])
    return (
        AESGCM(data_key)
        .decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], _bound(FIELD_LABEL, person_id, field))
        .decode()
    )


def _bound(label: bytes, *parts: str) -> bytes:
    """Length-prefixed, so that no two different places give the same associated data."""
    return label + b"".join(len(p.encode()).to_bytes(4, "big") + p.encode() for p in parts)
