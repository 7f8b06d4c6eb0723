"""`sb-readiness spec ...` commands."""

from __future__ import annotations

from sbready.spec.lint import lint_report
from sbready.spec.resolve import load_spec


def lint_command(spec: str | None, sb_version: str | None) -> int:
    """Print one `<location>: <message>` line per defect and a summary; exit code 0.

    A file that is not an SB OpenAPI document raises UsageError (NotOpenAPIError), which the
    CLI prints as one line on stderr with exit code 2.
    """
    loaded = load_spec(spec=spec, sb_version=sb_version)
    report = lint_report(loaded.raw)
    for defect in report.defects:
        print(f"{defect.location}: {defect.message}")
    print(
        f"SB {loaded.sb_version} ({loaded.source}): {len(report.defects)} defects; "
        f"{report.violating_examples} of {report.response_examples} response examples "
        "violate their schema"
    )
    return 0
