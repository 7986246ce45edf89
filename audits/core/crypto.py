"""Secrets at rest: target DSNs and webhook secrets are stored as Fernet tokens.

The key comes from ``DRIFTWATCH_ENCRYPTION_KEY`` (setting or environment variable) when set,
otherwise it is derived from ``SECRET_KEY``, so a zero-setup install still never stores a
password in clear text. Rotating the key makes stored secrets unreadable on purpose.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.views.decorators.debug import sensitive_variables


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted (the key changed since it was saved)."""


def _key_material() -> str:
    configured = getattr(settings, "DRIFTWATCH_ENCRYPTION_KEY", None)
    return configured or os.environ.get("DRIFTWATCH_ENCRYPTION_KEY") or settings.SECRET_KEY


def _fernet() -> Fernet:
    # Any string becomes a valid Fernet key: hashing fixes its length and alphabet.
    digest = hashlib.sha256(("driftwatch-secrets:" + _key_material()).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@sensitive_variables("plain")  # a crash report lists the locals of each frame
def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "the stored secret cannot be decrypted: the encryption key changed since it was saved"
        ) from exc
