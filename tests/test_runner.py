"""`sb-readiness run`: exit codes for bad config, a broken app, and the verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from sbready.cli import main

MINIMAL = """
[app]
name = "Broken App"
onboarding_url = "http://127.0.0.1:{app_port}/Appcenter/AFASSB/"
redirect_uri = "http://127.0.0.1:{app_port}/callback"
bundles = ["Verkoopjournaalpost"]
sb_version = "6.0.0"
client_id = "broken"
client_secret = "${BROKEN_SECRET}"
mode = "development"

[app.start]
command = "START"
ready_url = "http://127.0.0.1:{app_port}/health"
timeout = 5

[sync]
command = "{python} -c pass"
"""


def _config(tmp_path: Path, start: str) -> Path:
    path = tmp_path / "readiness.toml"
    path.write_text(MINIMAL.replace("START", start), "utf-8")
    return path


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--config", str(tmp_path / "nope.toml"), "--reports", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


def test_missing_secret_variable_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BROKEN_SECRET", raising=False)
    code = main(["run", "--config", str(_config(tmp_path, "true")), "--reports", str(tmp_path)])
    assert code == 2
    assert "BROKEN_SECRET" in capsys.readouterr().err


def test_unknown_check_id_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKEN_SECRET", "s3cret-value-123")
    code = main(["run", "--config", str(_config(tmp_path, "true")), "--reports",
                 str(tmp_path / "r"), "--only", "ONB-99"])
    assert code == 2
    assert "ONB-99" in capsys.readouterr().err


def test_app_that_exits_before_ready_is_a_harness_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKEN_SECRET", "s3cret-value-123")
    monkeypatch.setenv("SB_SPEC_DIR", str(Path(__file__).resolve().parents[2] / "shared"
                                          / "sb-openapi"))
    start = "{python} -c 'print(987654); raise SystemExit(4)'"
    code = main(["run", "--config", str(_config(tmp_path, start)), "--reports",
                 str(tmp_path / "r"), "--only", "LST-03"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "exited with code 4" in err and "987654" in err
    assert "s3cret-value-123" not in err


@pytest.mark.parametrize(("argv", "hint"), [
    ([], "`sb-readiness --help`"),
    (["spec", "lint", "--sb-version"], "`sb-readiness spec lint --help`"),
    (["sandbox", "--dialect", "foo"], "`sb-readiness sandbox --help`"),
])
def test_usage_mistakes_name_the_right_help(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert hint in err and "Traceback" not in err


def test_sandbox_port_in_use_exits_2_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    monkeypatch.setenv("BROKEN_SECRET", "s3cret-value-123")
    monkeypatch.setenv("SB_SPEC_DIR", str(Path(__file__).resolve().parents[2] / "shared"
                                          / "sb-openapi"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        path = _config(tmp_path, "true")
        path.write_text(path.read_text("utf-8") + f"\n[sandbox]\nport = {port}\n", "utf-8")
        code = main(["run", "--config", str(path), "--reports", str(tmp_path / "r"),
                     "--only", "LST-03"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"port {port}" in err and "port = 0" in err


def test_demo_command_ends_with_the_report_path_and_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SB_SPEC_DIR", str(Path(__file__).resolve().parents[2] / "shared"
                                          / "sb-openapi"))
    code = main(["demo", "--reports", str(tmp_path / "r"), "--only", "LST-03"])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0, out
    report = tmp_path / "r" / "sb-readiness-report.html"
    assert out[-2:] == [f"Report: {report}", "Verdict: READY"]
    assert report.is_file()


def test_unknown_bundle_exits_2_with_the_closest_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKEN_SECRET", "s3cret-value-123")
    path = _config(tmp_path, "true")
    path.write_text(path.read_text("utf-8").replace('["Verkoopjournaalpost"]', '["Relatie"]'),
                    "utf-8")
    code = main(["run", "--config", str(path), "--reports", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "bundle 'Relatie'" in err and "did you mean 'Relaties'" in err
    assert "Traceback" not in err
