"""INT-09's contract run against the observed dialect: what a generated request cannot reach."""

from __future__ import annotations

from pathlib import Path

import httpx

from sbready.contract_run import contract_run
from sbready.sandbox.app import Sandbox
from sbready.spec.resolve import load_spec
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures


def test_the_contract_run_skips_blob_downloads_it_cannot_key(
    sandbox: Sandbox, served: str, spec_dir: Path,
) -> None:
    token = httpx.post(f"{served}/demo/authentication/getaccesstoken",
                       json={"apptoken": sandbox.activate("demo")}, timeout=10).json()
    cases = contract_run(load_spec(spec=str(spec_dir / "6.0.0.json")).document, sandbox.index,
                         ["getBlob", "get_ledgeraccounts_1.0"], base_url=f"{served}/demo",
                         access_token=token["access_token"], allow_writes=False, examples=2)
    assert {case.operation_id for case in cases} == {"get_ledgeraccounts_1.0"}
    assert all(case.status == 200 for case in cases), [c.body_excerpt for c in cases]
