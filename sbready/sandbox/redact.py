"""Redaction at capture for the sandbox journal: secrets out, followable fingerprints in.

Secrets a check never needs to follow (client secrets, code verifiers, passwords) become
"[redacted]". Values a check must follow across exchanges (authorization codes, access,
refresh, app and identity tokens) become "fp:<12 hex>", an HMAC-SHA256 with a key that
lives only in this process, so equal values give equal fingerprints within one sandbox and
nothing can be recovered from them. On top of the field rules, every value the sandbox knows
to be secret (it issued or registered it) is replaced wherever it appears.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from sbready.sandbox.journal import REDACTED

# Field names (lower case) whose values are secrets nobody needs to follow.
HIDDEN_FIELDS = frozenset({"client_secret", "code_verifier", "password"})
# Field names (lower case) whose values are codes or tokens that checks follow by fingerprint.
FINGERPRINTED_FIELDS = frozenset(
    {"code", "access_token", "refresh_token", "apptoken", "identitytoken", "token"}
)
# Headers whose whole value is a credential.
_CREDENTIAL_HEADERS = frozenset({"cookie", "set-cookie", "proxy-authorization", "x-sbready-key"})
# Shorter known values would blank out ordinary words; a secret that short protects nothing.
_MIN_KNOWN_LENGTH = 8
# A JSON object key in json.dumps text whose lower() is a hidden or fingerprinted field name
# (re.IGNORECASE also folds the Kelvin sign, the one non-ASCII character lowering to k).
_SECRET_KEY = re.compile(
    '"(?:' + "|".join(sorted(HIDDEN_FIELDS | FINGERPRINTED_FIELDS)) + ')":', re.IGNORECASE
)
# Characters json.dumps escapes: a known value holding one cannot be found in dumps text.
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')
# Quoted field names whose values are secrets: a JSON text without any needs no walk.
_QUOTED_SECRET_NAMES = tuple(f'"{name}"' for name in sorted(HIDDEN_FIELDS | FINGERPRINTED_FIELDS))


def has_secret_field_name(text: str) -> bool:
    """True when JSON `text` holds a quoted secret field name (as a key or a value)."""
    lowered = text.lower()
    return any(name in lowered for name in _QUOTED_SECRET_NAMES)


class SandboxRedactor:
    """Turns request/response parts into their journal form; shared by threads."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        self._known_in_json_text = True  # every known value reads the same in json.dumps text
        self._known_values: tuple[str, ...] = ()

    def fingerprint(self, value: str) -> str:
        """"fp:" + 12 hex characters of a keyed hash: stable per sandbox, irreversible."""
        digest = hmac.new(self._key, value.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return "fp:" + digest.hexdigest()[:12]

    def remember(self, value: str | None, *, follow: bool) -> None:
        """Register a value the sandbox knows is secret (fingerprinted when `follow`)."""
        if not value or len(value) < _MIN_KNOWN_LENGTH:
            return
        replacement = self.fingerprint(value) if follow else REDACTED
        with self._lock:
            for spelling in {value, quote(value, safe=""), quote_plus(value)}:
                self._known[spelling] = replacement
            if _JSON_ESCAPED.search(value):
                self._known_in_json_text = False
            ordered = sorted(self._known, key=len, reverse=True)
            self._known_values = tuple(ordered)
            self._pattern = re.compile("|".join(map(re.escape, ordered)))

    def contains_known(self, text: str) -> bool:
        """True when `text` holds a value this sandbox knows to be secret."""
        with self._lock:
            pattern = self._pattern
        return bool(pattern and pattern.search(text))

    def scrub(self, text: str) -> str:
        """`text` with every known secret value replaced (belt and braces)."""
        with self._lock:
            pattern, known = self._pattern, self._known
        if pattern is None:
            return text
        return pattern.sub(lambda match: known.get(match.group(0), REDACTED), text)

    def field(self, name: str, value: Any) -> Any:
        """The journal form of one named value (query, form or JSON field)."""
        lowered = name.lower()
        if value is None:
            return None
        if lowered in HIDDEN_FIELDS:
            return REDACTED
        if lowered in FINGERPRINTED_FIELDS:
            return self.fingerprint(value) if isinstance(value, str) else REDACTED
        return self.json(value)

    def json(self, value: Any) -> Any:
        """A redacted copy of a JSON-like value, recursively."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, Mapping):
            return {
                (self.scrub(k) if isinstance(k, str) else k): (
                    self.field(k, v) if isinstance(k, str) else self.json(v)
                )
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.json(item) for item in value]
        return value

    def clean_json_text(self, text: str, *, names_checked: bool = False) -> bool:
        """True when raw JSON `text` surely holds nothing to redact, so it may be kept as is.

        Conservative: any backslash (an escape could spell a secret), any quoted secret field
        name (as key or value) or any known secret value means "not sure". Plain substring
        searches: far cheaper than a regex over a 30 kB page of records. `names_checked`:
        the caller already knows `has_secret_field_name(text)` is False (the store's rows).
        """
        if "\\" in text:
            return False
        if not names_checked and has_secret_field_name(text):
            return False
        with self._lock:
            known = self._known_values
        return not any(value in text for value in known)

    def json_with_text(self, value: Any) -> tuple[Any, str]:
        """`json(value)` and its json.dumps text (ensure_ascii off, default=str).

        The walk is skipped when the dumps text shows nothing to redact: no key naming a
        hidden or fingerprinted field and no known secret value (the common API answer).
        """
        text = json.dumps(value, ensure_ascii=False, default=str)
        with self._lock:
            pattern, findable = self._pattern, self._known_in_json_text
        secret_value = pattern is not None and (not findable or pattern.search(text))
        if not secret_value and not _SECRET_KEY.search(text):
            return value, text
        redacted = self.json(value)
        return redacted, json.dumps(redacted, ensure_ascii=False, default=str)

    def query(self, pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
        """Query or form pairs as a redacted name -> values mapping."""
        result: dict[str, list[str]] = {}
        for name, value in pairs:
            result.setdefault(self.scrub(name), []).append(self.field(name, value))
        return result

    def url(self, url: str) -> str:
        """`url` with secret query values replaced."""
        parts = urlsplit(url)
        if not parts.query:
            return self.scrub(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        redacted = [(name, str(self.field(name, value))) for name, value in pairs]
        query = urlencode(redacted, safe=":[]")
        return self.scrub(urlunsplit(parts._replace(query=query)))

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Lower-case header names; credentials fingerprinted or redacted."""
        result: dict[str, str] = {}
        for name, value in headers.items():
            lowered = name.lower()
            if lowered == "authorization":
                scheme, _, credential = value.strip().partition(" ")
                if credential and scheme.lower() == "bearer":
                    result[lowered] = f"{scheme} {self.fingerprint(credential.strip())}"
                else:
                    result[lowered] = f"{scheme} {REDACTED}" if credential else REDACTED
            elif lowered == "identitytoken":
                result[lowered] = self.fingerprint(value.strip())
            elif lowered in _CREDENTIAL_HEADERS:
                result[lowered] = REDACTED
            elif lowered == "location":
                result[lowered] = self.url(value)
            else:
                result[lowered] = self.scrub(value)
        return result
