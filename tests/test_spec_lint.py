"""`spec lint`: the defects normalise patches, examples that break their schemas, the CLI."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sbready.cli import main
from sbready.spec import resolve
from sbready.spec.lint import lint, lint_report
from sbready.spec.normalise import normalise

SUMMARY = re.compile(
    r"^SB (?P<version>\S+) \((?P<source>.+)\): (?P<defects>\d+) defects; "
    r"(?P<bad>\d+) of (?P<examples>\d+) response examples violate their schema$"
)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    resolve.clear_caches()
    yield
    resolve.clear_caches()


@pytest.fixture(scope="module")
def raw_6(spec_dir: Path) -> dict[str, Any]:
    return dict(json.loads((spec_dir / "6.0.0.json").read_text(encoding="utf-8")))


def test_6_0_0_has_20_of_75_response_examples_violating(raw_6: dict[str, Any]) -> None:
    report = lint_report(raw_6)
    assert (report.violating_examples, report.response_examples) == (20, 75)
    violations = [d for d in report.defects if "violates its own response schema" in d.message]
    assert len(violations) == 20
    by_location = {d.location: d.message for d in violations}
    addresses = (
        "#/paths/~1api~1addresses/get/responses/200/content/application~1json/examples/example"
    )
    assert by_location[addresses] == (
        "GET /api/addresses 200 example 'example' violates its own response schema at $: "
        "an object where the schema says array."
    )
    debtorbalance = next(m for loc, m in by_location.items() if "debtorbalance/" in loc)
    assert "number" in debtorbalance and "where the schema says string" in debtorbalance


def test_lint_lists_every_patch_normalise_makes(raw_6: dict[str, Any]) -> None:
    defects = lint(raw_6)
    _, patches = normalise(raw_6)
    listed = {(d.location, d.message) for d in defects}
    assert {(p.location, p.description) for p in patches} <= listed
    messages = " ".join(d.message for d in defects)
    for known in (
        "oauth2 security scheme has no flows",
        "http security scheme has no scheme",
        "'Applicationtoken' names an undefined security scheme",
        "schema has `examples`",
        "path parameter 'id' is declared but the path",
        "expires_in is typed integer",
        "contains the responses 400, 401, 403 inside itself",
        "security scheme has null",
    ):
        assert known in messages, known


def test_a_clean_document_has_no_defects() -> None:
    clean: dict[str, Any] = {
        "openapi": "3.0.0",
        "info": {"title": "x", "version": "1.0.0"},
        "paths": {
            "/api/things": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"type": "string"}},
                                    "examples": {"ok": {"value": ["a"]}},
                                    "example": ["b"],
                                }
                            },
                        }
                    }
                }
            }
        },
    }
    report = lint_report(clean)
    assert report.defects == []
    assert (report.violating_examples, report.response_examples) == (0, 2)
    clean["paths"]["/api/things"]["get"]["responses"]["200"]["content"]["application/json"][
        "example"
    ] = [1]
    broken = lint_report(clean)
    assert broken.violating_examples == 1
    assert broken.defects[0].location.endswith("/content/application~1json/example")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["spec", "lint", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_cli_lint_by_version(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, spec_dir: Path
) -> None:
    monkeypatch.setenv("SB_SPEC_DIR", str(spec_dir))
    code, lines, err = _run(capsys, "--sb-version", "6.0.0")
    assert code == 0 and err == ""
    summary = SUMMARY.match(lines[-1])
    assert summary is not None, lines[-1]
    assert summary["version"] == "6.0.0"
    assert (summary["bad"], summary["examples"]) == ("20", "75")
    assert int(summary["defects"]) == len(lines) - 1
    assert all(re.match(r"^#/\S.*: \S", line) for line in lines[:-1])


def test_cli_lint_by_path(capsys: pytest.CaptureFixture[str], spec_dir: Path) -> None:
    code, lines, _ = _run(capsys, "--spec", str(spec_dir / "2.1.0.json"))
    summary = SUMMARY.match(lines[-1])
    assert code == 0 and summary is not None
    assert summary["version"] == "2.1.0" and summary["source"] == str(spec_dir / "2.1.0.json")
    assert "#/paths/~1api~1organisation/put/parameters/2: path parameter 'id'" in "\n".join(lines)


def test_cli_refuses_a_file_that_is_not_openapi(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    package = tmp_path / "package.json"
    package.write_text(json.dumps({"name": "x", "version": "1.0.0"}), encoding="utf-8")
    code, lines, err = _run(capsys, "--spec", str(package))
    assert code == 2 and lines == []
    assert err.count("\n") == 1
    assert "package.json is not an OpenAPI document" in err and "no openapi" in err


def test_cli_reports_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, lines, err = _run(capsys, "--spec", str(tmp_path / "missing.json"))
    assert code == 2 and lines == []
    assert "missing.json does not exist" in err and "Traceback" not in err


def test_cli_without_network_says_how_to_work_offline(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.delenv("SB_SPEC_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(
        resolve, "DOWNLOAD_URL_TEMPLATE", f"http://127.0.0.1:{closed_port}/{{dashed}}.json"
    )
    code, lines, err = _run(capsys, "--sb-version", "latest")
    assert code == 2 and lines == []
    assert "could not download SB spec 6.0.0 from AFAS's docs repository" in err
    assert "set SB_SPEC_DIR to a folder with 6.0.0.json or pass --spec PATH" in err


def test_spec_diff_command_names_the_salesjournalentry_version_move(
    spec_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SB_SPEC_DIR", str(spec_dir))
    assert main(["spec", "diff", "3.2.0", "4.0.0"]) == 0
    out = capsys.readouterr().out
    assert "version  POST /api/salesjournalentry: 1.0 -> 2.0" in out
    assert main(["spec", "diff", "2.2.0", "3.1.0"]) == 0
    assert "removed  GET /api/journalentry" in capsys.readouterr().out
