"""ERR-02..ERR-10 on the good demo (flawed variants: tests/selftest_table.py), and styles."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.selftest import VariantRun, run_variant

CHECKS = ("ERR-02", "ERR-03", "ERR-04", "ERR-05", "ERR-06", "ERR-07", "ERR-08", "ERR-09",
          "ERR-10")


@pytest.mark.parametrize("check_id", CHECKS)
def test_good_demo_passes(good_demo: VariantRun, check_id: str) -> None:
    assert good_demo.statuses.get(check_id) == "passed", good_demo.messages.get(check_id)


# The flawed variants each check must catch: tests/selftest_table.py.


def _with_style(style: str) -> Callable[[str], str]:
    """A config edit that switches a good demo style on (DEMO_PARTNER_STYLE in its env)."""
    def edit(text: str) -> str:
        assert "env = { " in text
        return text.replace("env = { ", f'env = {{ DEMO_PARTNER_STYLE = "{style}", ', 1)
    return edit


def _passed_sentence(run: VariantRun, check_id: str) -> str:
    """The sentence a passing check reported (its first step in the Allure results)."""
    for path in run.outcome.results_dir.glob("*-result.json"):
        result = json.loads(path.read_text("utf-8"))
        if str(result.get("name", "")).startswith(check_id):
            return str((result.get("steps") or [{}])[0].get("name", ""))
    return ""


def test_same_identifier_resend_after_failed_passes(tmp_path: Path, spec_dir: Path) -> None:
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    run = run_variant(tmp_path, only=["ERR-05", "ERR-08"],
                      edit_config=_with_style("same_id_after_failed"))
    assert run.statuses.get("ERR-05") == "passed", run.messages.get("ERR-05")
    assert run.statuses.get("ERR-08") == "passed", run.messages.get("ERR-08")
    sentence = _passed_sentence(run, "ERR-05")
    # the re-send happened, and SB answered it from its cache
    assert "after Failed the app re-sent 1 time(s) with the same Tracking-Identifier" in \
        sentence, sentence
    assert "judged: post_salesjournalentry_2.0_create" in sentence, sentence

