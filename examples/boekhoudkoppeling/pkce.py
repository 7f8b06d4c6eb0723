"""PKCE (RFC 7636, S256) and the OAuth state, as AFAS's authentication guide asks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

VERIFIER_BYTES = 48  # 64 base64url characters; AFAS accepts 43 to 128
STATE_BYTES = 32  # 256 bits


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def nieuwe_verifier() -> str:
    """A fresh code_verifier of 64 unreserved characters."""
    return _b64url(secrets.token_bytes(VERIFIER_BYTES))


def challenge(verifier: str) -> str:
    """The S256 code_challenge: base64url(SHA-256(verifier)) without padding (43 characters)."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def nieuwe_state() -> str:
    """A fresh state value with 256 bits of randomness."""
    return _b64url(secrets.token_bytes(STATE_BYTES))


def state_hash(state: str) -> str:
    """What the app stores of a state: its SHA-256, so a leaked database row cannot be replayed."""
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def zelfde(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
