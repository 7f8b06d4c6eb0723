"""ONB-14's critical part with an app whose certificate the harness does not trust (the other
ONB-14 items: flaw rows in tests/test_selftests_onboarding.py)."""

from __future__ import annotations

from pathlib import Path

from sbready.report.verdict import read_results
from sbready.runner import execute, write_demo_config


def test_untrusted_certificate_fails_onb14(tmp_path: Path, spec_dir: Path) -> None:
    # the app serves a certificate from a CA the harness was not told about ([app] ca_file
    # names another one); the app is started and found ready by its port, not over TLS
    from sbready.tls import make_local_tls

    workdir = tmp_path / "work"
    workdir.mkdir()
    config_path, environ = write_demo_config(workdir)
    make_local_tls(workdir / "other-ca")
    text = config_path.read_text("utf-8")
    ready = next(line for line in text.splitlines() if line.startswith("ready_url = "))
    text = text.replace('ca_file = "{workdir}/tls/ca.pem"', 'ca_file = "{workdir}/other-ca/ca.pem"')
    config_path.write_text(text.replace(ready, 'ready_port = "{app_port}"'), "utf-8")
    outcome = execute(config_path, tmp_path / "reports", only=("ONB-14",), environ=environ,
                      workdir=workdir, html=False)
    results = {r.check_id: r for r in read_results(outcome.results_dir)}
    assert results["ONB-14"].status == "failed"
    message = results["ONB-14"].message or ""
    assert "the onboarding page https://127.0.0.1:" in message
    assert "/Appcenter/AFASSB/: the TLS certificate of 127.0.0.1:" in message
    assert "is not valid" in message
    assert outcome.exit_code == 1  # the critical part: NOT READY
