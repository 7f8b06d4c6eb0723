"""A pytest plugin that writes every judgement's sentence, findings and warnings to a file.

tests/test_report_nl.py runs the checks' unit tests with it (`-p tests.nl_collector`) and
checks that sbready/report/nl.py has Dutch for each message. The file is $SBREADY_NL_MESSAGES.
"""

from __future__ import annotations

import json
import os
from typing import Any

import checks.judgement as judgement

_original_init = judgement.Judgement.__init__
_messages: list[dict[str, str]] = []


def _recording_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    for kind, texts in (("sentence", [self.sentence]), ("finding", self.findings),
                        ("warning", self.warnings)):
        for text in texts:
            _messages.append({"check": self.check_id, "kind": kind, "text": str(text)})


judgement.Judgement.__init__ = _recording_init  # type: ignore[method-assign]


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Write what was recorded."""
    path = os.environ.get("SBREADY_NL_MESSAGES")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_messages, out, ensure_ascii=False)
