"""ERR-02..ERR-10, proven: the good demo passes each, a flawed demo app fails it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.selftest import VariantRun, run_variant

CHECKS = ("ERR-02", "ERR-03", "ERR-04", "ERR-05", "ERR-06", "ERR-07", "ERR-08", "ERR-09",
          "ERR-10")


@pytest.fixture(scope="module")
def good_demo(tmp_path_factory: pytest.TempPathFactory, spec_dir: Path) -> VariantRun:
    """The good demo app, every check of this file in one run."""
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    return run_variant(tmp_path_factory.mktemp("good-err"), only=CHECKS)


@pytest.mark.parametrize("check_id", CHECKS)
def test_good_demo_passes(good_demo: VariantRun, check_id: str) -> None:
    assert good_demo.statuses.get(check_id) == "passed", good_demo.messages.get(check_id)


# Flaws in separate code paths (refresh, 403, 5xx, 429, parsing, client timeout; then the
# write path), so each run carries several and each check is failed by its own flaw: the
# assertion on the message proves it is that flaw the check caught.
RUNS = {
    "reads": ["refresh_loop", "hammer_403", "no_backoff", "ignore_retry_after",
              "fragile_parsing", "no_timeout"],
    "writes": ["resend_on_400", "ignore_result", "new_tracking_id_on_retry"],
}
EXPECTED = [
    ("reads", "ERR-02", ("refresh attempts",)),
    ("reads", "ERR-03", ("requests got 403",)),
    ("reads", "ERR-06", ("after the 503",)),
    ("reads", "ERR-07", ("Retry-After: 1",)),
    ("reads", "ERR-09", ("crashed", "sparse records")),
    ("reads", "ERR-10", ("had not reported",)),
    ("writes", "ERR-04", ("identical payload was sent again",)),
    ("writes", "ERR-05", ("but the sync reported success",)),
    ("writes", "ERR-08", ("another Tracking-Identifier",)),
]


@pytest.fixture(scope="module")
def flawed(tmp_path_factory: pytest.TempPathFactory, spec_dir: Path) -> dict[str, VariantRun]:
    """One run per group of flaws, each judged by the checks its flaws break."""
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    return {
        name: run_variant(tmp_path_factory.mktemp(f"flawed-{name}"), flaws=flaws,
                          only=[check for run, check, _ in EXPECTED if run == name])
        for name, flaws in RUNS.items()
    }


@pytest.mark.parametrize(("run", "check_id", "words"), EXPECTED,
                         ids=[check for _, check, _ in EXPECTED])
def test_flaw_fails_its_check(flawed: dict[str, VariantRun], run: str, check_id: str,
                              words: tuple[str, ...]) -> None:
    result = flawed[run]
    assert result.statuses.get(check_id) == "failed", (check_id, result.messages.get(check_id))
    for word in words:
        assert word in result.messages[check_id], result.messages[check_id]
