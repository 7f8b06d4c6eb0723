"""The self-test table, run: every row's flawed app fails its check, naming the phrases; and
the table covers the catalog (tests/selftest_table.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.selftest import VariantRun
from tests.selftest_table import Catch, apps, catalog_ids, catches, combined

ROWS = catches()
_RUNS: dict[str, VariantRun] = {}  # run_key -> the shared harness run of its rows


def _run_of(catch: Catch, tmp_path_factory: pytest.TempPathFactory) -> VariantRun:
    """The harness run that judges `catch` (shared by rows with the same run_key)."""
    if catch.run_key not in _RUNS:
        rows = [row for row in ROWS if row.run_key == catch.run_key]
        flaws, checks, edit = combined(rows)
        folder = tmp_path_factory.mktemp(re.sub(r"[^\w-]", "_", catch.run_key)[:40])
        _RUNS[catch.run_key] = apps()[catch.app].run(folder, flaws, checks, edit)
    return _RUNS[catch.run_key]


def _param_id(row: Catch) -> str:
    """Rows sharing a run carry its key, so xdist keeps them on one worker (tests/conftest.py)."""
    return f"{row.run_key}~{row.id}" if row.together else row.id


@pytest.mark.parametrize("catch", [pytest.param(row, id=_param_id(row)) for row in ROWS])
def test_flawed_app_fails_its_check(tmp_path_factory: pytest.TempPathFactory, spec_dir: Path,
                                    catch: Catch) -> None:
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    run = _run_of(catch, tmp_path_factory)
    status = run.statuses.get(catch.check_id)
    message = run.messages.get(catch.check_id, "")
    assert status == "failed", f"{catch.id}: {status}: {message}"
    port = re.search(r"https?://127\.0\.0\.1:(\d+)/", message)
    for phrase in catch.phrases:
        expected = phrase.format(port=port.group(1) if port else "?") if "{port}" in phrase \
            else phrase
        assert expected in message, f"{catch.id}: {expected!r} not in: {message}"


def test_every_row_names_a_known_app_and_flaws_and_a_phrase() -> None:
    known = apps()
    for row in ROWS:
        assert row.app in known, f"{row.id}: no app {row.app!r}"
        unknown = set(row.flaws) - known[row.app].flaws
        assert not unknown, f"{row.id}: {row.app} has no flaw {sorted(unknown)}"
        assert row.phrases and all(p.strip() for p in row.phrases), f"{row.id}: no phrase"
        assert known[row.app].applies(row.check_id), f"{row.id}: the check does not apply"
        assert row.flaws or row.edit is not None, f"{row.id}: neither a flaw nor an edit"


def test_every_check_is_caught_for_each_kind_of_app_it_applies_to() -> None:
    known = apps()
    gaps = []
    for check_id in catalog_ids():
        rows = [row for row in ROWS if row.check_id == check_id]
        kinds = {known[row.app].auth for row in rows}
        needed = {app.auth for app in known.values() if app.applies(check_id)}
        if check_id.startswith("LST-"):
            needed = {"oauth"}  # listing data is the partner's config, not app behaviour
        gaps += [f"{check_id}: no catching row on an {kind} app" for kind in sorted(needed - kinds)]
    assert not gaps, "\n".join(gaps)


def test_every_check_is_caught_on_two_codebases_where_two_apply() -> None:
    known = apps()
    gaps = []
    for check_id in catalog_ids():
        codebases = {known[row.app].codebase for row in ROWS if row.check_id == check_id}
        possible = {app.codebase for app in known.values() if app.applies(check_id)}
        if len(codebases) < min(2, len(possible)):
            gaps.append(f"{check_id}: caught only on {sorted(codebases)} "
                        f"(apps it applies to: {sorted(possible)})")
    assert not gaps, "\n".join(gaps)


def test_every_demo_flaw_is_used_by_a_row() -> None:
    from examples.demo_partner.flaws import FLAWS

    used = {flaw for row in ROWS for flaw in row.flaws if row.app.startswith("demo")}
    assert set(FLAWS) - used == set(), sorted(set(FLAWS) - used)
