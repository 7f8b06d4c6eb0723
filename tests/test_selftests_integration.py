"""INT-04..INT-10 on the good demo; the flawed variants are rows of tests/selftest_table.py."""

from __future__ import annotations

import pytest

from tests.selftest import VariantRun

CHECKS = ("INT-04", "INT-05", "INT-06", "INT-07", "INT-08", "INT-09", "INT-10")


@pytest.mark.parametrize("check_id", CHECKS)
def test_good_demo_passes(good_demo: VariantRun, check_id: str) -> None:
    assert good_demo.statuses.get(check_id) == "passed", good_demo.messages.get(check_id)


# The flawed variants (and config edits) each check must catch: tests/selftest_table.py.
