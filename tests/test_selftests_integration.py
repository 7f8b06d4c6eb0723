"""INT-04..INT-10, proven: the good demo passes each, a flawed demo app (or config) fails it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.selftest import VariantRun, run_variant

CHECKS = ("INT-04", "INT-05", "INT-06", "INT-07", "INT-08", "INT-09", "INT-10")


@pytest.mark.parametrize("check_id", CHECKS)
def test_good_demo_passes(good_demo: VariantRun, check_id: str) -> None:
    assert good_demo.statuses.get(check_id) == "passed", good_demo.messages.get(check_id)


# (check, flaw, words the failure message must contain)
SINGLE = [
    ("INT-04", "malformed_filter", ("AdministrationId ==", "filter")),
    ("INT-05", "outside_grant", ("/api/products", "get_products_3.0", "Verkoopjournaalpost")),
    ("INT-06", "first_page_only", ("read 100 of 1",)),
    ("INT-06", "no_sort", ("without sortField",)),
    ("INT-07", "full_reread", ("no TrackingToken", "/api/organisations")),
    ("INT-08", "double_post", ("was sent 2 times as a new request", "already exists")),
    ("INT-10", "request_storm", ("per item", "GET /api/ledgeraccounts")),
]


@pytest.mark.parametrize(("check_id", "flaw", "words"), SINGLE,
                         ids=[f"{check}-{flaw}" for check, flaw, _ in SINGLE])
def test_flaw_fails_its_check(tmp_path: Path, spec_dir: Path, check_id: str, flaw: str,
                                     words: tuple[str, ...]) -> None:
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    run = run_variant(tmp_path, flaws=[flaw], only=[check_id])
    assert run.statuses.get(check_id) == "failed", f"{check_id} passed with {flaw}"
    for word in words:
        assert word in run.messages[check_id], run.messages[check_id]


def test_narrow_bundles_fail_the_contract_run(tmp_path: Path, spec_dir: Path) -> None:
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))

    def narrow(text: str) -> str:
        assert 'bundles = ["Verkoopjournaalpost"]' in text
        return text.replace('bundles = ["Verkoopjournaalpost"]', 'bundles = ["Relaties"]')

    run = run_variant(tmp_path, only=["INT-09"], edit_config=narrow)
    assert run.statuses.get("INT-09") == "failed"
    message = run.messages["INT-09"]
    assert "issing rights on a needed endpoint" in message and "403" in message, message
