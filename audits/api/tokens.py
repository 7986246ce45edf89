"""Per-user API tokens for scripts and mobile CI.

A token is ``dw_`` + 32 random bytes (URL-safe base64); only its SHA-256 is stored, so a token
is shown once, when it is created, and a leaked database does not leak usable tokens. A token
acts as its user, with the user's role, narrowed to reads when it is read-only. Tokens of a
mobile-role user are always read-only (their role cannot write anyway).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from config.roles import can_write

from .models import ApiToken

TOKEN_PREFIX = "dw_"
# last_used_at is refreshed at most this often, so a CI polling the API is not a write per call
LAST_USED_RESOLUTION = timedelta(seconds=60)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(user: Any, *, name: str, read_only: bool = True) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token itself (shown once)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after what uses it (e.g. mobile CI)."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:200], token_hash=hash_token(raw), prefix=raw[:10],
        read_only=read_only or not can_write(user),
    )
    return token, raw


def revoke_token(user: Any, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens; False when it is not theirs or already revoked."""
    return bool(ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True)
                .update(revoked_at=timezone.now()))


def authenticate(raw: str) -> ApiToken | None:
    """The active token ``raw`` is, with its user loaded; None for anything else."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(token_hash=hash_token(raw), revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def bearer_token(header: str) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or ""."""
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def user_tokens(user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))
