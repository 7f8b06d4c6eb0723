"""Redaction of secrets from everything the harness keeps as evidence (logs, hops, reports).

Two layers: the secret values the harness knows (client secret, passwords, app tokens,
registered at any time with `Redactor.add`), and the values of well-known secret keys
(`client_secret=...`, `"access_token": "..."`, `Bearer ...`) even when nobody registered them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"

# Keys whose values are secret wherever they appear: query strings, form bodies, JSON.
SECRET_KEYS = frozenset(
    {
        "client_secret",
        "code_verifier",
        "access_token",
        "refresh_token",
        "apptoken",
        "password",
        "code",
    }
)

# Shorter strings would blank out ordinary words and numbers all over the evidence,
# and a "secret" that short protects nothing anyway.
MIN_SECRET_LENGTH = 6

_KEY_ALTERNATION = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))
# key=value in query strings and form bodies; the look-behind keeps `error_code=` intact.
_QUERY_PAIR = re.compile(rf"(?<![A-Za-z0-9_.\-])({_KEY_ALTERNATION})=([^&\s#\"'<>]+)", re.I)
# "key": "value" inside JSON text (the redact_json path handles parsed JSON).
_JSON_PAIR = re.compile(rf"(\"(?:{_KEY_ALTERNATION})\"\s*:\s*)\"(?:[^\"\\]|\\.)*\"", re.I)
# Authorization header values; "fp:" fingerprints from the sandbox journal are already safe.
_BEARER = re.compile(r"(\bBearer\s+)(?!fp:|\[redacted\])([A-Za-z0-9\-._~+/]+=*)", re.I)


class Redactor:
    """Replaces secrets with "[redacted]" in text and JSON values; safe to share across threads."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Register secret values (and their URL-encoded forms); ignores empty and short ones."""
        with self._lock:
            for secret in secrets:
                if not secret or len(secret) < MIN_SECRET_LENGTH:
                    continue
                self._secrets.update({secret, quote(secret, safe=""), quote_plus(secret)})
            # Longest first, so a secret that contains another is replaced whole.
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @property
    def secret_count(self) -> int:
        """How many distinct secret spellings are registered (for diagnostics and tests)."""
        with self._lock:
            return len(self._secrets)

    def contains_secret(self, text: str) -> bool:
        """True when `text` holds a registered secret value (well-known keys do not count)."""
        with self._lock:
            pattern = self._pattern
        return bool(pattern and pattern.search(text))

    def redact(self, text: str) -> str:
        """`text` with every registered secret and every well-known secret value replaced."""
        with self._lock:
            pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(REDACTED, text)
        text = _QUERY_PAIR.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
        text = _JSON_PAIR.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
        return _BEARER.sub(lambda m: f"{m.group(1)}{REDACTED}", text)

    def redact_json(self, value: Any) -> Any:
        """A copy of a JSON-like value with secrets redacted, recursively (keys included)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            redacted: dict[Any, Any] = {}
            for key, item in value.items():
                name = self.redact(key) if isinstance(key, str) else key
                if isinstance(key, str) and key.lower() in SECRET_KEYS and item is not None:
                    redacted[name] = REDACTED
                else:
                    redacted[name] = self.redact_json(item)
            return redacted
        if isinstance(value, list | tuple):
            return [self.redact_json(item) for item in value]
        return value
