"""The write checks for an Admin Center app: new work means one new item per environment, and
expected_writes counts across the office's environments (3 invoices in demo and 3 in acme)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.selftest import VariantRun, run_variant

WRITE_CHECKS = ("ERR-04", "ERR-05", "ERR-08", "INT-08")


def _sentences(run: VariantRun) -> dict[str, str]:
    """Each check's reported sentence (its first step in the Allure results)."""
    found = {}
    for path in run.outcome.results_dir.glob("*-result.json"):
        result = json.loads(path.read_text("utf-8"))
        name = str(result.get("name", ""))
        steps = result.get("steps") or [{}]
        found[name.split(" ", 1)[0]] = str(steps[0].get("name", ""))
    return found


def test_admin_app_passes_the_write_checks_counted_across_environments(
    tmp_path: Path, spec_dir: Path
) -> None:
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    run = run_variant(tmp_path, only=list(WRITE_CHECKS), level="admin")
    for check_id in WRITE_CHECKS:
        assert run.statuses.get(check_id) == "passed", (check_id, run.messages.get(check_id))
    sentences = _sentences(run)
    assert "6 x /api/salesjournalentry landed in SB" in sentences["INT-08"], sentences
    assert "judged: post_salesjournalentry_2.0_create" in sentences["ERR-05"], sentences
    assert "declares Tracking-Identifier in SB 6.0.0" in sentences["ERR-08"], sentences
