"""ERR-02..ERR-10, proven: the good demo passes each, a flawed demo app fails it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.selftest import VariantRun, run_variant

CHECKS = ("ERR-02", "ERR-03", "ERR-04", "ERR-05", "ERR-06", "ERR-07", "ERR-08", "ERR-09",
          "ERR-10")


@pytest.mark.parametrize("check_id", CHECKS)
def test_good_demo_passes(good_demo: VariantRun, check_id: str) -> None:
    assert good_demo.statuses.get(check_id) == "passed", good_demo.messages.get(check_id)


# (check, the one flaw switched on, words its failure message must contain)
FLAWED_APPS = [
    ("ERR-02", "refresh_loop", ("refresh attempts",)),
    ("ERR-03", "hammer_403", ("requests got 403",)),
    ("ERR-04", "resend_on_400", ("identical payload was sent again",)),
    ("ERR-05", "ignore_result", ("but the sync reported success",)),
    ("ERR-06", "no_backoff", ("after the 503",)),
    ("ERR-07", "ignore_retry_after", ("Retry-After: 1",)),
    ("ERR-08", "new_tracking_id_on_retry", ("another Tracking-Identifier",)),
    ("ERR-09", "fragile_parsing", ("crashed", "sparse records")),
    ("ERR-10", "no_timeout", ("had not reported",)),
]


@pytest.mark.parametrize(("check_id", "flaw", "words"), FLAWED_APPS,
                         ids=[f"{check}-{flaw}" for check, flaw, _ in FLAWED_APPS])
def test_flaw_fails_its_check(tmp_path: Path, spec_dir: Path, check_id: str, flaw: str,
                              words: tuple[str, ...]) -> None:
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    run = run_variant(tmp_path, flaws=[flaw], only=[check_id])
    assert run.statuses.get(check_id) == "failed", (check_id, flaw, run.messages.get(check_id))
    for word in words:
        assert word in run.messages[check_id], run.messages[check_id]
