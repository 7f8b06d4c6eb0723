"""The good demo app is READY in the schema dialect too (the observed one: test_selftests.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.selftest import run_variant


def _schema_dialect(config: str) -> str:
    assert "[sandbox]" not in config  # the demo config leaves the sandbox at its defaults
    return config + '\n[sandbox]\ndialect = "schema"\n'


def test_good_demo_is_ready_in_the_schema_dialect(tmp_path: Path) -> None:
    run = run_variant(tmp_path, edit_config=_schema_dialect)
    verdict = json.loads((tmp_path / "reports" / "verdict.json").read_text("utf-8"))
    failed = {check: status for check, status in run.statuses.items()
              if status not in ("passed", "skipped")}
    assert verdict["verdict"] == "READY" and failed == {}, run.messages
    int09 = [w["message"] for w in verdict["warnings"] if w["id"] == "INT-09"]
    assert not any("deviates from its published schema" in m for m in int09), int09
