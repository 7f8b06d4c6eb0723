"""What an app's message says, in Dutch or English: re-authorization, no rights, failure, partial.

Checks judge outcomes first (exit code, HTTP status, a JSON status field); these classifiers
are for where words are still needed. Most AFAS partners write user messages in Dutch, so
every signal is recognised in both languages. A message no classifier recognises is quoted
in a warning by the check, never a failure by itself.
"""

from __future__ import annotations

import json
import re
from typing import Literal

Signal = Literal["reauthorize", "forbidden", "failed", "partial"]

_PATTERNS: dict[Signal, re.Pattern[str]] = {
    "reauthorize": re.compile(
        r"re-?auth|authori[sz]|re-?connect|consent|log ?in again|sign ?in again|onboard"
        r"|activate the app again|connect (?:the environment |it )?again"
        # Dutch: "koppel opnieuw", "opnieuw koppelen", "toestemming", "activeer de app opnieuw"
        r"|toestemming|autoris|machtig|koppel\w* opnieuw|opnieuw (?:\w+ )?koppel"
        r"|opnieuw (?:\w+ )?(?:verbind|aanmeld|inlog|activeer)|activeer de app opnieuw"
        r"|verbind\w* opnieuw|meld \w+ opnieuw aan|log opnieuw in",
        re.IGNORECASE),
    "forbidden": re.compile(
        r"\b403\b|forbidden|rights|permission|not allowed|access denied|no access|bundle"
        # Dutch: "geen rechten", "geen toegang", "niet toegestaan", "onvoldoende rechten"
        r"|rechten|geen toegang|niet toegestaan|toegang geweigerd|bevoegd",
        re.IGNORECASE),
    "failed": re.compile(
        r"fail|rejected|refused|error|not (?:processed|booked|posted)|could not|unable"
        # Dutch: "mislukt", "fout", "geweigerd", "niet verwerkt", "niet geboekt"
        r"|mislukt|fout|geweigerd|afgewezen|niet (?:\w+ )?(?:verwerkt|geboekt|gelukt|verstuurd)"
        r"|kon niet|kan niet",
        re.IGNORECASE),
    "partial": re.compile(
        r"partial|partly|in part|some of"
        # Dutch: "gedeeltelijk", "deels", "niet volledig"
        r"|gedeeltelijk|deels|niet volledig|onvolledig",
        re.IGNORECASE),
}

# the JSON status words an HTTP sync may answer with, and the signal each one carries
_STATUS_WORDS: dict[str, Signal] = {
    "reauthorize": "reauthorize", "reauthorization_needed": "reauthorize",
    "reauthorisation_needed": "reauthorize", "unauthorized": "reauthorize",
    "forbidden": "forbidden", "failed": "failed", "failure": "failed", "error": "failed",
    "mislukt": "failed", "partial": "partial", "partiallysucceeded": "partial",
    "gedeeltelijk": "partial",
}
_STATUS_KEYS = ("status", "result", "outcome", "state")


# "0 errors", "no failures", "geen fouten", "foutloos": a success summary, not a failure report
_NEGATED = re.compile(
    r"\b(?:0|no|zero|without|geen|nul|zonder)\s+(?:\w+\s+)?"
    r"(?:errors?|failures?|failed|rejected|fouten?|mislukt\w*|geweigerd\w*)\b|\bfoutloos\b",
    re.IGNORECASE)


def _affirmed(message: str) -> str:
    return _NEGATED.sub(" ", message or "")


def mentions(signal: Signal, message: str) -> bool:
    """True when `message` says `signal`, in Dutch or English ("0 errors" says nothing)."""
    return bool(_PATTERNS[signal].search(_affirmed(message)))


def signals(message: str) -> set[Signal]:
    """Every signal `message` carries (empty: the harness cannot classify it)."""
    text = _affirmed(message)
    return {signal for signal, pattern in _PATTERNS.items() if pattern.search(text)}


def json_status(output: str) -> str | None:
    """The status word of a JSON sync answer ({"status": "failed", ...}), lower case, if any."""
    text = (output or "").strip()
    if not text.startswith("{"):
        return None
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for key in _STATUS_KEYS:
        for name, value in body.items():
            if name.lower() == key and isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None


def status_signal(output: str) -> Signal | None:
    """The signal a JSON sync answer's status field carries, if it carries one."""
    status = json_status(output)
    if status is None:
        return None
    return _STATUS_WORDS.get(re.sub(r"[\s-]", "_", status).replace("__", "_"))


def quoted(message: str, limit: int = 200) -> str:
    """The message's last line, shortened, for a warning that quotes it."""
    lines = [line for line in (message or "").strip().splitlines() if line.strip()]
    return repr((lines[-1] if lines else "(no output)")[:limit])
