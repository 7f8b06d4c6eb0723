"""The demo app's good styles: names are checked, and the Dutch wording carries no English."""

from __future__ import annotations

import re

import pytest

from checks import wording
from examples.demo_partner import styles
from examples.demo_partner.settings import ConfigurationError

ENGLISH = re.compile(r"fail|reject|refused|partly|partial|re-?auth|connect|consent|forbidden|"
                     r"permission|rights\b", re.IGNORECASE)


def test_styles_are_read_and_unknown_names_are_one_line_errors() -> None:
    env = {styles.STYLE_ENV: " dutch, store_only "}
    assert styles.active_styles(env) == {"dutch", "store_only"}
    assert styles.is_on("dutch", env) and not styles.is_on("cautious", env)
    with pytest.raises(ConfigurationError, match="unknown style\\(s\\) dutchh; known styles"):
        styles.active_styles({styles.STYLE_ENV: "dutchh"})
    with pytest.raises(KeyError):
        styles.is_on("nope", env)


@pytest.mark.parametrize(("kind", "english", "signal"), [
    ("ReauthorizationNeeded", "re-authorization needed: SB refused the token refresh",
     "reauthorize"),
    ("SbForbidden", "SB refused GET /api/x with 403 (TraceId t): the app lacks the rights",
     "forbidden"),
    ("DemoPartnerError", "SB rejected entry A-1: result Failed: boom (traceId t1)", "failed"),
    ("DemoPartnerError", "SB only partly accepted entry A-2: x (traceId t2); complete it.",
     "partial"),
])
def test_dutch_messages_are_dutch_and_classified(kind: str, english: str,
                                                 signal: wording.Signal) -> None:
    dutch = styles.dutch_message(kind, english)
    assert not ENGLISH.search(dutch), dutch
    assert wording.mentions(signal, dutch), dutch


def test_dutch_entry_failures_keep_the_trace_id() -> None:
    dutch = styles.dutch_message(
        "DemoPartnerError", "SB rejected entry A-3: SB rejected POST /api/salesjournalentry "
        "with 400 DS3100: x (TraceId abc-1)")
    assert "abc-1" in dutch and dutch.startswith("Boeking A-3 is geweigerd")
