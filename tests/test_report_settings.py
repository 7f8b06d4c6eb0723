"""[report] in readiness.toml, provenance and the run history (sbready/report/run_info.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from examples.demo_partner.readiness import demo_config
from sbready.config import ReadinessConfig, load_config
from sbready.errors import UsageError
from sbready.report.run_info import (
    app_version,
    config_sha256,
    listing_facts,
    load_history,
    record_history,
    report_settings,
)
from sbready.report.verdict import CheckResult, decide


def _config(tmp_path: Path, extra: str = "") -> tuple[ReadinessConfig, dict[str, str]]:
    text, variables = demo_config(tmp_path)
    path = tmp_path / "readiness.toml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    environ = {**os.environ, **variables}
    return load_config(path, environ=environ), environ


def test_report_lang_defaults_to_english_and_reads_dutch(tmp_path: Path) -> None:
    config, _ = _config(tmp_path)
    assert report_settings(config).lang == "en"
    dutch, _ = _config(tmp_path, '[report]\nlang = "NL"\napp_version = "2.4.1"\n')
    settings = report_settings(dutch)
    assert (settings.lang, settings.app_version) == ("nl", "2.4.1")
    assert app_version(settings, tmp_path) == "2.4.1"


@pytest.mark.parametrize(("table", "message"), [
    ('[report]\nlang = "de"\n', 'lang in [report] must be "en" or "nl", not \'de\''),
    ('[report]\nlanguage = "nl"\n', "unknown key 'language' in [report]"),
    ("[report]\nlang = 1\n", 'lang in [report] must be a string'),
])
def test_report_table_mistakes_are_one_sentence_with_the_fix(
    tmp_path: Path, table: str, message: str
) -> None:
    config, _ = _config(tmp_path, table)
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("]", r"\]")):
        report_settings(config)


def test_app_version_command_gives_its_first_line(tmp_path: Path) -> None:
    config, _ = _config(tmp_path, '[report]\napp_version_command = "echo 3.1.4-rc1"\n')
    assert app_version(report_settings(config), tmp_path) == "3.1.4-rc1"


def test_config_hash_leaves_secrets_out(tmp_path: Path) -> None:
    config, environ = _config(tmp_path)
    digest = config_sha256(config)
    assert len(digest) == 64 and digest == config_sha256(config)
    # a different secret value in the environment does not change the hash
    again = load_config(config.path, environ={**environ, "DEMO_PARTNER_CLIENT_SECRET": "other"})
    assert config_sha256(again) == digest
    # another [report] table does change it
    changed, _ = _config(tmp_path, '[report]\nlang = "nl"\n')
    assert config_sha256(changed) != digest


def test_listing_facts_carry_the_logo_image_and_the_texts_verbatim(tmp_path: Path) -> None:
    config, _ = _config(tmp_path)
    facts = listing_facts(config)
    assert str(facts["logo_data_uri"]).startswith("data:image/png;base64,")
    assert facts["summary"] == config.listing.summary
    assert facts["description"] and len(str(facts["description"])) > 200


def test_history_keeps_one_record_per_run_oldest_first(tmp_path: Path) -> None:
    failed = decide([CheckResult("ERR-04", "failed", "critical", "Working error handling",
                                 "ERR-04", "x")], expected=["ERR-04"])
    fixed = decide([CheckResult("ERR-04", "passed", "critical", "Working error handling",
                                "ERR-04", None)], expected=["ERR-04"])
    record_history(tmp_path, failed, 1_764_000_000.0)
    runs = record_history(tmp_path, fixed, 1_764_000_100.0)
    assert [(run["ready"], run["checks"]) for run in runs] == [
        (False, {"ERR-04": "failed"}), (True, {"ERR-04": "passed"})]
    (tmp_path / "run-broken.json").write_text("{", encoding="utf-8")
    assert len(load_history(tmp_path)) == 2
