"""Sealing what a mediation case says about its parties (``MediationCase.SEALED_TEXT``).

Each text is sealed with a key derived from the data keys of every party the event
names (``parties``), so that erasing any one of them (which destroys their key) makes
the text unreadable, while the case, its dates and its outcome remain. A text recorded
after a party was erased is sealed for the parties still known, and the event then
names only those.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag

from domain.mediation_case import MediationCase
from infra.privacy.crypto import is_sealed, seal, unseal

LABEL = b"gongzhi.case-text.v1"
KeyOf = Callable[[str], bytes | None]


class UndecryptableText(Exception):
    """A sealed case text that does not open with its parties' keys."""


def _derived(keys: list[bytes]) -> bytes:
    digest = hashlib.sha256(LABEL)
    for key in keys:
        digest.update(key)
    return digest.digest()


def seal_texts(state: dict[str, Any], case_id: str, key_of: KeyOf) -> dict[str, Any] | None:
    """The state with its texts sealed, or None when it holds no text to seal."""
    texts = [name for name in MediationCase.SEALED_TEXT if isinstance(state.get(name), str)]
    if not texts:
        return None
    keyed = [(party, key_of(party)) for party in sorted(state["parties"])]
    known = [(party, key) for party, key in keyed if key is not None]
    sealed = dict(state)
    if len(known) < len(keyed):
        sealed["parties"] = [party for party in state["parties"] if key_of(party) is not None]
    derived = _derived([key for _, key in known]) if known else None
    for name in texts:
        sealed[name] = seal(derived, case_id, name, state[name]) if derived else None
    return sealed


def open_texts(state: dict[str, Any], case_id: str, key_of: KeyOf) -> None:
    """Replaces the sealed texts in ``state`` by their values, or None once a party is erased."""
    names = [name for name in MediationCase.SEALED_TEXT if is_sealed(state.get(name))]
    if not names:
        return
    keys = [key_of(party) for party in sorted(state.get("parties") or ())]
    derived = None if any(key is None for key in keys) else _derived([k for k in keys if k is not None])
    for name in names:
        if derived is None:
            state[name] = None
            continue
        try:
            state[name] = unseal(derived, case_id, name, state[name])
        except (InvalidTag, ValueError):
            raise UndecryptableText(f"the {name} of mediation case {case_id} does not open") from None
