"""The Ed25519 key that signs checkpoints.

``GONGZHI_AUDIT_SIGNING_KEY`` (base64 of the 32-byte raw private key) wins.
Without it, the embedded SQLite store makes a key once in its data directory
(mode 0600) so that ``make run`` needs no settings; PostgreSQL serves several
processes and hosts, which must share one key, so there it is required.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from infra.settings import Settings, SettingsError

log = logging.getLogger(__name__)

KEY_FILE = "audit_signing.key"
KEY_VARIABLE = "GONGZHI_AUDIT_SIGNING_KEY"
MAKE_KEY = "openssl genpkey -algorithm ed25519 -outform DER | tail -c 32 | base64"


def _raw_key(text: str, kind: str) -> bytes:
    """The 32 raw bytes of an Ed25519 key given as base64; ValueError otherwise."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as error:
        raise ValueError(f"not base64: {error}") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 {kind} key is 32 bytes, not {len(raw)}")
    return raw


def private_key(text: str) -> Ed25519PrivateKey:
    """A key from base64 of its 32 raw bytes; ValueError otherwise."""
    return Ed25519PrivateKey.from_private_bytes(_raw_key(text, "private"))


def public_key(text: str) -> Ed25519PublicKey:
    """A public key from base64 of its 32 raw bytes; ValueError otherwise."""
    return Ed25519PublicKey.from_public_bytes(_raw_key(text, "public"))


def public_text(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """A short name for a public key, stored with each checkpoint it signed."""
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured key; on SQLite the data directory's, made on first use."""
    if settings.audit_signing_key is not None:
        return private_key(settings.audit_signing_key.get_secret_value())
    if settings.uses_postgres:
        raise SettingsError(
            f"{KEY_VARIABLE} must be set on PostgreSQL (base64 of a raw Ed25519 private key, "
            f"e.g. `{MAKE_KEY}`); every sealing process shares it"
        )
    return _key_file(settings.data_dir / KEY_FILE)


def _key_file(path: Path) -> Ed25519PrivateKey:
    """The key in ``path``, made there first if there is none. Processes that start
    together on a new data directory agree on one: each writes a key of its own aside,
    then links it into place, which only the first does; the others read that one,
    never a file half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        aside = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(base64.b64encode(key.private_bytes_raw()).decode() + "\n")
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process made one first
        else:
            log.info(
                "Made an audit signing key in %s; its public key (give it to auditors) is %s",
                path,
                public_text(key.public_key()),
            )
            return key
        finally:
            os.unlink(aside)
    return private_key(path.read_text())


def verification_key(settings: Settings) -> Ed25519PublicKey | None:
    """The public key checkpoints are checked with, when this process knows the key."""
    try:
        return signing_key(settings).public_key()
    except SettingsError:
        return None
